export { main } from './cli/main.js';
export type { CliIo } from './cli/main.js';
// The HTML timeline report (engineer H).
export { renderReport } from './report/index.js';
export type { ReportDivergence, ReportOptions } from './report/index.js';
// Verifying other emulators' traces (strace captures, Shadow strace logs) against corpus expectations (engineer H).
export { formatShadowLogs, parseExpectation, parseShadowFiles, verifyNormalized } from './verify/index.js';
export type { ShadowFile, ShadowLog, ShadowMode, TraceDialect, Unchecked, UncheckedWhat, VerifyResult } from './verify/index.js';
