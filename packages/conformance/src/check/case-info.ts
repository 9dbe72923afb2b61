// The parts of a corpus case.json the checker uses: its id, family, working
// directory and fs manifest. Validated by hand so a malformed file gives a clear
// message instead of a crash deep in the replay.

/** One path of a case's fs manifest, as the corpus format defines it. */
export interface FsManifestEntry {
  readonly path: string;
  readonly kind: 'absent' | 'directory' | 'file' | 'symlink' | 'other';
  readonly mode?: string;
  readonly exec?: 'elf' | 'script' | 'none';
  readonly interpreter?: string;
  readonly target?: string;
}

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
    const entry: {
      path: string;
      kind: FsManifestEntry['kind'];
      mode?: string;
      exec?: FsManifestEntry['exec'];
      interpreter?: string;
      target?: string;
    } = { path, kind: kind as FsManifestEntry['kind'] };
    for (const key of ['mode', 'interpreter', 'target'] as const) {
      const v = e[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') return { kind: 'invalid', message: `${where}.${key} is not a string` };
      entry[key] = v;
    }
    const exec = e['exec'];
    if (exec !== undefined && exec !== null) {
      if (typeof exec !== 'string' || !EXECS.has(exec)) return { kind: 'invalid', message: `${where}.exec is not one of elf, script, none` };
      entry.exec = exec as FsManifestEntry['exec'];
    }
    entries.push(entry);
  }
  return { kind: 'ok', value: entries };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
