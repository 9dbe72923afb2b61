// One Vitest configuration for every project of the workspace, so that the
// source condition, the test layout and the JSON report that tools/scripts/test.mjs
// totals are the same everywhere. Plain ESM with a declaration beside it, so that
// each project's type-check can read it without owning it.
import { defaultServerConditions } from 'vite';

/** @param {string} project */
export function workspaceTestConfig(project) {
  const conditions = ['@forkscope/source', ...defaultServerConditions];
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name: project,
      include: ['tests/**/*.test.ts'],
      environment: 'node',
      reporters: ['default', 'json'],
      outputFile: { json: 'reports/vitest.json' },
      passWithNoTests: false,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
}
