// Each package README's runnable example (the first ```ts example block), compiled with the
// workspace's TypeScript against the packed-and-installed packages and run with Node from the
// repository root (examples may read corpus/ files). The README is the first code a user runs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consumerTsconfig,
  describeResult,
  EXAMPLE_INFO,
  findExample,
  packageRoot,
  PUBLISHED_PACKAGES,
  runCommand,
  runConsumerTsc,
  WORKSPACE_ROOT,
  type ConsumerProject,
} from '../src/index.js';
import { consumerProject } from './setup/consumer.js';

let project: ConsumerProject;
beforeAll(() => {
  project = consumerProject();
});

describe.each(PUBLISHED_PACKAGES)('$name README example', (pkg) => {
  it('type-checks and runs to exit 0 against the installed package', async () => {
    const readme = join('packages', pkg.dir, 'README.md');
    const found = findExample(await readFile(join(packageRoot(pkg), 'README.md'), 'utf8'));
    switch (found.kind) {
      case 'missing':
        throw new Error(`${readme} has no runnable example: mark one fenced block as \`\`\`${EXAMPLE_INFO}`);
      case 'unclosed':
        throw new Error(`${readme}:${found.line}: the \`\`\`${EXAMPLE_INFO} block is never closed`);
      case 'found':
        break;
      default: {
        const unreachable: never = found;
        throw new Error(`unexpected search result ${JSON.stringify(unreachable)}`);
      }
    }
    const source = `readme-${pkg.dir}.ts`;
    await writeFile(join(project.dir, source), found.code);
    const tsconfig = `tsconfig.readme-${pkg.dir}.json`;
    await writeFile(join(project.dir, tsconfig), consumerTsconfig([source], 'readme-out'));
    const compiled = await runConsumerTsc(project.dir, tsconfig);
    // tsc reports lines of the extracted block; the block's first line is the fence's next line.
    expect(compiled.code, `${readme} (block at line ${found.line}, code starts at line ${found.line + 1}):\n${describeResult(compiled)}`).toBe(0);
    const ran = await runCommand(process.execPath, [join(project.dir, 'readme-out', `readme-${pkg.dir}.js`)], {
      cwd: WORKSPACE_ROOT,
      timeoutMs: 120_000,
    });
    expect(ran.code, `${readme} example (line ${found.line}):\n${describeResult(ran)}`).toBe(0);
  });
});
