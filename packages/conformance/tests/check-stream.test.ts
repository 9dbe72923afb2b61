// checkCapture on a regular file reads it twice, a window at a time, and never holds it: the
// reports must be checkEvents' on the same events held whole (one window), line for line. Fixture
// lines: a root whose wait4 stays open across more lines than the reorder window (a straggler
// the first pass finds), recorded twice one after another with the same pids; and a real corpus
// capture appended to itself.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REORDER_SLACK } from '@forkscope/shim';
import { parseText } from '@forkscope/tracer';
import { checkCapture, checkEvents } from '../src/check/check-capture.js';
import { parseCaseInfo } from '../src/check/case-info.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));

/** One run: the root clones a child that makes `calls` calls while the root waits for it in one wait4. */
function run(calls: number): string[] {
  return [
    '1 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0',
    '1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = 2',
    '1 wait4(-1,  <unfinished ...>',
    ...Array.from({ length: calls }, () => '2 getpid() = 2'),
    '2 exit_group(0) = ?',
    '2 +++ exited with 0 +++',
    '1 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 2',
    '1 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
    '1 exit_group(0) = ?',
    '1 +++ exited with 0 +++',
  ];
}

async function scratch(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'fs-stream-')), name);
  await writeFile(file, text);
  return file;
}

describe('checkCapture streams a regular file', () => {
  it('a wait4 open across more lines than the reorder window, in two runs with the same pids: the held-whole report, conforming', async () => {
    const text = `${[...run(REORDER_SLACK + 500), ...run(REORDER_SLACK + 500)].join('\n')}\n`;
    const file = await scratch('long.strace', text);
    const streamed = await checkCapture({ file });
    expect(streamed).toEqual(checkEvents(file, parseText(text, { file }), {}));
    expect(streamed).toMatchObject({ verdict: 'conforms', events: 2 * (REORDER_SLACK + 500 + 5) });
  });

  it('a wrong wait4 result in the second run is found at its line (the runs are told apart)', async () => {
    const second = run(REORDER_SLACK + 10).map((l) => l.replace('0, NULL) = 2', '0, NULL) = 3'));
    const text = `${[...run(10), ...second].join('\n')}\n`;
    const file = await scratch('wrong.strace', text);
    const streamed = await checkCapture({ file });
    expect(streamed).toEqual(checkEvents(file, parseText(text, { file }), {}));
    expect(streamed.verdict).toBe('diverges');
    const line = text.split('\n').findIndex((l) => l.includes('= 3')) + 1;
    expect(streamed.divergences).toContainEqual(expect.objectContaining({ line, syscall: 'wait4', rule: 'result' }));
  });

  it('C10 a real capture (dash pipeline) appended to itself: each run its own process tree and exec chains', async () => {
    const dir = join(corpus, 'dash/pipeline');
    const text = await readFile(join(dir, 'capture.strace'), 'utf8');
    const parsed = parseCaseInfo(await readFile(join(dir, 'case.json'), 'utf8'));
    if (parsed.kind !== 'ok') throw new Error(`case.json: ${parsed.message}`);
    const file = await scratch('twice.strace', text + text);
    const once = await checkCapture({ file: join(dir, 'capture.strace'), caseFile: join(dir, 'case.json') });
    const twice = await checkCapture({ file, caseFile: join(dir, 'case.json') });
    expect(twice).toEqual(checkEvents(file, parseText(text + text, { file }), parsed.value));
    expect(twice.verdict).toBe('conforms');
    expect(twice.events).toBe(2 * once.events);
  });

  it('every corpus capture recorded four times over (the first pass then skips most calls): the held-whole report', async () => {
    // The first pass's parser skips calls only once its first window has named the root, so the
    // captures are repeated (several runs one after another) to give it windows to skip in.
    const dirs = (await readFile(join(corpus, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as { cases: { path: string }[] })).cases.map((c) => join(corpus, c.path));
    expect(dirs.length).toBeGreaterThanOrEqual(60);
    for (const dir of dirs) {
      const text = (await readFile(join(dir, 'capture.strace'), 'utf8')).repeat(4);
      const parsed = parseCaseInfo(await readFile(join(dir, 'case.json'), 'utf8'));
      if (parsed.kind !== 'ok') throw new Error(`${dir}/case.json: ${parsed.message}`);
      const file = await scratch('four.strace', text);
      const streamed = await checkCapture({ file, caseFile: join(dir, 'case.json') });
      expect(streamed, dir).toEqual(checkEvents(file, parseText(text, { file }), parsed.value));
    }
  });

  it('a capture still being written (a writer appends while it is read) is an error that says so, not a verdict', async () => {
    const text = `${run(REORDER_SLACK + 100).join('\n')}\n`;
    // Big enough that reading it takes far longer than the writer's pause between appends.
    const file = await scratch('growing.strace', text.repeat(Math.ceil((8 << 20) / text.length)));
    const size = statSync(file).size;
    const writer = spawn('sh', ['-c', 'while :; do echo "1 getpid() = 1" >> "$0"; done', file], { stdio: 'ignore' });
    try {
      while (statSync(file).size === size) await new Promise((r) => setTimeout(r, 5));
      const report = await checkCapture({ file });
      expect(report).toMatchObject({ verdict: 'error', error: expect.stringMatching(/: the capture changed (while it was read|between its two readings)/) });
    } finally {
      writer.kill();
    }
  });

  it('a named pipe, which cannot be read twice, is held and checked as one window: the same report', async () => {
    const text = `${run(REORDER_SLACK + 100).join('\n')}\n`;
    const file = await scratch('run.strace', text);
    const fifo = join(dirname(file), 'run.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = writeFile(fifo, text);
    const piped = await checkCapture({ file: fifo });
    await writer;
    expect({ ...piped, file }).toEqual(await checkCapture({ file }));
    expect(piped.verdict).toBe('conforms');
  });
});
