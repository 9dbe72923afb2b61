import { describe, expect, it } from 'vitest';
import { brokenPromises, captureFacts, decodeCloneFlags, keepsPromise } from '../src/index.js';

const root = '1 1.0 execve("/p", ["/p"], 0x1 /* 3 vars */) = 0 <0.1>';
const capture = (...lines: string[]): string => `${[root, ...lines].join('\n')}\n`;

describe('promises', () => {
  it('clone3-vfork needs both CLONE_VM and CLONE_VFORK on clone3', () => {
    const good = captureFacts(capture('1 1.1 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 2'));
    expect(keepsPromise(good, 'clone3-vfork')).toBe(true);
    expect(keepsPromise(good, 'clone3')).toBe(true);
    expect(keepsPromise(good, 'clone-vfork')).toBe(false);
    expect(keepsPromise(good, 'fork')).toBe(false);
    const vmOnly = captureFacts(capture('1 1.1 clone3({flags=CLONE_VM, exit_signal=SIGCHLD}, 88) = 2'));
    expect(keepsPromise(vmOnly, 'clone3-vfork')).toBe(false);
  });

  it('clone-vfork is the legacy clone, even when it is unfinished first', () => {
    const f = captureFacts(capture('1 1.1 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_VFORK|SIGCHLD <unfinished ...>', '1 1.2 <... clone resumed>) = 5'));
    expect(keepsPromise(f, 'clone-vfork')).toBe(true);
    expect(keepsPromise(f, 'clone3-vfork')).toBe(false);
  });

  it('fork covers fork() and clone/clone3 without CLONE_VM and CLONE_THREAD; thread needs CLONE_THREAD', () => {
    expect(keepsPromise(captureFacts(capture('1 1.1 fork() = 2')), 'fork')).toBe(true);
    expect(keepsPromise(captureFacts(capture('1 1.1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 2')), 'fork')).toBe(true);
    const thread = captureFacts(capture('1 1.1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 2'));
    expect(keepsPromise(thread, 'thread')).toBe(true);
    expect(keepsPromise(thread, 'fork')).toBe(false);
    expect(keepsPromise(captureFacts(capture('1 1.1 vfork() = 2')), 'vfork')).toBe(true);
  });

  it('an undecoded clone3 argument (NULL) is a clone3 but neither fork nor vfork', () => {
    const f = captureFacts(capture('1 1.1 clone3(NULL, 88) = -1 EFAULT (Bad address)'));
    expect(keepsPromise(f, 'clone3')).toBe(true);
    expect(keepsPromise(f, 'fork')).toBe(false);
  });

  it('execve means an execve besides the root one', () => {
    expect(keepsPromise(captureFacts(capture()), 'execve')).toBe(false);
    expect(keepsPromise(captureFacts(capture('2 1.1 execve("/bin/true", ["true"], 0x1 /* 0 vars */) = -1 ENOENT (x)')), 'execve')).toBe(true);
  });

  it('none means no second process or thread ever appeared', () => {
    expect(keepsPromise(captureFacts(capture('1 1.1 clone3({flags=CLONE_SIGHAND, exit_signal=SIGCHLD}, 88) = -1 EINVAL (x)')), 'none')).toBe(true);
    expect(keepsPromise(captureFacts(capture('2 1.1 exit_group(0) = ?')), 'none')).toBe(false);
  });

  it('brokenPromises lists exactly the promises not kept', () => {
    expect(brokenPromises(capture('1 1.1 vfork() = 2'), ['vfork', 'execve', 'fork'])).toEqual(['execve', 'fork']);
  });

  it('decodes named and hexadecimal flag values', () => {
    expect(decodeCloneFlags('CLONE_VM|CLONE_VFORK|SIGCHLD')).toBe(0x4100n);
    expect(decodeCloneFlags('0x10000|CLONE_VM')).toBe(0x10100n);
    expect(decodeCloneFlags('CLONE_FS|CLONE_CLEAR_SIGHAND|SIGCHLD')).toBe(0x100000200n);
  });
});
