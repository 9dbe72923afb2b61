// Process attributes and identity calls beyond the catalogue entries: sessions and groups,
// kill's targets, umask/chdir/getcwd, unknown calls.
import { describe, expect, it } from 'vitest';
import { SIGNALS } from '../src/index.js';
import { boot, call, errno, fork, ok } from './kernel-helpers.js';

describe('process attributes', () => {
  it("a spawned root is in its spawner's session: setsid succeeds and makes it a leader", () => {
    const { k, root } = boot();
    expect(ok(k, root, { name: 'getsid', pid: 0 })).toBe(1);
    expect(ok(k, root, { name: 'setsid' })).toBe(root);
    expect(ok(k, root, { name: 'getpgid', pid: 0 })).toBe(root);
    // A group leader cannot start another session, nor leave its group.
    expect(errno(k, root, { name: 'setsid' })).toBe('EPERM');
    expect(errno(k, root, { name: 'setpgid', pid: 0, pgid: 0 })).toBe('EPERM');
    const child = fork(k, root);
    expect(ok(k, child, { name: 'getsid', pid: 0 })).toBe(root);
    expect(ok(k, child, { name: 'setpgid', pid: 0, pgid: 0 })).toBe(0);
    expect(errno(k, child, { name: 'setpgid', pid: 0, pgid: 999 })).toBe('EPERM');
    expect(errno(k, child, { name: 'setpgid', pid: 0, pgid: -1 })).toBe('EINVAL');
    expect(errno(k, child, { name: 'getpgid', pid: 424242 })).toBe('ESRCH');
  });

  it('kill(-1) signals every process but the caller and init', () => {
    const { k, root } = boot();
    const other = k.spawn({ path: '/bin/other' });
    const child = fork(k, root);
    ok(k, root, { name: 'kill', pid: -1, sig: SIGNALS.SIGKILL });
    expect(k.task(root)?.state).toBe('ready');
    expect(k.task(child)?.state).toBe('zombie');
    expect(k.task(other)).toBeUndefined();
    expect(k.checkInvariants()).toEqual([]);
    expect(errno(k, root, { name: 'kill', pid: 1, sig: SIGNALS.SIGKILL })).toBe('ESRCH');
    expect(errno(k, root, { name: 'kill', pid: root, sig: 65 })).toBe('EINVAL');
  });

  it('umask returns the previous mask; getcwd needs room for the NUL', () => {
    const { k, root } = boot();
    expect(ok(k, root, { name: 'umask', mask: 0o777 })).toBe(0o022);
    expect(ok(k, root, { name: 'umask', mask: 0o1022 })).toBe(0o777);
    expect(ok(k, root, { name: 'umask', mask: 0 })).toBe(0o022);
    ok(k, root, { name: 'chdir', path: '/usr/lib' });
    expect(errno(k, root, { name: 'getcwd', buf: 0n, size: 8n })).toBe('ERANGE');
    expect(call(k, root, { name: 'getcwd', buf: 0n, size: 9n })).toMatchObject({ kind: 'done', value: 9n, out: { cwd: '/usr/lib' } });
  });

  it('an unknown system call is ENOSYS and reported as unmodeled', () => {
    const { k, root } = boot();
    expect(errno(k, root, { name: 'unknown', syscall: 'io_uring_setup' })).toBe('ENOSYS');
    expect(k.events.at(-1)).toMatchObject({ type: 'unmodeled', tid: root, call: 'io_uring_setup' });
  });

  it('set_tid_address returns the caller tid and arms the exit-time clear', () => {
    const { k, root } = boot();
    expect(ok(k, root, { name: 'set_tid_address', tidptr: 0x1000n })).toBe(root);
  });
});
