// Fuzzing: random and mutated lines never throw, never hang, and no line is lost: every
// non-empty line is covered by an event's span, attached to a call, or named by a diagnostic.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseText, type TraceEvent } from '../src/index.js';

const seedLines = [
  '4082  execve("/usr/bin/dash", ["dash", "-c", "/bin/true; echo hi"], 0x7fff7ee987b8 /* 35 vars */) = 0',
  '7624  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>',
  '7624  <... clone resumed>, child_tidptr=0x7fcd45f78a10) = 7669',
  '7673  <... clone3 resumed> => {parent_tid=[7674]}, 88) = 7674',
  '4082  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4083',
  '7832<procs> 1795723987.963813 [  61] [00007f84511ebbd3] <... wait4 resumed>[], WSTOPPED, NULL) = 7895<procs> <0.000346>',
  'write(4<a\\74b\\76c \\"q\\".txt>(deleted), "y", 1) = 1 <0.000055>',
  'accept4(6<UNIX-STREAM:[12387,@"strace-abstract"]>, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 8',
  '7624  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7669, si_uid=0, si_status=SIGCONT} ---',
  '7668  +++ killed by SIGSEGV (core dumped) +++',
  'clone(child_stack=NULL, flags=SIGCHLDstrace: Process 7733 attached',
  ', child_tidptr=0x7f0d78311a10) = 7733',
  ' > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]',
  '% time     seconds  usecs/call     calls    errors syscall',
  '00:00:01.000000000 [tid 1000] openat(-100, "/etc/hosts", 0) = -2 (ENOENT)',
  '00:00:01.000000002 [tid 1000] getpid() = <native>',
  '00:00:01.000000002 [tid 1000] ^^^ = SyscallReg { as_i64: 1000, as_u64: 1000, as_ptr: 0x3e8 }',
  'strace: Process 7724 attached',
  ' <unfinished ...>',
  '7624  --- stopped by SIGSTOP ---',
  '7673  +++ superseded by execve in pid 7674 +++',
];

/** Real lines from the corpus when it is there (a sample, to keep the run short). */
function corpusLines(): string[] {
  const dir = join(import.meta.dirname, '..', '..', '..', 'corpus');
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.isDirectory()) walk(join(d, ent.name));
      else if (ent.name.endsWith('.strace')) out.push(...readFileSync(join(d, ent.name), 'utf8').split('\n').filter((l) => l.length > 0).slice(0, 40));
    }
  };
  walk(dir);
  return out;
}

const lines = [...seedLines, ...corpusLines()];

/** A line with a few characters inserted, deleted or replaced, or cut short. */
const mutated = fc
  .tuple(
    fc.constantFrom(...lines),
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('(', ')', '{', '}', '[', ']', '<', '>', '"', '\\', ' ', ',', '=', '/*', '*/', '...', '|', '\x1b[31m', '\0', 'é')), {
      maxLength: 4,
    }),
  )
  .map(([line, edits]) => {
    let s = line;
    for (const [pos, del, ins] of edits) {
      const p = pos % (s.length + 1);
      s = s.slice(0, p) + ins + s.slice(p + del);
    }
    return s.replaceAll('\n', ' ');
  });

const randomLine = fc.string({ maxLength: 120, unit: 'binary' }).map((s) => s.replaceAll('\n', ' ').replaceAll('\r', ' '));

/** Each non-empty line must be accounted for by some event. */
function assertNothingLost(text: string, events: readonly TraceEvent[]): void {
  const physical = text.split('\n');
  const covered = new Set<number>();
  let attachments = 0;
  for (const e of events) {
    for (let l = e.span.line; l <= e.span.endLine; l++) covered.add(l);
    if (e.kind === 'syscall') attachments += (e.stack?.length ?? 0) + (e.dump?.length ?? 0);
    // -k prints frames under a signal line too (SignalEvent.stack).
    if (e.kind === 'signal') attachments += e.stack?.length ?? 0;
    expect(e.span.line).toBeGreaterThanOrEqual(1);
    expect(e.span.endLine).toBeLessThanOrEqual(physical.length);
  }
  let uncovered = 0;
  physical.forEach((l, i) => {
    if (l.trim().length > 0 && !covered.has(i + 1)) uncovered++;
  });
  // Lines outside every span can only be frames/dumps attached to a call or a signal, or summary separators.
  const separators = physical.filter((l) => l.startsWith('------')).length;
  expect(uncovered).toBeLessThanOrEqual(attachments + separators);
}

describe('fuzzing: random and mutated lines', () => {
  it('never throw, and every bad line yields a diagnostic with its line number', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(mutated, randomLine, fc.constantFrom(...lines)), { minLength: 1, maxLength: 20 }), (ls) => {
        const text = ls.join('\n');
        const events = parseText(text);
        assertNothingLost(text, events);
        for (const e of events) {
          if (e.kind === 'diagnostic') expect(e.reason.length).toBeGreaterThan(0);
          // Lazy arguments parse without throwing too.
          if (e.kind === 'syscall') expect(Array.isArray(e.args)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a line cut by a stderr message and completed into an <unfinished ...> half that never resumes spans both lines (a counterexample the fuzzer found)', () => {
    // Unit-test fixture lines: line 1 is cut by strace's own message, line 2 completes it, and
    // the call is still open at the end of the input.
    const text = [
      'clone(child_stack=NULL, flags=SIGCHLDstrace: Process 7733 attached',
      '17540 1795726253.195852 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f04403c1000, stack_size=0x10000}, 88 <unfinished ...>',
      '4082  execve("/usr/bin/dash", ["dash", "-c", "/bin/true; echo hi"], 0x7fff7ee987b8 /* 35 vars */) = 0',
    ].join('\n');
    const events = parseText(text);
    assertNothingLost(text, events);
    const open = events.find((e) => e.kind === 'syscall' && e.outcome.kind === 'unfinished');
    expect(open?.span).toEqual({ line: 1, endLine: 2 });
  });

  it('frames under a signal line are attached to it (a counterexample the fuzzer found)', () => {
    // Unit-test fixture lines.
    const text = [
      '7624  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7669, si_uid=0, si_status=SIGCONT} ---',
      ' > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]',
      '4082  execve("/usr/bin/dash", ["dash", "-c", "/bin/true; echo hi"], 0x7fff7ee987b8 /* 35 vars */) = 0',
    ].join('\n');
    const events = parseText(text);
    assertNothingLost(text, events);
    const signal = events.find((e) => e.kind === 'signal');
    expect(signal?.kind === 'signal' ? signal.stack : undefined).toEqual(['/usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]']);
  });

  it('a single unparseable line is reported with its own line number', () => {
    fc.assert(
      fc.property(fc.nat(5), randomLine.filter((l) => l.trim().length > 0), (before, junk) => {
        const text = [...Array.from({ length: before }, () => '1 close(3) = 0'), junk].join('\n');
        const events = parseText(text);
        const last = events.filter((e) => e.span.line === before + 1 || e.span.endLine === before + 1);
        expect(last.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('pathological input stays linear: deep nesting, long strings, unclosed quotes', () => {
    const deep = `f(${'['.repeat(50_000)}1${']'.repeat(50_000)}) = 0`;
    const [d] = parseText(deep);
    expect(d?.kind).toBe('syscall');
    if (d?.kind === 'syscall') expect(d.args[0]?.value.kind).toBe('raw');
    const comments = `f(${'/* x */ '.repeat(20_000)}1) = 0`;
    const [c] = parseText(comments);
    if (c?.kind === 'syscall') expect(c.args).toHaveLength(1);
    const quotes = `write(1, "${'\\\\'.repeat(100_000)}`;
    expect(parseText(quotes)[0]?.kind).toBe('diagnostic');
    const opens = '('.repeat(200_000);
    expect(parseText(`f${opens}`)[0]?.kind).toBe('diagnostic');
  });
});
