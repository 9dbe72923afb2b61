// Each published package's package.json says what a registry and a consumer need to know,
// and its exports map keeps the workspace's source condition first.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot, PUBLISHED_PACKAGES } from '../src/index.js';

type Json = Record<string, unknown>;

async function manifestOf(dir: string): Promise<Json> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Json;
}

describe.each(PUBLISHED_PACKAGES)('$name package.json', (pkg) => {
  it('names itself, describes itself and lists keywords', async () => {
    const m = await manifestOf(packageRoot(pkg));
    expect(m['name']).toBe(pkg.name);
    expect(m['private']).not.toBe(true);
    expect(typeof m['description']).toBe('string');
    expect((m['description'] as string).length).toBeGreaterThan(20);
    expect(Array.isArray(m['keywords'])).toBe(true);
    expect((m['keywords'] as unknown[]).length).toBeGreaterThan(0);
    expect(typeof m['license']).toBe('string');
  });

  it('is an ES module with no side effects, for Node >= 20.19, shipping dist/ and its README', async () => {
    const m = await manifestOf(packageRoot(pkg));
    expect(m['type']).toBe('module');
    expect(m['sideEffects']).toBe(false);
    expect((m['engines'] as Json | undefined)?.['node']).toBe('>=20.19');
    const files = m['files'] as string[];
    expect(files).toContain('dist');
    expect(files).toContain('README.md');
  });

  it('exports "." with @forkscope/source first, then types, then the dist/ JavaScript', async () => {
    const m = await manifestOf(packageRoot(pkg));
    const dot = (m['exports'] as Json)['.'] as Json;
    // Condition order is significant: Node and TypeScript take the first key that matches.
    expect(Object.keys(dot)).toEqual(['@forkscope/source', 'types', 'import', 'default']);
    expect(dot['@forkscope/source']).toBe('./src/index.ts');
    expect(dot['types']).toBe('./dist/index.d.ts');
    expect(dot['import']).toBe('./dist/index.js');
    expect(dot['default']).toBe('./dist/index.js');
    // Tools that predate exports maps read these.
    expect(m['main']).toBe('./dist/index.js');
    expect(m['types']).toBe('./dist/index.d.ts');
  });

  it('depends at run time only on sibling packages, at their current versions', async () => {
    const m = await manifestOf(packageRoot(pkg));
    const deps = (m['dependencies'] ?? {}) as Record<string, string>;
    for (const [name, range] of Object.entries(deps)) {
      const sibling = PUBLISHED_PACKAGES.find((p) => p.name === name);
      expect(sibling, `${pkg.name} depends on ${name}, which is not one of the published packages`).toBeDefined();
      if (sibling === undefined) continue;
      expect(range).toBe((await manifestOf(packageRoot(sibling)))['version']);
    }
    expect(m['peerDependencies']).toBeUndefined();
  });
});

it('the conformance package ships the forkscope bin', async () => {
  const m = await manifestOf(packageRoot({ dir: 'conformance', name: '@forkscope/conformance' }));
  expect(m['bin']).toEqual({ forkscope: './bin/forkscope.mjs' });
  expect(m['files']).toContain('bin');
});
