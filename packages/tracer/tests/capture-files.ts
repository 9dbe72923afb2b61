// Test helper: the real captures tests read, found on disk (the corpus, and the benchmark's
// captures when `npm run bench` has made them; they are not committed).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const corpusDir = join(import.meta.dirname, '..', '..', '..', 'corpus');
export const benchDir = join(import.meta.dirname, '..', '..', '..', 'tmp', 'bench');

/** Every `.strace` file under `dir`, sorted; none when it is missing. */
export function captureFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    if (ent.isDirectory()) out.push(...captureFiles(join(dir, ent.name)));
    else if (ent.name.endsWith('.strace')) out.push(join(dir, ent.name));
  }
  return out.sort();
}

/** The benchmark's two captures that exist here. */
export function benchCaptures(): string[] {
  return ['capture-f-ttt-T.strace', 'capture-f.strace'].map((n) => join(benchDir, n)).filter((f) => existsSync(f));
}
