// `npm run capture -- [--family F]... [--case ID]... [--out DIR]`
// Builds the programs of tools/capture/programs/<family>/ and captures their
// cases with strace into corpus/<family>/<case>/, then rebuilds manifest.json.
// Exit status: 0 every selected case captured, 1 some case failed, 2 usage,
// definition or environment error (nothing captured).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFamily, BuildError } from './build.js';
import { CasesFileError, readFamilyDefinition } from './cases-file.js';
import type { CaseDefinition, FamilyDefinition } from './cases-file.js';
import { acquireCaptureLock } from './lock.js';
import { ManifestError, writeManifest } from './manifest.js';
import { CaseError, captureCase } from './run-case.js';
import { findTools, MissingToolError, readVersions, straceVersion } from './tools.js';

const HELP = `Usage: npm run capture -- [options]

Builds the programs in tools/capture/programs/<family>/ and records each case
of their cases.json with strace into <out>/<family>/<case>/ (capture.strace and
case.json), then rebuilds <out>/manifest.json from every case present.

Options:
  --family F   capture only family F (repeatable)
  --case ID    capture only case ID, as "<family>/<case>" or "<case>" (repeatable)
  --out DIR    corpus root to write into (default: <repo>/corpus)
  --programs DIR  where the <family>/cases.json live (default: tools/capture/programs)
  --manifest-only  only rebuild <out>/manifest.json from the case directories present
  --help       show this text

Exit status: 0 all selected cases captured; 1 some case failed (its old
directory is left intact); 2 usage, cases.json or environment error.`;

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const defaultProgramsRoot = join(repoRoot, 'tools', 'capture', 'programs');

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function loadFamilies(programsRoot: string): FamilyDefinition[] {
  if (!existsSync(programsRoot)) throw new UsageError(`no programs directory at ${programsRoot}`);
  return readdirSync(programsRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(programsRoot, d.name, 'cases.json')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(programsRoot, name);
      const def = readFamilyDefinition(join(dir, 'cases.json'), dir);
      if (def.family !== name) throw new CasesFileError(join(dir, 'cases.json'), 1, `family "${def.family}" does not match its directory "${name}"`);
      return def;
    });
}

interface Selection {
  readonly def: FamilyDefinition;
  readonly cases: readonly CaseDefinition[];
}

function select(all: readonly FamilyDefinition[], families: readonly string[], caseIds: readonly string[]): Selection[] {
  for (const f of families) if (!all.some((d) => d.family === f)) throw new UsageError(`unknown family "${f}" (known: ${all.map((d) => d.family).join(', ')})`);
  const wanted = (def: FamilyDefinition, c: CaseDefinition): boolean =>
    caseIds.length === 0 || caseIds.some((id) => id === `${def.family}/${c.id}` || id === c.id);
  for (const id of caseIds) {
    const exists = all.some(
      (def) => (families.length === 0 || families.includes(def.family)) && def.cases.some((c) => id === c.id || id === `${def.family}/${c.id}`),
    );
    if (!exists) throw new UsageError(`unknown case "${id}"${families.length > 0 ? ` in family ${families.join(', ')}` : ''}`);
  }
  return all
    .filter((def) => families.length === 0 || families.includes(def.family))
    .map((def) => ({ def, cases: def.cases.filter((c) => wanted(def, c)) }))
    .filter((s) => s.cases.length > 0);
}

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        family: { type: 'string', multiple: true },
        case: { type: 'string', multiple: true },
        out: { type: 'string' },
        programs: { type: 'string' },
        'manifest-only': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`capture: ${(e as Error).message}\nTry --help.`);
    return 2;
  }
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  const outRoot = resolve(values.out ?? join(repoRoot, 'corpus'));
  try {
    if (values['manifest-only'] === true) {
      const manifest = writeManifest(outRoot);
      console.log(`manifest: ${manifest.cases.length} cases in ${join(outRoot, 'manifest.json')}`);
      return 0;
    }
    const tools = findTools(process.env['PATH'] ?? '');
    const selection = select(loadFamilies(resolve(values.programs ?? defaultProgramsRoot)), values.family ?? [], values.case ?? []);
    const release = await acquireCaptureLock((line) => console.error(line));
    try {
      const ctx = { outRoot, tools, versions: readVersions(tools), straceVersion: straceVersion(tools.strace) };
      const failures: string[] = [];
      for (const { def, cases } of selection) {
        try {
          buildFamily(def, tools, (line) => console.error(line));
        } catch (e) {
          if (!(e instanceof BuildError)) throw e;
          failures.push(...cases.map((c) => `${def.family}/${c.id}`));
          console.error(`capture: ${e.message}`);
          continue;
        }
        for (const c of cases) {
          try {
            const record = await captureCase(def, c, ctx);
            const status = 'code' in record.exitStatus ? `exit ${record.exitStatus.code}` : `killed by ${record.exitStatus.signal}`;
            console.log(`captured ${record.id} (${status})`);
          } catch (e) {
            if (!(e instanceof CaseError)) throw e;
            failures.push(e.caseId);
            console.error(`capture: FAILED ${e.message}`);
          }
        }
      }
      const manifest = writeManifest(outRoot);
      console.log(`manifest: ${manifest.cases.length} cases in ${join(outRoot, 'manifest.json')}`);
      if (failures.length > 0) {
        console.error(`capture: ${failures.length} case(s) failed: ${failures.join(', ')}`);
        return 1;
      }
      return 0;
    } finally {
      release();
    }
  } catch (e) {
    if (e instanceof MissingToolError || e instanceof CasesFileError || e instanceof UsageError || e instanceof ManifestError) {
      console.error(`capture: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // A bug, not a user error: say so plainly.
    console.error(`capture: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 2;
  },
);
