export type { Arg, Field, Value } from './values.js';
export type {
  AttachedEvent,
  DetachedEvent,
  DiagnosticEvent,
  ExitedEvent,
  KilledEvent,
  MessageEvent,
  Prefix,
  SignalEvent,
  Span,
  StoppedEvent,
  SummaryEvent,
  SummaryRow,
  SupersededEvent,
  SyscallEvent,
  SyscallOutcome,
  Timestamp,
  TraceEvent,
  TraceEventKind,
} from './events.js';
export { normalize } from './normalize/normalize.js';
export { canonicalJson } from './normalize/canonical-json.js';
export type {
  CloneCall,
  ErrnoName,
  ExecCall,
  KillTarget,
  NormEvent,
  NormEventRef,
  NormExit,
  NormOrdering,
  NormProcess,
  NormResult,
  NormSignal,
  NormTask,
  Normalized,
  OrderingReason,
  SignalRef,
  TaskRef,
  WaitStatus,
  WaitTarget,
} from './normalize/normalized.js';
export { processTree } from './tree/process-tree.js';
export { renderTree } from './tree/render-tree.js';
export type { ProcessTree, TreeCreation, TreeEnd, TreeExec, TreeProcess, TreeThread } from './tree/process-tree.js';
export type { CloneCallName } from './tree/clone-call.js';
// Parser, formatter and value helpers (engineer B).
export { parse, parseBatches, parseText, parseFile, parseFiles, parseWindows, pidOfFfName } from './parse.js';
export type { EventWindow } from './parse.js';
export type { Dialect, ParseInput, ParseOptions, SkipCall } from './parse.js';
export { TraceParser } from './trace-parser.js';
export { format, formatEvent } from './format.js';
export { parseArgs, parseValue } from './value-parse.js';
export { skipString } from './text-scan.js';
export {
  argAt,
  fieldOf,
  flagNames,
  namedArg,
  plainDecimal,
  signalSetOf,
  unwrap,
  valueToBigInt,
  valueToBytes,
  valueToString,
} from './value-helpers.js';
export type { SignalSet } from './value-helpers.js';
export { errnoName, ERRNO_NAMES } from './errno.js';
export { diffNormalized, describeDifference } from './normalize/diff-normalized.js';
export type { NormDifference } from './normalize/diff-normalized.js';
