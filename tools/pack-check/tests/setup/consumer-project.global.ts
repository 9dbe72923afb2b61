// Vitest global setup: builds, packs and installs the packages once for every test file that
// needs the consumer project (the build writes the workspace's dist/, which two test files
// building at once would race on). A failure is handed to the tests, which report it, rather
// than aborting the run.
import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { createConsumerProject, type ConsumerProject } from '../../src/index.js';

export type ConsumerSetup = { readonly kind: 'ready'; readonly project: ConsumerProject } | { readonly kind: 'failed'; readonly message: string };

declare module 'vitest' {
  export interface ProvidedContext {
    consumerSetup: ConsumerSetup;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let made: ConsumerProject | undefined;
  try {
    made = await createConsumerProject();
    project.provide('consumerSetup', { kind: 'ready', project: made });
  } catch (err) {
    project.provide('consumerSetup', { kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
  return async () => {
    if (made !== undefined) await rm(made.root, { recursive: true, force: true });
  };
}
