// Builds the published packages and packs each from a clean copy, as a release would.
//
// The workspace's dist/ directories are shared by everyone working in the checkout and keep
// outputs of sources that have since been deleted, so a tarball packed from them could carry
// stale modules. Each package is therefore compiled again, from its current sources, into a
// staging copy (package.json, README, bin/ and a fresh dist/), and packed from there.
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanEnv, requireSuccess, runCommand, type CommandResult } from './run-command.js';
import { packageRoot, PUBLISHED_PACKAGES, WORKSPACE_ROOT, WORKSPACE_TSC, type PublishedPackage } from './workspace.js';

/** `tsc -b` of every published package's library tsconfig, in the workspace (writes dist/). */
export function buildWorkspacePackages(): Promise<CommandResult> {
  const configs = PUBLISHED_PACKAGES.map((p) => join('packages', p.dir, 'tsconfig.lib.json'));
  return runCommand(process.execPath, [WORKSPACE_TSC, '-b', ...configs], { cwd: WORKSPACE_ROOT });
}

export interface PackedPackage {
  readonly pkg: PublishedPackage;
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Paths inside the tarball, relative to the package root. */
  readonly files: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles `pkg` from its sources into `stagingRoot/<dir>/dist`, copies what the package ships
 * besides, and packs it into `tarballDir`. Needs the workspace build first: the packages a
 * package depends on are read from their declarations, as its own build reads them.
 */
export async function stageAndPack(pkg: PublishedPackage, stagingRoot: string, tarballDir: string): Promise<PackedPackage> {
  const src = packageRoot(pkg);
  const stage = join(stagingRoot, pkg.dir);
  await mkdir(stage, { recursive: true });
  await mkdir(tarballDir, { recursive: true });
  requireSuccess(
    await runCommand(
      process.execPath,
      [
        WORKSPACE_TSC,
        '-p',
        join(src, 'tsconfig.lib.json'),
        '--outDir',
        join(stage, 'dist'),
        '--tsBuildInfoFile',
        join(stagingRoot, `${pkg.dir}.tsbuildinfo`),
      ],
      { cwd: WORKSPACE_ROOT },
    ),
  );
  await cp(join(src, 'package.json'), join(stage, 'package.json'));
  for (const extra of ['README.md', 'LICENSE', 'bin']) {
    if (await exists(join(src, extra))) await cp(join(src, extra), join(stage, extra), { recursive: true });
  }
  const packed = requireSuccess(
    await runCommand('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballDir], {
      cwd: stage,
      env: cleanEnv(),
    }),
  );
  const report = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const entry = report[0];
  if (report.length !== 1 || entry === undefined) throw new Error(`npm pack in ${stage} reported ${report.length} packages`);
  return { pkg, tarball: join(tarballDir, entry.filename), files: entry.files.map((f) => f.path) };
}

/** The package.json a package ships, parsed. */
export async function readManifest(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}
