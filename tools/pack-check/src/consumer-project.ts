// A fresh npm project, outside the workspace, that installs the packed tarballs and nothing else.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportedNames, type ExportedNames } from './exported-names.js';
import { buildWorkspacePackages, stageAndPack, type PackedPackage } from './pack-package.js';
import { cleanEnv, requireSuccess, runCommand } from './run-command.js';
import { PUBLISHED_PACKAGES, WORKSPACE_TSC, WORKSPACE_TYPE_ROOTS } from './workspace.js';

export interface ConsumerProject {
  /** The temporary directory holding the tarballs, the staging copies and the project. */
  readonly root: string;
  /** The consumer project (package.json, node_modules/). */
  readonly dir: string;
  readonly packed: readonly PackedPackage[];
  /**
   * What each package's src/index.ts exported when it was built (read right after the build,
   * not later: the sources may be edited while the tests run).
   */
  readonly exports: Readonly<Record<string, ExportedNames>>;
}

/**
 * Builds the packages, packs them, and installs the tarballs into a new project with npm's
 * network shut off: `--offline`, an empty cache of its own and an unreachable registry, so the
 * install succeeds only if the tarballs need nothing from a registry.
 */
export async function createConsumerProject(): Promise<ConsumerProject> {
  requireSuccess(await buildWorkspacePackages());
  const exports = Object.fromEntries(exportedNames(PUBLISHED_PACKAGES));
  const root = await mkdtemp(join(tmpdir(), 'forkscope-pack-'));
  try {
    return { ...(await packAndInstall(root)), exports };
  } catch (err) {
    // Nothing is left behind when a step fails; the error carries the command's output.
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

async function packAndInstall(root: string): Promise<Omit<ConsumerProject, 'exports'>> {
  const tarballs = join(root, 'tarballs');
  const packed: PackedPackage[] = [];
  for (const pkg of PUBLISHED_PACKAGES) packed.push(await stageAndPack(pkg, join(root, 'staging'), tarballs));
  const dir = join(root, 'consumer');
  await mkdir(dir);
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'forkscope-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  requireSuccess(
    await runCommand(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--cache',
        join(root, 'npm-cache'),
        '--registry',
        'http://127.0.0.1:9/',
        ...packed.map((p) => p.tarball),
      ],
      { cwd: dir, env: cleanEnv() },
    ),
  );
  return { root, dir, packed };
}

/**
 * A tsconfig for a consumer: nodenext, strict, no custom conditions (so packages resolve to
 * their published dist/), the workspace's @types/node, and the shipped declarations checked too.
 */
export function consumerTsconfig(files: readonly string[], outDir?: string): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'es2023',
        lib: ['es2023'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [WORKSPACE_TYPE_ROOTS],
        ...(outDir === undefined ? { noEmit: true } : { outDir, rootDir: '.' }),
      },
      files,
    },
    null,
    2,
  )}\n`;
}

/**
 * Runs the workspace's tsc in `dir` on the named tsconfig. `--pretty false` keeps its errors in the
 * plain `file(line,col): error` form even when the caller's environment forces colour (Nx sets
 * FORCE_COLOR for every task it runs).
 */
export function runConsumerTsc(dir: string, tsconfig: string, extra: readonly string[] = []) {
  return runCommand(process.execPath, [WORKSPACE_TSC, '-p', tsconfig, '--pretty', 'false', ...extra], { cwd: dir });
}
