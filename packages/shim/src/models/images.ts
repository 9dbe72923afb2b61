// The programs the modelled processes exec (coreutils and the shell): what each does to the
// process lifecycle. Text output goes to fd 1 as the real tool writes it.
import { O_RDONLY } from '@forkscope/kernel';
import type { Guest, GuestGen, Program } from '../runtime/program.js';
import { pushLocal, readFd, sys } from './libc.js';
import { dashMain } from './dash.js';

function* write(fd: number, text: string): GuestGen<void> {
  const bytes = new TextEncoder().encode(text);
  yield* sys({ name: 'write', fd, buf: bytes, count: BigInt(bytes.length) });
}

/** cat without arguments: copy fd 0 to fd 1 until EOF; a read error is status 1. */
function* catStdin(g: Guest): GuestGen<number> {
  for (;;) {
    const r = yield* readFd(g, 0, 8192n);
    if (r.kind === 'error') return 1;
    const data = r.out?.data;
    if (r.value === 0n || !data) return 0;
    yield* sys({ name: 'write', fd: 1, buf: data, count: BigInt(data.length) });
  }
}

/** cat FILE…: open each, copy it to fd 1; any failure makes the status 1. */
function* catFiles(g: Guest, files: readonly string[]): GuestGen<number> {
  let status = 0;
  for (const file of files) {
    const fd = yield* sys({ name: 'openat', dirfd: -100, path: file, flags: O_RDONLY, mode: 0 });
    if (fd.kind === 'error') {
      status = 1;
      continue;
    }
    for (;;) {
      const r = yield* readFd(g, Number(fd.value), 8192n);
      if (r.kind === 'error') status = 1;
      if (r.kind === 'error' || r.value === 0n) break;
      const data = r.out?.data ?? new Uint8Array();
      yield* sys({ name: 'write', fd: 1, buf: data, count: BigInt(data.length) });
    }
    yield* sys({ name: 'close', fd: Number(fd.value) });
  }
  return status;
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** The exec'd program for a path (after the kernel resolved it), or null if not modelled. */
export function coreImage(path: string, argv: readonly string[]): Program | null {
  switch (basename(path)) {
    case 'true':
      return function* () {
        return 0;
      };
    case 'false':
      return function* () {
        return 1;
      };
    case 'echo':
      return function* () {
        yield* write(1, `${argv.slice(1).join(' ')}\n`);
        return 0;
      };
    case 'cat':
      return argv.length > 1 ? (g) => catFiles(g, argv.slice(1)) : catStdin;
    case 'tr':
      return catStdin;
    case 'pwd':
      return function* (g) {
        const buf = pushLocal(g, 4096n);
        const r = yield* sys({ name: 'getcwd', buf, size: 4096n });
        yield* write(1, `${r.kind === 'done' ? (r.out?.cwd ?? '') : ''}\n`);
        return 0;
      };
    case 'env':
      return function* (g) {
        yield* write(1, g.envp.map((e) => `${e}\n`).join(''));
        return 0;
      };
    case 'sh':
    case 'dash':
      return dashMain;
    default:
      return null;
  }
}
