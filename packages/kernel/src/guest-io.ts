// Reading syscall arguments from guest memory and writing results back. Arguments may also
// come by value (the replay guest has strace's decoded values and no memory); with
// `memory: 'none'` the kernel cannot read an address (EFAULT, reported as unmodeled) and skips
// writes, treating them as successful.
import { fail, ok, type Errno, type ErrnoName } from './errno.js';
import type { PathArg, Ptr, SigsetValue, StringArrayArg, TimespecValue } from './calls.js';
import type { Core } from './core.js';
import type { Task } from './task.js';

const PATH_MAX = 4096;
const MAX_ARG_STRINGS = 0x7fffffff;

function noMemory(core: Core, t: Task, what: string): Errno<never> {
  core.emit({ type: 'unmodeled', tid: t.tid, call: what, reason: 'argument given by address but guest memory is not modelled' });
  return fail('EFAULT');
}

export function writeBytes(core: Core, t: Task, addr: Ptr, bytes: Uint8Array): ErrnoName | undefined {
  if (core.config.memory === 'none') return addr === 0n ? 'EFAULT' : undefined;
  const r = t.mm.write(addr, bytes);
  return r.ok ? undefined : r.errno;
}

export function writeU32(core: Core, t: Task, addr: Ptr, value: number): ErrnoName | undefined {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return writeBytes(core, t, addr, b);
}

export function writeU64(core: Core, t: Task, addr: Ptr, value: bigint): ErrnoName | undefined {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return writeBytes(core, t, addr, b);
}

export function readBytes(core: Core, t: Task, addr: Ptr, length: number, what: string): Errno<Uint8Array> {
  if (core.config.memory === 'none') return noMemory(core, t, what);
  return t.mm.read(addr, length);
}

export function readU64(core: Core, t: Task, addr: Ptr, what: string): Errno<bigint> {
  const r = readBytes(core, t, addr, 8, what);
  if (!r.ok) return r;
  return ok(new DataView(r.value.buffer, r.value.byteOffset, 8).getBigUint64(0, true));
}

export function readTimespec(core: Core, t: Task, arg: Ptr | TimespecValue): Errno<TimespecValue> {
  if (typeof arg !== 'bigint') return ok(arg);
  const r = readBytes(core, t, arg, 16, 'timespec');
  if (!r.ok) return r;
  const v = new DataView(r.value.buffer, r.value.byteOffset, 16);
  return ok({ sec: v.getBigInt64(0, true), nsec: v.getBigInt64(8, true) });
}

export function readSigset(core: Core, t: Task, arg: Ptr | SigsetValue): Errno<bigint> {
  if (typeof arg !== 'bigint') return ok(BigInt.asUintN(64, arg.mask));
  return readU64(core, t, arg, 'sigset');
}

/** A NUL-terminated string (strncpy_from_user): EFAULT, or ENAMETOOLONG past `max`. */
export function readCString(core: Core, t: Task, addr: Ptr, max: number, what: string): Errno<string> {
  if (core.config.memory === 'none') return noMemory(core, t, what);
  const r = t.mm.readCString(addr, max);
  if (!r.ok) return r;
  if (!r.value.terminated) return fail('ENAMETOOLONG');
  return ok(Buffer.from(r.value.bytes).toString('latin1'));
}

export function readPath(core: Core, t: Task, arg: PathArg): Errno<string> {
  if (typeof arg === 'string') return arg.length >= PATH_MAX ? fail('ENAMETOOLONG') : ok(arg);
  return readCString(core, t, arg, PATH_MAX, 'path');
}

/**
 * argv/envp: NULL gives an empty array; each element is read like the kernel's copy_strings.
 * Reading stops with E2BIG once pointers and strings exceed `budget` bytes, so a huge array in
 * guest memory costs no more than the exec limit allows.
 */
export function readStringArray(core: Core, t: Task, arg: StringArrayArg, maxString: number, budget: number): Errno<string[]> {
  if (typeof arg !== 'bigint') return ok([...arg]);
  if (arg === 0n) return ok([]);
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < MAX_ARG_STRINGS; i++) {
    const p = readU64(core, t, arg + BigInt(i) * 8n, 'argv');
    if (!p.ok) return p;
    if (p.value === 0n) return ok(out);
    const s = readCString(core, t, p.value, maxString + 1, 'argv string');
    if (!s.ok) return s.errno === 'ENAMETOOLONG' ? fail('E2BIG') : s;
    used += 8 + s.value.length + 1;
    if (used > budget) return fail('E2BIG');
    out.push(s.value);
  }
  return fail('E2BIG');
}
