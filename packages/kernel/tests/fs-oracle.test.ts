// Differential test: random small trees are built both on the real filesystem (in a temporary
// directory) and in a Vfs, and the running kernel's execve result for random paths is compared
// with resolveExec's (and chdir's with resolveChdir's): once as the caller itself, and (when running as root) once as uid/gid 65534
// with varied directory and file modes, so search and exec permission classes are checked too.
// Needs Linux and python3, which issues execve without libc's ENOEXEC shell fallback.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbeServer, pythonAvailable } from '../scripts/probe-client.mjs';
import { Vfs } from '../src/fs/vfs.js';
import type { FileContent } from '../src/fs/vfs.js';

const probe = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'exec-probe.py');
const trueBin = existsSync('/bin/true') ? realpathSync('/bin/true') : '';
const runnable = process.platform === 'linux' && trueBin !== '' && pythonAvailable();

type Kind = 'dir' | 'elf' | 'script' | 'empty' | 'text' | 'link' | 'dev';
interface Spec {
  readonly names: string[];
  readonly kind: Kind;
  readonly exec: boolean;
  readonly interp: number;
  readonly arg: number;
  readonly target: number;
  /** Index into MODES for directories and into FILE_MODES for files, when testing as non-root. */
  readonly mode: number;
}

const DIR_MODES = [0o755, 0o700, 0o711, 0o744, 0o701];
const FILE_MODES = [0o755, 0o700, 0o701, 0o710, 0o644, 0o711];

const NAMES = ['q1', 'q2', 'q3'];

function build(root: string, specs: readonly Spec[], varyModes: boolean): { fs: Vfs; created: string[] } {
  const fs = new Vfs();
  fs.writeFile('/bin/true', { kind: 'elf' }, { mode: 0o755 });
  fs.mkdir(root);
  const interps = ['/bin/true', `${root}/q1`, 'q2', '/nonexistent/interp', `${root}/q1/q2`, ''];
  const args = ['', ' x', ' x  y ', '\t'];
  const targets = ['q1', 'q2/q3', '../q1', `${root}/q2`, '/bin/true', 'none', '.', 'q3/', '..'];
  const madeDirs = new Set<string>([root]);
  const taken = new Set<string>();
  for (const s of specs) {
    const rel = s.names.join('/');
    const path = `${root}/${rel}`;
    const parent = dirname(path);
    if (!madeDirs.has(parent) || taken.has(path)) continue;
    taken.add(path);
    const mode = varyModes ? (FILE_MODES[s.mode % FILE_MODES.length] as number) : s.exec ? 0o755 : 0o644;
    const dirMode = varyModes ? (DIR_MODES[s.mode % DIR_MODES.length] as number) : 0o755;
    switch (s.kind) {
      case 'dir':
        mkdirSync(path);
        chmodSync(path, dirMode);
        fs.mkdir(path, { mode: dirMode });
        madeDirs.add(path);
        break;
      case 'elf':
        copyFileSync(trueBin, path);
        chmodSync(path, mode);
        fs.writeFile(path, { kind: 'elf' }, { mode });
        break;
      case 'script':
      case 'empty':
      case 'text': {
        let text = '';
        let content: FileContent = { kind: 'empty' };
        if (s.kind === 'script') {
          text = `#!${interps[s.interp % interps.length]}${args[s.arg % args.length]}\necho\n`;
          content = { kind: 'script', head: text };
        } else if (s.kind === 'text') {
          text = 'echo hello\n';
          content = { kind: 'text' };
        }
        writeFileSync(path, text);
        chmodSync(path, mode);
        fs.writeFile(path, content, { mode });
        break;
      }
      case 'link': {
        const target = targets[s.target % targets.length] as string;
        symlinkSync(target, path);
        fs.symlink(path, target);
        break;
      }
      case 'dev':
        // A fifo stands in for "other" (mknod of a device needs privilege).
        if (spawnSync('mkfifo', ['-m', '0755', path]).status !== 0) {
          taken.delete(path);
          break;
        }
        fs.mknod(path, { mode: 0o755 });
        break;
    }
  }
  return { fs, created: [...taken] };
}

const spec: fc.Arbitrary<Spec> = fc.record({
  names: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }),
  kind: fc.constantFrom<Kind>('dir', 'dir', 'elf', 'script', 'script', 'empty', 'text', 'link', 'link', 'dev'),
  exec: fc.boolean(),
  interp: fc.nat(20),
  arg: fc.nat(20),
  target: fc.nat(20),
  mode: fc.nat(30),
});

const pathArb = fc.record({
  absolute: fc.boolean(),
  parts: fc.array(fc.constantFrom('q1', 'q2', 'q3', '.', '..', 'zz'), { minLength: 1, maxLength: 4 }),
  slash: fc.boolean(),
});

const isRoot = process.getuid?.() === 0;

/** Builds random trees, execs random paths there for real and in the model, and compares. */
async function compare(server: ProbeServer, asNobody: boolean): Promise<void> {
  const cred = asNobody ? { uid: 65534, gid: 65534 } : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 14 }), fc.array(pathArb, { minLength: 1, maxLength: 12 }), async (specs, paths) => {
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'fsoracle-')));
      chmodSync(root, 0o755);
      try {
        const { fs, created } = build(root, specs, asNobody);
        // Every node made, then random paths through the tree. Relative paths must not climb
        // out of the tree (the model only mirrors the tree).
        const list = created.concat(
          paths.map((p) => {
            const parts = p.absolute ? p.parts : p.parts[0] === '..' ? ['.', ...p.parts.slice(1)] : p.parts;
            return `${p.absolute ? `${root}/` : ''}${parts.join('/')}${p.slash ? '/' : ''}`;
          }),
        );
        const ids = asNobody ? [cred.uid, cred.gid] : null;
        const run = async (mode: string): Promise<string[]> =>
          (await server.request({ cwd: root, ids, mode, paths: list })) as string[];
        const real = await run('exec');
        for (const x of real) seen.add(x);
        list.forEach((path, i) => {
          const m = fs.resolveExec(path, root, { cred });
          const model = m.kind === 'ok' ? 'ok' : m.kind === 'error' ? m.errno : `unknown ${m.path}`;
          expect(model, `execve(${JSON.stringify(path)}) in ${root}`).toBe(real[i]);
        });
        const realCd = await run('chdir');
        list.forEach((path, i) => {
          const m = fs.resolveChdir(path, root, { cred });
          const model = m.kind === 'ok' ? 'ok' : m.kind === 'error' ? m.errno : `unknown ${m.path}`;
          expect(model, `chdir(${JSON.stringify(path)}) in ${root}`).toBe(realCd[i]);
        });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }),
    {
      numRuns: 15,
      // One fixed tree that reaches every outcome, so the coverage check below never depends on luck.
      examples: [
        [
          [
            { names: ['q1'], kind: 'elf', exec: true, interp: 0, arg: 0, target: 0, mode: 0 },
            { names: ['q2'], kind: 'text', exec: true, interp: 0, arg: 0, target: 0, mode: 0 },
            { names: ['q3'], kind: 'elf', exec: false, interp: 0, arg: 0, target: 0, mode: 4 },
          ],
          [
            { absolute: false, parts: ['zz'], slash: false },
            { absolute: true, parts: ['q1'], slash: true },
          ],
        ],
      ],
    },
  );
  // The comparison only means something if the runs reached the interesting outcomes.
  for (const outcome of ['ok', 'ENOENT', 'EACCES', 'ENOEXEC', 'ENOTDIR']) expect([...seen]).toContain(outcome);
}

describe('Vfs against the running kernel', () => {
  const server = runnable ? new ProbeServer(probe) : null;
  afterAll(() => server?.close());

  it.skipIf(!runnable)('resolveExec gives the errno (or success) execve gives on this machine (property)', async () => {
    await compare(server as ProbeServer, false);
  }, 300_000);

  it.skipIf(!runnable || !isRoot)('…and the same for an unprivileged caller, with search and exec permission bits (property)', async () => {
    await compare(server as ProbeServer, true);
  }, 300_000);
});
