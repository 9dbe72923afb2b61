// The scanner that finds a README's runnable example (```ts example), on its own.
import { describe, expect, it } from 'vitest';
import { findExample } from '../src/index.js';

describe('findExample', () => {
  it('takes the first block marked `ts example`, not an earlier plain ts block', () => {
    const md = ['# pkg', '', '```ts', 'plain();', '```', '', '```ts example', 'first();', '```', '```ts example', 'second();', '```', ''].join('\n');
    expect(findExample(md)).toEqual({ kind: 'found', code: 'first();\n', line: 7 });
  });

  it('accepts extra spaces in the info string, indentation up to three spaces and longer fences', () => {
    const md = ['   ````ts   example', 'const a = "```";', '```', 'still();', '````', ''].join('\n');
    expect(findExample(md)).toEqual({ kind: 'found', code: 'const a = "```";\n```\nstill();\n', line: 1 });
  });

  it('keeps blank lines and CRLF-free text of the block', () => {
    const md = '```ts example\r\na();\r\n\r\nb();\r\n```\r\n';
    expect(findExample(md)).toEqual({ kind: 'found', code: 'a();\n\nb();\n', line: 1 });
  });

  it('does not treat a ts example fence inside another block as a marker', () => {
    const md = ['````md', '```ts example', 'inner();', '```', '````'].join('\n');
    expect(findExample(md)).toEqual({ kind: 'missing' });
  });

  it('ignores blocks whose info merely starts with ts or example', () => {
    expect(findExample('```tsx example\nx\n```\n')).toEqual({ kind: 'missing' });
    expect(findExample('```ts examples\nx\n```\n')).toEqual({ kind: 'missing' });
    expect(findExample('```ts\nx\n```\n')).toEqual({ kind: 'missing' });
    // Four spaces of indentation is an indented code block, not a fence.
    expect(findExample('    ```ts example\nx\n    ```\n')).toEqual({ kind: 'missing' });
  });

  it('reports an example block that is never closed, with its line', () => {
    expect(findExample('text\n\n```ts example\nrun();\n')).toEqual({ kind: 'unclosed', line: 3 });
  });
});
