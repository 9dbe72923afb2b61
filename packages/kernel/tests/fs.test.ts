import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpreterArgv } from '../src/fs/exec-resolution.js';
import type { ExecResolution } from '../src/fs/exec-resolution.js';
import { ManifestError } from '../src/fs/manifest.js';
import type { ManifestEntry } from '../src/fs/manifest.js';
import { parseShebang } from '../src/fs/shebang.js';
import { Vfs } from '../src/fs/vfs.js';

const NOBODY = { uid: 65534, gid: 65534 };

/** A small system: /bin/true (ELF), /bin/sh → dash, /usr/bin/env, scripts and oddities under /t. */
function system(): Vfs {
  const fs = new Vfs();
  fs.writeFile('/bin/true', { kind: 'elf' }, { mode: 0o755 });
  fs.writeFile('/bin/dash', { kind: 'elf' }, { mode: 0o755 });
  fs.symlink('/bin/sh', 'dash');
  fs.writeFile('/usr/bin/env', { kind: 'elf' }, { mode: 0o755 });
  fs.mkdir('/t', { mode: 0o755 });
  fs.writeFile('/t/noexec', { kind: 'elf' }, { mode: 0o644 });
  fs.writeFile('/t/empty', { kind: 'empty' }, { mode: 0o755 });
  fs.writeFile('/t/text', { kind: 'text' }, { mode: 0o755 });
  fs.writeFile('/t/bare', { kind: 'script', head: '#!\n\n' }, { mode: 0o755 });
  fs.writeFile('/t/blank', { kind: 'script', head: '#!   \t \n' }, { mode: 0o755 });
  fs.writeFile('/t/sh', { kind: 'script', head: '#!/bin/sh\necho hi\n' }, { mode: 0o755 });
  fs.writeFile('/t/args', { kind: 'script', head: '#!/bin/true   foo bar  \t\nrest' }, { mode: 0o755 });
  fs.writeFile('/t/lost', { kind: 'script', head: '#!/nonexistent/interp\n' }, { mode: 0o755 });
  fs.mknod('/dev/null', { mode: 0o666 });
  fs.mkdir('/root', { mode: 0o700 });
  fs.writeFile('/root/tool', { kind: 'elf' }, { mode: 0o755 });
  fs.writeFile('/t/rootonly', { kind: 'elf' }, { mode: 0o700 });
  fs.writeFile('/t/otherx', { kind: 'elf' }, { mode: 0o701 });
  return fs;
}

const errno = (r: ExecResolution | { kind: string }): string | undefined => ('errno' in r ? (r.errno as string) : undefined);

describe('exec resolution (section D)', () => {
  it('resolves an ELF directly and through a symlink', () => {
    const fs = system();
    expect(fs.resolveExec('/bin/true', '/')).toEqual({ kind: 'ok', image: '/bin/true', scripts: [] });
    expect(fs.resolveExec('/bin/sh', '/')).toEqual({ kind: 'ok', image: '/bin/dash', scripts: [] });
    expect(fs.resolveExec('true', '/bin')).toEqual({ kind: 'ok', image: '/bin/true', scripts: [] });
    expect(fs.resolveExec('../bin/./true', '/usr')).toEqual({ kind: 'ok', image: '/bin/true', scripts: [] });
    expect(fs.resolveExec('/../../bin//true', '/')).toEqual({ kind: 'ok', image: '/bin/true', scripts: [] });
  });

  it('D3 EXEC-ENOENT: missing path, empty path, missing #! interpreter', () => {
    const fs = system();
    expect(errno(fs.resolveExec('/nonexistent', '/'))).toBe('ENOENT');
    expect(errno(fs.resolveExec('', '/'))).toBe('ENOENT');
    expect(errno(fs.resolveExec('/t/lost', '/'))).toBe('ENOENT');
    expect(errno(fs.resolveExec('/no/such/dir/x', '/'))).toBe('ENOENT');
  });

  it('D4 EXEC-EACCES: no x bit even for root, a directory, a device', () => {
    const fs = system();
    expect(errno(fs.resolveExec('/t/noexec', '/'))).toBe('EACCES');
    expect(errno(fs.resolveExec('/t', '/'))).toBe('EACCES');
    expect(errno(fs.resolveExec('/', '/'))).toBe('EACCES');
    expect(errno(fs.resolveExec('/dev/null', '/'))).toBe('EACCES');
    // Permission classes for an unprivileged caller.
    expect(errno(fs.resolveExec('/t/rootonly', '/', { cred: NOBODY }))).toBe('EACCES');
    expect(fs.resolveExec('/t/otherx', '/', { cred: NOBODY }).kind).toBe('ok');
    expect(fs.resolveExec('/t/rootonly', '/').kind).toBe('ok');
  });

  it('a directory without search permission is EACCES for a normal user, not for root', () => {
    const fs = system();
    expect(errno(fs.resolveExec('/root/tool', '/', { cred: NOBODY }))).toBe('EACCES');
    expect(fs.resolveExec('/root/tool', '/').kind).toBe('ok');
    expect(fs.lookup('/root/missing', '/', { cred: NOBODY })).toEqual({ kind: 'error', errno: 'EACCES' });
  });

  it('D5 EXEC-ENOEXEC: empty file, text without #!, #! without an interpreter', () => {
    const fs = system();
    expect(errno(fs.resolveExec('/t/empty', '/'))).toBe('ENOEXEC');
    expect(errno(fs.resolveExec('/t/text', '/'))).toBe('ENOEXEC');
    expect(errno(fs.resolveExec('/t/bare', '/'))).toBe('ENOEXEC');
    expect(errno(fs.resolveExec('/t/blank', '/'))).toBe('ENOEXEC');
  });

  it('D6 EXEC-ENOTDIR: a regular file used as a directory, or with a trailing slash', () => {
    const fs = system();
    expect(errno(fs.resolveExec('/bin/true/fake', '/'))).toBe('ENOTDIR');
    expect(errno(fs.resolveExec('/bin/true/', '/'))).toBe('ENOTDIR');
    expect(errno(fs.resolveExec('/bin/sh/', '/'))).toBe('ENOTDIR');
  });

  it('D7 EXEC-ENAMETOOLONG: a 256-byte component, a path of PATH_MAX bytes', () => {
    const fs = system();
    expect(errno(fs.resolveExec(`/t/${'a'.repeat(256)}`, '/'))).toBe('ENAMETOOLONG');
    expect(errno(fs.resolveExec(`/t/${'a'.repeat(255)}`, '/'))).toBe('ENOENT');
    // Multi-byte characters count in bytes.
    expect(errno(fs.resolveExec(`/t/${'é'.repeat(128)}`, '/'))).toBe('ENAMETOOLONG');
    const long = `/${'x/'.repeat(2047)}y`; // 4096 bytes
    expect(long.length).toBe(4096);
    expect(errno(fs.resolveExec(long, '/'))).toBe('ENAMETOOLONG');
    expect(errno(fs.resolveExec(long.slice(1), '/'))).toBe('ENOENT'); // 4095 bytes: walked
  });

  it('D10 EXEC-ELOOP: 40 links resolve, 41 are ELOOP, and the interpreter gets a fresh budget', () => {
    const fs = system();
    const chain = (prefix: string, n: number, target: string): string => {
      for (let i = 0; i < n; i++) fs.symlink(`/t/${prefix}${i}`, i === n - 1 ? target : `${prefix}${i + 1}`);
      return `/t/${prefix}0`;
    };
    expect(fs.resolveExec(chain('ok', 40, '/bin/true'), '/').kind).toBe('ok');
    expect(errno(fs.resolveExec(chain('bad', 41, '/bin/true'), '/'))).toBe('ELOOP');
    const interp = chain('in', 40, '/bin/true');
    fs.writeFile('/t/script40', { kind: 'script', head: `#!${interp}\n` }, { mode: 0o755 });
    const script = chain('sc', 40, '/t/script40');
    const r = fs.resolveExec(script, '/');
    expect(r).toMatchObject({ kind: 'ok', image: '/bin/true' });
    fs.symlink('/t/self', 'self');
    expect(errno(fs.resolveExec('/t/self', '/'))).toBe('ELOOP');
  });

  it('D21 EXEC-SCRIPT-ARGV: one optional argument with its spaces; argv[0] becomes the path as passed', () => {
    const fs = system();
    const r = fs.resolveExec('args', '/t');
    expect(r).toEqual({
      kind: 'ok',
      image: '/bin/true',
      scripts: [{ filename: 'args', path: '/t/args', interpreter: '/bin/true', arg: 'foo bar' }],
    });
    if (r.kind !== 'ok') throw new Error('unreachable');
    expect(interpreterArgv(r, ['whatever', 'x', 'y'])).toEqual(['/bin/true', 'foo bar', 'args', 'x', 'y']);
    expect(interpreterArgv(r, [])).toEqual(['/bin/true', 'foo bar', 'args']);
    const sh = fs.resolveExec('/t/sh', '/');
    if (sh.kind !== 'ok') throw new Error('expected ok');
    expect(sh.image).toBe('/bin/dash');
    expect(interpreterArgv(sh, [])).toEqual(['/bin/sh', '/t/sh']);
  });

  it('D21 #! line details: NUL ends it, trailing whitespace is dropped, leading blanks skipped', () => {
    expect(parseShebang('#!/bin/sh\0 -x\n')).toEqual({ kind: 'script', interpreter: '/bin/sh', arg: null });
    expect(parseShebang('#!/bin/sh -a\0b\n')).toEqual({ kind: 'script', interpreter: '/bin/sh', arg: '-a' });
    expect(parseShebang('#! \t/bin/sh \t  -e -u \t \n')).toEqual({ kind: 'script', interpreter: '/bin/sh', arg: '-e -u' });
    expect(parseShebang('#!/bin/interp 25\r\n')).toEqual({ kind: 'script', interpreter: '/bin/interp', arg: '25\r' });
    expect(parseShebang('#!/bin/sh')).toEqual({ kind: 'script', interpreter: '/bin/sh', arg: null }); // short file, no newline
    // Short file, no newline, trailing blanks: the zero fill stops the trim, so the argument is ""
    // (binfmt_script.c: next_non_spacetab lands on the NUL after the blanks).
    expect(parseShebang('#!/bin/sh  ')).toEqual({ kind: 'script', interpreter: '/bin/sh', arg: '' });
    expect(parseShebang('#!\n')).toEqual({ kind: 'no-interpreter' });
    expect(parseShebang('# !/bin/sh\n')).toEqual({ kind: 'not-script' });
    expect(parseShebang('')).toEqual({ kind: 'not-script' });
    // No newline in the 256-byte buffer: the interpreter word must end inside it…
    expect(parseShebang(`#!/${'a'.repeat(300)}`)).toEqual({ kind: 'no-interpreter' });
    // …and then the argument is whatever the buffer holds (255 usable bytes).
    const r = parseShebang(`#!/bin/sh ${'b'.repeat(300)}`);
    expect(r.kind === 'script' && r.arg?.length).toBe(255 - '#!/bin/sh '.length);
    // A newline beyond the buffer does not count.
    expect(parseShebang(`#!/${'a'.repeat(300)}\n`)).toEqual({ kind: 'no-interpreter' });
  });

  it('D21 an empty interpreter name ("#!\\0") opens the cwd, a directory: EACCES (probed on Linux 6.x)', () => {
    const fs = system();
    fs.writeFile('/t/nulname', { kind: 'script', head: '#!\0/bin/sh\n' }, { mode: 0o755 });
    expect(parseShebang('#!\0/bin/sh\n')).toEqual({ kind: 'script', interpreter: '', arg: null });
    expect(errno(fs.resolveExec('/t/nulname', '/'))).toBe('EACCES');
  });

  it('nested #! interpreters: each level rewrites argv; the sixth level is ELOOP', () => {
    const fs = system();
    fs.writeFile('/t/l1', { kind: 'script', head: '#!/t/l2 one\n' }, { mode: 0o755 });
    fs.writeFile('/t/l2', { kind: 'script', head: '#!/bin/sh\n' }, { mode: 0o755 });
    const r = fs.resolveExec('/t/l1', '/');
    if (r.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(r)}`);
    expect(r.scripts.map((s) => s.filename)).toEqual(['/t/l1', '/t/l2']);
    expect(interpreterArgv(r, ['l1', 'A'])).toEqual(['/bin/sh', '/t/l2', 'one', '/t/l1', 'A']);
    const deep = (n: number): string => {
      for (let i = 0; i < n; i++) {
        const next = i === n - 1 ? '/bin/true' : `/t/d${n}_${i + 1}`;
        fs.writeFile(`/t/d${n}_${i}`, { kind: 'script', head: `#!${next}\n` }, { mode: 0o755 });
      }
      return `/t/d${n}_0`;
    };
    expect(fs.resolveExec(deep(5), '/').kind).toBe('ok');
    expect(errno(fs.resolveExec(deep(6), '/'))).toBe('ELOOP');
  });

  it('D22/D23 resolution parts: relative to the cwd, absolute ignores it, no-follow on a final link is ELOOP', () => {
    const fs = system();
    expect(fs.resolveExec('sh', '/t')).toMatchObject({ kind: 'ok', image: '/bin/dash' });
    expect(fs.resolveExec('/bin/true', '/t')).toMatchObject({ kind: 'ok', image: '/bin/true' });
    expect(errno(fs.resolveExec('/bin/sh', '/', { follow: false }))).toBe('ELOOP');
    fs.symlink('/bin2', '/bin');
    expect(fs.resolveExec('/bin2/true', '/', { follow: false })).toMatchObject({ kind: 'ok', image: '/bin/true' });
  });
});

describe('lookup and chdir', () => {
  it('resolves to canonical paths and reports ENOENT/ENOTDIR/EACCES for chdir', () => {
    const fs = system();
    fs.symlink('/t/up', '..');
    fs.symlink('/t/abs', '/usr/bin/');
    expect(fs.resolveChdir('/t/up', '/')).toEqual({ kind: 'ok', path: '/' });
    expect(fs.resolveChdir('abs', '/t')).toEqual({ kind: 'ok', path: '/usr/bin' });
    expect(fs.resolveChdir('..', '/usr/bin')).toEqual({ kind: 'ok', path: '/usr' });
    expect(fs.resolveChdir('/bin/true', '/')).toEqual({ kind: 'error', errno: 'ENOTDIR' });
    expect(fs.resolveChdir('/nope', '/')).toEqual({ kind: 'error', errno: 'ENOENT' });
    expect(fs.resolveChdir('/root', '/', { cred: NOBODY })).toEqual({ kind: 'error', errno: 'EACCES' });
    expect(fs.resolveChdir('/root', '/')).toEqual({ kind: 'ok', path: '/root' });
    expect(fs.lookup('/bin/sh', '/', { follow: false })).toMatchObject({ kind: 'found', path: '/bin/sh', node: { kind: 'symlink' } });
  });

  it('never throws on arbitrary paths (property)', () => {
    const fs = system();
    fs.symlink('/t/loop', 'loop/x');
    const piece = fc.constantFrom('/', '.', '..', 'bin', 'sh', 't', 'true', 'loop', 'up', '', 'x');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom('/', '/t', '/usr/bin'), (parts, cwd) => {
        const path = parts.join('');
        const r = fs.lookup(path, cwd);
        expect(['found', 'error']).toContain(r.kind);
        expect(['ok', 'error']).toContain(fs.resolveExec(path, cwd).kind);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Vfs.fromManifest', () => {
  const manifest: ManifestEntry[] = [
    { path: '/usr/bin/python3', kind: 'file', mode: '0755', exec: 'elf' },
    { path: '/bin/sh', kind: 'symlink', mode: '0777', target: 'dash' },
    { path: '/bin/dash', kind: 'file', mode: '0755', exec: 'elf' },
    { path: '/tmp/w/run.sh', kind: 'file', mode: '0755', exec: 'script', interpreter: '/bin/sh' },
    { path: '/tmp/w/odd.sh', kind: 'file', mode: '0755', exec: 'script', interpreter: '/opt/unlisted', interpreterArg: '-x y' },
    { path: '/tmp/w/data', kind: 'file', mode: '0644', exec: 'none' },
    { path: '/tmp/w/plain', kind: 'file', mode: '0755', exec: 'none' },
    { path: '/nonexistent/prog', kind: 'absent', errno: 'ENOENT' },
    { path: '/tmp/w/data/x', kind: 'absent', errno: 'ENOTDIR' },
    { path: '/tmp/w', kind: 'directory', mode: '0755' },
    { path: '/dev/null', kind: 'other', mode: '0666' },
  ];

  it('answers for listed paths exactly as Linux and "unknown" for everything else', () => {
    const fs = Vfs.fromManifest(manifest, { source: 'case.json' });
    expect(fs.resolveExec('/usr/bin/python3', '/')).toEqual({ kind: 'ok', image: '/usr/bin/python3', scripts: [] });
    expect(fs.resolveExec('/bin/sh', '/')).toMatchObject({ kind: 'ok', image: '/bin/dash' });
    expect(fs.resolveExec('run.sh', '/tmp/w')).toMatchObject({ kind: 'ok', image: '/bin/dash' });
    expect(errno(fs.resolveExec('/tmp/w/data', '/'))).toBe('EACCES');
    expect(errno(fs.resolveExec('/tmp/w/plain', '/'))).toBe('ENOEXEC');
    expect(errno(fs.resolveExec('/nonexistent/prog', '/'))).toBe('ENOENT');
    expect(errno(fs.resolveExec('/tmp/w/data/x', '/'))).toBe('ENOTDIR');
    expect(errno(fs.resolveExec('/dev/null', '/'))).toBe('EACCES');
    expect(fs.resolveExec('/usr/bin/perl', '/')).toEqual({ kind: 'unknown', path: '/usr/bin/perl' });
    expect(fs.resolveExec('/opt/x', '/')).toEqual({ kind: 'unknown', path: '/opt' });
    expect(fs.resolveExec('/tmp/w/odd.sh', '/')).toEqual({ kind: 'unknown', path: '/opt' });
    expect(fs.resolveChdir('/tmp/w', '/')).toEqual({ kind: 'ok', path: '/tmp/w' });
    // /tmp is only implied by /tmp/w: walkable, but not itself known.
    expect(fs.resolveChdir('/tmp', '/')).toEqual({ kind: 'unknown', path: '/tmp' });
    expect(fs.resolveChdir('/nonexistent/prog', '/')).toEqual({ kind: 'error', errno: 'ENOENT' });
  });

  it('resolves relative paths from a cwd the manifest does not list', () => {
    const fs = Vfs.fromManifest(manifest);
    expect(fs.resolveExec('../../bin/sh', '/home/u')).toMatchObject({ kind: 'ok', image: '/bin/dash' });
    expect(fs.resolveExec('prog', '/home/u')).toEqual({ kind: 'unknown', path: '/home' });
    expect(fs.resolveChdir('w', '/tmp')).toEqual({ kind: 'ok', path: '/tmp/w' });
  });

  it('places entries below a listed symlinked directory at the link target', () => {
    const fs = Vfs.fromManifest([
      { path: '/bin', kind: 'symlink', mode: '0777', target: 'usr/bin' },
      { path: '/bin/true', kind: 'file', mode: '0755', exec: 'elf' },
    ]);
    expect(fs.resolveExec('/usr/bin/true', '/')).toMatchObject({ kind: 'ok', image: '/usr/bin/true' });
    expect(fs.resolveExec('/bin/true', '/')).toMatchObject({ kind: 'ok', image: '/usr/bin/true' });
  });

  it('rejects malformed entries with the source, the entry index and the path', () => {
    const bad = (entries: unknown[]): string => {
      try {
        Vfs.fromManifest(entries as ManifestEntry[], { source: 'corpus/x/case.json' });
      } catch (e) {
        expect(e).toBeInstanceOf(ManifestError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad([{ path: 'rel', kind: 'file' }])).toContain('corpus/x/case.json: entry 0');
    expect(bad([{ path: '/a', kind: 'file', mode: '0999', exec: 'elf' }])).toContain('entry 0 (/a): mode "0999" is not octal');
    expect(bad([{ path: '/a', kind: 'file', mode: '0755', exec: 'script' }])).toContain('needs its interpreter');
    expect(bad([{ path: '/a', kind: 'pipe' }])).toContain('unknown kind "pipe"');
    expect(bad([null])).toContain('entry 0 is not an object');
    expect(
      bad([
        { path: '/a', kind: 'file', mode: '0755', exec: 'elf' },
        { path: '/a', kind: 'absent', errno: 'ENOENT' },
      ]),
    ).toContain('listed twice');
    expect(
      bad([
        { path: '/a', kind: 'file', mode: '0755', exec: 'elf' },
        { path: '/a/b', kind: 'file', mode: '0755', exec: 'elf' },
      ]),
    ).toContain('entry 1 (/a/b): an ancestor is listed as a non-directory');
    expect(
      bad([
        { path: '/a', kind: 'file', mode: '0755', exec: 'elf' },
        { path: '/a/b', kind: 'absent', errno: 'ENOENT' },
      ]),
    ).toContain('listed as ENOENT, but the listed ancestors give ENOTDIR');
  });

  const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'corpus');
  const cases = existsSync(corpus)
    ? readdirSync(corpus, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== 'schema' && d.name !== 'raw')
        .flatMap((d) => readdirSync(join(corpus, d.name)).map((c) => join(corpus, d.name, c, 'case.json')))
        .filter((f) => existsSync(f))
    : [];

  it.skipIf(cases.length === 0)('loads every corpus case manifest and knows every listed exec path', () => {
    for (const file of cases) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { fs?: ManifestEntry[] };
      const fs = Vfs.fromManifest(json.fs ?? [], { source: file });
      for (const e of json.fs ?? []) {
        const r = fs.resolveExec(e.path, '/');
        // A listed path is decided unless exec leads to something unlisted (an interpreter).
        if (r.kind === 'unknown') expect(r.path, `${file}: ${e.path}`).not.toBe(e.path);
      }
    }
  });
});
