// Verifying other emulators' traces (strace captures, Shadow strace logs) against the corpus.
export { verifyNormalized } from './verify-trace.js';
export type { TraceDialect, Unchecked, UncheckedWhat, VerifyResult } from './verify-trace.js';
export { isShadowLine, parseShadowFiles, pidOfShadowName, readShadowFiles, simTimeNs, stripPointerNotes } from './shadow-log.js';
export type { ShadowFile, ShadowLog, ShadowMode } from './shadow-log.js';
export { parseExpectation, readExpectation } from './expectation.js';
export { formatShadowLogs } from './shadow-writer.js';
