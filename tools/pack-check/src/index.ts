// @forkscope/pack-check: builds, packs and installs the published packages the way their users
// get them, for the tests in tests/ to exercise.
export { PUBLISHED_PACKAGES, WORKSPACE_ROOT, WORKSPACE_TSC, WORKSPACE_TYPE_ROOTS, packageRoot } from './workspace.js';
export type { PublishedPackage } from './workspace.js';
export { cleanEnv, describeResult, requireSuccess, runCommand } from './run-command.js';
export type { CommandResult, RunOptions } from './run-command.js';
export { buildWorkspacePackages, readManifest, stageAndPack } from './pack-package.js';
export type { PackedPackage } from './pack-package.js';
export { consumerTsconfig, createConsumerProject, runConsumerTsc } from './consumer-project.js';
export type { ConsumerProject } from './consumer-project.js';
export { EXAMPLE_INFO, findExample } from './readme-example.js';
export type { ExampleSearch } from './readme-example.js';
export { exportedNames } from './exported-names.js';
export type { ExportedNames } from './exported-names.js';
export { runReadmeExample } from './readme-runner.js';
export type { ExampleRun } from './readme-runner.js';
