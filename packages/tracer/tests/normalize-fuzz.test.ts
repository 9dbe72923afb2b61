// Bad and strange input never makes normalize/processTree throw, and the normalized form stays
// valid: real corpus lines shuffled, dropped, duplicated and given other pids (so resumes lose
// their halves, children appear before or without their creators, pids get reused).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalize } from '../src/normalize/normalize.js';
import { parseText } from '../src/parse.js';
import { processTree } from '../src/tree/process-tree.js';
import { renderTree } from '../src/tree/render-tree.js';

const corpus = new URL('../../../corpus/', import.meta.url).pathname;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(corpus, 'schema/expected.schema.json'), 'utf8')) as object);
const lines = ['posix_spawn/two-threads', 'raw/vfork-exec', 'raw/subreaper', 'raw/clone-pidfd', 'raw/vfork-child-killed']
  .flatMap((c) => readFileSync(join(corpus, c, 'capture.strace'), 'utf8').split('\n'))
  .filter((l) => /(clone|fork|exec|wait|kill|exit|\+\+\+|---)/.test(l));

/** Replaces the leading pid of a line (the -f pid column). */
function withPid(line: string, pid: number): string {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) >= 0x30 && line.charCodeAt(i) <= 0x39) i++;
  return i === 0 ? line : String(pid) + line.slice(i);
}

describe('fuzzed lifecycle lines from real captures', () => {
  it('normalize and processTree never throw; the normalized form always validates', () => {
    expect(lines.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(
        fc.array(fc.record({ line: fc.constantFrom(...lines), pid: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) }), { maxLength: 60 }),
        (picks) => {
          const text = picks.map((p) => (p.pid === undefined ? p.line : withPid(p.line, 1000 + p.pid))).join('\n') + '\n';
          const events = parseText(text);
          const n = normalize(events);
          expect(validate(n), JSON.stringify(validate.errors)).toBe(true);
          expect(typeof renderTree(processTree(events))).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
