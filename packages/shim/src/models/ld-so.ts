// What ld.so does in a freshly exec'd dynamic executable before main (glibc 2.36, x86_64):
// map its own scratch page, read the cache, map libc's segments, set up TLS and protect RELRO.
// The calls matter to the run because they take time: a vfork parent released by the child's
// exec runs while its child is still loading, as on Linux. (access, newfstatat and the ELF
// header read are left out: the kernel models neither stat nor reads of regular files.)
import { MAP_ANONYMOUS, MAP_DENYWRITE, MAP_FIXED, MAP_PRIVATE, O_CLOEXEC, O_RDONLY, PROT_EXEC, PROT_READ, PROT_WRITE } from '@forkscope/kernel';
import type { Guest, GuestGen, Program } from '../runtime/program.js';
import { sys } from './libc.js';

const LIBC_SIZE = 1974096n;

function* mapFile(fd: number, length: bigint, prot: number, flags: number, offset: bigint, addr = 0n): GuestGen<bigint> {
  const r = yield* sys({ name: 'mmap', addr, length, prot, flags, fd, offset });
  return r.kind === 'done' ? r.value : 0n;
}

export function* dynamicLoader(g: Guest): GuestGen<void> {
  yield* sys({ name: 'brk', addr: 0n });
  yield* sys({ name: 'mmap', addr: 0n, length: 8192n, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS, fd: -1, offset: 0n });
  const cache = yield* sys({ name: 'openat', dirfd: -100, path: '/etc/ld.so.cache', flags: O_RDONLY | O_CLOEXEC, mode: 0 });
  let cacheMap = 0n;
  if (cache.kind === 'done') {
    cacheMap = yield* mapFile(Number(cache.value), 34547n, PROT_READ, MAP_PRIVATE, 0n);
    yield* sys({ name: 'close', fd: Number(cache.value) });
  }
  const libc = yield* sys({ name: 'openat', dirfd: -100, path: '/lib/x86_64-linux-gnu/libc.so.6', flags: O_RDONLY | O_CLOEXEC, mode: 0 });
  if (libc.kind === 'done') {
    const fd = Number(libc.value);
    const base = yield* mapFile(fd, LIBC_SIZE, PROT_READ, MAP_PRIVATE | MAP_DENYWRITE, 0n);
    if (base !== 0n) {
      yield* mapFile(fd, 1400832n, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, 0x26000n, base + 0x26000n);
      yield* mapFile(fd, 24576n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, 0x1cf000n, base + 0x1cf000n);
    }
    yield* sys({ name: 'close', fd });
  }
  yield* sys({ name: 'mmap', addr: 0n, length: 12288n, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS, fd: -1, offset: 0n });
  yield* sys({ name: 'set_tid_address', tidptr: g.data + 0x10n });
  if (cacheMap !== 0n) yield* sys({ name: 'munmap', addr: cacheMap, length: 34547n });
}

/** A dynamically linked program: ld.so's start-up, then the program's main. */
export function withLoader(main: Program): Program {
  return function* (g) {
    yield* dynamicLoader(g);
    return yield* main(g);
  };
}
