// open(2)/openat(2) of a regular file: which file data the new description reads and writes, and
// what the open itself does to the file (fs/namei.c do_open, may_open; fs/open.c do_truncate).
//
//   existing file: O_CREAT|O_EXCL → EEXIST; O_DIRECTORY → ENOTDIR; no r (or w, for O_WRONLY,
//     O_RDWR or O_TRUNC: build_open_flags adds MAY_WRITE for O_TRUNC) permission → EACCES (root
//     passes, vfs.ts permits); O_TRUNC empties it.
//   O_CREAT of a path the fs does not list: the file is placed in the fs, empty when the open
//     made it so (O_EXCL: new, with mode & ~umask; O_TRUNC: emptied), else of unknown content;
//     later opens of the path share its data.
//
// Who may know written bytes: the kernel does only when it sees every call that can change a
// file (`tracksWrites`, a model run, where the kernel executes the whole guest). A replay is
// driven by a recording whose calls it may adopt without running them (copy_file_range,
// sendfile, a write strace showed in part), so there an open for writing makes the file's data
// unknown, and only what the fs manifest recorded of files the run never wrote is read.
//
// API: openRegular(vfs, lookup, request) → { kind:'file', file } | { kind:'error', errno } | { kind:'other' }
import type { ErrnoName } from '../errno.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_PATH, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../files/constants.js';
import { RegularFile } from '../files/regular-file.js';
import { permits, splitPath, type Cred, type Lookup, type Vfs } from './vfs.js';

export type RegularOpen =
  | { readonly kind: 'file'; readonly file: RegularFile }
  | { readonly kind: 'error'; readonly errno: ErrnoName }
  /** Not a regular file the fs knows or may create: the caller opens it as before (opaque, a device…). */
  | { readonly kind: 'other' };

export interface RegularOpenRequest {
  /** The path as opened, made absolute by joining it to the cwd or the dirfd's path. */
  readonly path: string;
  readonly flags: number;
  /** The mode a created file gets: open's mode argument with the umask applied. */
  readonly mode: number;
  readonly cred: Cred;
  /** The kernel sees every call that can change a file: see the module comment. */
  readonly tracksWrites: boolean;
}

const OTHER: RegularOpen = { kind: 'other' };

/** `lookup` is the fs's answer for `request.path` (followed, as open follows without O_NOFOLLOW). */
export function openRegular(vfs: Vfs, lookup: Lookup, request: RegularOpenRequest): RegularOpen {
  const { flags, cred } = request;
  if ((flags & O_PATH) !== 0) return OTHER;
  const access = flags & O_ACCMODE;
  const reads = access === O_RDONLY || access === O_RDWR;
  const writes = access === O_WRONLY || access === O_RDWR || (flags & O_TRUNC) !== 0;
  const creating = (flags & O_CREAT) !== 0;

  if (lookup.kind === 'found') {
    const node = lookup.node;
    if (node.kind !== 'file') return OTHER;
    if (creating && (flags & O_EXCL) !== 0) return { kind: 'error', errno: 'EEXIST' };
    if ((flags & O_DIRECTORY) !== 0) return { kind: 'error', errno: 'ENOTDIR' };
    if ((reads && permits(node, cred, 4) === false) || (writes && permits(node, cred, 2) === false)) {
      return { kind: 'error', errno: 'EACCES' };
    }
    if (writes) {
      if (!request.tracksWrites) node.data.forget();
      else if ((flags & O_TRUNC) !== 0) node.data.truncate();
    }
    return { kind: 'file', file: node.data };
  }

  if (!creating || !request.tracksWrites) return OTHER;
  if (lookup.kind === 'error') {
    // O_CREAT makes the last component only: its directory must be there (ENOENT otherwise).
    if (lookup.errno !== 'ENOENT') return lookup;
    const parent = vfs.lookup(parentOf(request.path), '/', { cred });
    if (parent.kind === 'error') return parent;
    if (parent.kind === 'found' && parent.node.kind !== 'directory') return { kind: 'error', errno: 'ENOTDIR' };
  }
  const at = vfs.placementPath(request.path);
  if (at === null) return OTHER;
  const made = (flags & O_EXCL) !== 0;
  const emptied = made || (flags & O_TRUNC) !== 0;
  const data = RegularFile.unknown();
  if (emptied) data.truncate();
  // Only a file this open made has a known mode; one that may have existed keeps its own.
  vfs.writeFile(at, null, { mode: made ? request.mode & 0o7777 : null, uid: cred.uid, gid: cred.gid, data });
  return { kind: 'file', file: data };
}

/** The directory part of an absolute path ("/" for "/a"). */
function parentOf(path: string): string {
  const names = splitPath(path);
  names.pop();
  return `/${names.join('/')}`;
}
