// `-j N` / `--jobs N` values: a count, 0 or auto for one per CPU but one, anything else a usage error.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { autoJobs, parseJobs } from '../src/parallel/jobs.js';

describe('parseJobs', () => {
  it('absent is 1 (one capture at a time, in this thread)', () => {
    expect(parseJobs(undefined)).toEqual({ kind: 'ok', jobs: 1 });
  });

  it('a decimal count is taken as is', () => {
    expect(parseJobs('1')).toEqual({ kind: 'ok', jobs: 1 });
    expect(parseJobs('2')).toEqual({ kind: 'ok', jobs: 2 });
    expect(parseJobs('256')).toEqual({ kind: 'ok', jobs: 256 });
  });

  it('0 and auto mean one per CPU but one (V8 compiles and collects on the last), never less than 1', () => {
    expect(parseJobs('0')).toEqual({ kind: 'ok', jobs: autoJobs(availableParallelism()) });
    expect(parseJobs('auto')).toEqual({ kind: 'ok', jobs: autoJobs(availableParallelism()) });
    expect(parseJobs('auto', 1)).toEqual({ kind: 'ok', jobs: 1 });
    expect(parseJobs('auto', 2)).toEqual({ kind: 'ok', jobs: 1 });
    expect(parseJobs('0', 4)).toEqual({ kind: 'ok', jobs: 3 });
    expect(parseJobs('auto', 16)).toEqual({ kind: 'ok', jobs: 15 });
  });

  it('an explicit count is not capped by the CPUs', () => {
    expect(parseJobs('2', 2)).toEqual({ kind: 'ok', jobs: 2 });
    expect(parseJobs('8', 2)).toEqual({ kind: 'ok', jobs: 8 });
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
