// Prints events back as strace -f text in the `-o` style (pid column "%-5u "), as strace's
// printleader()/syscall_exiting_trace() lay it out: `=` at column 40, split calls as two lines.
import type { Prefix, SummaryRow, SyscallEvent, SyscallOutcome, TraceEvent } from './events.js';

/** strace's default alignment column for ` = ` (-a). */
const RESULT_COLUMN = 40;

function leader(pid: number | null, prefix: Prefix): string {
  let s = '';
  if (pid !== null) s = prefix.comm !== undefined ? `${pid}<${prefix.comm}> ` : `${pid}`.padEnd(5) + ' ';
  if (prefix.secontext !== undefined) s += `[${prefix.secontext}] `;
  if (prefix.time !== undefined) s += prefix.time.text + ' ';
  if (prefix.relative !== undefined) s += prefix.time !== undefined ? `(+${prefix.relative}) ` : prefix.relative + ' ';
  if (prefix.scno !== undefined) s += prefix.scno === null ? '[????] ' : `[${`${prefix.scno}`.padStart(4)}] `;
  if (prefix.ip !== undefined) s += prefix.ip === null ? '[????????????????] ' : `[${prefix.ip}] `;
  return s;
}

function outcomeText(o: SyscallOutcome): string {
  switch (o.kind) {
    case 'value':
      return o.text + (o.decoration !== undefined ? `<${o.decoration}>` : '') + (o.extra !== undefined ? ` (${o.extra})` : '');
    case 'error':
      return o.errno.startsWith('errno ') || o.message === '' ? `${o.value} (${o.errno})` : `${o.value} ${o.errno} (${o.message})`;
    case 'restart':
      return `? ${o.errno} (${o.message})`;
    case 'unknown':
      return '?';
    case 'unavailable':
      return '? <unavailable>';
    case 'native':
      return '<native>';
    case 'blocked':
      return '<blocked>';
    case 'unfinished':
      return '?'; // not printed: an unfinished call has no result part
    default: {
      const never: never = o;
      return never;
    }
  }
}

/** `) ` then spaces up to the result column, then `= result [(injection)] [<duration>]`. */
function resultPart(line: string, ev: SyscallEvent): string {
  let s = line + ') ';
  if (s.length < RESULT_COLUMN) s = s.padEnd(RESULT_COLUMN);
  s += '= ' + outcomeText(ev.outcome);
  if (ev.injection !== undefined) s += ` (${ev.injection})`;
  if (ev.duration !== undefined) s += ` <${ev.duration}>`;
  return s;
}

function syscallLines(ev: SyscallEvent): string[] {
  const lead = leader(ev.pid, ev.prefix);
  const o = ev.outcome;
  let lines: string[];
  if (o.kind === 'unfinished') {
    const marker =
      o.reason === 'detached'
        ? '<detached ...>'
        : ev.pidChangedTo !== undefined && o.reason === 'pid-changed'
          ? `<pid changed to ${ev.pidChangedTo} ...>`
          : '<unfinished ...>';
    lines = [`${lead}${ev.name}(${ev.argsText} ${marker}`];
  } else if (ev.split && ev.splitAt !== undefined) {
    const first = `${lead}${ev.name}(${ev.argsText.slice(0, ev.splitAt)} <unfinished ...>`;
    const endPrefix: Prefix = ev.endTime !== undefined ? { ...ev.prefix, time: ev.endTime } : ev.prefix;
    const resumePid = ev.pidChangedTo ?? ev.pid;
    const head = `${leader(resumePid, endPrefix)}<... ${ev.name} resumed>`;
    const rest = ev.argsText.slice(ev.splitAt);
    const second = ev.vanished === true && o.kind === 'unknown' ? `${head}${rest} <unfinished ...>) = ?` : resultPart(head + rest, ev);
    lines = [first, second];
  } else if (ev.split) {
    // A resumed line whose unfinished half was never seen.
    lines = [resultPart(`${lead}<... ${ev.name} resumed>${ev.argsText}`, ev)];
  } else if (ev.vanished === true && o.kind === 'unknown') {
    lines = [`${lead}${ev.name}(${ev.argsText} <unfinished ...>) = ?`];
  } else {
    lines = [resultPart(`${lead}${ev.name}(${ev.argsText}`, ev)];
  }
  if (ev.stack) for (const f of ev.stack) lines.push(' > ' + f);
  if (ev.dump) for (const d of ev.dump) lines.push(d);
  return lines;
}

function summaryRow(r: SummaryRow): string {
  return (
    r.percentTime.toFixed(2).padStart(6) +
    ' ' +
    r.seconds.toFixed(6).padStart(11) +
    ' ' +
    `${r.usecsPerCall}`.padStart(11) +
    ' ' +
    `${r.calls}`.padStart(9) +
    ' ' +
    (r.errors === 0 ? '' : `${r.errors}`).padStart(9) +
    ' ' +
    r.syscall
  );
}

const SUMMARY_RULE = '------ ----------- ----------- --------- --------- ----------------';

/** The physical lines strace prints for one event. */
export function formatEvent(event: TraceEvent): string[] {
  switch (event.kind) {
    case 'syscall':
      return syscallLines(event);
    case 'signal': {
      const info = event.siginfoText.length > 0 ? ' ' + event.siginfoText : '';
      const lines = [`${leader(event.pid, event.prefix)}--- ${event.signal}${info} ---`];
      if (event.stack) for (const f of event.stack) lines.push(' > ' + f);
      return lines;
    }
    case 'stopped':
      return [`${leader(event.pid, event.prefix)}--- stopped by ${event.signal} ---`];
    case 'exited':
      return [`${leader(event.pid, event.prefix)}+++ exited with ${event.code} +++`];
    case 'killed':
      return [`${leader(event.pid, event.prefix)}+++ killed by ${event.signal}${event.coreDumped ? ' (core dumped)' : ''} +++`];
    case 'superseded':
      return [`${leader(event.pid, event.prefix)}+++ superseded by execve in pid ${event.byPid} +++`];
    case 'attached':
      return [`strace: Process ${event.pid} attached${event.threads !== undefined ? ` with ${event.threads} threads` : ''}`];
    case 'detached':
      return [`strace: Process ${event.pid} detached`];
    case 'summary': {
      const lines = ['% time     seconds  usecs/call     calls    errors syscall', SUMMARY_RULE];
      for (const r of event.rows) lines.push(summaryRow(r));
      if (event.total !== null) lines.push(SUMMARY_RULE, summaryRow(event.total));
      return lines;
    }
    case 'message':
      return [event.text];
    case 'diagnostic':
      return [event.text];
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The events as strace -f -o text, one line per physical line, newline-terminated. */
export function format(events: Iterable<TraceEvent>): string {
  let out = '';
  for (const e of events) for (const l of formatEvent(e)) out += l + '\n';
  return out;
}
