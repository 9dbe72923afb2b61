// Vfs: the filesystem as execve(2), execveat(2) and chdir(2) see it — directories, regular files
// (mode + what exec would find in them), symlinks and other nodes (devices, fifos…).
//
// API:
//   new Vfs()                                  an empty root directory (mode 0755, complete)
//   mkdir(path, { mode? }), writeFile(path, content, { mode?, uid?, gid?, data? }), symlink(path, target),
//   mknod(path, { mode? })                     builders; missing parents are created (0755). They
//                                              throw on misuse: that is a bug in the caller's model.
//   Vfs.fromManifest(entries, { source? })    from a corpus case's fs manifest (see manifest.ts);
//                                              unlisted paths resolve to { kind:'unknown' }
//   lookup(path, cwd, { follow?, cred? }) → Lookup          path walk with Linux's errnos
//   resolveExec(path, cwd, { cred?, follow? }) → ExecResolution   see exec-resolution.ts
//   resolveChdir(path, cwd, { cred? }) → ChdirResolution
//   placementPath(path), markAbsent(path, errno)               used by the manifest builder
//   cwd is an absolute, canonical directory path (what getcwd returns). In a manifest model a cwd
//   the manifest does not list is joined lexically with the path (that is how entries were recorded).
//
// Errors follow fs/namei.c: "" → ENOENT; path ≥ 4096 bytes (PATH_MAX incl. NUL) → ENAMETOOLONG;
// a component > 255 bytes → ENAMETOOLONG when its directory is searched; a non-directory in the
// middle or before a trailing slash → ENOTDIR; a directory without search permission → EACCES
// (root bypasses it); more than 40 symlinks followed in one walk → ELOOP.
import type { ErrnoName } from '../errno.js';
import { RegularFile } from '../files/regular-file.js';
import { resolveExecIn } from './exec-resolution.js';
import type { ExecResolution } from './exec-resolution.js';
import { buildFromManifest } from './manifest.js';
import type { ManifestEntry } from './manifest.js';

export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 40;

/** What a regular file holds, as far as exec cares. */
export type FileContent =
  | { readonly kind: 'elf' }
  /** Starts with `#!`; `head` is the file's beginning (at least the `#!` line). */
  | { readonly kind: 'script'; readonly head: string }
  /** Non-empty, neither ELF nor `#!`. */
  | { readonly kind: 'text' }
  | { readonly kind: 'empty' };

export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly groups?: readonly number[];
}

export const ROOT: Cred = { uid: 0, gid: 0 };

export interface Owned {
  /** Permission bits (0o7777), or null when a manifest did not say. */
  mode: number | null;
  uid: number;
  gid: number;
}

export type VfsNode =
  | (Owned & {
      readonly kind: 'directory';
      readonly children: Map<string, VfsNode>;
      /** False in manifest-built models: a missing child is unknown, not ENOENT. */
      readonly complete: boolean;
      /** Only implied by a listed descendant: we know it can be walked through, not what it is. */
      implied: boolean;
    })
  | (Owned & {
      readonly kind: 'file';
      /** What exec finds (null: unknown). */
      content: FileContent | null;
      /** The bytes open/read/write see, as far as known (files/regular-file.ts). */
      readonly data: RegularFile;
    })
  | { readonly kind: 'symlink'; readonly target: string }
  | (Owned & { readonly kind: 'other'; readonly label: string })
  /** A manifest's negative entry: the path does not exist (or a prefix is not a directory). */
  | { readonly kind: 'absent'; readonly errno: 'ENOENT' | 'ENOTDIR' };

export type DirectoryNode = Extract<VfsNode, { kind: 'directory' }>;

export type Lookup =
  | { readonly kind: 'found'; readonly path: string; readonly node: VfsNode }
  | { readonly kind: 'error'; readonly errno: ErrnoName }
  /** The model does not know (manifest without this path); `path` is the first unknown prefix. */
  | { readonly kind: 'unknown'; readonly path: string };

export type ChdirResolution =
  | { readonly kind: 'ok'; readonly path: string }
  | { readonly kind: 'error'; readonly errno: ErrnoName }
  | { readonly kind: 'unknown'; readonly path: string };

const utf8 = new TextEncoder();
const byteLength = (s: string): number => utf8.encode(s).length;

export class Vfs {
  readonly root: DirectoryNode;

  constructor(options: { complete?: boolean } = {}) {
    this.root = newDir(0o755, options.complete ?? true, false);
  }

  static fromManifest(entries: readonly ManifestEntry[], options: { source?: string } = {}): Vfs {
    const vfs = new Vfs({ complete: false });
    buildFromManifest(vfs, entries, options.source ?? 'fs manifest');
    return vfs;
  }

  // ---- builders ----------------------------------------------------------------------------

  mkdir(path: string, options: { mode?: number | null; uid?: number; gid?: number } = {}): DirectoryNode {
    const { parent, name } = this.parentFor(path);
    if (name === '') return this.root;
    const existing = parent.children.get(name);
    if (existing?.kind === 'directory') {
      existing.implied = false;
      if (options.mode !== undefined) existing.mode = options.mode;
      return existing;
    }
    if (existing && existing.kind !== 'absent') throw new Error(`Vfs.mkdir: ${path} exists as ${existing.kind}`);
    const dir = newDir(options.mode === undefined ? 0o755 : options.mode, this.root.complete, false);
    dir.uid = options.uid ?? 0;
    dir.gid = options.gid ?? 0;
    parent.children.set(name, dir);
    return dir;
  }

  writeFile(
    path: string,
    content: FileContent | null,
    options: { mode?: number | null; uid?: number; gid?: number; data?: RegularFile } = {},
  ): void {
    this.place(path, {
      kind: 'file',
      content,
      data: options.data ?? RegularFile.unknown(),
      mode: options.mode === undefined ? 0o644 : options.mode,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
    });
  }

  symlink(path: string, target: string): void {
    this.place(path, { kind: 'symlink', target });
  }

  mknod(path: string, options: { mode?: number | null; label?: string } = {}): void {
    this.place(path, { kind: 'other', label: options.label ?? path, mode: options.mode === undefined ? 0o666 : options.mode, uid: 0, gid: 0 });
  }

  /** A negative entry (manifests): the path is known not to exist. */
  markAbsent(path: string, errno: 'ENOENT' | 'ENOTDIR' = 'ENOENT'): void {
    this.place(path, { kind: 'absent', errno });
  }

  /**
   * Where a manifest entry for `path` belongs: listed symlinks among its ancestors are followed
   * (lexically, relative to the link's directory). null when an ancestor is a file, device or absent.
   */
  placementPath(path: string): string | null {
    let names = normalize(splitPath(path));
    for (let hops = 0; hops <= MAXSYMLINKS; hops++) {
      let dir = this.root;
      let redirected = false;
      for (let i = 0; i < names.length - 1; i++) {
        const name = names[i] as string;
        const child = dir.children.get(name);
        if (!child) return `/${names.join('/')}`;
        if (child.kind === 'directory') {
          dir = child;
          continue;
        }
        if (child.kind !== 'symlink') return null;
        const base = child.target.startsWith('/') ? [] : names.slice(0, i);
        names = normalize([...base, ...splitPath(child.target), ...names.slice(i + 1)]);
        redirected = true;
        break;
      }
      if (!redirected) return `/${names.join('/')}`;
    }
    return null;
  }

  // ---- resolution --------------------------------------------------------------------------

  lookup(path: string, cwd: string, options: { follow?: boolean; cred?: Cred } = {}): Lookup {
    return this.walk(path, cwd, options.follow ?? true, options.cred ?? ROOT);
  }

  resolveExec(path: string, cwd: string, options: { cred?: Cred; follow?: boolean } = {}): ExecResolution {
    return resolveExecIn(this, path, cwd, options.cred ?? ROOT, options.follow ?? true);
  }

  /** chdir(2): the target must be a directory the caller may search. */
  resolveChdir(path: string, cwd: string, options: { cred?: Cred } = {}): ChdirResolution {
    const cred = options.cred ?? ROOT;
    const r = this.walk(path, cwd, true, cred);
    if (r.kind !== 'found') return r;
    const node = r.node;
    if (node.kind !== 'directory') return { kind: 'error', errno: 'ENOTDIR' };
    if (node.implied) return { kind: 'unknown', path: r.path };
    const may = permits(node, cred, 1);
    if (may === null) return { kind: 'unknown', path: r.path };
    return may ? { kind: 'ok', path: r.path } : { kind: 'error', errno: 'EACCES' };
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * The path walk. Iterative: a followed symlink's components are pushed in front of the
   * remaining ones, so depth is bounded by MAXSYMLINKS and path lengths, never by recursion.
   */
  walk(path: string, cwd: string, follow: boolean, cred: Cred): Lookup {
    if (path === '') return { kind: 'error', errno: 'ENOENT' };
    if (byteLength(path) >= PATH_MAX) return { kind: 'error', errno: 'ENAMETOOLONG' };
    let stack: { name: string; node: DirectoryNode }[];
    if (path.startsWith('/')) {
      stack = [{ name: '', node: this.root }];
    } else {
      const start = this.cwdStack(cwd);
      if (start.kind !== 'ok') {
        // A manifest that does not list the cwd: its entries were recorded as cwd + "/" + path.
        // The cwd exists and, being canonical, has no symlinks, so leading "." and ".." of the
        // path may be applied to it lexically before walking the joined path from /.
        if (start.result.kind === 'unknown' && !this.root.complete) {
          const base = splitPath(cwd);
          const rest = splitPath(path);
          while (rest.length > 0 && (rest[0] === '.' || rest[0] === '..')) {
            if (rest.shift() === '..') base.pop();
          }
          const joined = `/${[...base, ...rest].join('/')}${path.endsWith('/') ? '/' : ''}`;
          return this.walk(joined, '/', follow, cred);
        }
        return start.result;
      }
      stack = start.stack;
    }
    // Components still to walk, last one at the end; trailingSlash applies to the final one.
    let pending = splitPath(path);
    let mustBeDir = path.endsWith('/');
    let links = 0;
    let final: VfsNode | null = pending.length === 0 ? (stack[stack.length - 1] as { node: DirectoryNode }).node : null;
    let finalPath = '';
    while (pending.length > 0) {
      const name = pending.shift() as string;
      const isLast = pending.length === 0;
      const dir = (stack[stack.length - 1] as { node: DirectoryNode }).node;
      const here = stackPath(stack);
      const search = permits(dir, cred, 1);
      if (search === false) return { kind: 'error', errno: 'EACCES' };
      if (search === null) return { kind: 'unknown', path: here };
      if (name === '.' || name === '..') {
        if (name === '..' && stack.length > 1) stack.pop();
        if (isLast) {
          final = (stack[stack.length - 1] as { node: DirectoryNode }).node;
          finalPath = stackPath(stack);
        }
        continue;
      }
      if (byteLength(name) > NAME_MAX) return { kind: 'error', errno: 'ENAMETOOLONG' };
      const child = dir.children.get(name);
      const childPath = here === '/' ? `/${name}` : `${here}/${name}`;
      if (!child) return dir.complete ? { kind: 'error', errno: 'ENOENT' } : { kind: 'unknown', path: childPath };
      if (child.kind === 'absent') return { kind: 'error', errno: child.errno };
      if (child.kind === 'symlink' && (!isLast || follow || mustBeDir)) {
        links++;
        if (links > MAXSYMLINKS) return { kind: 'error', errno: 'ELOOP' };
        if (child.target === '') return { kind: 'error', errno: 'ENOENT' };
        if (child.target.startsWith('/')) stack = [{ name: '', node: this.root }];
        const expanded = splitPath(child.target);
        if (isLast && child.target.endsWith('/')) mustBeDir = true;
        pending = [...expanded, ...pending];
        if (pending.length === 0) {
          // A link to "/" (or "."): the walk ends at the directory it names.
          final = (stack[stack.length - 1] as { node: DirectoryNode }).node;
          finalPath = stackPath(stack);
        }
        continue;
      }
      if (isLast) {
        final = child;
        finalPath = childPath;
        break;
      }
      if (child.kind !== 'directory') return { kind: 'error', errno: 'ENOTDIR' };
      stack.push({ name, node: child });
    }
    if (final === null) throw new Error(`Vfs.walk: no final node for ${JSON.stringify(path)}`);
    if (finalPath === '') finalPath = stackPath(stack);
    if (mustBeDir && final.kind !== 'directory') return { kind: 'error', errno: 'ENOTDIR' };
    return { kind: 'found', path: finalPath, node: final };
  }

  private cwdStack(
    cwd: string,
  ): { kind: 'ok'; stack: { name: string; node: DirectoryNode }[] } | { kind: 'bad'; result: Lookup } {
    if (!cwd.startsWith('/')) throw new Error(`Vfs: cwd must be absolute, got ${JSON.stringify(cwd)}`);
    const stack: { name: string; node: DirectoryNode }[] = [{ name: '', node: this.root }];
    for (const name of splitPath(cwd)) {
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = (stack[stack.length - 1] as { node: DirectoryNode }).node;
      const child = dir.children.get(name);
      if (!child) {
        if (dir.complete) return { kind: 'bad', result: { kind: 'error', errno: 'ENOENT' } };
        return { kind: 'bad', result: { kind: 'unknown', path: cwd } };
      }
      if (child.kind !== 'directory') {
        // A manifest may list the cwd through a symlink; anything else is the caller's bug.
        if (child.kind === 'symlink') return { kind: 'bad', result: { kind: 'unknown', path: cwd } };
        return { kind: 'bad', result: { kind: 'error', errno: child.kind === 'absent' ? child.errno : 'ENOTDIR' } };
      }
      stack.push({ name, node: child });
    }
    return { kind: 'ok', stack };
  }

  /** Parent directory for a builder path (created as needed) and the last component. */
  private parentFor(path: string): { parent: DirectoryNode; name: string } {
    if (!path.startsWith('/')) throw new Error(`Vfs: builder paths must be absolute, got ${JSON.stringify(path)}`);
    const names = splitPath(path);
    if (names.some((n) => n === '.' || n === '..')) throw new Error(`Vfs: builder path ${path} must be canonical`);
    let dir = this.root;
    for (const name of names.slice(0, -1)) {
      let next = dir.children.get(name);
      if (!next || next.kind === 'absent') {
        next = newDir(0o755, this.root.complete, !this.root.complete);
        dir.children.set(name, next);
      }
      if (next.kind !== 'directory') throw new Error(`Vfs: ${path}: ${name} is a ${next.kind}, not a directory`);
      dir = next;
    }
    return { parent: dir, name: names[names.length - 1] ?? '' };
  }

  private place(path: string, node: VfsNode): void {
    const { parent, name } = this.parentFor(path);
    if (name === '') throw new Error(`Vfs: cannot replace the root directory`);
    const existing = parent.children.get(name);
    if (existing?.kind === 'directory' && existing.children.size > 0) {
      throw new Error(`Vfs: ${path} is a non-empty directory`);
    }
    parent.children.set(name, node);
  }
}

function newDir(mode: number | null, complete: boolean, implied: boolean): DirectoryNode {
  return { kind: 'directory', children: new Map(), complete, implied, mode, uid: 0, gid: 0 };
}

/** Components of a path, empty ones ("//") dropped. Hand-written: no regular expressions. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === '/') {
      if (i > start) out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/** Lexical "." / ".." removal, for placing manifest entries (never for lookups). */
function normalize(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (n === '.') continue;
    if (n === '..') out.pop();
    else out.push(n);
  }
  return out;
}

function stackPath(stack: readonly { name: string }[]): string {
  if (stack.length <= 1) return '/';
  return stack.map((s) => s.name).join('/');
}

/**
 * generic_permission for one of r=4, w=2, x=1. Root passes everything except exec of a file with
 * no x bit at all (CAP_DAC_OVERRIDE needs one, D4); directories are always searchable by root.
 * null when the mode is unknown, or the node is implied (only known to be walkable).
 */
export function permits(node: VfsNode, cred: Cred, want: 1 | 2 | 4): boolean | null {
  if (node.kind === 'symlink' || node.kind === 'absent') return true;
  if (node.kind === 'directory' && node.implied) return true;
  if (node.mode === null) return null;
  const mode = node.mode;
  if (cred.uid === 0) {
    if (want !== 1 || node.kind === 'directory') return true;
    return (mode & 0o111) !== 0;
  }
  let bits: number;
  if (cred.uid === node.uid) bits = (mode >> 6) & 7;
  else if (cred.gid === node.gid || (cred.groups ?? []).includes(node.gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & want) !== 0;
}
