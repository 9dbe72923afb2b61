// Which captures a `check FILE|DIR...` run covers. A file is a capture as
// given; a directory is searched (sorted, so runs are reproducible) for
// `capture.strace` files with a `case.json` beside them.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const CAPTURE_FILE = 'capture.strace';
export const CASE_FILE = 'case.json';

export interface CaptureInput {
  readonly file: string;
  /** The case.json beside the capture, when there is one. */
  readonly caseFile?: string;
}

export type Discovery =
  | { readonly kind: 'ok'; readonly inputs: readonly CaptureInput[] }
  | { readonly kind: 'io-error'; readonly path: string; readonly message: string };

export async function discoverCaptures(paths: readonly string[]): Promise<Discovery> {
  const inputs: CaptureInput[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      return { kind: 'io-error', path, message: ioMessage(err) };
    }
    if (info.isDirectory()) {
      const found = await walk(path);
      if (found.kind === 'io-error') return found;
      inputs.push(...found.inputs);
    } else {
      const beside = join(path, '..', CASE_FILE);
      inputs.push(isFile(await statOrNull(beside)) ? { file: path, caseFile: beside } : { file: path });
    }
  }
  return { kind: 'ok', inputs };
}

async function walk(dir: string): Promise<Discovery> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    return { kind: 'io-error', path: dir, message: ioMessage(err) };
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inputs: CaptureInput[] = [];
  const names = new Set(entries.map((e) => e.name));
  if (names.has(CAPTURE_FILE) && names.has(CASE_FILE)) {
    inputs.push({ file: join(dir, CAPTURE_FILE), caseFile: join(dir, CASE_FILE) });
  }
  for (const e of entries) {
    if (!e.isDirectory() || e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const sub = await walk(join(dir, e.name));
    if (sub.kind === 'io-error') return sub;
    inputs.push(...sub.inputs);
  }
  return { kind: 'ok', inputs };
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

function isFile(info: Awaited<ReturnType<typeof statOrNull>>): boolean {
  return info !== null && info.isFile();
}

export function ioMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    switch (err.code) {
      case 'ENOENT':
        return 'no such file or directory';
      case 'EACCES':
        return 'permission denied';
      case 'EISDIR':
        return 'is a directory';
      case 'ENOTDIR':
        return 'not a directory';
      default:
        return err.code;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
