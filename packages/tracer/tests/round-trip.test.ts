// format → parseText is the identity on every event the formatter covers (property-based), and
// generated argument text always parses into a tree with nothing left raw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { format, formatEvent, parseText, type Prefix, type SyscallOutcome, type TraceEvent } from '../src/index.js';
import { plain } from './event-compare.js';

// ---- argument text in strace's syntax -------------------------------------------------------

const ident = fc.constantFrom('O_RDONLY', 'O_CLOEXEC', 'SIGCHLD', 'AT_FDCWD', 'CLONE_VM', 'CLONE_VFORK', 'F_GETFL', 'WNOHANG');
const intText = fc.oneof(
  fc.bigInt({ min: -100000n, max: 2n ** 64n - 1n }).map((v) => v.toString()),
  fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map((v) => '0x' + v.toString(16)),
  fc.integer({ min: 1, max: 0o777 }).map((v) => '0' + v.toString(8)),
);

/** strace's string escaping of arbitrary bytes (src/util.c string_quote, default style). */
function quote(bytes: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const next = bytes[i + 1];
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 10) s += '\\n';
    else if (b === 9) s += '\\t';
    else if (b === 13) s += '\\r';
    else if (b === 11) s += '\\v';
    else if (b === 12) s += '\\f';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else if (next !== undefined && next >= 0x30 && next <= 0x37) s += '\\' + b.toString(8).padStart(3, '0');
    else s += '\\' + b.toString(8);
  }
  return s + '"';
}

const stringText = fc.tuple(fc.uint8Array({ maxLength: 24 }), fc.boolean()).map(([b, t]) => quote(b) + (t ? '...' : ''));
const path = fc.stringMatching(/^\/[a-z0-9_.]{1,12}$/);

const valueText: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    intText,
    ident,
    stringText,
    fc.constant('NULL'),
    fc.array(ident, { minLength: 2, maxLength: 4 }).map((a) => a.join('|')),
    fc.tuple(intText.filter((t) => !t.startsWith('-')), path).map(([n, p]) => `${n}<${p}>`),
    fc.array(fc.constantFrom('KILL', 'STOP', 'CHLD', 'RTMIN', 'RT_1'), { maxLength: 4 }).chain((a) =>
      fc.boolean().map((neg) => `${neg ? '~' : ''}[${a.join(' ')}]`),
    ),
    fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), tie('v')), { maxLength: 4 }).map((fs) => `{${fs.map(([k, v]) => `${k}=${v}`).join(', ')}}`),
    fc.array(tie('v'), { minLength: 2, maxLength: 4 }).map((a) => `[${a.join(', ')}]`),
    fc.tuple(tie('v'), fc.stringMatching(/^[a-z0-9 ]{1,10}$/)).map(([v, c]) => `${v} /* ${c.trim() || 'x'} */`),
    fc.tuple(fc.constantFrom('htons', 'makedev', 'inet_addr'), fc.array(tie('v'), { minLength: 1, maxLength: 2 })).map(([f, a]) => `${f}(${a.join(', ')})`),
    fc.tuple(tie('v'), tie('v')).map(([a, b]) => `[${a} => ${b}]`),
  ),
})).v;

const argList = fc.array(fc.tuple(fc.option(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), { nil: undefined }), valueText), { maxLength: 5 });

// ---- events -----------------------------------------------------------------------------------

const names = fc.constantFrom('read', 'write', 'clone', 'clone3', 'execve', 'wait4', 'openat', 'vfork', 'syscall_0xbad');
const pid = fc.integer({ min: 1, max: 4194304 });
const time = fc.bigInt({ min: 1_000_000_000n, max: 2_000_000_000n }).chain((s) =>
  fc.integer({ min: 0, max: 999999 }).map((us) => ({ text: `${s}.${String(us).padStart(6, '0')}`, ns: s * 1_000_000_000n + BigInt(us) * 1000n })),
);

const outcome: fc.Arbitrary<SyscallOutcome> = fc.oneof(
  intText.map((text): SyscallOutcome => ({ kind: 'value', text, value: 0n })),
  fc.tuple(fc.constantFrom('ENOENT', 'EAGAIN', 'ECHILD'), fc.constantFrom('No such file or directory', 'Resource temporarily unavailable')).map(
    ([errno, message]): SyscallOutcome => ({ kind: 'error', value: -1n, errno, message }),
  ),
  fc.constant<SyscallOutcome>({ kind: 'restart', errno: 'ERESTARTSYS', message: 'To be restarted if SA_RESTART is set' }),
  fc.constant<SyscallOutcome>({ kind: 'unknown' }),
  fc.constant<SyscallOutcome>({ kind: 'unavailable' }),
  fc.constant<SyscallOutcome>({ kind: 'unfinished', reason: 'detached' }),
);

interface Draft {
  readonly ev: Record<string, unknown>;
  readonly lines: number;
}

const syscallDraft: fc.Arbitrary<Draft> = fc
  .record({
    pid,
    time: fc.option(time, { nil: undefined }),
    endTime: time,
    name: names,
    args: argList,
    outcome,
    splitAt: fc.option(fc.nat(5), { nil: undefined }),
    duration: fc.option(fc.integer({ min: 0, max: 999999 }).map((us) => `0.${String(us).padStart(6, '0')}`), { nil: undefined }),
    stack: fc.option(fc.array(fc.constantFrom('/lib/libc.so.6(__write+0x10) [0xf8350]', '/usr/bin/true(+0x0) [0x23f1]'), { minLength: 1, maxLength: 2 }), {
      nil: undefined,
    }),
  })
  .map((r) => {
    const texts = r.args.map(([n, v]) => (n === undefined ? v : `${n}=${v}`));
    const argsText = texts.join(', ');
    const prefix: Prefix = r.time ? { time: r.time } : {};
    const ev: Record<string, unknown> = { kind: 'syscall', pid: r.pid, prefix, name: r.name, argsText, split: false };
    let outcomeValue = r.outcome;
    if (outcomeValue.kind === 'value') outcomeValue = { ...outcomeValue, value: BigInt.asIntN(128, parseInt128(outcomeValue.text)) };
    ev['outcome'] = outcomeValue;
    let lines = 1;
    const done = outcomeValue.kind !== 'unfinished';
    if (done && r.duration !== undefined) ev['duration'] = r.duration;
    if (done && r.splitAt !== undefined) {
      // Split at an argument boundary, as strace does between entry and exit decoding.
      const k = Math.min(r.splitAt, texts.length);
      const head = texts.slice(0, k).join(', ') + (k > 0 && k < texts.length ? ', ' : '');
      ev['split'] = true;
      ev['splitAt'] = head.length;
      if (r.time) ev['endTime'] = r.endTime;
      lines = 2;
    }
    if (r.stack) ev['stack'] = r.stack;
    return { ev, lines };
  });

function parseInt128(text: string): bigint {
  const neg = text.startsWith('-');
  const d = neg ? text.slice(1) : text;
  const v = d.length > 1 && d.startsWith('0') && !d.startsWith('0x') ? BigInt('0o' + d.slice(1)) : BigInt(d);
  return neg ? -v : v;
}

const otherDraft: fc.Arbitrary<Draft> = fc.oneof(
  fc.tuple(pid, fc.constantFrom('SIGCHLD', 'SIGSEGV'), fc.integer({ min: 1, max: 99999 })).map(([p, s, child]) => ({
    ev: {
      kind: 'signal',
      pid: p,
      prefix: {},
      signal: s,
      siginfo: [],
      siginfoText: `{si_signo=${s}, si_code=CLD_EXITED, si_pid=${child}, si_uid=0, si_status=0, si_utime=0, si_stime=0}`,
    },
    lines: 1,
  })),
  fc.tuple(pid, fc.integer({ min: 0, max: 255 })).map(([p, code]) => ({ ev: { kind: 'exited', pid: p, prefix: {}, code }, lines: 1 })),
  fc.tuple(pid, fc.constantFrom('SIGKILL', 'SIGSEGV'), fc.boolean()).map(([p, signal, coreDumped]) => ({
    ev: { kind: 'killed', pid: p, prefix: {}, signal, coreDumped },
    lines: 1,
  })),
  fc.tuple(pid, fc.constantFrom('SIGSTOP', 'SIGTSTP')).map(([p, signal]) => ({ ev: { kind: 'stopped', pid: p, prefix: {}, signal }, lines: 1 })),
  pid.map((p) => ({ ev: { kind: 'attached', pid: p, prefix: {} }, lines: 1 })),
  pid.map((p) => ({ ev: { kind: 'detached', pid: p, prefix: {} }, lines: 1 })),
  fc.array(
    fc.record({
      percentTime: fc.integer({ min: 0, max: 10000 }).map((v) => v / 100),
      seconds: fc.integer({ min: 0, max: 999999 }).map((v) => v / 1e6),
      usecsPerCall: fc.nat(99999),
      calls: fc.nat(99999),
      errors: fc.nat(999),
      syscall: names,
    }),
    { minLength: 1, maxLength: 3 },
  ).map((rows) => ({ ev: { kind: 'summary', pid: null, prefix: {}, rows, total: null }, lines: 2 + rows.length })),
);

/** Events with the spans `format` will give them, one after the other. */
function withSpans(drafts: readonly Draft[]): Record<string, unknown>[] {
  let line = 1;
  return drafts.map((d) => {
    const ev = { ...d.ev, span: { line, endLine: line + (d.ev['kind'] === 'summary' ? d.lines - 1 : d.lines - 1) } };
    line += d.lines + (Array.isArray(d.ev['stack']) ? (d.ev['stack'] as unknown[]).length : 0);
    return ev;
  });
}

/** Parsing gives siginfo as a tree; compare the text, which is what the generator controls. */
function comparable(e: Record<string, unknown>): Record<string, unknown> {
  const o = { ...e };
  if (o['kind'] === 'signal') delete o['siginfo'];
  return o;
}

describe('round trip: parseText(format(events)) equals the events', () => {
  it('holds for generated events of every kind the formatter covers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: syscallDraft }, { weight: 1, arbitrary: otherDraft }), { maxLength: 12 }), (drafts) => {
        const events = withSpans(drafts) as unknown as TraceEvent[];
        const text = format(events);
        const parsed = parseText(text);
        expect(parsed.map((e) => comparable(plain(e)))).toEqual(events.map((e) => comparable(e as unknown as Record<string, unknown>)));
      }),
      { numRuns: 300 },
    );
  });

  it('formatEvent lays a call out like strace -f -o: pid column and `=` at column 40', () => {
    const [line] = formatEvent(parseText('4083  exit_group(0) = ?')[0] as TraceEvent);
    expect(line).toBe('4083  exit_group(0)                     = ?');
    expect(line?.indexOf('= ?')).toBe(40);
  });

  it('generated argument text parses with nothing left raw', () => {
    fc.assert(
      fc.property(argList, (args) => {
        const argsText = args.map(([n, v]) => (n === undefined ? v : `${n}=${v}`)).join(', ');
        const [ev] = parseText(`1 f(${argsText}) = 0`);
        expect(ev?.kind).toBe('syscall');
        if (ev?.kind !== 'syscall') return;
        expect(ev.args).toHaveLength(args.length);
        expect(ev.args.map((a) => a.name)).toEqual(args.map(([n]) => n));
        expect(JSON.stringify(ev.args, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('"kind":"raw"');
      }),
      { numRuns: 500 },
    );
  });
});
