// Every model under the `linux` strategy reproduces its real capture's normalized form.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../src/models/registry.js';
import { compareRun, loadCase, runModel } from '../src/runtime/model-run.js';

const SKIPPED: { readonly [id: string]: string } = {};

const CORPUS = fileURLToPath(new URL('../../../corpus', import.meta.url));

describe('models under linux match their captures', () => {
  for (const m of MODELS) {
    const skip = SKIPPED[m.id];
    if (skip) {
      it.skip(`${m.id} (skipped: ${skip})`, () => undefined);
      continue;
    }
    it(`${m.id}`, () => {
      const { input, expected } = loadCase(CORPUS, m.id);
      const run = runModel(input, 'linux');
      expect(run.invariants).toEqual([]);
      expect(compareRun(run, expected)).toEqual({ matches: true, divergence: null });
    });
  }
});
