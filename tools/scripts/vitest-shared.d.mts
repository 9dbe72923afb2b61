import type { ViteUserConfig } from 'vitest/config';
export declare function workspaceTestConfig(project: string): ViteUserConfig;
