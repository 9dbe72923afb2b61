// getrandom (drivers/char/random.c). The bytes are an environment input; the model hands out a
// deterministic stream so runs repeat. It assumes a booted system: the CRNG is ready, so no
// flag combination blocks or fails with EAGAIN.
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';
import { writeBytes } from './guest-io.js';

export const GRND = { NONBLOCK: 1, RANDOM: 2, INSECURE: 4 } as const;
/** MAX_RW_COUNT: INT_MAX rounded down to a page; longer requests are cut to it. */
const MAX_RW_COUNT = 0x7ffff000n;
const CHUNK = 4096;

/** Per kernel: an xorshift64 state, so two kernels given the same calls give the same bytes. */
const streams = new WeakMap<Core, { s: bigint }>();

function fill(core: Core, bytes: Uint8Array): void {
  let st = streams.get(core);
  if (st === undefined) {
    st = { s: 0x9e3779b97f4a7c15n };
    streams.set(core, st);
  }
  for (let i = 0; i < bytes.length; i++) {
    let x = st.s;
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    st.s = x;
    bytes[i] = Number(x & 0xffn);
  }
}

export function sysGetrandom(core: Core, t: Task, call: CallOf<'getrandom'>): SyscallResult {
  const flags = call.flags >>> 0;
  if ((flags & ~(GRND.NONBLOCK | GRND.RANDOM | GRND.INSECURE)) !== 0) return error('EINVAL');
  // Insecure and blocking-pool randomness at once makes no sense to Linux either.
  if ((flags & (GRND.INSECURE | GRND.RANDOM)) === (GRND.INSECURE | GRND.RANDOM)) return error('EINVAL');
  const len = BigInt.asUintN(64, call.buflen) > MAX_RW_COUNT ? MAX_RW_COUNT : BigInt.asUintN(64, call.buflen);
  if (len === 0n) return done(0);
  if (call.buf + len > 0x7ffffffff000n) return error('EFAULT');
  if (core.config.memory === 'none') return done(len);
  // Copied out a chunk at a time: a fault after some bytes returns the count copied (Linux's short read).
  let copied = 0n;
  while (copied < len) {
    const toPage = BigInt(CHUNK) - ((call.buf + copied) % BigInt(CHUNK));
    const n = Number(len - copied < toPage ? len - copied : toPage);
    const bytes = new Uint8Array(n);
    fill(core, bytes);
    if (writeBytes(core, t, call.buf + copied, bytes) !== undefined) break;
    copied += BigInt(n);
  }
  return copied === 0n ? error('EFAULT') : done(copied);
}
