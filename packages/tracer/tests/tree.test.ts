import { describe, expect, it } from 'vitest';
import { processTree } from '../src/tree/process-tree.js';
import { renderTree } from '../src/tree/render-tree.js';
import { FixtureCapture, NULL, arr, err, exitedStatus, ident, int, ok, pos, str, struct } from './normalize-fixtures.js';

const threadFlags = ['CLONE_VM', 'CLONE_FS', 'CLONE_FILES', 'CLONE_SIGHAND', 'CLONE_THREAD', 'CLONE_SYSVSEM', 'CLONE_SETTLS', 'CLONE_PARENT_SETTID', 'CLONE_CHILD_CLEARTID'];

describe('fixture events: process tree', () => {
  it('D3 G1: exec chain with a failed exec marked, vfork child under its parent', () => {
    const cap = new FixtureCapture();
    cap.execve(100, '/usr/bin/python3', ['python3', 'x.py']);
    const v = cap.open(100, 'vfork', []);
    cap.execve(101, '/usr/local/bin/true', ['true'], err('ENOENT'));
    cap.execve(101, '/usr/bin/true', ['true']);
    v.finish(ok(101));
    cap.exitGroup(101, 0);
    cap.exited(101, 0);
    cap.wait4(100, 101, exitedStatus(0), int(0), ok(101));
    cap.exitGroup(100, 0);
    cap.exited(100, 0);
    const tree = processTree(cap.events);
    expect(tree.roots).toHaveLength(1);
    const root = tree.roots[0];
    expect(root?.pid).toBe(100);
    expect(root?.end).toEqual({ kind: 'exited', code: 0 });
    expect(root?.execs.map((e) => [e.path, e.ok])).toEqual([['/usr/bin/python3', true]]);
    const child = root?.children[0];
    expect(child?.pid).toBe(101);
    expect(child?.parentPid).toBe(100);
    expect(child?.createdBy).toMatchObject({ call: 'vfork', flags: ['CLONE_VFORK', 'CLONE_VM'], byTid: 100 });
    expect(child?.execs.map((e) => [e.path, e.ok, e.errno, e.argv])).toEqual([
      ['/usr/local/bin/true', false, 'ENOENT', ['true']],
      ['/usr/bin/true', true, null, ['true']],
    ]);
    expect(renderTree(tree)).toBe(
      [
        '100 exited 0',
        '│  execve "/usr/bin/python3" ["python3", "x.py"]',
        '└─ 101 vfork → exited 0',
        '      execve "/usr/local/bin/true" ["true"] = ENOENT (failed)',
        '      execve "/usr/bin/true" ["true"]',
        '',
      ].join('\n'),
    );
  });

  it('C10: threads are not processes; D19: exec from a thread supersedes the leader', () => {
    const cap = new FixtureCapture();
    cap.syscall(7673, 'clone3', cap.clone3Args(threadFlags, int(0), struct({ parent_tid: arr(int(7674)) })), ok(7674));
    const exec = cap.open(7674, 'execve', pos(str('/bin/true'), arr(str('/bin/true')), NULL));
    cap.superseded(7673, 7674);
    exec.finish(ok(0));
    cap.exitGroup(7673, 5);
    cap.exited(7673, 5);
    const tree = processTree(cap.events);
    expect(tree.roots).toHaveLength(1);
    const p = tree.roots[0];
    expect(p?.children).toEqual([]);
    expect(p?.threads).toEqual([
      { tid: 7674, createdBy: expect.objectContaining({ call: 'clone3', exitSignal: null }), end: { kind: 'exited', code: 5 }, tookOverPid: true },
    ]);
    expect(p?.execs).toEqual([expect.objectContaining({ path: '/bin/true', ok: true, byThread: 7674 })]);
    expect(p?.end).toEqual({ kind: 'exited', code: 5 });
    expect(renderTree(tree)).toContain('[by thread 7674]');
    expect(renderTree(tree)).toContain('thread 7674 (clone3(CLONE_CHILD_CLEARTID|');
  });

  it('C14: a CLONE_PARENT child hangs under the caller\'s parent; C18: CLONE_PIDFD fd is shown', () => {
    const cap = new FixtureCapture();
    cap.fork(1, 2);
    cap.cloneFlags(2, 3, ['CLONE_PARENT', 'SIGCHLD']);
    cap.syscall(1, 'clone3', cap.clone3Args(['CLONE_PIDFD'], ident('SIGCHLD'), struct({ pidfd: arr(int(6)) })), ok(4));
    cap.killed(3, 'SIGSEGV', true);
    const tree = processTree(cap.events);
    const root = tree.roots[0];
    expect(root?.children.map((c) => c.pid)).toEqual([2, 3, 4]);
    expect(root?.children[1]).toMatchObject({ parentPid: 1, createdBy: { byTid: 2, flags: ['CLONE_PARENT'] }, end: { kind: 'killed', signal: 'SIGSEGV', core: true } });
    expect(root?.children[2]?.createdBy).toMatchObject({ call: 'clone3', flags: ['CLONE_PIDFD'], pidfd: 6 });
    const text = renderTree(tree);
    expect(text).toContain('├─ 3 clone(CLONE_PARENT|SIGCHLD) by 2 → killed by SIGSEGV (core dumped)');
    expect(text).toContain('└─ 4 clone3(CLONE_PIDFD|SIGCHLD) pidfd=6 → end not recorded');
  });
});
