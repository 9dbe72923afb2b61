import { describe, expect, it } from 'vitest';
import { PidMap } from '../src/replay/pid-map.js';
import { fixtureSyscall } from './fixtures/events.js';

describe('PidMap (fixture events)', () => {
  it('binds a child that speaks before its parent returns, by the clone result', () => {
    const m = new PidMap();
    m.bind(9922, 1000);
    const clone = fixtureSyscall({ pid: 9922, name: 'clone3', line: 32, endLine: 80, result: 9923n });
    m.addPending({ callerPid: 9922, event: clone, emulatedChild: 1001, recordedChild: 9923 });
    const claim = m.claim(9923);
    expect(claim).toMatchObject({ kind: 'bound', emulated: 1001 });
    expect(m.emulated(9923)).toBe(1001);
    expect(m.recorded(1001)).toBe(9923);
    // the parent's resumed line finds nothing left to settle
    expect(m.settle(clone)).toBeUndefined();
  });

  it('tells two clones in flight apart by their recorded results, not by order', () => {
    const m = new PidMap();
    const c1 = fixtureSyscall({ pid: 1, name: 'clone', line: 2, endLine: 8, result: 51n });
    const c2 = fixtureSyscall({ pid: 2, name: 'clone', line: 3, endLine: 9, result: 50n });
    m.addPending({ callerPid: 1, event: c1, emulatedChild: 101, recordedChild: 51 });
    m.addPending({ callerPid: 2, event: c2, emulatedChild: 102, recordedChild: 50 });
    expect(m.claim(50)).toMatchObject({ kind: 'bound', emulated: 102 });
    expect(m.claim(51)).toMatchObject({ kind: 'bound', emulated: 101 });
  });

  it('binds at the parent return a child that never printed a line', () => {
    const m = new PidMap();
    const c = fixtureSyscall({ pid: 1, name: 'fork', line: 2, result: 7n });
    m.addPending({ callerPid: 1, event: c, emulatedChild: 5, recordedChild: 7 });
    expect(m.settle(c)?.emulatedChild).toBe(5);
    expect(m.emulated(7)).toBe(5);
  });

  it('reports a pid from nowhere, with or without clones in flight', () => {
    const m = new PidMap();
    const none = m.claim(4242);
    expect(none.kind).toBe('unknown');
    if (none.kind === 'unknown') expect(none.reason).toMatch(/4242 appears from nowhere: no clone/);
    const c = fixtureSyscall({ pid: 1, name: 'vfork', line: 2, endLine: 5, result: 7n });
    m.addPending({ callerPid: 1, event: c, emulatedChild: 5, recordedChild: 7 });
    const other = m.claim(8);
    expect(other.kind).toBe('unknown');
    if (other.kind === 'unknown') expect(other.reason).toMatch(/none of the 1 clone calls/);
    expect(m.has(8)).toBe(false);
  });

  it('refuses to rebind a recorded pid to another task until released', () => {
    const m = new PidMap();
    m.bind(7, 5);
    expect(() => m.bind(7, 6)).toThrow(/already bound/);
    m.release(7);
    m.bind(7, 6);
    expect(m.emulated(7)).toBe(6);
    expect(m.recorded(5)).toBeUndefined();
  });
});
