// forConversion: convert() sees the same call through the view, and the view does not leave the
// argument tree cached on the event (trees of calls nobody reads again are garbage after conversion).
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import type { SyscallEvent } from '@forkscope/tracer';
import { convert } from '../src/replay/convert.js';
import { forConversion, KEEP_ARGS } from '../src/replay/conversion-view.js';

const lines = (...l: string[]) => parseText(`${l.join('\n')}\n`, { file: 'fixture' }) as SyscallEvent[];

describe('forConversion', () => {
  // Real line shapes (dash and glibc start-up).
  const events = lines(
    '10 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
    '10 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3a1c2d1000',
    '10 lgetxattr("/usr/bin/ls", "security.selinux", 0x55d0c8a3a0e0, 255) = -1 ENODATA (No data available)',
    '10 rt_sigaction(SIGINT, {sa_handler=0x55d0c6f0a2b0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7f3a1c0b1050}, NULL, 8) = 0',
    '10 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11',
  );
  const lookup = (p: number): number => p + 1000;

  it('converts each call exactly as the event itself converts', () => {
    for (const e of events) {
      const viaView = convert(forConversion(e), lookup);
      const direct = convert(e, lookup);
      expect(viaView).toEqual(direct);
    }
  });

  it('hands a view for calls read only once, and the event itself for those the checker reads again', () => {
    for (const e of events) {
      const v = forConversion(e);
      if (KEEP_ARGS.has(e.name)) expect(v).toBe(e);
      else {
        expect(v).not.toBe(e);
        expect(v.name).toBe(e.name);
        expect(v.outcome).toBe(e.outcome);
        expect(v.span).toBe(e.span);
        expect(v.args).toEqual(e.args);
        // A fresh tree on each read: nothing kept on the view either.
        expect(v.args).not.toBe(v.args);
      }
    }
    expect(KEEP_ARGS.has('wait4') && KEEP_ARGS.has('rt_sigaction') && !KEEP_ARGS.has('openat')).toBe(true);
  });

  it("convert's 'transient' tree source converts as the event does, and reads the event's own tree only for the calls kept", () => {
    for (const e of events) {
      // An event whose cached tree must not be touched unless the call is one the checker reads again.
      let read = 0;
      const watched = Object.create(e, {
        args: {
          get() {
            read++;
            return e.args;
          },
        },
      }) as SyscallEvent;
      expect(convert(watched, lookup, 'transient')).toEqual(convert(e, lookup));
      expect(read > 0).toBe(KEEP_ARGS.has(e.name));
    }
  });
});
