// What execve(path) finds: an ELF image, reached directly or through `#!` interpreters, or the
// errno Linux returns (fs/exec.c do_open_execat + exec_binprm, fs/binfmt_script.c).
//
// API:
//   resolveExecIn(vfs, path, cwd, cred, follow) — use Vfs.resolveExec
//   → { kind:'ok', image, scripts } | { kind:'error', errno } | { kind:'unknown', path }
//     image: canonical path of the ELF finally loaded; scripts: each `#!` level in order, with the
//     name it was opened by (the path as passed, then each interpreter as written).
//   interpreterArgv(resolution, argv) → the argv the ELF receives (D21).
//
// Per open (the file and each interpreter, each with its own 40-symlink budget, D10): the walk's
// errno; a directory, device, fifo or socket → EACCES; a regular file without the needed x bit →
// EACCES (root needs at least one x bit, D4). Then the format: ELF → done; `#!` → open the
// interpreter (relative to the cwd) and repeat; anything else, including an empty file → ENOEXEC
// (D5). exec_binprm allows the handler loop to run at depths 0..5, so a sixth nested `#!` level
// fails with ELOOP.
import type { ErrnoName } from '../errno.js';
import { BINPRM_BUF_SIZE, parseShebang } from './shebang.js';
import type { Cred, FileContent, Vfs, VfsNode } from './vfs.js';
import { permits } from './vfs.js';

export const MAX_BINFMT_DEPTH = 5;

export interface ScriptLevel {
  /** The name this level was opened by: the path as passed, or the previous level's interpreter. */
  readonly filename: string;
  /** Where that name led. */
  readonly path: string;
  readonly interpreter: string;
  readonly arg: string | null;
}

export type ExecResolution =
  | { readonly kind: 'ok'; readonly image: string; readonly scripts: readonly ScriptLevel[] }
  | { readonly kind: 'error'; readonly errno: ErrnoName }
  | { readonly kind: 'unknown'; readonly path: string };

type Opened =
  | { kind: 'file'; path: string; node: Extract<VfsNode, { kind: 'file' }> }
  | { kind: 'error'; errno: ErrnoName }
  | { kind: 'unknown'; path: string };

/** do_open_execat: walk, then may_open's file-type check, then the exec permission. */
function openExec(vfs: Vfs, name: string, cwd: string, cred: Cred, follow: boolean): Opened {
  const r = vfs.walk(name, cwd, follow, cred);
  if (r.kind !== 'found') return r;
  const node = r.node;
  switch (node.kind) {
    case 'directory':
      if (node.implied) return { kind: 'unknown', path: r.path };
      return { kind: 'error', errno: 'EACCES' };
    case 'other':
      return { kind: 'error', errno: 'EACCES' };
    case 'symlink':
      // Only reachable with follow = false (execveat AT_SYMLINK_NOFOLLOW on a final link, D23).
      return { kind: 'error', errno: 'ELOOP' };
    case 'absent':
      return { kind: 'error', errno: node.errno };
    case 'file': {
      const may = permits(node, cred, 1);
      if (may === null) return { kind: 'unknown', path: r.path };
      if (!may) return { kind: 'error', errno: 'EACCES' };
      return { kind: 'file', path: r.path, node };
    }
    default: {
      const never: never = node;
      throw new Error(`openExec: unknown node ${JSON.stringify(never)}`);
    }
  }
}

export function resolveExecIn(vfs: Vfs, path: string, cwd: string, cred: Cred, follow: boolean): ExecResolution {
  let opened = openExec(vfs, path, cwd, cred, follow);
  let filename = path;
  const scripts: ScriptLevel[] = [];
  for (let depth = 0; ; depth++) {
    if (opened.kind !== 'file') return opened;
    if (depth > MAX_BINFMT_DEPTH) return { kind: 'error', errno: 'ELOOP' };
    const content = contentOf(opened.node);
    if (content === null) return { kind: 'unknown', path: opened.path };
    switch (content.kind) {
      case 'elf':
        return { kind: 'ok', image: opened.path, scripts };
      case 'empty':
      case 'text':
        return { kind: 'error', errno: 'ENOEXEC' };
      case 'script': {
        const sb = parseShebang(content.head);
        if (sb.kind !== 'script') return { kind: 'error', errno: 'ENOEXEC' };
        scripts.push({ filename, path: opened.path, interpreter: sb.interpreter, arg: sb.arg });
        filename = sb.interpreter;
        // The interpreter is opened by name like open_exec: from the cwd, following links. open_exec
        // does not refuse an empty name ("#!\0"): it resolves to the cwd itself, a directory → EACCES.
        opened = openExec(vfs, sb.interpreter === '' ? '.' : sb.interpreter, cwd, cred, true);
        break;
      }
      default: {
        const never: never = content;
        throw new Error(`resolveExec: unknown content ${JSON.stringify(never)}`);
      }
    }
  }
}

/**
 * The argv the final image receives. Per `#!` level, load_script drops argv[0] and prepends
 * interpreter, the optional argument, and the name the script was opened by; since Linux 5.18 an
 * empty argv first becomes {""} (D2), so an empty argv yields {interp, script} (D21).
 */
export function interpreterArgv(resolution: Extract<ExecResolution, { kind: 'ok' }>, argv: readonly string[]): string[] {
  let out = argv.length === 0 ? [''] : [...argv];
  for (const level of resolution.scripts) {
    const head = [level.interpreter];
    if (level.arg !== null) head.push(level.arg);
    head.push(level.filename);
    out = [...head, ...out.slice(1)];
  }
  return out;
}

/**
 * What exec finds in a file: read from its bytes when the kernel knows them (a file it wrote, or
 * whose content the manifest recorded), else what the manifest said (the file after the run).
 */
function contentOf(node: Extract<VfsNode, { kind: 'file' }>): FileContent | null {
  const head = node.data.prefix(BINPRM_BUF_SIZE);
  if (head === null) return node.content;
  if (head.length === 0) return { kind: 'empty' };
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return { kind: 'elf' };
  if (head[0] === 0x23 && head[1] === 0x21) return { kind: 'script', head: String.fromCharCode(...head) };
  return { kind: 'text' };
}
