// The filesystem manifest of a capture: every path the traced programs passed
// to execve/execveat/chdir (and each `#!` interpreter), resolved against the
// caller's tracked working directory and described from the real filesystem
// right after the run, so a replay checker can decide exec and chdir results
// without guessing. Paths an open/openat failed on are listed too, as absent
// (ENOENT/ENOTDIR from lstat), when they still are after the run and no call
// of the capture opened or created them: a model run then fails the same open.
// Regular files in the working directory (the case's fixtures) that the run
// only read get their size, and their content when it is UTF-8 text of at most
// CONTENT_MAX bytes: no call changed them, so after the run they hold what the
// run read, and a model run's reads return those bytes.
import { closeSync, lstatSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { cloneFlagsOf } from './promises.js';
import { decodeCString, splitTopLevel } from './strace-line.js';
import type { JoinedCall } from './strace-line.js';

export type FsEntry =
  | { readonly path: string; readonly kind: 'absent'; readonly errno: 'ENOENT' | 'ENOTDIR' }
  | { readonly path: string; readonly kind: 'directory'; readonly mode: string }
  | ({ readonly path: string; readonly kind: 'file'; readonly mode: string; readonly exec: 'elf' | 'none' } & FileData)
  | ({
      readonly path: string;
      readonly kind: 'file';
      readonly mode: string;
      readonly exec: 'script';
      readonly interpreter: string;
      readonly interpreterArg?: string;
    } & FileData)
  | { readonly path: string; readonly kind: 'symlink'; readonly mode: string; readonly target: string }
  | { readonly path: string; readonly kind: 'other'; readonly mode: string };

/** What a file the run only read held: st_size, and the bytes when they are UTF-8 text. */
export interface FileData {
  readonly size?: number;
  readonly content?: string;
}

/** The largest file whose content is recorded (fixtures are a few lines; a manifest stays small). */
export const CONTENT_MAX = 65536;

export class FsManifestError extends Error {
  constructor(
    readonly line: number,
    why: string,
  ) {
    super(`capture line ${line}: ${why}`);
    this.name = 'FsManifestError';
  }
}

const CLONE_FS = 0x200n;
const CREATORS: ReadonlySet<string> = new Set(['clone', 'clone3', 'fork', 'vfork']);

/** A working directory; shared (one object) between tasks created with CLONE_FS. */
interface FsContext {
  cwd: string | { readonly unknownSince: number };
}

/** A positive pid/tid return value, or undefined. */
function childPid(retval: string): number | undefined {
  let n = 0;
  if (retval === '' || retval.length > 9) return undefined;
  for (const c of retval) {
    if (c < '0' || c > '9') return undefined;
    n = n * 10 + Number(c);
  }
  return n > 0 ? n : undefined;
}

function pathArg(call: JoinedCall, index: number): string {
  const token = splitTopLevel(call.args)[index];
  const path = token === undefined ? undefined : decodeCString(token);
  if (path === undefined) throw new FsManifestError(call.line, `${call.name}: argument ${index + 1} is not a complete string literal (${String(token)})`);
  return path;
}

/**
 * The absolute paths the capture's execve/execveat/chdir calls name, in
 * first-seen order. `initialCwd` is the root process's working directory.
 */
export function pathsFromCalls(calls: readonly JoinedCall[], initialCwd: string): string[] {
  return scanPaths(calls, initialCwd).paths;
}

/**
 * The absolute paths an open or openat (relative to AT_FDCWD or absolute)
 * without O_CREAT failed on, in first-seen order, leaving out any path another
 * call of the capture opened successfully or tried to create (it may have
 * existed at some point, so "absent" would not hold for the whole run).
 */
export function failedOpenPaths(calls: readonly JoinedCall[], initialCwd: string): string[] {
  return scanPaths(calls, initialCwd).failedOpens;
}

/**
 * The absolute paths under `within` that an open or openat (relative to
 * AT_FDCWD or absolute) opened successfully, in first-seen order, when every
 * open of the path in the capture was read-only (no O_WRONLY, O_RDWR, O_CREAT
 * or O_TRUNC, no creat) and no call truncated, unlinked, renamed or linked
 * over it: what the run read of them is what the file holds after the run.
 */
export function readOnlyOpenPaths(calls: readonly JoinedCall[], initialCwd: string, within: string): string[] {
  const prefix = within.endsWith('/') ? within : `${within}/`;
  return scanPaths(calls, initialCwd).readOnlyOpens.filter((p) => p.startsWith(prefix));
}

const OPEN_PATH_INDEX: { readonly [name: string]: number } = { open: 0, creat: 0, openat: 1 };
/** Calls that change what a path holds without opening it, and which arguments are paths (*at: AT_FDCWD only). */
const PATH_CHANGERS: { readonly [name: string]: readonly number[] } = {
  truncate: [0],
  unlink: [0],
  unlinkat: [1],
  rename: [0, 1],
  renameat: [1, 3],
  renameat2: [1, 3],
  link: [1],
  linkat: [3],
  symlink: [1],
  symlinkat: [2],
};

/** Whether open flags as strace prints them (O_RDONLY|O_CLOEXEC) only read: no write access, creation or truncation. */
function readOnlyFlags(flags: string): boolean {
  for (const name of flags.split('|')) {
    if (name === 'O_WRONLY' || name === 'O_RDWR' || name === 'O_CREAT' || name === 'O_TRUNC') return false;
  }
  // A numeric or unknown access mode could be anything.
  return flags.startsWith('O_');
}

function scanPaths(calls: readonly JoinedCall[], initialCwd: string): { paths: string[]; failedOpens: string[]; readOnlyOpens: string[] } {
  // First pass: who created whom, and whether they share a working directory.
  const parentOf = new Map<number, { parent: number; sharesFs: boolean }>();
  for (const c of calls) {
    if (!CREATORS.has(c.name)) continue;
    const child = childPid(c.retval);
    if (child === undefined) continue;
    const flags = cloneFlagsOf(c);
    parentOf.set(child, { parent: c.pid, sharesFs: flags !== undefined && (flags & CLONE_FS) === CLONE_FS });
  }
  const contexts = new Map<number, FsContext>();
  const contextOf = (pid: number): FsContext => {
    const known = contexts.get(pid);
    if (known !== undefined) return known;
    const origin = parentOf.get(pid);
    let ctx: FsContext;
    if (origin === undefined) ctx = { cwd: initialCwd };
    else {
      const parent = contextOf(origin.parent);
      // The child copies the parent's cwd as it is when the child first acts;
      // the parent is inside clone until then, so it cannot have moved.
      ctx = origin.sharesFs ? parent : { cwd: parent.cwd };
    }
    contexts.set(pid, ctx);
    return ctx;
  };
  const resolveIn = (ctx: FsContext, path: string, line: number): string => {
    if (path.startsWith('/')) return posix.normalize(path);
    if (typeof ctx.cwd !== 'string') {
      throw new FsManifestError(line, `relative path "${path}" after an untracked fchdir at line ${ctx.cwd.unknownSince}`);
    }
    return posix.resolve(ctx.cwd, path);
  };

  const paths: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    if (!seen.has(p)) {
      seen.add(p);
      paths.push(p);
    }
  };
  const failed: string[] = [];
  const opened = new Set<string>();
  const readOnly: string[] = [];
  const changed = new Set<string>();
  for (const c of calls) {
    const changer = PATH_CHANGERS[c.name];
    if (changer !== undefined) {
      const args = splitTopLevel(c.args);
      for (const i of changer) {
        const path = decodeCString(args[i] ?? '');
        const ctx = contextOf(c.pid);
        if (path === undefined || (!path.startsWith('/') && typeof ctx.cwd !== 'string')) continue;
        // A descriptor-relative path is not resolved: it could name anything, so it is not trusted either way.
        if (c.name.endsWith('at') || c.name === 'renameat2') {
          if (!path.startsWith('/') && args[i - 1] !== 'AT_FDCWD') continue;
        }
        changed.add(resolveIn(ctx, path, c.line));
      }
      continue;
    }
    const at = OPEN_PATH_INDEX[c.name];
    if (at !== undefined) {
      const args = splitTopLevel(c.args);
      const path = decodeCString(args[at] ?? '');
      // Relative to a descriptor (not tracked), or a path strace could not show whole: not listed.
      if (path === undefined || (c.name === 'openat' && !path.startsWith('/') && args[0] !== 'AT_FDCWD')) continue;
      const ctx = contextOf(c.pid);
      if (!path.startsWith('/') && typeof ctx.cwd !== 'string') continue;
      const full = resolveIn(ctx, path, c.line);
      const flags = args[at + 1] ?? '';
      const creates = c.name === 'creat' || flags.includes('O_CREAT');
      // The scanner keeps only the return token; which failures mean "absent" is decided by
      // describing the path after the run (buildFsManifest keeps only what is still absent).
      if (c.retval === '-1' && !creates) failed.push(full);
      else opened.add(full);
      if (c.name === 'creat' || !readOnlyFlags(flags)) changed.add(full);
      else if (c.retval !== '-1') readOnly.push(full);
      continue;
    }
    switch (c.name) {
      case 'execve':
        add(resolveIn(contextOf(c.pid), pathArg(c, 0), c.line));
        break;
      case 'execveat': {
        const dirfd = splitTopLevel(c.args)[0];
        const path = pathArg(c, 1);
        if (!path.startsWith('/') && dirfd !== 'AT_FDCWD') {
          throw new FsManifestError(c.line, `execveat relative to descriptor ${String(dirfd)} cannot be resolved (descriptors are not tracked)`);
        }
        add(resolveIn(contextOf(c.pid), path, c.line));
        break;
      }
      case 'chdir': {
        const ctx = contextOf(c.pid);
        const target = resolveIn(ctx, pathArg(c, 0), c.line);
        add(target);
        if (c.retval === '0') ctx.cwd = target;
        break;
      }
      case 'fchdir':
        if (c.retval === '0') contextOf(c.pid).cwd = { unknownSince: c.line };
        break;
      default:
        break;
    }
  }
  const failedOpens = [...new Set(failed)].filter((p) => !opened.has(p));
  const readOnlyOpens = [...new Set(readOnly)].filter((p) => !changed.has(p));
  return { paths, failedOpens, readOnlyOpens };
}

function modeString(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The first bytes of a file, or an empty buffer if it cannot be read. */
function head(path: string, size: number): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, 0);
    return buf.subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The interpreter of a `#!` line as the kernel reads it (fs/binfmt_script.c): name, then one optional argument. */
export function parseShebang(bytes: Buffer): { interpreter: string; arg: string | undefined } | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  let end = bytes.indexOf(0x0a, 2);
  if (end < 0) end = bytes.length;
  let lineText = bytes.subarray(2, end).toString('latin1');
  const nul = lineText.indexOf('\0');
  if (nul >= 0) lineText = lineText.slice(0, nul);
  const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
  let i = 0;
  while (isBlank(lineText[i])) i += 1;
  const start = i;
  while (i < lineText.length && !isBlank(lineText[i])) i += 1;
  const interpreter = lineText.slice(start, i);
  if (interpreter === '') return undefined;
  while (isBlank(lineText[i])) i += 1;
  let argEnd = lineText.length;
  while (argEnd > i && isBlank(lineText[argEnd - 1])) argEnd -= 1;
  const arg = lineText.slice(i, argEnd);
  return { interpreter, arg: arg === '' ? undefined : arg };
}

/** Describes one path from the real filesystem (symlinks are not followed). */
export function describePath(path: string): FsEntry {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, kind: 'absent', errno: code };
    throw e;
  }
  const mode = modeString(st.mode);
  if (st.isSymbolicLink()) return { path, kind: 'symlink', mode, target: readlinkSync(path) };
  if (st.isDirectory()) return { path, kind: 'directory', mode };
  if (!st.isFile()) return { path, kind: 'other', mode };
  const bytes = head(path, 256);
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes.toString('latin1', 1, 4) === 'ELF') return { path, kind: 'file', mode, exec: 'elf' };
  const shebang = parseShebang(bytes);
  if (shebang === undefined) return { path, kind: 'file', mode, exec: 'none' };
  return shebang.arg === undefined
    ? { path, kind: 'file', mode, exec: 'script', interpreter: shebang.interpreter }
    : { path, kind: 'file', mode, exec: 'script', interpreter: shebang.interpreter, interpreterArg: shebang.arg };
}

/** Size and, for UTF-8 text up to CONTENT_MAX bytes, content of a regular file (lstat, not followed). */
export function fileData(path: string): FileData | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return undefined;
  if (st.size > CONTENT_MAX) return { size: st.size };
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  // Only text that decodes and encodes back to the same bytes: the manifest is JSON, and a reader
  // must get the file's exact bytes from it.
  return Buffer.from(text, 'utf8').equals(bytes) ? { size: bytes.length, content: text } : { size: bytes.length };
}

/** The entry of the shortest prefix of `path` that does not exist, or undefined if it all does. */
function firstAbsent(path: string): FsEntry | undefined {
  const names = path.split('/').filter((n) => n !== '');
  for (let i = 1; i <= names.length; i++) {
    const entry = describePath(`/${names.slice(0, i).join('/')}`);
    if (entry.kind === 'absent') return entry;
  }
  return undefined;
}

/**
 * Describes `paths` and everything they lead to: symlink targets and `#!`
 * interpreters (the kernel follows up to a few levels; we follow until
 * nothing new appears), each of `absentPaths` (failedOpenPaths) that the
 * filesystem still does not have, and each of `readPaths` (readOnlyOpenPaths)
 * that is a regular file, with its size and text content. Sorted by path so
 * the manifest is stable.
 */
export function buildFsManifest(paths: readonly string[], absentPaths: readonly string[] = [], readPaths: readonly string[] = []): FsEntry[] {
  const entries = new Map<string, FsEntry>();
  const queue = [...paths];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (entries.has(path)) continue;
    const entry = describePath(path);
    entries.set(path, entry);
    if (entry.kind === 'symlink') queue.push(posix.resolve(posix.dirname(path), entry.target));
    if (entry.kind === 'file' && entry.exec === 'script' && entry.interpreter.startsWith('/')) queue.push(posix.normalize(entry.interpreter));
  }
  for (const path of absentPaths) {
    // The first missing component is what is absent (listing only the full path would imply
    // its missing parents were directories). Present now (created after the failed open by
    // something strace did not show): not listed.
    const entry = firstAbsent(path);
    if (entry !== undefined && !entries.has(entry.path)) entries.set(entry.path, entry);
  }
  for (const path of readPaths) {
    const entry = entries.get(path) ?? describePath(path);
    if (entry.kind !== 'file') continue;
    const data = fileData(path);
    entries.set(path, data === undefined ? entry : { ...entry, ...data });
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
