// Reading Shadow's strace logs (experimental.strace_logging_mode: standard | deterministic):
// one file per process, `<procname>.<pid>.strace`, lines `HH:MM:SS.nnnnnnnnn [tid N] call(args) = rv`,
// a natively run call's result on a following `... [tid N] ^^^ = SyscallReg { … }` line.
// The files are merged into one event stream by simulated time, as strace -ff files are.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { TraceParser, type TraceEvent } from '@forkscope/tracer';

export type ShadowMode = 'standard' | 'deterministic';

export interface ShadowLog {
  readonly events: TraceEvent[];
  /** `<pointer>` anywhere means deterministic mode (every pointer, buffer and array hidden). */
  readonly mode: ShadowMode;
  /** Each thread id seen, mapped to the process (file) it was logged in. */
  readonly processOfTid: ReadonlyMap<number, number>;
  /** Problems with the files themselves (`file:line: why`); the events hold the parser's own diagnostics. */
  readonly problems: readonly string[];
}

export interface ShadowFile {
  /** As the user named it (shown in messages and spans). */
  readonly name: string;
  readonly text: string;
}

/** `<proc>.<pid>.strace` → pid; null for other names. */
export function pidOfShadowName(path: string): number | null {
  const name = basename(path);
  const suffix = '.strace';
  if (!name.endsWith(suffix)) return null;
  const stem = name.slice(0, -suffix.length);
  const dot = stem.lastIndexOf('.');
  if (dot <= 0 || dot === stem.length - 1 || stem.length - dot > 11) return null;
  let pid = 0;
  for (let i = dot + 1; i < stem.length; i++) {
    const c = stem.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    pid = pid * 10 + (c - 0x30);
  }
  return pid;
}

/** True when a line starts with Shadow's `HH:MM:SS.n [tid N] ` leader. */
export function isShadowLine(line: string): boolean {
  const at = line.indexOf(' [tid ');
  if (at < 8 || at > 40) return false;
  let colons = 0;
  for (let i = 0; i < at; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x3a) colons++;
    else if (c !== 0x2e && (c < 0x30 || c > 0x39)) return false;
  }
  return colons === 2;
}

interface Logged {
  readonly file: number;
  readonly lineNo: number;
  readonly text: string;
  readonly ns: bigint | null;
}

export async function readShadowFiles(paths: readonly string[], shown: readonly string[]): Promise<ShadowLog> {
  const files: ShadowFile[] = [];
  for (let i = 0; i < paths.length; i++) files.push({ name: shown[i] as string, text: await readFile(paths[i] as string, 'latin1') });
  return parseShadowFiles(files);
}

/**
 * Merges the files by simulated time (ties: the order the files were given, then line order),
 * keeping each `^^^` result line right after the call it completes.
 */
export function parseShadowFiles(files: readonly ShadowFile[]): ShadowLog {
  const problems: string[] = [];
  const processOfTid = new Map<number, number>();
  const records: Logged[][] = [];
  let deterministic = false;
  // First pass: which process (file) each thread id is logged in.
  const split = files.map((f) => {
    const lines = f.text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  });
  files.forEach((f, fi) => {
    const pid = pidOfShadowName(f.name);
    if (pid === null && files.length > 1) problems.push(`${f.name}:0: not a Shadow log name (expected <procname>.<pid>.strace), so its process is unknown`);
    (split[fi] as string[]).forEach((raw, n) => {
      if (raw.includes('<pointer>')) deterministic = true;
      const tid = tidOf(raw);
      if (tid === null || pid === null) return;
      const owner = processOfTid.get(tid);
      if (owner === undefined) processOfTid.set(tid, pid);
      else if (owner !== pid) problems.push(`${f.name}:${n + 1}: thread ${tid} is also logged in process ${owner}'s file`);
    });
  });
  files.forEach((_file, fi) => {
    const list: Logged[] = [];
    (split[fi] as string[]).forEach((raw, n) => {
      list.push({ file: fi, lineNo: n + 1, text: hiddenResult(markHiddenThread(stripPointerNotes(raw), processOfTid)), ns: simTimeNs(raw) });
    });
    records.push(list);
  });
  const parser = new TraceParser({ dialect: 'shadow' });
  const heads = records.map(() => 0);
  for (;;) {
    let best = -1;
    let bestNs: bigint | null = null;
    for (let f = 0; f < records.length; f++) {
      const r = (records[f] as Logged[])[heads[f] as number];
      if (r === undefined) continue;
      // A line without a time (not Shadow's) is taken at once; the parser reports it.
      if (r.ns === null) {
        best = f;
        break;
      }
      if (best < 0 || bestNs === null || r.ns < bestNs) {
        best = f;
        bestNs = r.ns;
      }
    }
    if (best < 0) break;
    const list = records[best] as Logged[];
    // The call and any `^^^` lines that follow it go in together.
    do {
      const r = list[heads[best] as number] as Logged;
      parser.lineAt(r.text, r.lineNo, (files[best] as ShadowFile).name, null);
      heads[best] = (heads[best] as number) + 1;
    } while (isResultLine(list[heads[best] as number]));
  }
  parser.finish();
  return { events: parser.take(), mode: deterministic ? 'deterministic' : 'standard', processOfTid, problems };
}

function isResultLine(r: Logged | undefined): boolean {
  if (r === undefined) return false;
  const at = r.text.indexOf('] ^^^ = ');
  return at > 0 && at < 60;
}

function tidOf(line: string): number | null {
  const at = line.indexOf(' [tid ');
  if (at < 0 || !isShadowLine(line)) return null;
  let n = 0;
  let i = at + 6;
  const start = i;
  for (; i < line.length && i - start < 10; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  return i > start && line.charCodeAt(i) === 0x5d ? n : null;
}

/** `HH:MM:SS.nnnnnnnnn` → nanoseconds of simulated time; null when the line has no such stamp. */
export function simTimeNs(line: string): bigint | null {
  if (!isShadowLine(line)) return null;
  const end = line.indexOf(' ');
  const parts = line.slice(0, end).split(':');
  if (parts.length !== 3) return null;
  const [h, m, s] = parts as [string, string, string];
  const dot = s.indexOf('.');
  const whole = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1, dot + 10).padEnd(9, '0');
  if (h === '' || m === '' || whole === '' || frac.includes('.')) return null;
  return ((BigInt(h) * 60n + BigInt(m)) * 60n + BigInt(whole)) * 1_000_000_000n + BigInt(frac === '' ? '0' : frac);
}

/**
 * Shadow prints a pointer it dereferenced as `value (0xADDR)`: `"/bin/true" (0x55d0…)`,
 * `["true"] (0x7ffc…)`. The address is no behaviour, and without it the value reads as strace's
 * would (a string, an array), so exec paths and argv can be compared. One pass, strings skipped.
 */
export function stripPointerNotes(line: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      if (inString || c !== 0x22) continue;
    } else if (c === 0x22) {
      inString = true;
      continue;
    }
    // After a closing quote, bracket or brace: ` (0x<hex>)` is a pointer note.
    if (c !== 0x22 && c !== 0x5d && c !== 0x7d) continue;
    let end = i;
    for (;;) {
      if (!line.startsWith(' (0x', end + 1)) break;
      let j = end + 5;
      while (j < line.length && isHex(line.charCodeAt(j))) j++;
      if (j === end + 5 || line.charCodeAt(j) !== 0x29) break;
      end = j;
    }
    if (end === i) continue;
    out += line.slice(from, i + 1);
    from = end + 1;
    i = end;
  }
  return from === 0 ? line : out + line.slice(from);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * Deterministic mode prints clone3's clone_args as `<pointer>`, hiding CLONE_THREAD. The files
 * still tell: a new task logged in its creator's file is a thread of that process. Such a call
 * is read as `clone3({flags=CLONE_THREAD}, …)` (a form no real clone3 takes, which the
 * comparison knows to be a stand-in); a new process keeps its hidden flags.
 */
function markHiddenThread(line: string, processOfTid: ReadonlyMap<number, number>): string {
  const call = line.indexOf('] clone3(');
  if (call < 0 || call > 60) return line;
  const at = call + '] clone3('.length;
  // The struct as `<pointer>` (deterministic) or as a bare address (not dereferenced).
  let end = at;
  if (line.startsWith('<pointer>', at)) end = at + '<pointer>'.length;
  else if (line.startsWith('0x', at)) for (end = at + 2; end < line.length && isHex(line.charCodeAt(end)); end++);
  if (end === at || line.charCodeAt(end) !== 0x2c) return line;
  const tid = tidOf(line);
  const eq = line.lastIndexOf(') = ');
  if (tid === null || eq < 0) return line;
  const rv = line.slice(eq + 4);
  let child = 0;
  for (let i = 0; i < rv.length && i < 10; i++) {
    const c = rv.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return line;
    child = child * 10 + (c - 0x30);
  }
  const mine = processOfTid.get(tid);
  if (child === 0 || mine === undefined || processOfTid.get(child) !== mine) return line;
  return line.slice(0, at) + '{flags=CLONE_THREAD}' + line.slice(end);
}

/**
 * Deterministic mode prints a pointer-typed result (brk, mmap) as `= <pointer>`, which the
 * tracer does not take as a result: read it as strace's `= ?` (a result not shown). No
 * process-lifecycle call returns a pointer, so nothing compared is lost.
 */
function hiddenResult(line: string): string {
  const tail = ') = <pointer>';
  return line.endsWith(tail) ? line.slice(0, -'<pointer>'.length) + '?' : line;
}
