import { defineConfig } from 'vitest/config';
import { workspaceTestConfig } from '../../tools/scripts/vitest-shared.mjs';

const shared = workspaceTestConfig('pack-check');

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    // Build, pack and install once for every test file (tests/setup/consumer.ts reads it).
    globalSetup: ['./tests/setup/consumer-project.global.ts'],
    // Packing and installing is slow on a busy machine; nothing here is timed.
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
