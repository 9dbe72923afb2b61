// Where the workspace is, and which of its packages are published.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is at tools/pack-check/{src,dist}/workspace.*). */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A package users install from the registry. */
export interface PublishedPackage {
  /** Directory under packages/. */
  readonly dir: string;
  /** npm name. */
  readonly name: string;
}

/** The published packages, in dependency order (a package comes after what it depends on). */
export const PUBLISHED_PACKAGES: readonly PublishedPackage[] = [
  { dir: 'tracer', name: '@forkscope/tracer' },
  { dir: 'kernel', name: '@forkscope/kernel' },
  { dir: 'shim', name: '@forkscope/shim' },
  { dir: 'conformance', name: '@forkscope/conformance' },
];

export function packageRoot(pkg: PublishedPackage): string {
  return join(WORKSPACE_ROOT, 'packages', pkg.dir);
}

/** The workspace's own compiler: consumers are checked with the TypeScript the packages are built with. */
export const WORKSPACE_TSC = join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The workspace's `@types`, so a consumer project type-checks Node APIs without installing anything. */
export const WORKSPACE_TYPE_ROOTS = join(WORKSPACE_ROOT, 'node_modules', '@types');
