// The parts of a corpus case.json the checker uses: its id, family, working
// directory and fs manifest. Validated by hand so a malformed file gives a clear
// message instead of a crash deep in the replay.
import type { ManifestEntry } from '@forkscope/kernel';

/**
 * One path of a case's fs manifest. Shape-checked here (path and kind);
 * the kernel's Vfs.fromManifest validates the rest and names the bad entry.
 */
export type FsManifestEntry = ManifestEntry;

export interface CaseInfo {
  readonly id?: string;
  readonly family?: string;
  readonly cwd?: string;
  readonly fs?: readonly FsManifestEntry[];
}

export type Parsed<T> = { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'invalid'; readonly message: string };

const KINDS = new Set(['absent', 'directory', 'file', 'symlink', 'other']);
const EXECS = new Set(['elf', 'script', 'none']);

export function parseCaseInfo(text: string): Parsed<CaseInfo> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', message: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isObject(json)) return { kind: 'invalid', message: 'not a JSON object' };
  const info: { id?: string; family?: string; cwd?: string; fs?: readonly FsManifestEntry[] } = {};
  for (const key of ['id', 'family', 'cwd'] as const) {
    const v = json[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return { kind: 'invalid', message: `"${key}" is not a string` };
    info[key] = v;
  }
  if (json['fs'] !== undefined) {
    const fs = parseFsManifest(json['fs']);
    if (fs.kind === 'invalid') return fs;
    info.fs = fs.value;
  }
  return { kind: 'ok', value: info };
}

/** A `--fs MANIFEST` file: a bare entry array, or an object with an `fs` array (a case.json). */
export function parseManifestFile(text: string): Parsed<readonly FsManifestEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', message: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (isObject(json) && json['fs'] !== undefined) return parseFsManifest(json['fs']);
  return parseFsManifest(json);
}

export function parseFsManifest(value: unknown): Parsed<readonly FsManifestEntry[]> {
  if (!Array.isArray(value)) return { kind: 'invalid', message: 'fs manifest is not an array' };
  const entries: FsManifestEntry[] = [];
  for (const [i, e] of value.entries()) {
    const where = `fs[${i}]`;
    if (!isObject(e)) return { kind: 'invalid', message: `${where} is not an object` };
    const path = e['path'];
    const kind = e['kind'];
    if (typeof path !== 'string' || path === '') return { kind: 'invalid', message: `${where}.path is not a non-empty string` };
    if (typeof kind !== 'string' || !KINDS.has(kind)) return { kind: 'invalid', message: `${where}.kind is not one of ${[...KINDS].join(', ')}` };
    for (const key of ['mode', 'interpreter', 'interpreterArg', 'target', 'errno'] as const) {
      const v = e[key];
      if (v !== undefined && v !== null && typeof v !== 'string') return { kind: 'invalid', message: `${where}.${key} is not a string` };
    }
    const exec = e['exec'];
    if (exec !== undefined && exec !== null && (typeof exec !== 'string' || !EXECS.has(exec))) {
      return { kind: 'invalid', message: `${where}.exec is not one of elf, script, none` };
    }
    if (kind === 'symlink' && typeof e['target'] !== 'string') return { kind: 'invalid', message: `${where}.target is missing for a symlink` };
    const entry = e as unknown as ManifestEntry;
    entries.push(entry);
  }
  return { kind: 'ok', value: entries };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
