// convert reads read/write/close/open/fd-first/dirfd-first calls from the argument text when the text
// is plain, and parses the tree otherwise: both ways must give the same conversion.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseText } from '@forkscope/tracer';
import type { SyscallEvent } from '@forkscope/tracer';
import { convert } from '../src/replay/convert.js';
import { dirfdPath, fdBufCount, leadingFd, openArgs } from '../src/replay/conversion-view.js';
import { OPEN_FLAG_NAMES } from '../src/replay/names.js';

function calls(text: string): SyscallEvent[] {
  return parseText(`${text}\n`, { file: 'fixture' }).filter((e): e is SyscallEvent => e.kind === 'syscall');
}
function line(text: string): SyscallEvent {
  const [e] = calls(text);
  if (e === undefined) throw new Error(`not a syscall line: ${text}`);
  return e;
}
const noPids = (): number | undefined => undefined;

/** The same call whose argument text no fast path accepts (a leading space): convert must parse its tree. */
function viaTree(e: SyscallEvent): SyscallEvent {
  return Object.create(e, { argsText: { get: () => ` ${e.argsText}` }, args: { get: () => e.args } }) as SyscallEvent;
}
/** The same call whose tree must not be built. */
function noTree(e: SyscallEvent): SyscallEvent {
  return Object.create(e, {
    args: {
      get() {
        throw new Error('arguments parsed');
      },
    },
  }) as SyscallEvent;
}

/** Bytes as strace prints a buffer (default escaping: \\n \\t \\" \\\\, octal for the rest). */
function straceString(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else {
      const next = bytes[i + 1];
      const octal = b.toString(8);
      // A short octal escape before a digit would swallow it: strace pads it then.
      out += next !== undefined && next >= 0x30 && next <= 0x37 ? `\\${octal.padStart(3, '0')}` : `\\${octal}`;
    }
  }
  return `${out}"`;
}

// Real line shapes from the bench captures (tar | gzip) and the corpus.
const REAL = [
  '1001 1795727915.871931 read(3, "\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\20t\\2\\0\\0\\0"..., 832) = 832 <0.000020>',
  '1003 1795727916.518424 read(0, "\\0"..., 32768) = 2048 <0.000015>',
  '16924 1795727653.815988 read(4, 0x563b3f30ffd8, 32) = -1 EAGAIN (Resource temporarily unavailable) <0.000015>',
  '16924 1795727653.817433 read(6, "", 32) = 0 <0.000014>',
  '1002 1795727916.517453 write(1, "ab, 7"..., 10240) = 10240 <0.000016>',
  '1002 write(2, "tar: a \\"quoted\\", name\\n", 24) = 24',
  '1002 write(1, NULL, 0) = 0',
  '1002 write(-1, "x", 1) = -1 EBADF (Bad file descriptor)',
  '1002 close(3) = 0',
  '1002 close(-1) = -1 EBADF (Bad file descriptor)',
  '1002 getdents64(3, 0x55d5d1b0 /* 22 entries */, 32768) = 704',
  '1002 fstat(3, {st_mode=S_IFREG|0644, st_size=34547, ...}) = 0',
  '1002 newfstatat(AT_FDCWD, "/usr/share/doc/tar", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_SYMLINK_NOFOLLOW) = 0',
  '1002 newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=34547, ...}, AT_EMPTY_PATH) = 0',
  '1002 newfstatat(4, "copyright", {st_mode=S_IFREG|0644, st_size=1234, ...}, AT_SYMLINK_NOFOLLOW) = 0',
  '1002 newfstatat(4, "/abs", 0x7ffd0000, 0) = -1 ENOENT (No such file or directory)',
  '1002 readlinkat(AT_FDCWD, "/proc/self/exe", "/usr/bin/tar", 4095) = 12',
  '1002 statx(5, "sub, dir", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_ALL, ...}) = 0',
  '1001 1795727915.869665 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3 <0.000112>',
  '1002 openat(AT_FDCWD, "/dev/null", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3',
  '1002 openat(4, "copyright", O_RDONLY|O_NOCTTY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC|O_DIRECTORY) = 5',
  '1002 openat(AT_FDCWD, "", O_RDONLY) = 3',
  '1002 open("/tmp/x y", O_RDWR|O_CREAT|O_EXCL, 0) = 3',
  '1002 fcntl(3, F_SETFD, FD_CLOEXEC) = 0',
  '1002 fcntl(1, F_GETFL) = 0x1 (flags O_WRONLY)',
  '1002 fcntl(4, F_DUPFD, 10) = 10',
  '1002 fcntl(0, F_SETFL, O_RDONLY|O_NONBLOCK) = 0',
  '1001 1795727915.869280 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fd7f5ad2000 <0.000060>',
  '1002 mmap(0x7f3a1c0b1000, 1482752, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x28000) = 0x7f3a1c0b1000',
  '1002 mmap(NULL, 34547, PROT_NONE, MAP_PRIVATE, 3, 4096) = 0x7f3a1c2d1000',
];

describe('convert from the argument text', () => {
  it('gives the same conversion as from the tree, for real line shapes, without building the tree', () => {
    for (const text of REAL) {
      const e = line(text);
      const fromText = convert(noTree(e), noPids);
      expect(fromText, text).toEqual(convert(viaTree(e), noPids));
    }
  });

  it('F1 read and write of arbitrary bytes: fd and count from the text equal the tree\'s', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), fc.nat(1 << 20), fc.integer({ min: -1, max: 1023 }), (bytes, cut, count, fd) => {
        for (const name of ['read', 'write']) {
          const e = line(`7 ${name}(${fd}, ${straceString(bytes)}${cut ? '...' : ''}, ${count}) = ${bytes.length}`);
          expect(fdBufCount(e.argsText)).toEqual({ fd, count: BigInt(count) });
          expect(convert(noTree(e), noPids)).toEqual(convert(viaTree(e), noPids));
        }
      }),
    );
  });

  it('F2 openat and open of arbitrary paths, flags and modes: the text gives what the tree gives', () => {
    // Mostly shapes the text accepts (so both ways are compared), and every kind it must refuse.
    const known = fc.constantFrom('O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_CLOEXEC', 'O_DIRECTORY', 'O_LARGEFILE');
    const flag = fc.oneof({ arbitrary: known, weight: 4 }, { arbitrary: fc.constantFrom('O_BOGUS', '0x20', '1<<3', 'o_rdonly'), weight: 1 });
    const dirfd = fc.oneof(
      { arbitrary: fc.constantFrom('AT_FDCWD', '3', '-1', '0'), weight: 4 },
      { arbitrary: fc.constantFrom('3</tmp>', 'AT_FDCWD ', '1234567890'), weight: 1 },
    );
    const path = fc.oneof(
      { arbitrary: fc.string({ unit: fc.constantFrom('/', 'a', '.', ' ', ',', '|', '0', 'z') }).map((t) => `"${t}"`), weight: 4 },
      { arbitrary: fc.string({ unit: fc.constantFrom('/', 'a', '"', '\\', '\u00e9', '\n') }).map((t) => straceString(new TextEncoder().encode(t))), weight: 1 },
      { arbitrary: fc.uint8Array({ maxLength: 12 }).map(straceString), weight: 1 },
    );
    const mode = fc.constantFrom('', ', 0', ', 0644', ', 0666', ', 07777', ', 0644', ', 755', ', 0x1ff', ', 08', ', 0123456777');
    fc.assert(
      fc.property(fc.boolean(), dirfd, path, fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }), fc.array(flag, { minLength: 1, maxLength: 4 }), mode, (at, fd, p, cut, flags, m) => {
        const args = `${at ? `${fd}, ` : ''}${p}${cut ? '...' : ''}, ${flags.join('|')}${m}`;
        const e = line(`7 ${at ? 'openat' : 'open'}(${args}) = 3`);
        expect(convert(e, noPids), args).toEqual(convert(viaTree(e), noPids));
      }),
      { numRuns: 400 },
    );
  });

  it('F3 fcntl of arbitrary commands and arguments: the text gives what the tree gives', () => {
    const cmd = fc.oneof(
      { arbitrary: fc.constantFrom('F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL', 'F_DUPFD', 'F_DUPFD_CLOEXEC', 'F_GETPIPE_SZ'), weight: 4 },
      { arbitrary: fc.constantFrom('F_BOGUS', '1030', 'F_GETFD|F_SETFD', 'f_getfd'), weight: 1 },
    );
    const arg = fc.constantFrom('', ', FD_CLOEXEC', ', O_RDWR|O_NONBLOCK', ', O_BOGUS', ', 0', ', 10', ', -1', ', 0x800', ', {l_type=F_RDLCK}', ', FD_CLOEXEC, 7');
    const fd = fc.constantFrom('3', '0', '-1', '3</dev/null>', '1234567890');
    fc.assert(
      fc.property(fd, cmd, arg, (f, c, a) => {
        const e = line(`7 fcntl(${f}, ${c}${a}) = 0`);
        expect(convert(e, noPids), e.argsText).toEqual(convert(viaTree(e), noPids));
      }),
      { numRuns: 300 },
    );
  });

  it('F4 mmap of arbitrary arguments: the text gives what the tree gives', () => {
    const num = fc.oneof(
      { arbitrary: fc.nat().map(String), weight: 3 },
      { arbitrary: fc.nat().map((n) => `0x${n.toString(16)}`), weight: 2 },
      { arbitrary: fc.constantFrom('0', '010', '0x', '9007199254740993', '0x1ffffffffffffff', '12ab', '1.5'), weight: 1 },
    );
    const addr = fc.constantFrom('NULL', '0x7f3a1c0b1000', '0', 'NULL /* x */');
    const names = (known: string[], bad: string[]) =>
      fc.array(fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, { arbitrary: fc.constantFrom(...bad), weight: 1 }), { minLength: 1, maxLength: 3 }).map((a) => a.join('|'));
    const prot = names(['PROT_READ', 'PROT_WRITE', 'PROT_EXEC', 'PROT_NONE'], ['PROT_BOGUS', '0x8']);
    const flags = names(['MAP_PRIVATE', 'MAP_ANONYMOUS', 'MAP_FIXED', 'MAP_DENYWRITE', 'MAP_FIXED_NOREPLACE', 'MAP_SHARED'], ['MAP_BOGUS', '0x40000']);
    const fd = fc.constantFrom('-1', '3', '3</lib/libc.so.6>');
    fc.assert(
      fc.property(addr, num, prot, flags, fd, num, (a, l, p, f, d, o) => {
        const e = line(`7 mmap(${a}, ${l}, ${p}, ${f}, ${d}, ${o}) = 0x7f3a1c2d1000`);
        expect(convert(e, noPids), e.argsText).toEqual(convert(viaTree(e), noPids));
      }),
      { numRuns: 400 },
    );
  });

  it('a read split over two lines (joined with two spaces) is read from the text too', () => {
    const read = calls(
      ['1003 read(0,  <unfinished ...>', '1002 write(1, "\\0"..., 10240) = 10240', '1003 <... read resumed>"\\0"..., 32768) = 24576'].join('\n'),
    ).find((e) => e.name === 'read') as SyscallEvent;
    expect(fdBufCount(read.argsText)).toEqual({ fd: 0, count: 32768n });
    expect(convert(noTree(read), noPids)).toEqual(convert(viaTree(read), noPids));
  });

  it('any other shape is left to the tree', () => {
    // -y fd decorations, a name for a dirfd other than AT_FDCWD, an escape that may be '/', an unterminated string.
    expect(fdBufCount('3</etc/passwd>, "root", 4096')).toBeUndefined();
    expect(fdBufCount('3, "abc, 12')).toBeUndefined();
    expect(fdBufCount('3, "abc"')).toBeUndefined();
    expect(fdBufCount('3, [{iov_base="a", iov_len=1}], 1')).toBeUndefined();
    expect(fdBufCount('3, "a", 0x10')).toBeUndefined();
    expect(fdBufCount('1234567890, "a", 1')).toBeUndefined();
    // A string ending in an escaped backslash, and one holding an escaped quote before a comma.
    expect(fdBufCount('3, "a\\\\", 2')).toEqual({ fd: 3, count: 2n });
    expect(fdBufCount('3, "a\\", 2", 9')).toEqual({ fd: 3, count: 9n });
    expect(leadingFd('3</dev/pts/0>')).toBeUndefined();
    expect(leadingFd('AT_FDCWD, "x"')).toBeUndefined();
    expect(leadingFd('7')).toBe(7);
    expect(leadingFd('-1, 0')).toBe(-1);
    expect(Object.is(leadingFd('-0'), 0)).toBe(true);
    // Counts past 2^53 stay exact.
    expect(fdBufCount('3, NULL, 18446744073709551615')).toEqual({ fd: 3, count: 18446744073709551615n });
    expect(fdBufCount('12, 0x7ffd, 999999999999999')).toEqual({ fd: 12, count: 999999999999999n });
    expect(dirfdPath('AT_FDCWD, "\\x2f\\x65", 0')).toBeUndefined();
    expect(dirfdPath('AT_FDCWD, "/x')).toBeUndefined();
    expect(dirfdPath('3</tmp>, "x", 0')).toBeUndefined();
    expect(dirfdPath('AT_FDCWD, "/x", 0')).toEqual({ dirfd: -100, absolute: true });
    expect(dirfdPath('5, "", 0')).toEqual({ dirfd: 5, absolute: false });
    expect(openArgs('AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC', true, OPEN_FLAG_NAMES)).toEqual({
      dirfd: -100,
      path: '/etc/ld.so.cache',
      flags: 0o2000000,
      mode: 0,
    });
    expect(openArgs('5, "a b", O_WRONLY|O_CREAT, 0640', true, OPEN_FLAG_NAMES)).toEqual({ dirfd: 5, path: 'a b', flags: 0o101, mode: 0o640 });
    // An escape (the tree decodes it), a truncated path, a flag the table does not know, a number among the flags.
    expect(openArgs('AT_FDCWD, "/a\\x", O_RDONLY', true, OPEN_FLAG_NAMES)).toBeUndefined();
    expect(openArgs('AT_FDCWD, "/a"..., O_RDONLY', true, OPEN_FLAG_NAMES)).toBeUndefined();
    expect(openArgs('AT_FDCWD, "/a", O_RDONLY|O_BOGUS', true, OPEN_FLAG_NAMES)).toBeUndefined();
    expect(openArgs('AT_FDCWD, "/a", O_RDONLY|0x20', true, OPEN_FLAG_NAMES)).toBeUndefined();
    expect(openArgs('3</tmp>, "a", O_RDONLY', true, OPEN_FLAG_NAMES)).toBeUndefined();
    // Results: plain decimals are read as numbers (the tracer's plainDecimal); others are left to the outcome's BigInt.
    const hexResult = line('7 read(3, "abc", 32) = 0x3');
    expect(convert(hexResult, noPids)).toEqual({ kind: 'effect', call: { name: 'read', fd: 3, buf: 0n, count: 3n, countOnly: true } });
    const decorated = line('7 read(3</etc/passwd>, "root:x:0:0", 4096) = 10');
    expect(convert(decorated, noPids)).toEqual({ kind: 'effect', call: { name: 'read', fd: 3, buf: 0n, count: 10n, countOnly: true } });
  });
});
