// `-j N` / `--jobs N` values: a count, 0 or auto for one per CPU, anything else a usage error.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseJobs } from '../src/parallel/jobs.js';

describe('parseJobs', () => {
  it('absent is 1 (one capture at a time, in this thread)', () => {
    expect(parseJobs(undefined)).toEqual({ kind: 'ok', jobs: 1 });
  });

  it('a decimal count is taken as is', () => {
    expect(parseJobs('1')).toEqual({ kind: 'ok', jobs: 1 });
    expect(parseJobs('2')).toEqual({ kind: 'ok', jobs: 2 });
    expect(parseJobs('256')).toEqual({ kind: 'ok', jobs: 256 });
  });

  it('0 and auto mean one per CPU the process may use', () => {
    expect(parseJobs('0')).toEqual({ kind: 'ok', jobs: availableParallelism() });
    expect(parseJobs('auto')).toEqual({ kind: 'ok', jobs: availableParallelism() });
  });

  it.each(['', '-1', '1.5', '2.0', '1e2', '0x4', ' 2', '2 ', 'two', 'AUTO', '257', '1000', '99999999999999999999'])(
    'refuses %j with a message naming the value',
    (v) => {
      const r = parseJobs(v);
      expect(r.kind).toBe('invalid');
      if (r.kind === 'invalid') expect(r.message).toContain(`'${v}'`);
    },
  );
});
