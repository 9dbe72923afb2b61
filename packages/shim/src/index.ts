// @forkscope/shim: guest runtimes for the forkscope kernel. The replay guest
// drives the kernel with a recorded strace capture, line by line.
export { ReplayGuest } from './replay/replay-guest.js';
export type { ReplayFacts, ReplayOutcome, ReplaySinks } from './replay/replay-guest.js';
export { ReplayScan, replayCapture, startReplay } from './replay/replay-capture.js';
export type { ReplayOptions, FsManifestEntry, ScanResult } from './replay/replay-capture.js';
export type { KernelPort } from './replay/kernel-port.js';
export { PidMap } from './replay/pid-map.js';
export type { ClaimResult, PendingClone } from './replay/pid-map.js';
export { CaptureChanged, REORDER_SLACK, StepOrder, buildSchedule } from './replay/steps.js';
export type { ReplayStep, Schedule, Straggler, UnusableEvent } from './replay/steps.js';
export { convert, signalByName } from './replay/convert.js';
export type { Conversion, PidLookup } from './replay/convert.js';
export type {
  ExitRecord,
  FatalRecord,
  Handling,
  ReplayRecord,
  SignalRecord,
  SkippedRecord,
  SyscallRecord,
} from './replay/records.js';
export {
  after,
  argOf,
  bare,
  before,
  constOf,
  fieldOf,
  flagsOf,
  intOf,
  ptrOf,
  rlimitOf,
  sigsetOf,
  stringArrayOf,
  stringOf,
  waitStatusOf,
} from './replay/values.js';
export type { DecodedString, FlagBits } from './replay/values.js';
export type { NameTable } from './replay/names.js';
// Program models, the model runtime and the vfork strategies (engineer G).
export { MODELS, findModel } from './models/registry.js';
export type { ModelEntry } from './models/registry.js';
export { CaseError, compareRun, loadCase, runModel } from './runtime/model-run.js';
export type { CaseInput, Comparison, ModelRun } from './runtime/model-run.js';
export { STRATEGIES, STRATEGY_NAMES, isStrategyName } from './strategies/strategy.js';
export type { Strategy, StrategyName } from './strategies/strategy.js';
export { Machine } from './runtime/machine.js';
export type { ImageResolver, MachineOptions, MachineRun, ShimNote } from './runtime/machine.js';
export { ModelError, RanPastNoReturn } from './runtime/program.js';
export type { ChildStart, Guest, GuestGen, GuestMemory, Program, SignalHandler, Step, SysResult } from './runtime/program.js';
export { describeDivergence } from './runtime/divergence.js';
