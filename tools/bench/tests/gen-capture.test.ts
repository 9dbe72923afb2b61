// The benchmark input must be what the benchmarks claim: real strace output, concatenated so that
// time keeps increasing, and fully understood by the parser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { generateCapture } from '../src/gen-capture.js';

function straceWorks(): boolean {
  try {
    execFileSync('strace', ['-o', '/dev/null', '/bin/true'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const available = straceWorks();
if (!available) console.warn('gen-capture tests skipped: strace cannot trace here (missing, or ptrace not permitted)');

const dir = mkdtempSync(join(tmpdir(), 'forkscope-gen-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gen-capture (real strace runs)', () => {
  it.skipIf(!available)('writes at least the requested size of real strace output that parses fully, in time order (skipped without strace)', () => {
    const out = join(dir, 'small.strace');
    const bytes = 3 * 1024 * 1024;
    const written = generateCapture({ out, bytes });
    expect(written).toBeGreaterThanOrEqual(bytes);
    expect(statSync(out).size).toBe(written);
    const events = parseText(readFileSync(out, 'latin1'));
    expect(events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
    expect(events.filter((e) => e.kind === 'syscall').length).toBeGreaterThan(1000);
    // Events come out in the order calls returned; a split call's time is when it returned.
    let last = 0n;
    for (const e of events) {
      const t = (e.kind === 'syscall' && e.endTime !== undefined ? e.endTime : e.prefix.time)?.ns;
      if (t === undefined) continue;
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  }, 300_000);
});
