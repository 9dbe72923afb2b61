// The memory character devices, after drivers/char/mem.c (no linux-semantics.md id covers them):
// /dev/null reads EOF and swallows writes, /dev/zero reads zeros and swallows writes, /dev/full
// reads zeros and refuses writes with ENOSPC. Opened by path where the fs has them as devices,
// or, where an fs manifest does not know the path, where every Linux system has them.
import { describe, expect, it } from 'vitest';
import { Kernel, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY, Vfs, type Syscall, type Tid } from '../src/index.js';
import { boot, call, errno, ok, page, standardFs } from './kernel-helpers.js';

/** Guest bytes a test reads back (a fault here is a bug in the test). */
function bytesAt(k: Kernel, tid: Tid, addr: bigint, n: number): Uint8Array {
  const r = k.memory(tid).read(addr, n);
  if (!r.ok) throw new Error(`read back at ${addr}: ${r.errno}`);
  return r.value;
}

const open = (path: string, flags: number): Syscall => ({ name: 'openat', dirfd: -100, path, flags, mode: 0o666 });
const read = (fd: number, buf: bigint, count: bigint): Syscall => ({ name: 'read', fd, buf, count });
const write = (fd: number, buf: bigint | Uint8Array, count: bigint): Syscall => ({ name: 'write', fd, buf, count });

describe('memory character devices (drivers/char/mem.c)', () => {
  it('/dev/null: read gives 0 (EOF) every time, write takes every byte without reading the buffer', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/null', O_RDWR));
    const buf = page(k, root);
    k.memory(root).write(buf, new Uint8Array([7, 7, 7]));
    expect(ok(k, root, read(fd, buf, 3n))).toBe(0);
    expect(ok(k, root, read(fd, buf, 3n))).toBe(0);
    expect([...bytesAt(k, root, buf, 3)]).toEqual([7, 7, 7]);
    expect(ok(k, root, write(fd, buf, 4096n))).toBe(4096);
    // write_null never copies from user memory: an unmapped buffer still "succeeds".
    expect(ok(k, root, write(fd, 0x10n, 100n))).toBe(100);
  });

  it('/dev/zero: read fills the buffer with zeros; write takes every byte', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/zero', O_RDWR));
    const buf = page(k, root);
    k.memory(root).write(buf, new Uint8Array(16).fill(0xaa));
    expect(ok(k, root, read(fd, buf + 4n, 8n))).toBe(8);
    expect([...bytesAt(k, root, buf, 16)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xaa, 0xaa, 0xaa]);
    expect(ok(k, root, write(fd, buf, 16n))).toBe(16);
  });

  it('/dev/zero: a read running past the mapping returns what it cleared; none at all is EFAULT', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/zero', O_RDONLY));
    const buf = page(k, root);
    k.memory(root).write(buf + 4000n, new Uint8Array(96).fill(1));
    // read_iter_zero clears page by page and stops at the first page it cannot write.
    expect(ok(k, root, read(fd, buf + 4000n, 500n))).toBe(96);
    expect([...bytesAt(k, root, buf + 4000n, 96)].every((b) => b === 0)).toBe(true);
    expect(errno(k, root, read(fd, 0n, 10n))).toBe('EFAULT');
  });

  it('/dev/full: write fails with ENOSPC (even of 0 bytes), read fills zeros', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/full', O_RDWR));
    const buf = page(k, root);
    expect(errno(k, root, write(fd, buf, 10n))).toBe('ENOSPC');
    expect(errno(k, root, write(fd, buf, 0n))).toBe('ENOSPC');
    k.memory(root).write(buf, new Uint8Array(4).fill(9));
    expect(ok(k, root, read(fd, buf, 4n))).toBe(4);
    expect([...bytesAt(k, root, buf, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('the access mode still rules: a read of an O_WRONLY /dev/null is EBADF', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/null', O_WRONLY));
    expect(errno(k, root, read(fd, page(k, root), 1n))).toBe('EBADF');
  });

  it('found through "." and ".." and relative to the cwd; O_DIRECTORY is ENOTDIR; O_CREAT|O_EXCL is EEXIST', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/./../dev/zero', O_RDONLY));
    expect(ok(k, root, { name: 'read', fd, buf: page(k, root), count: 5n })).toBe(5);
    ok(k, root, { name: 'chdir', path: '/dev' });
    expect(ok(k, root, read(ok(k, root, open('null', O_RDONLY)), page(k, root), 5n))).toBe(0);
    expect(errno(k, root, open('/dev/null', O_RDONLY | O_DIRECTORY))).toBe('ENOTDIR');
    expect(errno(k, root, open('/dev/null', O_WRONLY | O_CREAT | O_EXCL))).toBe('EEXIST');
    // O_CREAT|O_TRUNC of an existing device opens it (as a shell's `> /dev/null` does).
    const out = ok(k, root, open('/dev/full', O_WRONLY | O_CREAT | 0o1000));
    expect(errno(k, root, write(out, new Uint8Array(1), 1n))).toBe('ENOSPC');
  });

  it('only a path that is lexically /dev/null, /dev/zero or /dev/full names a device', () => {
    const { k, root } = boot();
    const buf = page(k, root);
    // Doubled slashes and a trailing "." still name the device (an empty component is none)…
    expect(ok(k, root, read(ok(k, root, open('//dev//zero/.', O_RDONLY)), buf, 3n))).toBe(3);
    ok(k, root, { name: 'chdir', path: '/' });
    expect(ok(k, root, read(ok(k, root, open('dev/zero', O_RDONLY)), buf, 2n))).toBe(2);
    // …while paths that only look like one are opaque files, whose reads the kernel does not model.
    for (const path of ['/x/dev/zero', '/dev/zero/x', '/devzero', '/dev/zeros', '/proc/zero']) {
      expect(errno(k, root, read(ok(k, root, open(path, O_RDONLY)), buf, 1n)), path).toBe('ENOSYS');
    }
  });

  it('dup and fork share the device: a child writing to an inherited /dev/full fails too', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/full', O_WRONLY));
    const copy = ok(k, root, { name: 'dup', oldfd: fd });
    const child = ok(k, root, { name: 'fork' });
    expect(errno(k, child, write(copy, new Uint8Array(2), 2n))).toBe('ENOSPC');
  });

  it('with an fs: a device node at the path is the device, a regular file there is not, a missing one is ENOENT', () => {
    const withNode = boot({ fs: standardFs() });
    const fd = ok(withNode.k, withNode.root, open('/dev/null', O_RDONLY));
    expect(ok(withNode.k, withNode.root, read(fd, page(withNode.k, withNode.root), 8n))).toBe(0);

    const vfs = new Vfs();
    vfs.writeFile('/dev/null', { kind: 'text' });
    const regular = boot({ fs: vfs });
    const f = ok(regular.k, regular.root, open('/dev/null', O_RDONLY));
    const r = call(regular.k, regular.root, read(f, page(regular.k, regular.root), 8n));
    expect(r).toMatchObject({ kind: 'error', errno: 'ENOSYS' });
    expect(regular.k.events.some((e) => e.type === 'unmodeled' && e.call === 'read')).toBe(true);

    const empty = boot({ fs: new Vfs() });
    expect(errno(empty.k, empty.root, open('/dev/zero', O_RDONLY))).toBe('ENOENT');
  });

  it('with a manifest that does not list /dev: the devices are where Linux has them; a listed absence wins', () => {
    const manifest = Vfs.fromManifest([{ path: '/bin/sh', kind: 'file', mode: '0755', exec: 'elf' }]);
    const a = boot({ fs: manifest });
    const fd = ok(a.k, a.root, open('/dev/zero', O_RDONLY));
    expect(ok(a.k, a.root, read(fd, page(a.k, a.root), 3n))).toBe(3);

    const absent = Vfs.fromManifest([{ path: '/dev/full', kind: 'absent' }]);
    const b = boot({ fs: absent });
    expect(errno(b.k, b.root, open('/dev/full', O_WRONLY))).toBe('ENOENT');

    const listed = Vfs.fromManifest([{ path: '/dev/null', kind: 'other', mode: '0666' }]);
    const c = boot({ fs: listed });
    expect(ok(c.k, c.root, write(ok(c.k, c.root, open('/dev/null', O_WRONLY)), new Uint8Array(3), 3n))).toBe(3);
  });

  it('without guest memory (replay) a read returns the bytes by value', () => {
    const k = new Kernel({ memory: 'none' });
    const root = k.spawn({ path: '/bin/sh', argv: ['sh'] });
    const zero = ok(k, root, open('/dev/zero', O_RDONLY));
    const r = call(k, root, read(zero, 0n, 6n));
    expect(r).toEqual({ kind: 'done', value: 6n, out: { data: new Uint8Array(6) } });
    const nul = ok(k, root, open('/dev/null', O_RDONLY));
    expect(call(k, root, read(nul, 0n, 6n))).toEqual({ kind: 'done', value: 0n });
  });

  it('other paths stay opaque: reads are ENOSYS (unmodelled), writes take every byte', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/dev/nullx', O_RDWR));
    expect(errno(k, root, read(fd, page(k, root), 1n))).toBe('ENOSYS');
    expect(ok(k, root, write(fd, new Uint8Array(5), 5n))).toBe(5);
  });
});
