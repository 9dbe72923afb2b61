import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERRNO, ERRNO_TABLE, errnoMessage, errnoName, errnoNumber, isErrnoName, parseErrnoName } from '../src/errno.js';
import type { ErrnoName } from '../src/errno.js';
import { NSIG, SIGNALS, SIGRTMAX, SIGRTMIN, defaultAction, signalName, signalNumber } from '../src/signals.js';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', 'scripts', 'gen-constants.mjs');
const headersPresent = ['/usr/include/asm-generic/errno-base.h', '/usr/include/asm-generic/errno.h', '/usr/include/asm-generic/signal.h'].every(
  (f) => existsSync(f),
);

describe('generated constant tables', () => {
  it.skipIf(!headersPresent)('errno.ts and signals.ts match what gen-constants.mjs produces from this machine', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('every errno number agrees with the platform (Node os.constants.errno)', () => {
    const platform = constants.errno as Record<string, number>;
    let compared = 0;
    for (const [name, n] of Object.entries(platform)) {
      const ours = parseErrnoName(name);
      if (ours === undefined) continue; // glibc-only names such as ENOTSUP
      expect(ERRNO[ours], name).toBe(n);
      compared++;
    }
    expect(compared).toBeGreaterThan(70);
  });

  it('every standard signal number agrees with the platform (Node os.constants.signals)', () => {
    const platform = constants.signals as Record<string, number>;
    for (const [name, n] of Object.entries(platform)) {
      expect(signalNumber(name), name).toBe(n);
    }
  });
});

describe('errno', () => {
  it('maps names, numbers and strace texts', () => {
    expect(errnoNumber('ENOENT')).toBe(2);
    expect(errnoMessage('ENOENT')).toBe('No such file or directory');
    expect(errnoMessage(2)).toBe('No such file or directory');
    expect(errnoName(10)).toBe('ECHILD');
    expect(errnoMessage('EAGAIN')).toBe('Resource temporarily unavailable');
    expect(errnoName(38)).toBe('ENOSYS');
  });

  it('prints the first name of an aliased number, as strace does', () => {
    expect(errnoName(11)).toBe('EAGAIN');
    expect(parseErrnoName('EWOULDBLOCK')).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(parseErrnoName('EDEADLOCK')).toBe('EDEADLK');
    expect(isErrnoName('EWOULDBLOCK')).toBe(false);
  });

  it('carries the kernel-internal restart codes with strace texts', () => {
    const rows: [ErrnoName, number, string][] = [
      ['ERESTARTSYS', 512, 'To be restarted if SA_RESTART is set'],
      ['ERESTARTNOINTR', 513, 'To be restarted'],
      ['ERESTARTNOHAND', 514, 'To be restarted if no handler'],
      ['ERESTART_RESTARTBLOCK', 516, 'Interrupted by signal'],
    ];
    for (const [name, n, text] of rows) {
      expect(errnoNumber(name)).toBe(n);
      expect(errnoName(n)).toBe(name);
      expect(errnoMessage(name)).toBe(text);
    }
    expect(errnoName(515)).toBe('ENOIOCTLCMD');
  });

  it('is unambiguous: numbers ascend and no name repeats', () => {
    const numbers = ERRNO_TABLE.map((e) => e.number);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(new Set(ERRNO_TABLE.map((e) => e.name)).size).toBe(ERRNO_TABLE.length);
    expect(errnoName(0)).toBeUndefined();
    expect(errnoName(4000)).toBeUndefined();
    expect(errnoMessage(4000)).toBe('Unknown error 4000');
  });
});

describe('signals', () => {
  it('names real-time signals as strace prints them', () => {
    expect(SIGRTMIN).toBe(32);
    expect(SIGRTMAX).toBe(64);
    expect(NSIG).toBe(64);
    expect(signalName(32)).toBe('SIGRTMIN');
    expect(signalName(33)).toBe('SIGRT_1');
    expect(signalName(34)).toBe('SIGRT_2');
    expect(signalName(64)).toBe('SIGRT_32');
    expect(signalName(0)).toBeUndefined();
    expect(signalName(65)).toBeUndefined();
    expect(signalNumber('SIGRT_0')).toBeUndefined();
    expect(signalNumber('SIGRT_33')).toBeUndefined();
    expect(signalNumber('SIGRT_01')).toBeUndefined();
    expect(signalNumber('SIGRTMAX')).toBe(64);
  });

  it('prints canonical names for aliased numbers', () => {
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalNumber('SIGIOT')).toBe(6);
    expect(signalName(29)).toBe('SIGIO');
    expect(signalNumber('SIGPOLL')).toBe(29);
    expect(signalName(31)).toBe('SIGSYS');
    expect(signalNumber('SIGLOST')).toBeUndefined(); // commented out in the x86 header
  });

  it('knows the default actions of signal(7)', () => {
    expect(defaultAction(SIGNALS.SIGCHLD)).toBe('ign');
    expect(defaultAction(SIGNALS.SIGURG)).toBe('ign');
    expect(defaultAction(SIGNALS.SIGWINCH)).toBe('ign');
    expect(defaultAction(SIGNALS.SIGSTOP)).toBe('stop');
    expect(defaultAction(SIGNALS.SIGTTOU)).toBe('stop');
    expect(defaultAction(SIGNALS.SIGCONT)).toBe('cont');
    expect(defaultAction(SIGNALS.SIGQUIT)).toBe('core');
    expect(defaultAction(SIGNALS.SIGSEGV)).toBe('core');
    expect(defaultAction(SIGNALS.SIGPIPE)).toBe('term');
    expect(defaultAction(SIGNALS.SIGKILL)).toBe('term');
    expect(defaultAction(SIGRTMIN + 3)).toBe('term');
    expect(() => defaultAction(0)).toThrow(RangeError);
  });

  it('round-trips every signal number through its name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: NSIG }), (n) => {
        const name = signalName(n);
        expect(name).toBeDefined();
        expect(signalNumber(name as string)).toBe(n);
      }),
      { numRuns: 200 },
    );
  });
});
