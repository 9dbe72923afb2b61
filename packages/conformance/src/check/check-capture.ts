// One capture, from its file to its report: read, parse, replay through the
// kernel, judge, a window of events at a time. Bad input never throws out of here; it becomes verdict
// "error" with the file and line, and the other captures are still checked.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import { CaptureChanged, ReplayScan, startReplay } from '@forkscope/shim';
import type { ReplayGuest, ReplayOptions } from '@forkscope/shim';
import type { CaseInfo, FsManifestEntry } from './case-info.js';
import { parseCaseInfo } from './case-info.js';
import type { CaptureInput } from './discover.js';
import { ioMessage } from './discover.js';
import { JudgeTally } from './judge.js';
import { KernelLifecycle, RecordedLifecycle, compareLifecycles } from './processes.js';
import { readWindows } from './read-capture.js';
import type { WindowsRead } from './read-capture.js';
import type { CaptureReport, Divergence } from './report.js';

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
  const file = input.file;
  const readError = (r: Exclude<WindowsRead, { kind: 'done' }>): CaptureReport =>
    errorReport(file, info, r.kind === 'io-error' ? `${file}: ${r.message}` : `${file}: the parser failed: ${r.message}`);
  // A regular file is read twice, a window at a time, and never held: the first pass gathers what
  // the replay must know ahead (the starting state, the root's fds, a later getcwd…), reading only
  // the calls that bear on it (the parser skips the rest after their names); the second replays.
  // A pipe or a terminal cannot be read again: its events are held, then checked as one window.
  const check = new CaptureCheck(file, info, options);
  let held: TraceEvent[] | null = null;
  const first = await readWindows(
    file,
    (regular) => {
      if (regular) return (w) => check.scanAll(w.events);
      const events: TraceEvent[] = [];
      held = events;
      return (w) => {
        for (const e of w.events) events.push(e);
      };
    },
    { skipCall: check.skipCall },
  );
  if (first.kind !== 'done') return readError(first);
  if (first.version === 'changed') return errorReport(file, info, `${file}: the capture changed while it was read (its size or modification time): is it still being written?`);
  if (held !== null) return checkEvents(file, held, info, options);
  const early = check.start();
  if (early !== null) return early;
  const second = await readWindows(file, () => (w) => check.feed(w.events, w.settledBefore));
  if (second.kind !== 'done') return readError(second);
  if (second.version !== first.version) {
    return errorReport(file, info, `${file}: the capture changed between its two readings (${first.version}, then ${second.version})`);
  }
  return check.finish();
}

/** The check proper, on parsed events held whole (tests feed mutated event lists here): one window. */
export function checkEvents(file: string, events: readonly TraceEvent[], info: CaseInfo, options: CheckOptions = {}): CaptureReport {
  const check = new CaptureCheck(file, info, options);
  check.scanAll(events);
  const early = check.start();
  if (early !== null) return early;
  check.feed(events, Infinity);
  return check.finish();
}

/**
 * One capture's check, fed its events twice: `scanAll` (the first pass: the replay's facts, from
 * the events `skipCall` leaves), `start`, then `feed` window by window (input problems, the
 * recorded process tree, and the replay, judged record by record) and `finish`. Holds facts and
 * counts, not events or records.
 */
class CaptureCheck {
  readonly #file: string;
  readonly #info: CaseInfo;
  readonly #options: ReplayOptions;
  readonly #problems = new InputProblems();
  readonly #scan: ReplayScan;
  readonly #recorded = new RecordedLifecycle();
  readonly #kernel = new KernelLifecycle();
  readonly #tally = new JudgeTally();
  /** Processes divergences of the runs that have ended (a capture of several runs), and where the current run starts. */
  readonly #runDivergences: Divergence[] = [];
  #runFrom = -Infinity;
  #guest: ReplayGuest | null = null;
  /** Set when the replay threw (a bug) or the input changed between the passes: the report. */
  #failed: CaptureReport | null = null;

  constructor(file: string, info: CaseInfo, options: CheckOptions) {
    this.#file = file;
    this.#info = info;
    const fs = options.fs ?? info.fs;
    this.#options = { ...(fs !== undefined ? { fs } : {}), ...(info.cwd !== undefined ? { cwd: info.cwd } : {}) };
    this.#scan = new ReplayScan(this.#options);
  }

  /** For the first pass's parser: the calls it need not read (ReplayScan.wants). */
  readonly skipCall = (pid: number | null, name: string, line: number, endLine: number): boolean => !this.#scan.wants(pid, name, line, endLine);

  scanAll(events: readonly TraceEvent[]): void {
    for (const e of events) this.#scan.add(e);
  }

  /** After the first pass: the report of a capture that cannot be replayed, or null (ready to feed). */
  start(): CaptureReport | null {
    const file = this.#file;
    const tally = this.#tally;
    const kernel = this.#kernel;
    const started = startReplay(
      this.#scan.finish(),
      this.#options,
      {
        onRecord: (r, pids) => tally.add(r, pids),
        onKernelEvent: (k) => kernel.add(k),
        // Each run is compared through the pid map as it stood at its end: the next run may reuse its pids.
        onRunEnd: (line, pids) => {
          const range = { from: this.#runFrom, to: line };
          for (const d of compareLifecycles(this.#recorded, kernel, pids, range)) this.#runDivergences.push(d);
          this.#runFrom = line;
        },
      },
      false,
    );
    // A manifest the kernel rejects makes the capture uncheckable, not the checker crash.
    if (started.kind === 'invalid-fs') return errorReport(file, this.#info, `${file}: ${started.message}`);
    this.#guest = started.guest;
    return null;
  }

  feed(events: readonly TraceEvent[], settledBefore: number): void {
    const problems = this.#problems;
    for (const e of events) {
      problems.add(e);
      this.#recorded.add(e);
    }
    // Input the parser did not understand makes the verdict "error" whatever the replay finds: it stops there.
    if (this.#failed !== null || this.#guest === null || problems.unreadable) return;
    try {
      this.#guest.feed(events, settledBefore);
    } catch (err) {
      this.#failed = this.#fail(err);
    }
  }

  finish(): CaptureReport {
    const file = this.#file;
    const info = this.#info;
    const guest = this.#guest;
    if (guest === null) throw new Error('CaptureCheck.finish before start');
    // Bad input first: what the replay made of it does not count.
    const bad = this.#problems.problem(file);
    if (bad !== null) return errorReport(file, info, bad);
    if (this.#failed !== null) return this.#failed;
    let outcome;
    try {
      outcome = guest.end();
    } catch (err) {
      return this.#fail(err);
    }
    if (outcome.unusable.length > 0) {
      const u = outcome.unusable[0];
      return errorReport(file, info, `${file}:${u?.line}: ${u?.reason}${outcome.unusable.length > 1 ? ` (and ${outcome.unusable.length - 1} more lines)` : ''}`);
    }
    const j = this.#tally.result();
    const processDivergences =
      j.fatal === undefined ? [...this.#runDivergences, ...compareLifecycles(this.#recorded, this.#kernel, outcome.pids, { from: this.#runFrom, to: Infinity })] : [];
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

  #fail(err: unknown): CaptureReport {
    if (err instanceof CaptureChanged) return errorReport(this.#file, this.#info, `${this.#file}: ${err.message}`);
    // A throw here is a bug in the replay or the kernel, not in the input: say so plainly.
    return errorReport(this.#file, this.#info, `internal error while replaying: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Input that cannot be replayed at all: not strace output, lines the parser did not
 * understand, or a capture cut short (a call or a task the input ends inside). Read a line
 * at a time; it keeps one fact per pid.
 */
class InputProblems {
  #syscalls = 0;
  #firstDiag: Extract<TraceEvent, { kind: 'diagnostic' }> | undefined;
  #cut: SyscallEvent | undefined;
  // Every task strace saw ends with an exit, a kill or being superseded; a missing end means the file was cut.
  readonly #ended = new Set<number | null>();
  /** Each pid's last line, in the order pids first appear; the current run of one pid's lines is kept aside (#pid, #line). */
  readonly #seen = new Map<number | null, number>();
  #pid: number | null | undefined;
  #line = 0;

  /** A line of `pid`'s: a map write only when the pid differs from the last line's (tasks make calls in runs). */
  #saw(pid: number | null, line: number): void {
    if (pid === this.#pid) {
      this.#line = line;
      return;
    }
    if (this.#pid !== undefined) this.#seen.set(this.#pid, this.#line);
    this.#seen.set(pid, line);
    this.#pid = pid;
    this.#line = line;
  }

  add(e: TraceEvent): void {
    switch (e.kind) {
      case 'syscall':
        this.#syscalls++;
        if (this.#cut === undefined && e.outcome.kind === 'unfinished' && e.outcome.reason === 'end-of-input') this.#cut = e;
        // A thread whose execve took over its leader's pid ends under that pid.
        if (e.pidChangedTo !== undefined) this.#ended.add(e.pid);
        else this.#saw(e.pid, e.span.endLine);
        break;
      case 'signal':
        this.#saw(e.pid, e.span.endLine);
        break;
      case 'diagnostic':
        this.#firstDiag ??= e;
        break;
      case 'exited':
      case 'killed':
      case 'superseded':
      case 'detached':
        this.#ended.add(e.pid);
        break;
      default:
        break;
    }
  }

  /** Whether a line was not understood or the input ends inside a call: the input cannot be replayed. */
  get unreadable(): boolean {
    return this.#firstDiag !== undefined || this.#cut !== undefined;
  }

  /** The facts weighed in the order the messages rank. */
  problem(file: string): string | null {
    const firstDiag = this.#firstDiag;
    if (this.#syscalls === 0) {
      const where = firstDiag ? `:${firstDiag.span.line}` : '';
      return `${file}${where}: not strace output (no syscall lines${firstDiag ? `; first line not understood: ${firstDiag.reason}` : ''})`;
    }
    if (firstDiag !== undefined) return `${file}:${firstDiag.span.line}: not understood: ${firstDiag.reason}`;
    const cut = this.#cut;
    if (cut !== undefined) return `${file}:${cut.span.line}: truncated capture: the input ends inside pid ${cut.pid}'s ${cut.name}`;
    if (this.#pid !== undefined) this.#seen.set(this.#pid, this.#line);
    for (const [pid, line] of this.#seen) {
      if (!this.#ended.has(pid)) return `${file}:${line}: truncated capture: pid ${pid} has no exit line after its last line`;
    }
    return null;
  }
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
