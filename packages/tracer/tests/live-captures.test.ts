// Real captures made now with the strace on this machine, over the option sets the grammar
// covers: each must parse with zero diagnostics and survive format → parse. Skipped (with the
// reason) where strace is missing or ptrace is not permitted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { format, parseFiles, parseText, type TraceEvent } from '../src/index.js';
import { withoutSpans } from './event-compare.js';

const dir = mkdtempSync(join(tmpdir(), 'forkscope-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A shell that forks, pipes, execs, gets a signal, and reaps: the lifecycle lines in one run.
const script = 'echo hi | cat >/dev/null; ls /nonexistent 2>/dev/null; (sleep 0.01 & wait); sh -c \'kill -TERM $$\'; exit 3';

function strace(args: string[]): { ok: boolean; why: string } {
  const r = spawnSync('strace', [...args, 'sh', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { ok: false, why: `strace not runnable: ${r.error.message}` };
  if (/ptrace|Operation not permitted/.test(r.stderr) && r.status !== 3) return { ok: false, why: `ptrace refused: ${r.stderr.trim()}` };
  return { ok: true, why: '' };
}

const variants: Array<[string, string[]]> = [
  ['-f', ['-f']],
  ['-f -ttt -T -yy', ['-f', '-ttt', '-T', '-yy']],
  ['-f -tt -T', ['-f', '-tt', '-T']],
  ['-f -t -r', ['-f', '-t', '-r']],
  ['-f -r', ['-f', '-r']],
  ['-f -Y -n -i', ['-f', '-Y', '-n', '-i']],
  ['-f -X verbose', ['-f', '-X', 'verbose']],
  ['-f -X raw', ['-f', '-X', 'raw']],
  ['-f -xx -v -s 64', ['-f', '-xx', '-v', '-s', '64']],
  ['-f -k', ['-f', '-k']],
  ['-f -e write=1', ['-f', '-e', 'write=1']],
  ['-f -C', ['-f', '-C']],
  ['-f --tips', ['-f', '--tips']],
];

describe('live strace captures', () => {
  for (const [name, opts] of variants) {
    it(`${name}: zero diagnostics and a stable round trip`, (ctx) => {
      const out = join(dir, name.replace(/[^a-z0-9]+/gi, '_') + '.strace');
      const r = strace([...opts, '-o', out]);
      if (!r.ok) return ctx.skip(r.why);
      const text = readFileSync(out, 'utf8');
      const events = parseText(text, { file: out });
      expect(events.filter((e) => e.kind === 'diagnostic').map((d) => `${d.span.line}: ${d.reason}: ${d.text}`)).toEqual([]);
      expect(events.filter((e) => e.kind === 'exited' && e.code === 3)).toHaveLength(1);
      expect(events.filter((e) => e.kind === 'killed' && e.signal === 'SIGTERM')).toHaveLength(1);
      expect(withoutSpans(parseText(format(events)))).toEqual(withoutSpans(parseText(text)));
    });
  }

  it('stderr output (no -o): spliced attach messages and the appearing [pid N] prefix', (ctx) => {
    const r = spawnSync('strace', ['-f', 'sh', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    if (r.error) return ctx.skip(`strace not runnable: ${r.error.message}`);
    const events = parseText(r.stderr);
    expect(events.filter((e) => e.kind === 'diagnostic').map((d) => `${d.span.line}: ${d.reason}: ${d.text}`)).toEqual([]);
    expect(events.filter((e) => e.kind === 'attached').length).toBeGreaterThan(0);
    // Every split call found its other half.
    expect(events.filter((e) => e.kind === 'syscall' && e.outcome.kind === 'unfinished')).toEqual([]);
  });

  it('-ff -tt files merged by parseFiles', async (ctx) => {
    const base = join(dir, 'ff');
    const r = strace(['-ff', '-tt', '-o', base]);
    if (!r.ok) return ctx.skip(r.why);
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('ff.'))
      .map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(2);
    const events: TraceEvent[] = [];
    for await (const e of parseFiles(files)) events.push(e);
    expect(events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
    const times = events.filter((e) => e.kind === 'syscall' && !e.split).map((e) => e.prefix.time?.ns ?? 0n);
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true);
  });
});
