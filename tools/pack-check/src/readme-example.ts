// Finds a README's runnable example: the first fenced block whose info string is `ts example`.
//
// A hand-written line scanner (CommonMark's fence rules, restricted to backtick fences):
// an opening fence is three or more backticks, indented at most three spaces; the block ends
// at a line of at least as many backticks and nothing else but spaces.

/** The marker: a fenced block opened with ```ts example is the README's runnable example. */
export const EXAMPLE_INFO = 'ts example';

export type ExampleSearch =
  | { readonly kind: 'found'; readonly code: string; /** 1-based line of the opening fence. */ readonly line: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unclosed'; readonly line: number };

interface Fence {
  readonly ticks: number;
  readonly info: string;
}

function countLeading(text: string, ch: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] === ch) i++;
  return i - from;
}

/** An opening or closing fence on this line, or undefined. */
function fenceOf(line: string): Fence | undefined {
  const indent = countLeading(line, ' ', 0);
  if (indent > 3) return undefined;
  const ticks = countLeading(line, '`', indent);
  if (ticks < 3) return undefined;
  const info = line.slice(indent + ticks).trim();
  // A backtick in a backtick fence's info string makes it not a fence (inline code instead).
  if (info.includes('`')) return undefined;
  return { ticks, info };
}

/** The words of an info string, split on runs of spaces or tabs. */
function words(info: string): string[] {
  return info.split(/[ \t]+/).filter((w) => w.length > 0);
}

export function findExample(markdown: string): ExampleSearch {
  const lines = markdown.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const wanted = words(EXAMPLE_INFO).join(' ');
  let open: { fence: Fence; line: number; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const fence = fenceOf(text);
    if (open === undefined) {
      if (fence !== undefined) open = { fence, line: i + 1, body: [] };
      continue;
    }
    if (fence !== undefined && fence.info === '' && fence.ticks >= open.fence.ticks) {
      if (words(open.fence.info).join(' ') === wanted) {
        return { kind: 'found', code: `${open.body.join('\n')}\n`, line: open.line };
      }
      open = undefined;
      continue;
    }
    open.body.push(text);
  }
  if (open !== undefined && words(open.fence.info).join(' ') === wanted) return { kind: 'unclosed', line: open.line };
  return { kind: 'missing' };
}
