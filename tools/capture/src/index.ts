// Public API of the capture tools: what the corpus tests (and any other
// consumer of corpus/) use to read captures and check their promises.
export { BIN_DIR, CAPTURE_FILE, CASE_ENV, CASE_FILE, CASE_PATH, STRACE_FLAGS, WORK_DIR } from './config.js';
export { CasesFileError, parseFamilyDefinition, readFamilyDefinition } from './cases-file.js';
export type { BuildLang, BuildStep, CaseDefinition, FamilyDefinition, Fixture } from './cases-file.js';
export type { CaseRecord, ExitStatus } from './case-record.js';
export { buildFsManifest, CONTENT_MAX, describePath, failedOpenPaths, fileData, FsManifestError, parseShebang, pathsFromCalls, readOnlyOpenPaths } from './fs-manifest.js';
export type { FileData, FsEntry } from './fs-manifest.js';
export { scanCorpus, writeManifest } from './manifest.js';
export type { Manifest, ManifestEntry } from './manifest.js';
export { brokenPromises, captureFacts, cloneFlagsOf, decodeCloneFlags, isPromise, keepsPromise, PROMISES } from './promises.js';
export type { CaptureFacts, CapturePromise } from './promises.js';
export { captureProblem } from './run-case.js';
export { decodeCString, findCallClose, joinCalls, scanCapture, scanStraceLine, splitTopLevel, StraceScanError } from './strace-line.js';
export type { JoinedCall, StraceLine } from './strace-line.js';
export { findExecutable, findTools, MissingToolError, REQUIRED_TOOLS } from './tools.js';
export { parseLocatedJson, JsonSyntaxError } from './json-located.js';
