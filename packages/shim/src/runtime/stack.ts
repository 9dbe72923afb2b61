// The guest stack and the shim's frames on it. A real shim that intercepts a system call saves
// the caller's context in a frame just below the caller's stack pointer, and returns through
// it. A vfork child runs on the same stack memory with the same stack pointer, so anything it
// calls (or any local it writes) lands on that frame before the suspended parent returns.
import type { AddressSpace } from '@forkscope/kernel';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_STACK, PROT_READ, PROT_WRITE } from '@forkscope/kernel';

/** Bytes of one shim frame: magic, owner tid, context id, saved stack pointer. */
export const SHIM_FRAME_SIZE = 32n;
/** 'SHIM' as a little-endian u32: marks a frame the shim wrote. */
const FRAME_MAGIC = 0x4d494853;
export const MAIN_STACK_SIZE = 0x10000n;
export const DATA_SIZE = 0x2000n;

export interface ShimFrame {
  readonly tid: number;
  readonly context: bigint;
  readonly sp: bigint;
}

/** The loader's part of exec: a data segment and a main stack, mapped without system calls. */
export function loadImage(mm: AddressSpace): { data: bigint; sp: bigint } {
  const data = mm.mmap({ addr: 0n, length: DATA_SIZE, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS, label: '[data]' });
  const stack = mm.mmap({
    addr: 0n,
    length: MAIN_STACK_SIZE,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
    label: '[stack]',
  });
  if (!data.ok || !stack.ok) throw new Error('loader: cannot map the image (address space full)');
  return { data: data.value, sp: stack.value + MAIN_STACK_SIZE };
}

export function frameAddress(sp: bigint): bigint {
  return sp - SHIM_FRAME_SIZE;
}

export function writeFrame(mm: AddressSpace, sp: bigint, frame: ShimFrame): void {
  const at = frameAddress(sp);
  const bytes = new Uint8Array(Number(SHIM_FRAME_SIZE));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint32(4, frame.tid, true);
  view.setBigUint64(8, frame.context, true);
  view.setBigUint64(16, frame.sp, true);
  const r = mm.write(at, bytes);
  if (!r.ok) throw new Error(`shim: stack frame at 0x${at.toString(16)} is not writable (${r.errno})`);
}

/** The frame at `sp`, or null when what is there is not a frame the shim wrote. */
export function readFrame(mm: AddressSpace, sp: bigint): ShimFrame | null {
  const r = mm.read(frameAddress(sp), Number(SHIM_FRAME_SIZE));
  if (!r.ok) return null;
  const view = new DataView(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  if (view.getUint32(0, true) !== FRAME_MAGIC) return null;
  return { tid: view.getUint32(4, true), context: view.getBigUint64(8, true), sp: view.getBigUint64(16, true) };
}
