// Reading and checking a family's programs/<family>/cases.json. Every error
// names the file and the line of the offending value.
import { readFileSync } from 'node:fs';
import { isPromise } from './promises.js';
import type { CapturePromise } from './promises.js';
import { JsonSyntaxError, parseLocatedJson } from './json-located.js';
import type { JsonPath, JsonValue, LocatedJson } from './json-located.js';

export type BuildLang = 'c' | 'rust' | 'copy';

export interface BuildStep {
  readonly lang: BuildLang;
  /** Source file, relative to the family's programs directory. */
  readonly source: string;
  /** Output file name inside BIN_DIR. */
  readonly output: string;
  readonly flags: readonly string[];
}

export interface Fixture {
  /** Path relative to WORK_DIR. */
  readonly path: string;
  /** Octal permission bits, e.g. "0755". */
  readonly mode: string;
  readonly content: string;
}

export interface CaseDefinition {
  readonly id: string;
  readonly description: string;
  readonly argv: readonly string[];
  readonly stdin: string | undefined;
  readonly promises: readonly CapturePromise[];
}

export interface FamilyDefinition {
  /** The cases.json file this came from. */
  readonly file: string;
  /** The directory holding the sources. */
  readonly dir: string;
  readonly family: string;
  readonly build: readonly BuildStep[];
  readonly fixtures: readonly Fixture[];
  readonly cases: readonly CaseDefinition[];
}

export class CasesFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    why: string,
  ) {
    super(`${file}:${line}: ${why}`);
    this.name = 'CasesFileError';
  }
}

/** Names usable as a family or case id: they become directory names. */
export function isSafeName(s: string): boolean {
  if (s === '' || s.length > 100 || s.startsWith('.') || s.startsWith('-')) return false;
  for (const c of s) {
    const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-' || c === '_' || c === '.';
    if (!ok) return false;
  }
  return true;
}

/** A relative path without `..`, `.` or empty components (for sources and fixtures). */
function isPlainRelativePath(s: string): boolean {
  if (s === '' || s.startsWith('/')) return false;
  return s.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

function isOctalMode(s: string): boolean {
  if (s.length !== 4 || s[0] !== '0') return false;
  for (const c of s) if (c < '0' || c > '7') return false;
  return true;
}

class Reader {
  constructor(
    private readonly file: string,
    private readonly located: LocatedJson,
  ) {}

  fail(path: JsonPath, why: string): never {
    throw new CasesFileError(this.file, this.located.lineOf(path), `${formatPath(path)}: ${why}`);
  }

  object(v: JsonValue | undefined, path: JsonPath, allowed: readonly string[]): { [key: string]: JsonValue } {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    for (const key of Object.keys(v)) if (!allowed.includes(key)) this.fail([...path, key], `unknown property (allowed: ${allowed.join(', ')})`);
    return v;
  }

  array(v: JsonValue | undefined, path: JsonPath): JsonValue[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    return v;
  }

  string(v: JsonValue | undefined, path: JsonPath): string {
    if (typeof v !== 'string') this.fail(path, v === undefined ? 'required string is missing' : 'expected a string');
    return v;
  }

  strings(v: JsonValue | undefined, path: JsonPath): string[] {
    return this.array(v, path).map((s, i) => this.string(s, [...path, i]));
  }
}

function formatPath(path: JsonPath): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Parses and checks one cases.json. `dir` is the directory the sources live in. */
export function parseFamilyDefinition(file: string, dir: string, text: string): FamilyDefinition {
  let located: LocatedJson;
  try {
    located = parseLocatedJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new CasesFileError(file, e.line, `invalid JSON (column ${e.column}): ${e.message.slice(e.message.indexOf(': ') + 2)}`);
    throw e;
  }
  const r: Reader = new Reader(file, located);
  const top = r.object(located.value, [], ['family', 'build', 'fixtures', 'cases']);
  const family = r.string(top['family'], ['family']);
  if (!isSafeName(family)) r.fail(['family'], 'must be a plain name (letters, digits, - _ .)');

  const build = r.array(top['build'] ?? [], ['build']).map((b, i): BuildStep => {
    const p = ['build', i];
    const o = r.object(b, p, ['lang', 'source', 'output', 'flags']);
    const lang = r.string(o['lang'], [...p, 'lang']);
    if (lang !== 'c' && lang !== 'rust' && lang !== 'copy') r.fail([...p, 'lang'], 'must be "c", "rust" or "copy"');
    const source = r.string(o['source'], [...p, 'source']);
    if (!isPlainRelativePath(source)) r.fail([...p, 'source'], 'must be a relative path inside the programs directory');
    const output = r.string(o['output'], [...p, 'output']);
    if (!isSafeName(output)) r.fail([...p, 'output'], 'must be a plain file name');
    const flags = o['flags'] === undefined ? [] : r.strings(o['flags'], [...p, 'flags']);
    if (lang === 'copy' && flags.length > 0) r.fail([...p, 'flags'], 'a copy step takes no flags');
    return { lang, source, output, flags };
  });

  const fixtures = r.array(top['fixtures'] ?? [], ['fixtures']).map((f, i): Fixture => {
    const p = ['fixtures', i];
    const o = r.object(f, p, ['path', 'mode', 'content']);
    const path = r.string(o['path'], [...p, 'path']);
    if (!isPlainRelativePath(path)) r.fail([...p, 'path'], 'must be a relative path inside the work directory');
    const mode = r.string(o['mode'], [...p, 'mode']);
    if (!isOctalMode(mode)) r.fail([...p, 'mode'], 'must be four octal digits such as "0755"');
    return { path, mode, content: r.string(o['content'], [...p, 'content']) };
  });

  const seen = new Set<string>();
  const cases = r.array(top['cases'], ['cases']).map((c, i): CaseDefinition => {
    const p = ['cases', i];
    const o = r.object(c, p, ['id', 'description', 'argv', 'stdin', 'promises']);
    const id = r.string(o['id'], [...p, 'id']);
    if (!isSafeName(id)) r.fail([...p, 'id'], 'must be a plain name (letters, digits, - _ .)');
    if (seen.has(id)) r.fail([...p, 'id'], `duplicate case id "${id}"`);
    seen.add(id);
    const description = r.string(o['description'], [...p, 'description']);
    const argv = r.strings(o['argv'], [...p, 'argv']);
    if (argv.length === 0 || !(argv[0] as string).startsWith('/')) r.fail([...p, 'argv'], 'argv[0] must be an absolute path');
    const stdin = o['stdin'] === undefined ? undefined : r.string(o['stdin'], [...p, 'stdin']);
    const promises = r.strings(o['promises'], [...p, 'promises']).map((s, j) => {
      if (!isPromise(s)) r.fail([...p, 'promises', j], `unknown promise "${s}"`);
      return s;
    });
    if (promises.length === 0) r.fail([...p, 'promises'], 'at least one promise is required (use "none" for no process creation)');
    return { id, description, argv, stdin, promises };
  });
  if (cases.length === 0) r.fail(['cases'], 'a family needs at least one case');
  return { file, dir, family, build, fixtures, cases };
}

export function readFamilyDefinition(file: string, dir: string): FamilyDefinition {
  return parseFamilyDefinition(file, dir, readFileSync(file, 'utf8'));
}
