// The start-up calls the replay now checks (set_robust_list, prlimit64, the credential reads,
// rseq, arch_prctl, getrandom, FUTEX_WAKE): counted as checked in a real capture, and a mutated
// recorded result is a divergence at its line. The first reading of the environment's uid, gid
// and starting limits is an input (adopted, with its reason), never a check.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { checkEvents } from '../src/check/check-capture.js';
import { parseCaseInfo } from '../src/check/case-info.js';
import type { CaseInfo } from '../src/check/case-info.js';
import type { CaptureReport } from '../src/check/report.js';

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

/** Indexes of the lines containing every part. */
function findAll(lines: readonly string[], ...parts: string[]): number[] {
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (parts.every((p) => l.includes(p))) out.push(i);
  });
  if (out.length === 0) throw new Error(`no line with ${parts.join(' … ')}`);
  return out;
}

function divergesAt(r: CaptureReport, line: number, syscall: string): void {
  const summary = r.verdict === 'error' ? r.error : JSON.stringify(r.divergences.slice(0, 5));
  expect(r.verdict, summary).toBe('diverges');
  expect(r.divergences.some((d) => d.line === line && d.syscall === syscall), summary).toBe(true);
}

describe('start-up calls in posix_spawn/success', () => {
  const { lines, info } = load('posix_spawn/success');

  it('conforms, with set_robust_list, rseq, arch_prctl and prlimit64 no longer adopted as unmodelled', () => {
    const r = check(lines, info);
    expect(r.verdict).toBe('conforms');
    const reasons = r.adoptedReasons.map((a) => a.reason);
    for (const name of ['set_robust_list', 'rseq', 'arch_prctl', 'prlimit64', 'getrandom']) {
      expect(reasons.some((x) => x.startsWith(`${name} is not modelled`)), name).toBe(false);
    }
    // The first RLIMIT_STACK reading is the environment's starting limit: adopted with that reason.
    expect(reasons).toContain('the starting resource limit is an environment input (the kernel starts from this reading)');
  });

  it('a set_robust_list with a length other than 24 that the recording says succeeded is a divergence (Linux: EINVAL)', () => {
    const [i] = findAll(lines, 'set_robust_list(', ', 24) = 0');
    const m = [...lines];
    m[i!] = m[i!]!.replace(', 24) = 0', ', 16) = 0');
    divergesAt(check(m, info), i! + 1, 'set_robust_list');
  });

  it("a changed RLIMIT_STACK in the exec'd child (limits are inherited across fork and exec) is a divergence", () => {
    const reads = findAll(lines, 'prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024');
    expect(reads.length).toBeGreaterThan(1);
    const i = reads[1]!;
    const m = [...lines];
    m[i] = m[i]!.replace('rlim_cur=8192*1024', 'rlim_cur=4096*1024');
    divergesAt(check(m, info), i + 1, 'prlimit64');
  });

  it('mutating the first reading changes the starting limit, and the later readings then diverge', () => {
    const reads = findAll(lines, 'prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024');
    const m = [...lines];
    m[reads[0]!] = m[reads[0]!]!.replace('rlim_cur=8192*1024', 'rlim_cur=4096*1024');
    divergesAt(check(m, info), reads[1]! + 1, 'prlimit64');
  });
});

describe('credentials in dash/background-wait', () => {
  const { lines, info } = load('dash/background-wait');

  it('a geteuid that returns another uid than the capture ran as (si_uid of its signals) is a divergence', () => {
    const [i] = findAll(lines, 'geteuid()', '= 0');
    const m = [...lines];
    m[i!] = m[i!]!.replace(/= 0 </, '= 1000 <');
    divergesAt(check(m, info), i! + 1, 'geteuid');
  });

  it('the unmutated capture conforms and checks its geteuid calls', () => {
    const r = check(lines, info);
    expect(r.verdict).toBe('conforms');
    expect(r.adoptedReasons.some((a) => a.reason.startsWith('geteuid'))).toBe(false);
  });
});

describe('rt_sigreturn in dash/command-substitution', () => {
  const { lines, info } = load('dash/command-substitution');

  it("a changed restored register (the interrupted wait4's pid) is a divergence", () => {
    const i = findAll(lines, 'rt_sigreturn(', ') = ').find((n) => / = [1-9][0-9]* </.test(lines[n]!));
    expect(i).toBeDefined();
    const m = [...lines];
    m[i!] = m[i!]!.replace(/ = ([0-9]+) </, (_all, v: string) => ` = ${Number(v) + 1} <`);
    divergesAt(check(m, info), i! + 1, 'rt_sigreturn');
  });
});
