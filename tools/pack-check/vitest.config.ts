import { defineConfig } from 'vitest/config';
import { workspaceTestConfig } from '../../tools/scripts/vitest-shared.mjs';

export default defineConfig(workspaceTestConfig('pack-check'));
