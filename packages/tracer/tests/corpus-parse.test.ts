// Every capture of the corpus parses with zero diagnostics, and survives format → parse.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { format, parseFile, parseText, type TraceEvent } from '../src/index.js';
import { withoutSpans } from './event-compare.js';

const corpusDir = join(import.meta.dirname, '..', '..', '..', 'corpus');
const manifestPath = join(corpusDir, 'manifest.json');

interface ManifestCase {
  readonly id: string;
  readonly path: string;
}

function manifestCases(): ManifestCase[] {
  if (!existsSync(manifestPath)) return [];
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { cases?: ManifestCase[] };
  return m.cases ?? [];
}

const cases = manifestCases();

describe('corpus captures', () => {
  it('the corpus manifest exists and lists cases', () => {
    expect(existsSync(manifestPath), `${manifestPath} is missing`).toBe(true);
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    const file = join(corpusDir, c.path, 'capture.strace');
    it(`${c.id}: parses with zero diagnostics`, async () => {
      expect(existsSync(file), `${file} is missing`).toBe(true);
      const events: TraceEvent[] = [];
      for await (const e of parseFile(file)) events.push(e);
      const diags = events.filter((e) => e.kind === 'diagnostic');
      expect(diags.map((d) => `${d.span.file}:${d.span.line}: ${d.reason}`)).toEqual([]);
      expect(events.some((e) => e.kind === 'syscall')).toBe(true);
      // Every call's arguments parse with no part left as raw text.
      for (const e of events) {
        if (e.kind !== 'syscall') continue;
        const raw = JSON.stringify(e.args, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        expect(raw.includes('"kind":"raw"') && !e.argsText.includes('<... resuming'), `${c.id}:${e.span.line} ${e.argsText}`).toBe(false);
      }
    });

    it(`${c.id}: format → parse gives the same events`, () => {
      const events = parseText(readFileSync(file, 'utf8'));
      const again = parseText(format(events));
      expect(withoutSpans(again)).toEqual(withoutSpans(events));
    });
  }
});
