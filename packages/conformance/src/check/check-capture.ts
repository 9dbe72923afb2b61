// One capture, from its file to its report: read, parse, replay through the
// kernel, judge. Bad input never throws out of here; it becomes verdict
// "error" with the file and line, and the other captures are still checked.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import { replayCapture } from '@forkscope/shim';
import type { CaseInfo, FsManifestEntry } from './case-info.js';
import { parseCaseInfo } from './case-info.js';
import type { CaptureInput } from './discover.js';
import { ioMessage } from './discover.js';
import { judge } from './judge.js';
import { checkProcesses } from './processes.js';
import { readCapture } from './read-capture.js';
import type { CaptureReport } from './report.js';

export interface CheckOptions {
  /** `--fs MANIFEST`: used for every capture, in place of the case.json's own. */
  readonly fs?: readonly FsManifestEntry[];
}

export async function checkCapture(input: CaptureInput, options: CheckOptions = {}): Promise<CaptureReport> {
  let info: CaseInfo = {};
  if (input.caseFile !== undefined) {
    let text: string;
    try {
      // Synchronously, as the capture is read (read-capture.ts): a small file, no thread-pool wait.
      text = readFileSync(input.caseFile, 'utf8');
    } catch (err) {
      return errorReport(input.file, info, `${input.caseFile}: ${ioMessage(err)}`);
    }
    const parsed = parseCaseInfo(text);
    if (parsed.kind === 'invalid') return errorReport(input.file, info, `${input.caseFile}: ${parsed.message}`);
    info = parsed.value;
  }
  const read = await readCapture(input.file);
  if (read.kind === 'io-error') return errorReport(input.file, info, `${input.file}: ${read.message}`);
  if (read.kind === 'parse-error') return errorReport(input.file, info, `${input.file}: the parser failed: ${read.message}`);
  const events = read.events;
  return checkEvents(input.file, events, info, options);
}

/** The check proper, on parsed events (tests feed mutated event lists here). */
export function checkEvents(file: string, events: readonly TraceEvent[], info: CaseInfo, options: CheckOptions = {}): CaptureReport {
  const bad = inputProblem(file, events);
  if (bad !== null) return errorReport(file, info, bad);
  const fs = options.fs ?? info.fs;
  let outcome;
  try {
    outcome = replayCapture(events, { ...(fs !== undefined ? { fs } : {}), ...(info.cwd !== undefined ? { cwd: info.cwd } : {}) });
  } catch (err) {
    // A throw here is a bug in the replay or the kernel, not in the input: say so plainly.
    return errorReport(file, info, `internal error while replaying: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (outcome.unusable.length > 0) {
    const u = outcome.unusable[0];
    return errorReport(file, info, `${file}:${u?.line}: ${u?.reason}${outcome.unusable.length > 1 ? ` (and ${outcome.unusable.length - 1} more lines)` : ''}`);
  }
  const j = judge(outcome.records, outcome.pids);
  const processDivergences = j.fatal === undefined ? checkProcesses(events, outcome.kernelEvents, outcome.pids) : [];
  const divergences = [...j.divergences, ...processDivergences].sort((a, b) => a.line - b.line);
  const base = {
    file,
    ...(info.id !== undefined ? { id: info.id } : {}),
    family: familyOf(file, info),
    events: j.events,
    checked: j.checked,
    effectChecked: j.effectChecked,
    adopted: j.adopted,
    divergences,
    adoptedReasons: j.adoptedReasons,
  };
  if (j.fatal !== undefined) return { ...base, verdict: 'error', error: `${file}: ${j.fatal}` };
  return { ...base, verdict: divergences.length === 0 ? 'conforms' : 'diverges' };
}

/**
 * Input that cannot be replayed at all: not strace output, lines the parser did not
 * understand, or a capture cut short (a call or a task the input ends inside).
 */
function inputProblem(file: string, events: readonly TraceEvent[]): string | null {
  // One pass collects every fact; they are then weighed in the order the messages rank.
  let syscalls = 0;
  let firstDiag: Extract<TraceEvent, { kind: 'diagnostic' }> | undefined;
  let cut: SyscallEvent | undefined;
  // Every task strace saw ends with an exit, a kill or being superseded; a missing end means the file was cut.
  const ended = new Set<number | null>();
  const seen = new Map<number | null, number>();
  for (const e of events) {
    switch (e.kind) {
      case 'syscall':
        syscalls++;
        if (cut === undefined && e.outcome.kind === 'unfinished' && e.outcome.reason === 'end-of-input') cut = e;
        // A thread whose execve took over its leader's pid ends under that pid.
        if (e.pidChangedTo !== undefined) ended.add(e.pid);
        else seen.set(e.pid, e.span.endLine);
        break;
      case 'signal':
        seen.set(e.pid, e.span.endLine);
        break;
      case 'diagnostic':
        firstDiag ??= e;
        break;
      case 'exited':
      case 'killed':
      case 'superseded':
      case 'detached':
        ended.add(e.pid);
        break;
      default:
        break;
    }
  }
  if (syscalls === 0) {
    const where = firstDiag ? `:${firstDiag.span.line}` : '';
    return `${file}${where}: not strace output (no syscall lines${firstDiag ? `; first line not understood: ${firstDiag.reason}` : ''})`;
  }
  if (firstDiag !== undefined) return `${file}:${firstDiag.span.line}: not understood: ${firstDiag.reason}`;
  if (cut !== undefined) return `${file}:${cut.span.line}: truncated capture: the input ends inside pid ${cut.pid}'s ${cut.name}`;
  for (const [pid, line] of seen) {
    if (!ended.has(pid)) return `${file}:${line}: truncated capture: pid ${pid} has no exit line after its last line`;
  }
  return null;
}

function familyOf(file: string, info: CaseInfo): string {
  if (info.family !== undefined) return info.family;
  if (info.id !== undefined && info.id.includes('/')) return info.id.slice(0, info.id.indexOf('/'));
  // corpus/<family>/<case>/capture.strace
  if (basename(file) === 'capture.strace') {
    const family = basename(dirname(dirname(file)));
    if (family !== '' && family !== '.') return family;
  }
  return 'other';
}

/** The report of a capture that could not be checked: verdict "error", counted in its family. */
export function errorReport(file: string, info: CaseInfo, error: string): CaptureReport {
  return {
    file,
    ...(info.id !== undefined ? { id: info.id } : {}),
    family: familyOf(file, info),
    verdict: 'error',
    events: 0,
    checked: 0,
    effectChecked: 0,
    adopted: 0,
    divergences: [],
    adoptedReasons: [],
    error,
  };
}
