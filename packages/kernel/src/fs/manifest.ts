// A corpus case's fs manifest (case.json "fs", corpus/schema/case.schema.json) → a Vfs.
// The manifest lists only the paths a capture exec'd or chdir'd to (plus symlink targets and
// `#!` interpreters, and in newer captures the missing paths a failed open named, as absent, and
// the working directory's files the run only read, with their size and, for text, their content);
// everything else resolves to 'unknown', which the replay checker adopts.
// Directories implied by a listed path can be walked through but are not themselves known.
//
// API: ManifestEntry, ManifestError (message names the source, entry index and path),
//      buildFromManifest(vfs, entries, source) — use Vfs.fromManifest.
import { RegularFile } from '../files/regular-file.js';
import type { Vfs } from './vfs.js';

export type ManifestEntry =
  | { readonly path: string; readonly kind: 'absent'; readonly errno?: 'ENOENT' | 'ENOTDIR' }
  | { readonly path: string; readonly kind: 'directory' | 'other'; readonly mode?: string }
  | {
      readonly path: string;
      readonly kind: 'file';
      readonly mode?: string;
      readonly exec?: 'elf' | 'script' | 'none';
      readonly interpreter?: string;
      readonly interpreterArg?: string;
      /** st_size after the run (a file the run only read, so also during it). */
      readonly size?: number;
      /** The whole content as UTF-8 text, when it is that (then its byte length is `size`). */
      readonly content?: string;
    }
  | { readonly path: string; readonly kind: 'symlink'; readonly target: string; readonly mode?: string };

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** "0755" → 0o755; null when absent. Hand-written octal scan. */
function parseMode(mode: unknown, where: string): number | null {
  if (mode === undefined) return null;
  if (typeof mode !== 'string' || mode.length === 0 || mode.length > 6) {
    throw new ManifestError(`${where}: mode must be an octal string like "0755", got ${JSON.stringify(mode)}`);
  }
  let n = 0;
  for (const c of mode) {
    if (c < '0' || c > '7') throw new ManifestError(`${where}: mode ${JSON.stringify(mode)} is not octal`);
    n = n * 8 + (c.charCodeAt(0) - 48);
  }
  return n & 0o7777;
}

/** A file entry's size and content as the kernel's file data (unknown when neither is given). */
function fileData(size: unknown, content: unknown, where: string): RegularFile {
  if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
    throw new ManifestError(`${where}: size must be a non-negative integer, got ${JSON.stringify(size)}`);
  }
  if (content === undefined) return size === undefined ? RegularFile.unknown() : RegularFile.sized(size);
  if (typeof content !== 'string') throw new ManifestError(`${where}: content must be a string`);
  const bytes = new TextEncoder().encode(content);
  if (size !== undefined && bytes.length !== size) {
    throw new ManifestError(`${where}: content is ${bytes.length} bytes of UTF-8 but size says ${size}`);
  }
  return RegularFile.known(bytes);
}

function depth(path: string): number {
  let n = 0;
  for (const c of path) if (c === '/') n++;
  return n;
}

export function buildFromManifest(vfs: Vfs, entries: readonly ManifestEntry[], source: string): void {
  if (!Array.isArray(entries)) throw new ManifestError(`${source}: the fs manifest must be an array`);
  // Ancestors first, so that a listed symlink exists before entries below it are placed through it.
  const order = entries.map((e, i) => ({ e, i })).sort((a, b) => {
    const da = depth(typeof a.e?.path === 'string' ? a.e.path : '');
    const db = depth(typeof b.e?.path === 'string' ? b.e.path : '');
    return da - db || a.i - b.i;
  });
  const seen = new Map<string, string>();
  for (const { e, i } of order) {
    const raw: unknown = e;
    if (typeof raw !== 'object' || raw === null) throw new ManifestError(`${source}: entry ${i} is not an object`);
    const entry = raw as Record<string, unknown>;
    const path = entry['path'];
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new ManifestError(`${source}: entry ${i}: path must be an absolute string, got ${JSON.stringify(path)}`);
    }
    const where = `${source}: entry ${i} (${path})`;
    const key = JSON.stringify(raw);
    const before = seen.get(path);
    if (before !== undefined) {
      if (before !== key) throw new ManifestError(`${where}: listed twice with different contents`);
      continue;
    }
    seen.set(path, key);
    const place = (fn: (at: string) => void): void => {
      const at = vfs.placementPath(path);
      if (at === null) throw new ManifestError(`${where}: an ancestor is listed as a non-directory or absent`);
      try {
        fn(at);
      } catch (err) {
        throw new ManifestError(`${where}: ${(err as Error).message}`);
      }
    };
    const kind = entry['kind'];
    switch (kind) {
      case 'absent': {
        const errno = entry['errno'] ?? 'ENOENT';
        if (errno !== 'ENOENT' && errno !== 'ENOTDIR') throw new ManifestError(`${where}: errno must be ENOENT or ENOTDIR`);
        if (vfs.placementPath(path) === null) {
          // Below a listed file: the walk already fails there; it must fail as listed.
          const r = vfs.lookup(path, '/');
          if (r.kind === 'error' && r.errno === errno) break;
          throw new ManifestError(`${where}: listed as ${errno}, but the listed ancestors give ${r.kind === 'error' ? r.errno : r.kind}`);
        }
        place((at) => vfs.markAbsent(at, errno));
        break;
      }
      case 'directory': {
        const mode = parseMode(entry['mode'], where);
        place((at) => vfs.mkdir(at, { mode }));
        break;
      }
      case 'other': {
        const mode = parseMode(entry['mode'], where);
        place((at) => vfs.mknod(at, { mode, label: path }));
        break;
      }
      case 'symlink': {
        const target = entry['target'];
        if (typeof target !== 'string') throw new ManifestError(`${where}: a symlink needs a string target`);
        place((at) => vfs.symlink(at, target));
        break;
      }
      case 'file': {
        const mode = parseMode(entry['mode'], where);
        const exec = entry['exec'];
        let content: Parameters<Vfs['writeFile']>[1];
        if (exec === undefined) content = null;
        else if (exec === 'elf') content = { kind: 'elf' };
        else if (exec === 'none') content = { kind: 'text' };
        else if (exec === 'script') {
          const interpreter = entry['interpreter'];
          const arg = entry['interpreterArg'];
          if (typeof interpreter !== 'string' || interpreter.length === 0) {
            throw new ManifestError(`${where}: a script needs its interpreter`);
          }
          if (arg !== undefined && typeof arg !== 'string') throw new ManifestError(`${where}: interpreterArg must be a string`);
          content = { kind: 'script', head: `#!${interpreter}${typeof arg === 'string' && arg.length > 0 ? ` ${arg}` : ''}\n` };
        } else {
          throw new ManifestError(`${where}: exec must be "elf", "script" or "none", got ${JSON.stringify(exec)}`);
        }
        const data = fileData(entry['size'], entry['content'], where);
        place((at) => vfs.writeFile(at, content, { mode, data }));
        break;
      }
      default:
        throw new ManifestError(`${where}: unknown kind ${JSON.stringify(kind)}`);
    }
  }
}
