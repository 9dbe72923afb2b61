// Mutations of real corpus captures: each must be reported as a divergence
// under the right rule, at the mutated line. A checker that passes everything
// fails these.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { checkEvents } from '../src/check/check-capture.js';
import { parseCaseInfo } from '../src/check/case-info.js';
import type { CaseInfo } from '../src/check/case-info.js';
import type { CaptureReport, Rule } from '../src/check/report.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));

function load(caseDir: string): { lines: string[]; info: CaseInfo } {
  const lines = readFileSync(join(corpus, caseDir, 'capture.strace'), 'utf8').split('\n');
  const info = parseCaseInfo(readFileSync(join(corpus, caseDir, 'case.json'), 'utf8'));
  if (info.kind !== 'ok') throw new Error(info.message);
  return { lines, info: info.value };
}

function check(lines: readonly string[], info: CaseInfo): CaptureReport {
  return checkEvents('mutated.strace', parseText(lines.join('\n'), { file: 'mutated.strace' }), info);
}

/** Index of the first line satisfying all the given substrings. */
function find(lines: readonly string[], ...parts: string[]): number {
  const i = lines.findIndex((l) => parts.every((p) => l.includes(p)));
  if (i < 0) throw new Error(`no line with ${parts.join(' … ')}`);
  return i;
}

function expectRule(r: CaptureReport, rule: Rule, line?: number): void {
  const summary = r.verdict === 'error' ? r.error : JSON.stringify(r.divergences.slice(0, 5));
  expect(r.verdict, summary).toBe('diverges');
  const hit = r.divergences.find((d) => d.rule === rule && (line === undefined || d.line === line));
  expect(hit, `no ${rule} divergence${line !== undefined ? ` at line ${line}` : ''}: ${summary}`).toBeDefined();
}

describe('mutations of posix_spawn/success are divergences', () => {
  const { lines, info } = load('posix_spawn/success');

  it('A2 vfork parent resumed before the child execve is a blocking divergence', () => {
    const resumed = find(lines, '<... clone3 resumed>');
    const exec = find(lines, 'execve("/bin/true"');
    expect(exec).toBeLessThan(resumed);
    const m = [...lines];
    const [moved] = m.splice(resumed, 1);
    m.splice(exec, 0, moved as string);
    expectRule(check(m, info), 'blocking', exec + 1);
  });

  it('E1 a changed exit status is an exit divergence', () => {
    const childPid = lines[find(lines, 'execve("/bin/true"')]?.split(' ')[0] ?? '';
    const i = lines.findIndex((l) => l.startsWith(`${childPid} `) && l.includes('+++ exited with 0 +++'));
    const m = [...lines];
    m[i] = (m[i] as string).replace('exited with 0', 'exited with 3');
    expectRule(check(m, info), 'exit', i + 1);
  });

  it('E26 a changed wait result (status) is a result divergence', () => {
    const i = find(lines, '<... wait4 resumed>', 'WEXITSTATUS(s) == 0');
    const m = [...lines];
    m[i] = (m[i] as string).replace('WEXITSTATUS(s) == 0', 'WEXITSTATUS(s) == 7');
    expectRule(check(m, info), 'result', i + 1);
  });

  it('E8 a changed errno (ECHILD to EINTR) is an errno divergence', () => {
    const i = find(lines, 'wait4(-1, NULL, WNOHANG, NULL) = -1 ECHILD');
    const m = [...lines];
    m[i] = (m[i] as string).replace('ECHILD (No child processes)', 'EINTR (Interrupted system call)');
    expectRule(check(m, info), 'errno', i + 1);
  });

  it('a dropped close makes the next open return a non-lowest fd', () => {
    const close = find(lines, 'close(3)');
    const m = [...lines];
    m.splice(close, 1);
    // the next openat by the same task was recorded as fd 3; with 3 still open, the lowest free fd is 4
    const next = m.findIndex((l, i) => i >= close && l.includes('openat(') && l.includes('= 3'));
    expectRule(check(m, info), 'fd-lowest-free', next + 1);
  });

  it('reusing a closed fd (a second close of it succeeding) is an fd-closed divergence', () => {
    const close = find(lines, 'close(3)');
    const m = [...lines];
    m.splice(close + 1, 0, m[close] as string);
    expectRule(check(m, info), 'fd-closed', close + 2);
  });

  it('E33 a SIGCHLD whose siginfo differs from the kernel one is a signal divergence', () => {
    const i = find(lines, '--- SIGCHLD', 'si_status=0');
    const m = [...lines];
    m[i] = (m[i] as string).replace('si_status=0', 'si_status=5');
    expectRule(check(m, info), 'signal', i + 1);
  });

  it('the unmutated capture has none of these divergences', () => {
    const r = check(lines, info);
    expect(r.verdict, r.verdict === 'error' ? r.error : JSON.stringify(r.divergences.slice(0, 5))).toBe('conforms');
  });
});

describe('mutations of dash/pipeline are blocking divergences', () => {
  const { lines, info } = load('dash/pipeline');
  const echoPid = (lines[find(lines, 'execve("/bin/echo"')] ?? '').split(' ')[0] ?? '';
  const trPid = (lines[find(lines, 'execve("/usr/bin/tr"')] ?? '').split(' ')[0] ?? '';
  const echoExit = lines.findIndex((l) => l.startsWith(`${echoPid} `) && l.includes('exit_group('));

  /** Moves line `from` to just before line `to` (from > to). */
  function moveBefore(from: number, to: number): string[] {
    const m = [...lines];
    const [moved] = m.splice(from, 1);
    m.splice(to, 0, moved as string);
    return m;
  }

  it('F3 a pipe read returning 0 before the last writer closed is a blocking divergence', () => {
    const eof = lines.findIndex((l) => l.startsWith(`${trPid} `) && l.includes('<... read resumed>""') && l.includes('= 0'));
    // its entry: the last read by tr before it
    let entry = eof - 1;
    while (entry > 0 && !((lines[entry] ?? '').startsWith(`${trPid} `) && (lines[entry] ?? '').includes(' read(0'))) entry--;
    // the last writer is echo, whose stdout is the pipe: it closes fd 1 before exiting
    const lastWriterClose = lines.findIndex((l) => l.startsWith(`${echoPid} `) && l.includes(' close(1'));
    expect(lastWriterClose).toBeGreaterThan(0);
    expect(entry).toBeGreaterThan(lastWriterClose);
    // both halves of the read now come before that close: EOF while a writer is still open
    const m = [...lines];
    const resumed = m.splice(eof, 1)[0] as string;
    const opened = m.splice(entry, 1)[0] as string;
    m.splice(lastWriterClose, 0, opened, resumed);
    expectRule(check(m, info), 'blocking', lastWriterClose + 2);
  });

  it('E26 a wait4 returning before its child exits is a blocking divergence', () => {
    const waited = lines.findIndex((l) => l.includes('<... wait4 resumed>') && l.trimEnd().includes(`= ${echoPid} <`));
    expect(waited).toBeGreaterThan(echoExit);
    expectRule(check(moveBefore(waited, echoExit), info), 'blocking', echoExit + 1);
  });

  it('the unmutated pipeline conforms', () => {
    const r = check(lines, info);
    expect(r.verdict, r.verdict === 'error' ? r.error : JSON.stringify(r.divergences.slice(0, 5))).toBe('conforms');
  });
});

describe('mutations of raw/fork-sigkill', () => {
  const { lines, info } = load('raw/fork-sigkill');

  it('E25 a child recorded killed by another signal than the kernel delivered is an exit divergence', () => {
    const i = find(lines, '+++ killed by SIGKILL');
    const m = [...lines];
    m[i] = (m[i] as string).replace('SIGKILL', 'SIGTERM');
    expectRule(check(m, info), 'exit', i + 1);
  });
});
