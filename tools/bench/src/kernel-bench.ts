// Benchmarks for @forkscope/kernel. Run: npx tsc -b tools/bench/tsconfig.json &&
// node tools/bench/dist/kernel-bench.js
//   fork-1GiB / fork-1page   fork of a process with 1 GiB mapped (262,144 pages) vs one page
//                            mapped, one page written in each; target ratio ≤ 2×. Also shown:
//                            1 GiB with 4096 pages written.
//   vfork round trip         vfork → child execve → parent released → child exit → wait4
//   pipe round trip          one byte there and back between two processes
//   getpid dispatch          calls per second through Kernel.syscall; target ≥ 5,000,000/s
import { performance } from 'node:perf_hooks';
import { Kernel, Vfs, type Syscall, type SyscallResult, type Tid } from '@forkscope/kernel';

const GIB = 1n << 30n;
const MAP_PRIVATE_ANON = 0x22;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function must(r: SyscallResult, what: string): bigint {
  if (r.kind !== 'done') throw new Error(`${what}: ${r.kind}${r.kind === 'error' ? ` ${r.errno}` : ''}`);
  return r.value;
}

function call(k: Kernel, tid: Tid, c: Syscall): bigint {
  return must(k.syscall(tid, c), c.name);
}

/** Median microseconds of fork (only the fork is timed; the child is reaped between rounds). */
function benchFork(mapped: bigint, touched: number, rounds: number): number {
  const k = new Kernel();
  const root = k.spawn({ path: '/bench' });
  const base = call(k, root, { name: 'mmap', addr: 0n, length: mapped, prot: 3, flags: MAP_PRIVATE_ANON, fd: -1, offset: 0n });
  const mm = k.memory(root);
  const pages = Number(mapped / 4096n);
  for (let i = 0; i < touched; i++) mm.writeU32(base + BigInt(Math.floor((i * pages) / touched)) * 4096n, i);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const child = Number(call(k, root, { name: 'fork' }));
    times.push((performance.now() - t0) * 1000);
    k.syscall(child, { name: 'exit_group', status: 0 });
    call(k, root, { name: 'wait4', pid: child, status: 0n, options: 0, rusage: 0n });
  }
  return median(times);
}

function benchVfork(rounds: number): number {
  const vfs = new Vfs();
  vfs.writeFile('/bin/true', { kind: 'elf' }, { mode: 0o755 });
  const k = new Kernel({ fs: vfs });
  const root = k.spawn({ path: '/bench' });
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = k.syscall(root, { name: 'vfork' });
    if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('vfork did not block');
    const child = r.on.child;
    call(k, child, { name: 'execve', path: '/bin/true', argv: ['true'], envp: [] });
    must(k.completion(root) ?? { kind: 'blocked', on: r.on }, 'vfork completion');
    k.syscall(child, { name: 'exit_group', status: 0 });
    call(k, root, { name: 'wait4', pid: child, status: 0n, options: 0, rusage: 0n });
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

function benchPipe(rounds: number): number {
  const k = new Kernel({ memory: 'none' });
  const root = k.spawn({ path: '/bench' });
  const fds = (): [number, number] => {
    const r = k.syscall(root, { name: 'pipe2', pipefd: 0x1000n, flags: 0 });
    if (r.kind !== 'done' || !r.out?.fds) throw new Error('pipe2');
    return [r.out.fds[0], r.out.fds[1]];
  };
  const [ar, aw] = fds();
  const [br, bw] = fds();
  const child = Number(call(k, root, { name: 'fork' }));
  const one = new Uint8Array([1]);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    // The child waits first, so each round includes a blocking read and its wake-up.
    const pending = k.syscall(child, { name: 'read', fd: ar, buf: 0x2000n, count: 1n });
    call(k, root, { name: 'write', fd: aw, buf: one, count: 1n });
    if (pending.kind === 'blocked') must(k.completion(child) ?? pending, 'child read');
    call(k, child, { name: 'write', fd: bw, buf: one, count: 1n });
    call(k, root, { name: 'read', fd: br, buf: 0x2000n, count: 1n });
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

function benchGetpid(calls: number, repeats: number): number {
  const k = new Kernel();
  const root = k.spawn({ path: '/bench' });
  const getpid: Syscall = { name: 'getpid' };
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) k.syscall(root, getpid);
    rates.push(calls / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

function main(): void {
  const fmt = (n: number, d = 1) => n.toFixed(d);
  // Warm-up: let the JIT compile every path before anything is measured.
  benchFork(4096n, 1, 100);
  benchFork(GIB, 64, 100);
  benchVfork(100);
  benchPipe(500);
  benchGetpid(500_000, 1);
  const forkSmall = benchFork(4096n, 1, 1000);
  const forkBig = benchFork(GIB, 1, 1000);
  const forkBigWritten = benchFork(GIB, 4096, 1000);
  const vfork = benchVfork(500);
  const pipe = benchPipe(2000);
  const rate = benchGetpid(2_000_000, 5);
  const rows: [string, string, string][] = [
    ['fork, 1 page mapped (1 written)', `${fmt(forkSmall, 2)} µs`, 'median of 1000'],
    ['fork, 1 GiB mapped (262,144 pages, 1 written)', `${fmt(forkBig, 2)} µs`, 'median of 1000'],
    ['  ratio 1 GiB / 1 page', `${fmt(forkBig / forkSmall, 2)}×`, 'target ≤ 2×'],
    ['fork, 1 GiB mapped, 4096 pages written', `${fmt(forkBigWritten, 2)} µs`, 'median of 1000 (repeated forks merge COW layers)'],
    ['vfork + execve + exit + wait4 round trip', `${fmt(vfork, 2)} µs`, 'median of 500'],
    ['pipe round trip (1 byte each way, blocking read)', `${fmt(pipe, 2)} µs`, 'median of 2000'],
    ['getpid dispatch', `${Math.round(rate).toLocaleString('en-US')} calls/s`, 'target ≥ 5,000,000/s'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value, note] of rows) console.log(`${name.padEnd(w)}  ${value.padStart(22)}  ${note}`);
}

main();
