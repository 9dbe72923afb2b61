// Real captures, unedited (each fixture's README says how it was made), of a shell whose forked
// subshell shows an fd the harness leaked into strace's root, which the root itself never
// touches. The replay must open it in the root from the start (the shim's fd-lineage.ts infers it
// from the descendant's call). Both captures diverged before that inference: checked against the
// code of commit e91a0d6, the first gave 4 divergences from line 52, the second 13 from line 51.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapture } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');

function check(name: string) {
  return checkCapture({ file: join(fixtures, name, 'capture.strace') });
}

describe('inherited fds only a descendant shows (live captures)', () => {
  it('C1 a forked subshell\'s fcntl(1, F_DUPFD, 10) = 11 shows the leaked fd 10 open: the capture conforms', async () => {
    const r = await check('live-dash-subshell-leaked-fd10');
    expect(r.divergences).toEqual([]);
    expect(r.verdict).toBe('conforms');
  });

  it('C1 a forked subshell\'s dup2(7, 0) and F_DUPFD from 10 show fds 7 and 10 open: the capture conforms', async () => {
    const r = await check('live-dash-subshell-leaked-fd7');
    expect(r.divergences).toEqual([]);
    expect(r.verdict).toBe('conforms');
  });
});
