// Regular files: the data (files/regular-file.ts), the fs manifest's size/content, what open does
// to a file (fs/open-regular.ts) and what exec then finds. Linux sources in the module comments.
import { describe, expect, it } from 'vitest';
import { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_PATH, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../src/files/constants.js';
import { RegularFile } from '../src/files/regular-file.js';
import { ManifestError } from '../src/fs/manifest.js';
import type { ManifestEntry } from '../src/fs/manifest.js';
import { openRegular, type RegularOpen, type RegularOpenRequest } from '../src/fs/open-regular.js';
import { Vfs } from '../src/fs/vfs.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);
const NOBODY = { uid: 65534, gid: 65534 };
const ROOT = { uid: 0, gid: 0 };

/** Reads the whole file from `offset` in `chunk`-byte reads, as cat does, advancing its own offset. */
function readAll(file: RegularFile, chunk: number, offset = 0n): { text: string; reads: number[] } {
  const reads: number[] = [];
  let out = '';
  for (;;) {
    const r = file.read(offset, chunk);
    if (r.kind !== 'data') throw new Error(`not data: ${r.kind}`);
    reads.push(r.bytes.length);
    if (r.bytes.length === 0) return { text: out, reads };
    out += str(r.bytes);
    offset += BigInt(r.bytes.length);
  }
}

describe('RegularFile: read and write at an offset', () => {
  it('a read gives min(count, size - offset) bytes, then 0 at the end (EOF), and 0 past it', () => {
    const f = RegularFile.known(text('alpha\nbeta\n'));
    expect(readAll(f, 4)).toEqual({ text: 'alpha\nbeta\n', reads: [4, 4, 3, 0] });
    expect(f.read(100n, 10)).toEqual({ kind: 'data', bytes: new Uint8Array(0) });
    expect(f.read(0n, 0)).toEqual({ kind: 'data', bytes: new Uint8Array(0) });
  });

  it('writes at the offset, overwriting and extending; a write past the end leaves a hole of zeros', () => {
    const f = RegularFile.known(text('abcdef'));
    expect(f.write(2n, false, text('XY'), 2)).toBe(4n);
    expect(str(f.bytes() as Uint8Array)).toBe('abXYef');
    expect(f.write(8n, false, text('Z'), 1)).toBe(9n);
    expect(f.bytes()).toEqual(new Uint8Array([0x61, 0x62, 0x58, 0x59, 0x65, 0x66, 0, 0, 0x5a]));
    expect(f.size).toBe(9);
  });

  it('O_APPEND writes at the end whatever the offset (generic_write_checks), and returns the new end', () => {
    const f = RegularFile.known(text('alpha\nbeta\n'));
    expect(f.write(0n, true, text('gamma\n'), 6)).toBe(17n);
    expect(readAll(f, 8192).text).toBe('alpha\nbeta\ngamma\n');
  });

  it('a zero-byte write changes nothing', () => {
    const f = RegularFile.known(text('ab'));
    expect(f.write(5n, false, new Uint8Array(0), 0)).toBe(5n);
    expect(f.size).toBe(2);
  });

  it('many small appends keep every byte (the buffer grows)', () => {
    const f = RegularFile.known(new Uint8Array(0));
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const line = `line ${i}\n`;
      f.write(0n, true, text(line), line.length);
      expected += line;
    }
    expect(readAll(f, 4096).text).toBe(expected);
  });

  it('bytes not all known make the content unknown; the size stays known, and reads give only a count', () => {
    const f = RegularFile.known(text('abc'));
    // A replay's write: strace showed 2 of the 5 bytes.
    expect(f.write(3n, false, text('de'), 5)).toBe(8n);
    expect(f.known).toBe(false);
    expect(f.size).toBe(8);
    expect(f.read(6n, 100)).toEqual({ kind: 'count', n: 2 });
    expect(f.read(8n, 100)).toEqual({ kind: 'data', bytes: new Uint8Array(0) });
  });

  it('unknown: reads are not modelled; an append to a file of unknown size has no known position', () => {
    const f = RegularFile.unknown();
    expect(f.read(0n, 10)).toEqual({ kind: 'unknown' });
    expect(f.write(0n, true, text('x'), 1)).toBeNull();
    const sized = RegularFile.sized(10);
    expect(sized.read(4n, 100)).toEqual({ kind: 'count', n: 6 });
    sized.forget();
    expect(sized.read(0n, 1)).toEqual({ kind: 'unknown' });
  });

  it('truncate makes it known and empty again', () => {
    const f = RegularFile.unknown();
    f.truncate();
    expect(f.size).toBe(0);
    expect(f.read(0n, 10)).toEqual({ kind: 'data', bytes: new Uint8Array(0) });
  });

  it('keeps a copy: changing the array it was made from or the one bytes() gave changes nothing', () => {
    const src = text('abc');
    const f = RegularFile.known(src);
    src[0] = 0x7a;
    (f.bytes() as Uint8Array)[1] = 0x7a;
    expect(str(f.bytes() as Uint8Array)).toBe('abc');
  });
});

describe('fs manifest: size and content of a file the run only read', () => {
  const entries: ManifestEntry[] = [
    { path: '/w/input.txt', kind: 'file', mode: '0644', exec: 'none', size: 11, content: 'alpha\nbeta\n' },
    { path: '/w/blob', kind: 'file', mode: '0644', exec: 'none', size: 4096 },
    { path: '/w/utf8', kind: 'file', mode: '0644', exec: 'none', size: 3, content: 'é\n' },
    { path: '/bin/cat', kind: 'file', mode: '0755', exec: 'elf' },
  ];
  const dataAt = (fs: Vfs, path: string): RegularFile => {
    const r = fs.lookup(path, '/');
    if (r.kind !== 'found' || r.node.kind !== 'file') throw new Error(`${path}: not a file`);
    return r.node.data;
  };

  it('content becomes the file data (its UTF-8 bytes); size alone gives counts; neither leaves it unknown', () => {
    const fs = Vfs.fromManifest(entries);
    expect(readAll(dataAt(fs, '/w/input.txt'), 8192)).toEqual({ text: 'alpha\nbeta\n', reads: [11, 0] });
    expect(dataAt(fs, '/w/utf8').size).toBe(3);
    expect(dataAt(fs, '/w/blob').read(4000n, 8192)).toEqual({ kind: 'count', n: 96 });
    expect(dataAt(fs, '/bin/cat').read(0n, 1)).toEqual({ kind: 'unknown' });
  });

  it('refuses a size that is not a non-negative integer, content that is not a string, or content of another size', () => {
    const bad = (e: Record<string, unknown>): string => {
      try {
        Vfs.fromManifest([{ path: '/w/f', kind: 'file', mode: '0644', exec: 'none', ...e } as ManifestEntry], { source: 'corpus/x/case.json fs' });
      } catch (err) {
        expect(err).toBeInstanceOf(ManifestError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ size: -1 })).toBe('corpus/x/case.json fs: entry 0 (/w/f): size must be a non-negative integer, got -1');
    expect(bad({ size: 1.5 })).toContain('size must be a non-negative integer');
    expect(bad({ size: '3' })).toContain('size must be a non-negative integer, got "3"');
    expect(bad({ size: 1, content: 7 })).toContain('content must be a string');
    expect(bad({ size: 2, content: 'é\n' })).toBe('corpus/x/case.json fs: entry 0 (/w/f): content is 3 bytes of UTF-8 but size says 2');
  });
});

describe('openRegular: what open does to a regular file', () => {
  const request = (path: string, flags: number, more: Partial<RegularOpenRequest> = {}): RegularOpenRequest => ({
    path,
    flags,
    mode: 0o644,
    cred: ROOT,
    tracksWrites: true,
    ...more,
  });
  const open = (fs: Vfs, path: string, flags: number, more: Partial<RegularOpenRequest> = {}): RegularOpen => {
    const req = request(path, flags, more);
    return openRegular(fs, fs.lookup(path, '/', { cred: req.cred }), req);
  };
  const fileOf = (r: RegularOpen): RegularFile => {
    if (r.kind !== 'file') throw new Error(`not a file: ${JSON.stringify(r)}`);
    return r.file;
  };
  const manifest = (): Vfs =>
    Vfs.fromManifest([
      { path: '/w/input.txt', kind: 'file', mode: '0644', exec: 'none', size: 11, content: 'alpha\nbeta\n' },
      { path: '/w/secret', kind: 'file', mode: '0600', exec: 'none', size: 1, content: 'x' },
      { path: '/w/gone', kind: 'absent', errno: 'ENOENT' },
      { path: '/w/nodir', kind: 'absent', errno: 'ENOENT' },
      { path: '/dev', kind: 'directory', mode: '0755' },
      { path: '/dev/null', kind: 'other', mode: '0666' },
    ]);

  it('every open of a path shares one file data (the inode): a write through one is read through another', () => {
    const fs = manifest();
    const a = fileOf(open(fs, '/w/input.txt', O_RDONLY));
    const b = fileOf(open(fs, '/w/input.txt', O_WRONLY | O_APPEND));
    expect(a).toBe(b);
    b.write(0n, true, text('gamma\n'), 6);
    expect(readAll(a, 8192).text).toBe('alpha\nbeta\ngamma\n');
  });

  it('O_TRUNC empties an existing file; O_CREAT|O_EXCL of one is EEXIST; O_DIRECTORY is ENOTDIR', () => {
    const fs = manifest();
    expect(open(fs, '/w/input.txt', O_CREAT | O_EXCL | O_WRONLY)).toEqual({ kind: 'error', errno: 'EEXIST' });
    expect(open(fs, '/w/input.txt', O_RDONLY | O_DIRECTORY)).toEqual({ kind: 'error', errno: 'ENOTDIR' });
    expect(fileOf(open(fs, '/w/input.txt', O_RDONLY)).size).toBe(11);
    expect(fileOf(open(fs, '/w/input.txt', O_WRONLY | O_CREAT | O_TRUNC)).size).toBe(0);
  });

  it('permissions: no r bit for a reader, no w bit for a writer (O_TRUNC counts as writing) is EACCES; root passes', () => {
    const fs = manifest();
    expect(open(fs, '/w/secret', O_RDONLY, { cred: NOBODY })).toEqual({ kind: 'error', errno: 'EACCES' });
    expect(open(fs, '/w/input.txt', O_WRONLY, { cred: NOBODY })).toEqual({ kind: 'error', errno: 'EACCES' });
    expect(open(fs, '/w/input.txt', O_RDONLY | O_TRUNC, { cred: NOBODY })).toEqual({ kind: 'error', errno: 'EACCES' });
    expect(fileOf(open(fs, '/w/input.txt', O_RDONLY, { cred: NOBODY })).size).toBe(11);
    expect(fileOf(open(fs, '/w/secret', O_RDWR)).size).toBe(1);
  });

  it('O_CREAT of an unlisted path places a file: empty when the open made it so, of unknown content otherwise', () => {
    const fs = manifest();
    const out = fileOf(open(fs, '/w/out.txt', O_WRONLY | O_CREAT | O_TRUNC));
    out.write(0n, false, text('alpha\n'), 6);
    // A later open finds the same file, and >> appends to it.
    const again = fileOf(open(fs, '/w/out.txt', O_WRONLY | O_CREAT | O_APPEND));
    expect(again).toBe(out);
    again.write(0n, true, text('beta\n'), 5);
    expect(readAll(fileOf(open(fs, '/w/out.txt', O_RDONLY)), 8192).text).toBe('alpha\nbeta\n');
    // Without O_TRUNC or O_EXCL an unlisted file may have had content.
    expect(fileOf(open(fs, '/w/log', O_WRONLY | O_CREAT | O_APPEND)).known).toBe(false);
  });

  it('O_CREAT|O_EXCL makes a new file with mode & ~umask as given; an absent entry is replaced; a missing directory is ENOENT', () => {
    const fs = manifest();
    expect(fileOf(open(fs, '/w/gone', O_WRONLY | O_CREAT | O_EXCL, { mode: 0o600 })).size).toBe(0);
    const made = fs.lookup('/w/gone', '/');
    expect(made.kind === 'found' && made.node.kind === 'file' ? made.node.mode : null).toBe(0o600);
    expect(open(fs, '/w/nodir/f', O_WRONLY | O_CREAT | O_TRUNC)).toEqual({ kind: 'error', errno: 'ENOENT' });
    expect(open(fs, '/w/input.txt/f', O_WRONLY | O_CREAT | O_TRUNC)).toEqual({ kind: 'error', errno: 'ENOTDIR' });
  });

  it('without tracked writes (a replay) an open for writing makes the data unknown, and nothing is created', () => {
    const fs = manifest();
    const reader = fileOf(open(fs, '/w/input.txt', O_RDONLY, { tracksWrites: false }));
    expect(reader.known).toBe(true);
    open(fs, '/w/input.txt', O_WRONLY | O_APPEND, { tracksWrites: false });
    expect(reader.read(0n, 10)).toEqual({ kind: 'unknown' });
    expect(open(fs, '/w/out.txt', O_WRONLY | O_CREAT | O_TRUNC, { tracksWrites: false })).toEqual({ kind: 'other' });
    expect(fs.lookup('/w/out.txt', '/').kind).toBe('unknown');
  });

  it('leaves devices, directories, O_PATH and unlisted paths opened without O_CREAT to the caller', () => {
    const fs = manifest();
    expect(open(fs, '/dev/null', O_WRONLY | O_CREAT | O_TRUNC)).toEqual({ kind: 'other' });
    expect(open(fs, '/dev', O_RDONLY)).toEqual({ kind: 'other' });
    expect(open(fs, '/w/input.txt', O_PATH)).toEqual({ kind: 'other' });
    expect(open(fs, '/w/unlisted', O_RDONLY)).toEqual({ kind: 'other' });
  });
});

describe('exec finds what a known file holds', () => {
  it('a file the kernel wrote is exec\'d by its bytes: empty → ENOEXEC, #! → its interpreter, ELF → the image', () => {
    const fs = Vfs.fromManifest([{ path: '/bin/sh', kind: 'file', mode: '0755', exec: 'elf' }]);
    const req: RegularOpenRequest = { path: '/w/run', flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o755, cred: ROOT, tracksWrites: true };
    const r = openRegular(fs, fs.lookup('/w/run', '/'), req);
    if (r.kind !== 'file') throw new Error('not created');
    expect(fs.resolveExec('/w/run', '/')).toEqual({ kind: 'error', errno: 'ENOEXEC' });
    r.file.write(0n, false, text('#!/bin/sh\nexit 0\n'), 17);
    expect(fs.resolveExec('/w/run', '/')).toMatchObject({ kind: 'ok', image: '/bin/sh', scripts: [{ interpreter: '/bin/sh' }] });
    r.file.truncate();
    r.file.write(0n, false, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 6);
    expect(fs.resolveExec('/w/run', '/')).toEqual({ kind: 'ok', image: '/w/run', scripts: [] });
  });
});
