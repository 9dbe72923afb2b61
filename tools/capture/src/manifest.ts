// corpus/manifest.json: the index of every case directory present, rebuilt by
// scanning corpus/*/*/case.json so families captured separately merge.
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_FILE } from './config.js';

export interface ManifestEntry {
  readonly id: string;
  readonly family: string;
  /** "<family>/<case>", relative to the corpus root. */
  readonly path: string;
  readonly description: string;
  readonly promises: readonly string[];
}

export interface Manifest {
  readonly formatVersion: 1;
  readonly cases: readonly ManifestEntry[];
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

function visibleDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

/** Reads every `<root>/<family>/<case>/case.json` into manifest entries (sorted by id). */
export function scanCorpus(root: string): Manifest {
  const cases: ManifestEntry[] = [];
  if (!existsSync(root)) return { formatVersion: 1, cases };
  for (const family of visibleDirs(root)) {
    if (family === 'schema') continue;
    for (const name of visibleDirs(join(root, family))) {
      const file = join(root, family, name, CASE_FILE);
      if (!existsSync(file)) throw new ManifestError(`${file}: case directory without ${CASE_FILE}`);
      let record: unknown;
      try {
        record = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new ManifestError(`${file}: not valid JSON: ${(e as Error).message}`);
      }
      const r = record as Partial<Record<'id' | 'family' | 'description' | 'promises', unknown>>;
      const path = `${family}/${name}`;
      if (r.id !== path || r.family !== family) throw new ManifestError(`${file}: id/family ("${String(r.id)}") do not match the directory "${path}"`);
      if (typeof r.description !== 'string' || !Array.isArray(r.promises)) throw new ManifestError(`${file}: missing description or promises`);
      cases.push({ id: path, family, path, description: r.description, promises: r.promises.map(String) });
    }
  }
  return { formatVersion: 1, cases };
}

/** Rebuilds `<root>/manifest.json` (written to a temporary file, then renamed). */
export function writeManifest(root: string): Manifest {
  const manifest = scanCorpus(root);
  const target = join(root, 'manifest.json');
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, target);
  return manifest;
}
