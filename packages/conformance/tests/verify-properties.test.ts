// Arbitrary input never crashes the Shadow reader or the report, and never escapes the page.
import fc from 'fast-check';
import { parseText } from '@forkscope/tracer';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report/index.js';
import { parseShadowFiles, stripPointerNotes } from '../src/verify/index.js';

// Lines made of the pieces that matter to the scanners, so that near-misses are common.
const piece = fc.constantFrom(
  '00:00:01.000000000 [tid 1000] ', '00:00:0', '[tid ', '] ', 'execve(', 'clone3(', '<pointer>', ', ', ') = ', '0', '1001',
  '-2 (ENOENT)', '<native>', '<blocked>', '^^^ = SyscallReg { as_i64: ', '}', '"', '\\"', ' (0x', '7ffc', ')', '[', ']', '{', '<', '>', '</script>', '\u2028', '\u00ff',
);
const line = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
const file = fc.array(line, { maxLength: 8 }).map((l) => l.join('\n'));

describe('Shadow reader and report on arbitrary input', () => {
  it('parseShadowFiles never throws, and every non-blank line is an event or part of one', () => {
    fc.assert(
      fc.property(fc.array(file, { minLength: 1, maxLength: 3 }), (texts) => {
        const files = texts.map((text, i) => ({ name: `p.${1000 + i}.strace`, text }));
        const log = parseShadowFiles(files);
        for (const [i, f] of files.entries()) {
          f.text.split('\n').forEach((l, n) => {
            if (l.trim() === '') return;
            const covered = log.events.some((e) => e.span.file === `p.${1000 + i}.strace` && e.span.line <= n + 1 && n + 1 <= e.span.endLine);
            expect(covered, `${f.name}:${n + 1}: ${l}`).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stripPointerNotes only removes ` (0xHEX)` notes outside strings', () => {
    fc.assert(
      fc.property(line, (l) => {
        const out = stripPointerNotes(l);
        // Removing a note never adds text, and applying it twice changes nothing more.
        expect(out.length).toBeLessThanOrEqual(l.length);
        expect(stripPointerNotes(out)).toBe(out);
      }),
      { numRuns: 500 },
    );
  });

  it('renderReport never throws, and capture text never closes the data block', () => {
    fc.assert(
      fc.property(file, (text) => {
        const html = renderReport(parseText(text), { title: text.slice(0, 40) });
        expect(html.split('</script>')).toHaveLength(3);
        expect(html.split('<script').length).toBe(3);
      }),
      { numRuns: 200 },
    );
  });
});
