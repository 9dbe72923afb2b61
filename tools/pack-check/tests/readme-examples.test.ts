// Each package README's runnable example (the first ```ts example block) type-checks against the
// packed-and-installed packages and runs to exit 0. The README is the first code a user runs.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeResult, EXAMPLE_INFO, packageRoot, PUBLISHED_PACKAGES, runReadmeExample, type ConsumerProject, type ExampleRun } from '../src/index.js';
import { consumerProject } from './setup/consumer.js';

let project: ConsumerProject;
beforeAll(() => {
  project = consumerProject();
});

/** Why an example did not run cleanly, naming the README and the block's line. */
function failure(readme: string, run: ExampleRun): string {
  switch (run.kind) {
    case 'missing':
      return `${readme} has no runnable example: mark one fenced block as \`\`\`${EXAMPLE_INFO}`;
    case 'unclosed':
      return `${readme}:${run.line}: the \`\`\`${EXAMPLE_INFO} block is never closed`;
    case 'compile-failed':
      // tsc's line numbers count from the block's first line (README line + 1 + n - 1).
      return `${readme}:${run.line}: the example does not type-check\n${describeResult(run.result)}`;
    case 'run-failed':
      return `${readme}:${run.line}: the example failed when run\n${describeResult(run.result)}`;
    case 'ran':
      return '';
    default: {
      const unreachable: never = run;
      return `unexpected outcome ${JSON.stringify(unreachable)}`;
    }
  }
}

describe.each(PUBLISHED_PACKAGES)('$name README', (pkg) => {
  it('has a ```ts example block that type-checks and runs to exit 0 against the installed packages', async () => {
    const readme = join('packages', pkg.dir, 'README.md');
    const run = await runReadmeExample(join(packageRoot(pkg), 'README.md'), pkg.dir, project.dir);
    expect(run.kind, failure(readme, run)).toBe('ran');
  });
});

// The runner itself, on READMEs written for it, so that a pass above means something.
describe('the README example runner', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/readmes/${name}`, import.meta.url));

  it('runs the marked block (not an earlier ts block) and reports a clean exit', async () => {
    const run = await runReadmeExample(fixture('passing.md'), 'fixture-passing', project.dir);
    expect(run.kind, failure('passing.md', run)).toBe('ran');
    expect(run.kind === 'ran' ? run.line : 0).toBe(8);
  });

  it('reports an example that exits non-zero, with its status', async () => {
    const run = await runReadmeExample(fixture('failing.md'), 'fixture-failing', project.dir);
    expect(run.kind).toBe('run-failed');
    expect(run.kind === 'run-failed' ? run.result.code : null).toBe(3);
  });

  it('reports an example that does not type-check, with the error', async () => {
    const run = await runReadmeExample(fixture('ill-typed.md'), 'fixture-ill-typed', project.dir);
    expect(run.kind).toBe('compile-failed');
    expect(run.kind === 'compile-failed' ? run.result.stdout : '').toContain('readme-fixture-ill-typed.ts(3,');
  });
});
