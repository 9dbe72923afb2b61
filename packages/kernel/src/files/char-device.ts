// The memory character devices of drivers/char/mem.c that every Linux system has at fixed paths
// (devtmpfs creates them at boot, major 1): /dev/null (minor 3), /dev/zero (5), /dev/full (7).
// Their whole behaviour is in these few rules, which is why the kernel decides reads and writes
// on them rather than treating them as opaque files:
//   null: read → 0 (EOF) at any offset; write → count (discarded)          read_null, write_null
//   zero: read → count zero bytes; write → count                           read_iter_zero, write_zero = write_null
//   full: read → count zero bytes; write → ENOSPC                          read_iter_zero, write_full
//
// API: CharDevice, CHAR_DEVICE_PATHS, charDeviceAt(canonicalPath), charDeviceWrite(device, count).
import type { ErrnoName } from '../errno.js';

export type CharDevice = 'null' | 'zero' | 'full';

/** Where Linux has each device; the kernel recognises a device only by its canonical path. */
export const CHAR_DEVICE_PATHS: { readonly [path: string]: CharDevice } = Object.freeze({
  '/dev/null': 'null',
  '/dev/zero': 'zero',
  '/dev/full': 'full',
});

/** The same, as a Map: a lookup of a path built at run time as an object key internalizes it first (a string-table probe). */
const DEVICE_BY_PATH: ReadonlyMap<string, CharDevice> = new Map(Object.entries(CHAR_DEVICE_PATHS));

/** The device at a canonical absolute path, or null. */
export function charDeviceAt(path: string): CharDevice | null {
  return DEVICE_BY_PATH.get(path) ?? null;
}

/** write(2) of `count` bytes (already clamped to MAX_RW_COUNT) on a device. */
export function charDeviceWrite(device: CharDevice, count: number): { ok: true; value: number } | { ok: false; errno: ErrnoName } {
  switch (device) {
    case 'null':
    case 'zero':
      return { ok: true, value: count };
    case 'full':
      // write_full fails whatever the count, 0 included.
      return { ok: false, errno: 'ENOSPC' };
    default: {
      const never: never = device;
      throw new Error(`unknown character device ${String(never)}`);
    }
  }
}

/** How many bytes read(2) of `count` gives before any fault: 0 for null, count for zero and full. */
export function charDeviceReadLength(device: CharDevice, count: number): number {
  switch (device) {
    case 'null':
      return 0;
    case 'zero':
    case 'full':
      return count;
    default: {
      const never: never = device;
      throw new Error(`unknown character device ${String(never)}`);
    }
  }
}
