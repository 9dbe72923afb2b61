// `forkscope verify`: strace captures and Shadow strace logs against corpus expectations.
// Shadow logs come two ways: hand-written fixtures (tests/fixtures/shadow/, from the documented
// format) and corpus captures printed in that dialect by src/verify/shadow-writer.ts.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalize, parseText } from '@forkscope/tracer';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import {
  formatShadowLogs,
  isShadowLine,
  parseExpectation,
  parseShadowFiles,
  pidOfShadowName,
  simTimeNs,
  stripPointerNotes,
  verifyNormalized,
  type ShadowMode,
} from '../src/verify/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/shadow/', import.meta.url));

const run = (argv: string[], cwd = ROOT) => runCli(argv, { cwd });

function fixture(dir: string): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.strace'))
    .sort()
    .map((f) => join(FIXTURES, dir, f));
}

const EXPECT_VFORK = 'corpus/raw/vfork-exec/expected.json';

interface VerifyJson {
  conforms: boolean;
  mode?: string;
  dialect: string;
  differences: { path: string; expected: unknown; actual: unknown }[];
  unchecked: { what: string; count: number }[];
  checked: number;
}

describe('Shadow log reading', () => {
  it('file names <procname>.<pid>.strace give the process', () => {
    expect(pidOfShadowName('/x/shadow.data/hosts/h/raw.1000.strace')).toBe(1000);
    expect(pidOfShadowName('python3.11.1002.strace')).toBe(1002);
    expect(pidOfShadowName('raw.strace')).toBeNull();
    expect(pidOfShadowName('raw.10x0.strace')).toBeNull();
    expect(pidOfShadowName('raw.1000')).toBeNull();
  });

  it('tells Shadow lines from strace lines and reads simulated time as nanoseconds', () => {
    expect(isShadowLine('00:00:01.000000000 [tid 1000] getpid() = 1000')).toBe(true);
    expect(isShadowLine('17525 1795726253.094750 execve("/x", ["x"], 0x7ff /* 3 vars */) = 0')).toBe(false);
    expect(isShadowLine('1795726253.094750 [tid 5] x() = 0')).toBe(false);
    expect(simTimeNs('01:02:03.000000042 [tid 1000] getpid() = 1000')).toBe(3_723_000_000_042n);
    expect(simTimeNs('not a line')).toBeNull();
  });

  it('drops the address Shadow prints after a dereferenced value, never inside a string', () => {
    expect(stripPointerNotes('execve("/bin/true" (0x5555), ["true"] (0x7ffc), 0x5558) = 0')).toBe('execve("/bin/true", ["true"], 0x5558) = 0');
    expect(stripPointerNotes('write(1, "a\\" (0x1)" (0x7f), 7) = 7')).toBe('write(1, "a\\" (0x1)", 7) = 7');
    expect(stripPointerNotes('x(0x0 <null>) = 0')).toBe('x(0x0 <null>) = 0');
    expect(stripPointerNotes('x("a" (0x1) (0x2), {} (0xff)) = 0')).toBe('x("a", {}) = 0');
    expect(stripPointerNotes('x("a" (0x), "b" (0x1 ) = 0')).toBe('x("a" (0x), "b" (0x1 ) = 0');
  });

  it('merges per-process files by simulated time and maps thread ids to their process file', () => {
    const log = parseShadowFiles([
      { name: 'p.1000.strace', text: '00:00:00.000000002 [tid 1000] getpid() = 1000\n00:00:00.000000004 [tid 1002] gettid() = 1002\n' },
      { name: 'p.1001.strace', text: '00:00:00.000000001 [tid 1001] getpid() = 1001\n00:00:00.000000003 [tid 1001] getppid() = 1000\n' },
    ]);
    expect(log.events.map((e) => (e.kind === 'syscall' ? `${e.pid} ${e.name} ${e.span.file}:${e.span.line}` : e.kind))).toEqual([
      '1001 getpid p.1001.strace:1',
      '1000 getpid p.1000.strace:1',
      '1001 getppid p.1001.strace:2',
      '1002 gettid p.1000.strace:2',
    ]);
    expect([...log.processOfTid]).toEqual([
      [1000, 1000],
      [1002, 1000],
      [1001, 1001],
    ]);
    expect(log.mode).toBe('standard');
  });

  it('a ^^^ result line stays with its native call even when another file has a line between them in time', () => {
    const log = parseShadowFiles([
      { name: 'p.1000.strace', text: '00:00:00.000000001 [tid 1000] getpid() = <native>\n00:00:00.000000003 [tid 1000] ^^^ = SyscallReg { as_i64: 1000, as_u64: 1000, as_ptr: 0x3e8 }\n' },
      { name: 'p.1001.strace', text: '00:00:00.000000002 [tid 1001] getpid() = 1001\n' },
    ]);
    const first = log.events[0]!;
    expect(first.kind === 'syscall' && first.outcome).toEqual({ kind: 'value', text: '1000', value: 1000n });
    expect(log.events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
  });

  it('deterministic mode: a clone3 whose new task is logged in the caller file is a thread (C1)', () => {
    const log = parseShadowFiles([
      {
        name: 'p.1000.strace',
        text:
          '00:00:00.000000001 [tid 1000] clone3(<pointer>, 88) = 1001\n' +
          '00:00:00.000000002 [tid 1000] clone3(<pointer>, 88) = 1002\n' +
          '00:00:00.000000003 [tid 1001] exit(0) = <native>\n',
      },
      { name: 'p.1002.strace', text: '00:00:00.000000004 [tid 1002] exit_group(0) = <native>\n' },
    ]);
    expect(log.mode).toBe('deterministic');
    const n = normalize(log.events);
    expect(n.processes.map((p) => p.tasks.map((t) => [t.tid, t.thread]))).toEqual([[[1, false], [2, true]], [[3, false]]]);
  });
});

describe('verify on hand-written Shadow logs of raw/vfork-exec (A2, A3)', () => {
  it('standard mode conforms; what the log cannot show is listed as unchecked, exec paths and argv are compared', async () => {
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...fixture('vfork-exec-standard'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j).toMatchObject({ conforms: true, dialect: 'shadow', mode: 'standard', differences: [] });
    expect(Object.fromEntries(j.unchecked.map((u) => [u.what, u.count]))).toEqual({
      'cross-task orderings': 2,
      'process ends': 2,
      'signal deliveries': 1,
      'root program exec': 1,
      'wait statuses': 1,
    });
    expect(j.checked).toBeGreaterThan(30);
  });

  it('deterministic mode conforms with the exec paths and argv unchecked too', async () => {
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...fixture('vfork-exec-deterministic')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Shadow strace logs (deterministic mode, 2 files)');
    expect(r.stdout).toContain('conforms in what this trace can show:');
    expect(r.stdout).toContain('2 exec paths and argv: printed as <pointer>');
    expect(r.stdout).toContain('1 signal deliveries: Shadow logs no signal lines');
  });

  it('an emulator whose execve of a missing path succeeds diverges, naming the value (A3)', async () => {
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...fixture('vfork-exec-no-enoent')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('diverges:');
    expect(r.stdout).toContain('/processes/1/tasks/0/events/0/result: expected "ENOENT", got 0  [process 2, call 1: execve]');
  });

  it('a line that is not Shadow is reported with file and line, and the run does not pass', async () => {
    const files = fixture('garbled');
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...files]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${files[1]}:3: `);
  });

  it('a thread id logged in two processes files is reported', async () => {
    const files = fixture('two-files-one-thread');
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...files]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${files[1]}:3: thread 1000 is also logged in process 1000's file`);
  });
});

describe('verify on our own runs printed as Shadow logs', () => {
  function shadowDir(caseId: string, mode: ShadowMode, edit: (name: string, text: string) => string = (_n, t) => t): string[] {
    const events = parseText(readFileSync(join(ROOT, 'corpus', caseId, 'capture.strace'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'fs-shadow-'));
    const out: string[] = [];
    for (const [name, text] of formatShadowLogs(events, { mode })) {
      writeFileSync(join(dir, name), edit(name, text));
      out.push(join(dir, name));
    }
    return out;
  }

  const cases = ['raw/vfork-exec', 'posix_spawn/success', 'posix_spawn/exec-enoent', 'posix_spawn/two-threads', 'python/run-success', 'dash/pipeline', 'rust/exec', 'raw/clone-pidfd', 'raw/waitid-wnowait'];
  for (const id of cases) {
    for (const mode of ['standard', 'deterministic'] as const) {
      it(`${id} in ${mode} mode conforms to its expectation`, async () => {
        const r = await run(['verify', '--expect', `corpus/${id}/expected.json`, ...shadowDir(id, mode), '--json']);
        const j = JSON.parse(r.stdout) as VerifyJson;
        expect(j.differences).toEqual([]);
        expect(r.stderr).toBe('');
        expect(r.code, r.stdout + r.stderr).toBe(0);
        // Signals and ends are never claimed as checked.
        expect(j.unchecked.map((u) => u.what)).toContain('process ends');
      });
    }
  }

  it('every corpus case with an expectation conforms in both modes (the writer and reader agree with normalize)', () => {
    const failures: string[] = [];
    for (const family of readdirSync(join(ROOT, 'corpus'), { withFileTypes: true })) {
      if (!family.isDirectory() || family.name === 'schema') continue;
      for (const c of readdirSync(join(ROOT, 'corpus', family.name), { withFileTypes: true })) {
        if (!c.isDirectory() || c.name.startsWith('.')) continue;
        const dir = join(ROOT, 'corpus', family.name, c.name);
        let expectedText: string;
        try {
          expectedText = readFileSync(join(dir, 'expected.json'), 'utf8');
        } catch {
          continue;
        }
        const expected = parseExpectation(expectedText);
        if (!expected.ok) throw new Error(`${dir}: ${expected.reason}`);
        const events = parseText(readFileSync(join(dir, 'capture.strace'), 'utf8'));
        for (const mode of ['standard', 'deterministic'] as const) {
          const log = parseShadowFiles([...formatShadowLogs(events, { mode })].map(([name, text]) => ({ name, text })));
          const r = verifyNormalized(expected.value, normalize(log.events), { kind: 'shadow', mode: log.mode });
          if (!r.conforms) failures.push(`${family.name}/${c.name} ${mode}: ${JSON.stringify(r.differences[0])}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('an edited result (the child exec succeeding) diverges in both modes', async () => {
    for (const mode of ['standard', 'deterministic'] as const) {
      const files = shadowDir('raw/vfork-exec', mode, (_n, t) => t.replace('= -2 (ENOENT)\n00:00:00.005232000', '= 0\n00:00:00.005232000'));
      const r = await run(['verify', '--expect', EXPECT_VFORK, ...files]);
      expect(r.code, mode).toBe(1);
      expect(r.stdout).toContain('/processes/1/tasks/0/events/0/result: expected "ENOENT", got 0');
    }
  });

  it('a divergence in the root task is located among the calls compared (the root exec Shadow made is not counted)', async () => {
    // As Shadow would log it: no root execve (Shadow ran it), and here a vfork that failed.
    const asShadow = (t: string): string => t.slice(t.indexOf('\n') + 1).replace(/\] vfork\(\) = 1001$/m, '] vfork() = -11 (EAGAIN)');
    const files = shadowDir('raw/vfork-exec', 'standard', (name, t) => (name.endsWith('.1000.strace') ? asShadow(t) : t));
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...files]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('/processes/0/tasks/0/events/0/result: expected 2, got "EAGAIN"  [process 1, call 1: vfork]');
  });

  it('a missing child file (a process the emulator never ran) diverges', async () => {
    const files = shadowDir('raw/vfork-exec', 'standard').filter((f) => !f.endsWith('.1001.strace'));
    const r = await run(['verify', '--expect', EXPECT_VFORK, ...files]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('diverges:');
  });
});

describe("verify on forkscope's emulated runs (forkscope run), as strace and as Shadow logs", () => {
  async function emulated(id: string, strategy: string): Promise<string> {
    const r = await run(['run', id, '--strategy', strategy]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  }
  function asShadow(text: string, mode: ShadowMode): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'fs-shadow-run-'));
    return [...formatShadowLogs(parseText(text), { mode })].map(([name, t]) => {
      writeFileSync(join(dir, name), t);
      return join(dir, name);
    });
  }

  for (const id of ['raw/vfork-exec', 'posix_spawn/success']) {
    it(`${id}, linux strategy: conforms as strace and as Shadow logs in both modes`, async () => {
      const text = await emulated(id, 'linux');
      const file = join(mkdtempSync(join(tmpdir(), 'fs-run-')), 'run.strace');
      writeFileSync(file, text);
      const asStrace = await run(['verify', '--expect', `corpus/${id}/expected.json`, file]);
      expect(asStrace.code, asStrace.stdout + asStrace.stderr).toBe(0);
      for (const mode of ['standard', 'deterministic'] as const) {
        const r = await run(['verify', '--expect', `corpus/${id}/expected.json`, ...asShadow(text, mode)]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
    });

    it(`${id}, fork strategy (vfork without suspension): strace shows the missing vfork release (A2); a Shadow log cannot, and says so`, async () => {
      const text = await emulated(id, 'fork');
      const file = join(mkdtempSync(join(tmpdir(), 'fs-run-')), 'run.strace');
      writeFileSync(file, text);
      const asStrace = await run(['verify', '--expect', `corpus/${id}/expected.json`, file]);
      expect(asStrace.code).toBe(1);
      expect(asStrace.stdout).toContain('expected "vfork-released-by-exec"');
      const r = await run(['verify', '--expect', `corpus/${id}/expected.json`, ...asShadow(text, 'standard')]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('conforms in what this trace can show');
      expect(r.stdout).toContain('2 cross-task orderings: Shadow logs no <unfinished ...>/resumed halves');
    });
  }
});

describe('verify on strace captures', () => {
  it('a corpus capture conforms to its own expectation with nothing unchecked', async () => {
    const r = await run(['verify', '--expect', 'corpus/dash/pipeline/expected.json', 'corpus/dash/pipeline/capture.strace', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j).toMatchObject({ conforms: true, dialect: 'strace', unchecked: [] });
  });

  it("another case's capture diverges", async () => {
    const r = await run(['verify', '--expect', EXPECT_VFORK, 'corpus/posix_spawn/success/capture.strace']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('diverges:');
  });

  it('--dialect strace on a Shadow log: every line reported as not strace, exit 1', async () => {
    const r = await run(['verify', '--dialect', 'strace', '--expect', EXPECT_VFORK, fixture('vfork-exec-standard')[0]!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(':1: not a strace line');
  });
});

describe('verify usage and input errors exit 2', () => {
  it('missing --expect, missing TRACE, unreadable or wrong expectation', async () => {
    expect((await run(['verify', 'corpus/raw/vfork-exec/capture.strace'])).code).toBe(2);
    expect((await run(['verify', '--expect', EXPECT_VFORK])).code).toBe(2);
    const missing = await run(['verify', '--expect', 'nope.json', 'corpus/raw/vfork-exec/capture.strace']);
    expect(missing).toMatchObject({ code: 2, stderr: 'forkscope: nope.json: no such file or directory\n' });
    const notExpectation = await run(['verify', '--expect', 'corpus/raw/vfork-exec/case.json', 'corpus/raw/vfork-exec/capture.strace']);
    expect(notExpectation.code).toBe(2);
    expect(notExpectation.stderr).toContain('forkscope: corpus/raw/vfork-exec/case.json: not a forkscope expectation');
    const missingTrace = await run(['verify', '--expect', EXPECT_VFORK, 'nope.strace']);
    expect(missingTrace).toMatchObject({ code: 2, stderr: 'forkscope: nope.strace: no such file or directory\n' });
  });

  it('expectation shape errors name what is wrong', () => {
    expect(parseExpectation('{')).toMatchObject({ ok: false });
    expect(parseExpectation('[]')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(parseExpectation('{"format":"forkscope-normalized","version":2,"processes":[],"orderings":[]}')).toMatchObject({ ok: false, reason: expect.stringContaining('version 2') });
    expect(parseExpectation('{"format":"forkscope-normalized","version":1,"processes":[{"pid":1}],"orderings":[]}')).toMatchObject({ ok: false, reason: expect.stringContaining('processes[0]') });
  });
});
