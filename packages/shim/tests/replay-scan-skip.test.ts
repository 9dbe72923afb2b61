// ReplayScan.wants, given to the parser as its skipCall (negated), must leave the first pass's
// facts exactly what they are from every event: over every corpus capture, the benchmark
// captures' first lines when they are there, and fixture lines where the root's fds, the starting
// directory and a long-open call each depend on a call the skipping could drop.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { REORDER_SLACK, ReplayScan } from '../src/index.js';
import type { ScanResult } from '../src/index.js';

const corpusDir = join(import.meta.dirname, '..', '..', '..', 'corpus');
const benchDir = join(import.meta.dirname, '..', '..', '..', 'tmp', 'bench');

/** The corpus's captures, as its manifest lists them. */
function corpusCaptures(): string[] {
  const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as { cases: { path: string }[] };
  return manifest.cases.map((c) => join(corpusDir, c.path, 'capture.strace'));
}

/** The facts as plain data (maps and sets as sorted entries, stragglers by their lines). */
function facts(r: ScanResult): unknown {
  return {
    uid: r.start.uid,
    gid: r.start.gid,
    rlimits: r.start.rlimits,
    cwd: r.start.cwd,
    inputs: [...r.start.inputs].sort((a, b) => a[0] - b[0]),
    coreDumps: r.coreDumps,
    initialFds: r.initialFds,
    waitedWords: [...r.waitedWords].sort((a, b) => (a < b ? -1 : 1)),
    singleProcess: r.singleProcess,
    stragglers: r.stragglers?.map((s) => [s.event.span.line, s.event.span.endLine]),
  };
}

/**
 * The first pass over `text`: every event, or only those `wants` keeps. The streaming parser hands
 * out its first window before it reads on, so the scan knows the root (the first syscall event with
 * a pid) from early on; parseText parses everything first, so here the scan is told that event
 * before the parse, and takes it from the parse's events in its place.
 */
function scan(text: string, skipping: boolean): { facts: unknown; skipped: number } {
  const s = new ReplayScan();
  if (!skipping) {
    for (const e of parseText(text)) s.add(e);
    return { facts: facts(s.finish()), skipped: 0 };
  }
  const first = parseText(text).find((e) => e.kind === 'syscall' && e.pid !== null);
  if (first !== undefined) s.add(first);
  let skipped = 0;
  const kept = parseText(text, {
    skipCall: (pid, name, line, endLine) => {
      const skip = !s.wants(pid, name, line, endLine);
      if (skip) skipped++;
      return skip;
    },
  });
  for (const e of kept) if (!(first !== undefined && e.kind === 'syscall' && e.span.line === first.span.line)) s.add(e);
  return { facts: facts(s.finish()), skipped };
}

describe('ReplayScan.wants: the first pass skips calls and keeps its facts', () => {
  const files = corpusCaptures();

  it('every corpus capture: the same facts as from every event', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    let skipped = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const skipping = scan(text, true);
      expect(skipping.facts, f).toEqual(scan(text, false).facts);
      skipped += skipping.skipped;
    }
    // Most calls of a capture are neither the root's nor the scanned kinds.
    expect(skipped).toBeGreaterThan(2000);
  });

  const bench = ['capture-f-ttt-T.strace', 'capture-f.strace'].map((n) => join(benchDir, n)).filter((f) => existsSync(f));
  it.runIf(bench.length > 0)('the first 30,000 lines of each benchmark capture: the same facts, most calls skipped (skipped when tmp/bench has none: npm run bench makes them)', () => {
    for (const f of bench) {
      const text = readFileSync(f, 'utf8').split('\n', 30000).join('\n');
      const skipping = scan(text, true);
      expect(skipping.facts, f).toEqual(scan(text, false).facts);
      expect(skipping.skipped).toBeGreaterThan(20000);
    }
  });
});

// Unit-test fixture lines (hand-written): the root (pid 1) inherits fd 5, which it only closes late,
// after other tasks' calls; a child's getcwd shows the starting directory; a child's read stays open
// across more lines than the reorder window.
function fixture(): string {
  const lines = [
    '1 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0',
    '1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = 2',
    '2 getcwd("/srv/work", 4096) = 10',
    '2 read(0,  <unfinished ...>',
    ...Array.from({ length: REORDER_SLACK + 20 }, () => '1 getpid() = 1'),
    '1 close(5) = 0',
    '2 <... read resumed>"", 4096) = 0',
    '2 exit_group(0) = ?',
    '2 +++ exited with 0 +++',
    '1 exit_group(0) = ?',
    '1 +++ exited with 0 +++',
  ];
  return `${lines.join('\n')}\n`;
}

describe('ReplayScan.wants on fixture lines', () => {
  it('keeps the root\'s late close (fd 5 inherited), the child\'s getcwd and its long read; skips the rest', () => {
    const text = fixture();
    const s = new ReplayScan();
    // The root known first, as scan() does.
    const first = parseText(text)[0];
    if (first === undefined) throw new Error('fixture has no lines');
    s.add(first);
    const skipped: string[] = [];
    const kept = parseText(text, {
      skipCall: (pid, name, line, endLine) => {
        const skip = !s.wants(pid, name, line, endLine);
        if (skip) skipped.push(`${pid} ${name}`);
        return skip;
      },
    });
    for (const e of kept) if (e.span.line !== first.span.line) s.add(e);
    const r = s.finish();
    expect(r.initialFds).toEqual([0, 1, 2, 5]);
    expect(r.start.cwd).toBe('/srv/work');
    expect(r.stragglers?.map((x) => x.event.span.line)).toEqual([4]);
    // The root's calls are all kept; the child's exit_group is the one call skipped.
    expect(skipped).toEqual(['2 exit_group']);
    expect(facts(r)).toEqual(scan(text, false).facts);
  });
});
