import { chmodSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildFsManifest,
  CONTENT_MAX,
  describePath,
  failedOpenPaths,
  fileData,
  joinCalls,
  parseShebang,
  pathsFromCalls,
  readOnlyOpenPaths,
  scanCapture,
} from '../src/index.js';

const calls = (...lines: string[]) => joinCalls(scanCapture(`${lines.join('\n')}\n`));

describe('pathsFromCalls', () => {
  it('resolves relative exec paths against the tracked cwd of each process', () => {
    const paths = pathsFromCalls(
      calls(
        '1 1.0 execve("/p", ["/p"], 0x1 /* 3 vars */) = 0',
        '1 1.1 chdir("sub") = 0',
        '1 1.2 execve("./x", ["./x"], 0x1 /* 3 vars */) = -1 ENOENT (x)',
        '1 1.3 chdir("/missing") = -1 ENOENT (x)',
        '1 1.4 execve("../y", ["../y"], 0x1 /* 3 vars */) = -1 ENOENT (x)',
      ),
      '/w',
    );
    expect(paths).toEqual(['/p', '/w/sub', '/w/sub/x', '/missing', '/w/y']);
  });

  it('gives a child its parent’s cwd, shares it under CLONE_FS and copies it otherwise', () => {
    const paths = pathsFromCalls(
      calls(
        '1 1.0 execve("/p", ["/p"], 0x1 /* 3 vars */) = 0',
        '1 1.1 chdir("/a") = 0',
        '1 1.2 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
        '2 1.3 chdir("/b") = 0',
        '1 1.4 <... clone resumed>) = 2',
        '1 1.5 execve("rel", ["rel"], 0x1 /* 3 vars */) = -1 ENOENT (x)',
        '1 1.6 clone3({flags=CLONE_VM|CLONE_FS|CLONE_THREAD|CLONE_SIGHAND, exit_signal=0}, 88) = 3',
        '3 1.7 chdir("/c") = 0',
        '1 1.8 execve("rel2", ["rel2"], 0x1 /* 3 vars */) = -1 ENOENT (x)',
      ),
      '/w',
    );
    // The fork child's chdir("/b") does not move the parent; the CLONE_FS thread's chdir("/c") does.
    expect(paths).toEqual(['/p', '/a', '/b', '/a/rel', '/c', '/c/rel2']);
  });

  it('refuses a relative path after an fchdir it cannot follow, naming the line', () => {
    expect(() =>
      pathsFromCalls(calls('1 1.0 execve("/p", ["/p"], 0x1 /* 3 vars */) = 0', '1 1.1 fchdir(3) = 0', '1 1.2 execve("x", ["x"], 0x1 /* 0 vars */) = -1 ENOENT (x)'), '/w'),
    ).toThrow(/capture line 3: relative path "x" after an untracked fchdir at line 2/);
  });

  it('resolves execveat with AT_FDCWD and refuses a descriptor-relative one', () => {
    expect(pathsFromCalls(calls('1 1.0 execveat(AT_FDCWD, "t", ["t"], 0x1 /* 0 vars */, 0) = -1 ENOENT (x)'), '/w')).toEqual(['/w/t']);
    expect(() => pathsFromCalls(calls('1 1.0 execveat(5, "t", ["t"], 0x1 /* 0 vars */, 0) = -1 ENOENT (x)'), '/w')).toThrow(/descriptor 5/);
  });
});

describe('parseShebang', () => {
  it('reads the interpreter and its single optional argument like binfmt_script', () => {
    expect(parseShebang(Buffer.from('#!/bin/sh\necho\n'))).toEqual({ interpreter: '/bin/sh', arg: undefined });
    expect(parseShebang(Buffer.from('#!  /usr/bin/env   python3 -u  \n'))).toEqual({ interpreter: '/usr/bin/env', arg: 'python3 -u' });
    expect(parseShebang(Buffer.from('#!/bin/x a\0b\n'))).toEqual({ interpreter: '/bin/x', arg: 'a' });
    expect(parseShebang(Buffer.from('#!\n\n'))).toBeUndefined();
    expect(parseShebang(Buffer.from('echo hi\n'))).toBeUndefined();
  });
});

describe('describePath / buildFsManifest on a real directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-fs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('describes files, scripts, symlinks, directories and absences, following links and interpreters', () => {
    writeFileSync(join(dir, 'script'), '#!/bin/sh -e\nexit 0\n');
    chmodSync(join(dir, 'script'), 0o750);
    writeFileSync(join(dir, 'text'), 'echo hi\n');
    chmodSync(join(dir, 'text'), 0o644);
    symlinkSync('script', join(dir, 'link'));
    mkdirSync(join(dir, 'd'));
    chmodSync(join(dir, 'd'), 0o711);
    expect(describePath(join(dir, 'script'))).toEqual({ path: join(dir, 'script'), kind: 'file', mode: '0750', exec: 'script', interpreter: '/bin/sh', interpreterArg: '-e' });
    expect(describePath(join(dir, 'text'))).toEqual({ path: join(dir, 'text'), kind: 'file', mode: '0644', exec: 'none' });
    expect(describePath(join(dir, 'd'))).toEqual({ path: join(dir, 'd'), kind: 'directory', mode: '0711' });
    expect(describePath(join(dir, 'nope'))).toEqual({ path: join(dir, 'nope'), kind: 'absent', errno: 'ENOENT' });
    expect(describePath(join(dir, 'text', 'x'))).toEqual({ path: join(dir, 'text', 'x'), kind: 'absent', errno: 'ENOTDIR' });
    expect(describePath('/proc/self/exe')).toMatchObject({ kind: 'symlink' });

    const manifest = buildFsManifest([join(dir, 'link')]);
    const byPath = new Map(manifest.map((e) => [e.path, e]));
    expect(byPath.get(join(dir, 'link'))).toMatchObject({ kind: 'symlink', target: 'script' });
    expect(byPath.get(join(dir, 'script'))).toMatchObject({ exec: 'script' });
    expect(byPath.has('/bin/sh')).toBe(true); // the interpreter, described too
    expect(manifest.map((e) => e.path)).toEqual([...manifest.map((e) => e.path)].sort());
  });
});

describe('failedOpenPaths', () => {
  it('lists paths a plain open failed on, resolved against the cwd, leaving out any the capture opened or created', () => {
    const paths = failedOpenPaths(
      calls(
        '1 1.0 execve("/p", ["/p"], 0x1 /* 3 vars */) = 0',
        '1 1.1 openat(AT_FDCWD, "/nonexistent/dir/file", O_RDONLY) = -1 ENOENT (No such file or directory)',
        '1 1.2 chdir("/w/sub") = 0',
        '1 1.3 open("missing", O_RDONLY) = -1 ENOENT (x)',
        '1 1.4 openat(AT_FDCWD, "later", O_RDONLY) = -1 ENOENT (x)',
        '1 1.5 openat(AT_FDCWD, "later", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3',
        '1 1.6 openat(AT_FDCWD, "made", O_WRONLY|O_CREAT|O_EXCL, 0600) = -1 EEXIST (x)',
        '1 1.7 openat(3, "relative-to-fd", O_RDONLY) = -1 ENOENT (x)',
        '1 1.8 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
        '1 1.9 openat(AT_FDCWD, "/nonexistent/dir/file", O_RDONLY) = -1 ENOENT (No such file or directory)',
      ),
      '/w',
    );
    expect(paths).toEqual(['/nonexistent/dir/file', '/w/sub/missing']);
  });

  it('buildFsManifest lists the first missing component of a failed-open path, and nothing once the path exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-failed-open-'));
    try {
      writeFileSync(join(dir, 'now-here'), 'x');
      writeFileSync(join(dir, 'file'), 'x');
      const entries = buildFsManifest([], [join(dir, 'gone'), join(dir, 'now-here'), join(dir, 'file', 'below'), join(dir, 'no', 'such', 'dir')]);
      // A missing directory is listed itself, not the path below it.
      expect(entries).toEqual([
        { path: join(dir, 'file', 'below'), kind: 'absent', errno: 'ENOTDIR' },
        { path: join(dir, 'gone'), kind: 'absent', errno: 'ENOENT' },
        { path: join(dir, 'no'), kind: 'absent', errno: 'ENOENT' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readOnlyOpenPaths', () => {
  it('lists files under the working directory the run opened only for reading, leaving out any it wrote, made, truncated or renamed', () => {
    const paths = readOnlyOpenPaths(
      calls(
        '1 1.0 execve("/p", ["/p"], 0x1 /* 3 vars */) = 0',
        '1 1.1 openat(AT_FDCWD, "input.txt", O_RDONLY) = 3',
        '1 1.2 openat(AT_FDCWD, "/w/input.txt", O_RDONLY|O_CLOEXEC) = 4',
        '1 1.3 openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3',
        '1 1.4 openat(AT_FDCWD, "out.txt", O_RDONLY) = 3',
        '1 1.5 open("rw", O_RDWR) = 3',
        '1 1.6 open("rw", O_RDONLY) = 3',
        '1 1.7 openat(AT_FDCWD, "gone", O_RDONLY) = 3',
        '1 1.8 unlink("gone") = 0',
        '1 1.9 openat(AT_FDCWD, "moved", O_RDONLY) = 3',
        '1 2.0 renameat(AT_FDCWD, "other", AT_FDCWD, "moved") = 0',
        '1 2.1 openat(AT_FDCWD, "missing", O_RDONLY) = -1 ENOENT (x)',
        '1 2.2 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
        '1 2.3 openat(3, "by-fd", O_RDONLY) = 4',
        '1 2.4 chdir("/w/sub") = 0',
        '1 2.5 openat(AT_FDCWD, "../second", O_RDONLY) = 3',
        '1 2.6 creat("/w/made", 0644) = 3',
        '1 2.7 openat(AT_FDCWD, "/w/made", O_RDONLY) = 3',
      ),
      '/w',
      '/w',
    );
    // /etc/passwd is outside the working directory; a failed open read nothing.
    expect(paths).toEqual(['/w/input.txt', '/w/second']);
  });

  it('fileData records the size, and the content when the bytes are UTF-8 text within CONTENT_MAX', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-file-data-'));
    try {
      writeFileSync(join(dir, 'text'), 'alpha\nbeta é\n');
      writeFileSync(join(dir, 'binary'), Buffer.from([0x61, 0xff, 0x00]));
      writeFileSync(join(dir, 'empty'), '');
      writeFileSync(join(dir, 'big'), 'x'.repeat(CONTENT_MAX + 1));
      mkdirSync(join(dir, 'd'));
      expect(fileData(join(dir, 'text'))).toEqual({ size: 14, content: 'alpha\nbeta é\n' });
      expect(fileData(join(dir, 'binary'))).toEqual({ size: 3 });
      expect(fileData(join(dir, 'empty'))).toEqual({ size: 0, content: '' });
      expect(fileData(join(dir, 'big'))).toEqual({ size: CONTENT_MAX + 1 });
      expect(fileData(join(dir, 'd'))).toBeUndefined();
      expect(fileData(join(dir, 'nope'))).toBeUndefined();
      // buildFsManifest adds them to the file's entry, and skips what is not a regular file.
      expect(buildFsManifest([], [], [join(dir, 'text'), join(dir, 'd')])).toEqual([
        { path: join(dir, 'text'), kind: 'file', mode: '0644', exec: 'none', size: 14, content: 'alpha\nbeta é\n' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
