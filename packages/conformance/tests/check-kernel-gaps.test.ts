// Behaviours the replay once lacked from the kernel (each was a skipped gap here,
// unskipped when the kernel gained it): real tests of the checker's verdict on
// real lines. No gap is open now; a new one goes here as
// it.skip('… (skipped: kernel gap: …)') until the kernel has it.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { checkEvents } from '../src/check/check-capture.js';

// Real lines (from a capture of pyenv's bash wrapper and of the corpus), replayed without an fs manifest.
const check = (text: string) => checkEvents('fixture.strace', parseText(text, { file: 'fixture.strace' }), {});

describe('kernel gaps', () => {
  it('F_GETFL of an opened file reports O_LARGEFILE (open/openat add it as x86_64 force_o_largefile() does)', () => {
    const r = check(
      [
        '9871  1795725967.218000 execve("/bin/bash", ["bash"], 0x7ffd /* 3 vars */) = 0',
        '9871  1795725967.218500 openat(AT_FDCWD, "/root/.pyenv/libexec/pyenv", O_RDONLY) = 3',
        '9871  1795725967.219159 fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)',
        '9871  1795725967.219300 exit_group(0) = ?',
        '9871  1795725967.219400 +++ exited with 0 +++',
        '',
      ].join('\n'),
    );
    expect(r.divergences).toEqual([]);
    // Only the exec is adopted (no fs manifest): the fcntl result was compared, not taken from the capture.
    expect(r.adoptedReasons.map((a) => a.reason)).toEqual(['exec result adopted: the capture has no fs manifest']);
    expect(r.adopted).toBe(1);
  });

  it('the start-up calls every glibc program makes are checked, not adopted (access stays adopted: the path is the environment\'s)', () => {
    const r = check(
      [
        '16206 1795726203.713450 execve("/bin/true", ["true"], 0x7ffde5de44d0 /* 3 vars */) = 0',
        '16206 1795726203.717182 arch_prctl(ARCH_SET_FS, 0x7f0f121ef740) = 0',
        '16206 1795726203.717295 set_robust_list(0x7f0f121efa20, 24) = 0',
        '16206 1795726203.717349 rseq(0x7f0f121f0060, 0x20, 0, 0x53053053) = 0',
        '16206 1795726203.718150 prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0',
        '16206 1795726203.718579 getuid() = 0',
        '16206 1795726203.718980 exit_group(0) = ?',
        '16206 1795726203.719100 +++ exited with 0 +++',
        '',
      ].join('\n'),
    );
    // The exec (no fs manifest), and the first readings of the starting RLIMIT_STACK and of the uid:
    // environment inputs the kernel starts from, not unmodelled calls.
    expect(r.divergences).toEqual([]);
    expect(r.adoptedReasons.map((a) => a.reason).filter((x) => x.includes('not modelled'))).toEqual([]);
    expect(r.adopted).toBe(3);
  });
});
