export { main } from './cli/main.js';
export type { CliIo } from './cli/main.js';
export type { TerminalIo, TerminalStream } from './cli/terminal.js';
// The HTML timeline report (engineer H).
export { renderReport } from './report/index.js';
export type { ReportDivergence, ReportOptions } from './report/index.js';
// Verifying other emulators' traces (strace captures, Shadow strace logs) against corpus expectations (engineer H).
export { formatShadowLogs, parseExpectation, parseShadowFiles, verifyNormalized } from './verify/index.js';
export type { ExpectationRead } from './verify/expectation.js';
export type { ShadowWriteOptions } from './verify/shadow-writer.js';
export type { ShadowFile, ShadowLog, ShadowMode, TraceDialect, Unchecked, UncheckedWhat, VerifyResult } from './verify/index.js';
// The replay checker behind `forkscope check`, for harnesses that drive it from code.
export { checkCapture, checkEvents } from './check/check-capture.js';
export type { CheckOptions } from './check/check-capture.js';
export { discoverCaptures } from './check/discover.js';
export type { CaptureInput, Discovery } from './check/discover.js';
export { parseCaseInfo } from './check/case-info.js';
export type { CaseInfo, FsManifestEntry, Parsed } from './check/case-info.js';
export { renderJson } from './check/render-json.js';
export { renderJunit } from './check/render-junit.js';
export { renderText } from './check/render-text.js';
export { RULES, summarize } from './check/report.js';
export type { AdoptedReason, CaptureReport, CheckRun, Divergence, Rule, Verdict } from './check/report.js';
