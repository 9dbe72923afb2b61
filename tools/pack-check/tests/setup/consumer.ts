// The consumer project the global setup made, for a test file's beforeAll.
import { inject } from 'vitest';
import type { ConsumerProject } from '../../src/index.js';
import './consumer-project.global.js';

export function consumerProject(): ConsumerProject {
  const setup = inject('consumerSetup');
  if (setup.kind === 'failed') throw new Error(`building, packing or installing the packages failed:\n${setup.message}`);
  return setup.project;
}
