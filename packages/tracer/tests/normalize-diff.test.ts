import { describe, expect, it } from 'vitest';
import { describeDifference, diffNormalized } from '../src/normalize/diff-normalized.js';
import { normalize } from '../src/normalize/normalize.js';
import { FixtureCapture, err, exitedStatus, int, ok } from './normalize-fixtures.js';

function run(childExit: number, waitErrno?: string) {
  const cap = new FixtureCapture();
  cap.fork(1, 2);
  cap.exitGroup(2, childExit);
  cap.exited(2, childExit);
  cap.wait4(1, 2, exitedStatus(childExit), int(0), waitErrno === undefined ? ok(2) : err(waitErrno));
  return normalize(cap.events);
}

describe('diffNormalized (fixture events)', () => {
  it('finds nothing between two forms of the same behaviour', () => {
    expect(diffNormalized(run(0), run(0))).toEqual([]);
  });

  it('names each differing leaf by its JSON pointer, in document order', () => {
    const d = diffNormalized(run(3), run(4));
    expect(d.map(describeDifference)).toEqual([
      '/processes/0/tasks/0/events/1/status/code: expected 3, got 4',
      '/processes/1/exit/code: expected 3, got 4',
      '/processes/1/tasks/0/events/0/code: expected 3, got 4',
      '/processes/1/tasks/0/events/1/code: expected 3, got 4',
    ]);
  });

  it('reports a wait that failed instead of reaping (E22-style divergence), and a missing ordering', () => {
    const d = diffNormalized(run(0), run(0, 'ECHILD'));
    expect(d).toContainEqual({ path: '/processes/0/tasks/0/events/1/result', expected: 2, actual: 'ECHILD' });
    expect(d).toContainEqual({ path: '/orderings/0', expected: expect.objectContaining({ reason: 'wait-after-exit' }), actual: undefined });
  });

  it('stops at the limit', () => {
    expect(diffNormalized(run(3), run(4), 2)).toHaveLength(2);
  });
});
