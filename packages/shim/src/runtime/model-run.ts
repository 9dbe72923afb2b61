// A model run on its corpus case: the case's argv, environment, working directory and
// filesystem, the chosen strategy; the result as strace text, tracer events and the
// normalized form, compared with the case's expected.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError, Vfs, type ManifestEntry } from '@forkscope/kernel';
import { normalize, parseText, type Normalized, type TraceEvent } from '@forkscope/tracer';
import { describeDivergence } from './divergence.js';
import { Machine, type ShimNote } from './machine.js';
import { findModel, resolveImage } from '../models/registry.js';
import { withLoader } from '../models/ld-so.js';
import { STRATEGIES, type StrategyName } from '../strategies/strategy.js';

export interface CaseInput {
  readonly id: string;
  readonly argv: readonly string[];
  readonly env: { readonly [name: string]: string };
  readonly cwd: string;
  readonly fs: readonly ManifestEntry[];
}

export interface ModelRun {
  readonly id: string;
  readonly strategy: StrategyName;
  readonly text: string;
  readonly events: readonly TraceEvent[];
  readonly normalized: Normalized;
  readonly notes: readonly ShimNote[];
  readonly invariants: readonly string[];
}

export class CaseError extends Error {
  override readonly name = 'CaseError';
}

/** Reads `<corpus>/<id>/case.json` and `expected.json`; errors name the file. */
export function loadCase(corpusDir: string, id: string): { input: CaseInput; expected: Normalized } {
  const dir = join(corpusDir, id);
  const read = (file: string): unknown => {
    const path = join(dir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new CaseError(`${path}: cannot read (${(e as Error).message})`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new CaseError(`${path}:1: not JSON (${(e as Error).message})`);
    }
  };
  const c = read('case.json') as Partial<CaseInput> & { env?: unknown };
  if (!Array.isArray(c.argv) || typeof c.cwd !== 'string' || typeof c.env !== 'object' || c.env === null || !Array.isArray(c.fs)) {
    throw new CaseError(`${join(dir, 'case.json')}: missing argv, cwd, env or fs`);
  }
  const expected = read('expected.json') as Normalized;
  return { input: { id, argv: c.argv, env: c.env as CaseInput['env'], cwd: c.cwd, fs: c.fs }, expected };
}

export function runModel(input: CaseInput, strategy: StrategyName): ModelRun {
  const model = findModel(input.id);
  if (!model) throw new CaseError(`no model for ${input.id} (forkscope run --list)`);
  const envp = Object.entries(input.env).map(([k, v]) => `${k}=${v}`);
  let fs: Vfs;
  try {
    fs = Vfs.fromManifest(input.fs, { source: `${input.id}/case.json fs` });
  } catch (e) {
    if (e instanceof ManifestError) throw new CaseError(e.message);
    throw e;
  }
  const machine = new Machine({
    strategy: STRATEGIES[strategy],
    fs,
    argv: input.argv,
    envp,
    cwd: input.cwd,
    images: resolveImage,
  });
  const run = machine.run(withLoader(model.main));
  const events = parseText(run.text);
  return { id: input.id, strategy, text: run.text, events, normalized: normalize(events), notes: run.notes, invariants: run.invariants };
}

export interface Comparison {
  readonly matches: boolean;
  /** The first difference in one line, with what the shim noticed; null when it matches. */
  readonly divergence: string | null;
}

export function compareRun(run: ModelRun, expected: Normalized): Comparison {
  const divergence = describeDivergence(expected, run.normalized);
  if (divergence === null) return { matches: true, divergence: null };
  const note = run.notes[0];
  return { matches: false, divergence: divergence + (note ? ` [shim: ${note.text}]` : '') };
}
