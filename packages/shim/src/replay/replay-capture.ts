// Replaying a parsed capture: a first pass gathers what the kernel must start
// from and what the replay must know ahead (ReplayScan), then the kernel the
// capture needs is built (its filesystem from the case's fs manifest, guest
// memory off: the replay passes decoded values) and the replay guest runs over
// the events. Both passes read a line at a time, so a capture read from a file
// twice is never held whole (see conformance's check-capture.ts).
import type { TraceEvent } from '@forkscope/tracer';
import { Vfs } from '@forkscope/kernel';
import type { ManifestEntry } from '@forkscope/kernel';
import { InitialFdsScan } from './initial-fds.js';
import { KernelAdapter } from './kernel-adapter.js';
import { PidMap } from './pid-map.js';
import { ReplayGuest, WaitedFutexWords } from './replay-guest.js';
import type { ReplayFacts, ReplayOutcome, ReplaySinks } from './replay-guest.js';
import { StartingStateScan } from './starting-state.js';
import type { StartingState } from './starting-state.js';
import { PidPresence, StragglerScan, mayStraggle } from './steps.js';
import { SignalLinesScan } from './signal-lines.js';

/** One path of a corpus case's fs manifest (corpus/README.md): the kernel's ManifestEntry. */
export type FsManifestEntry = ManifestEntry;

export interface ReplayOptions {
  /** Drives exec and chdir results; without it the kernel adopts them. */
  readonly fs?: readonly FsManifestEntry[];
  /** The directory the capture ran in (case.json `cwd`). */
  readonly cwd?: string;
}

/** What the first pass found: the replay's facts and the kernel's starting state. */
export interface ScanResult extends ReplayFacts {
  readonly start: StartingState;
  /** Whether cores were dumped is the environment's RLIMIT_CORE; the recording shows it if any task dumped one. */
  readonly coreDumps: boolean;
  /**
   * Whether the capture shows any `--- SIG ---` line. Without one (strace -e signal=none, or no
   * signal at all) the replay cannot take signals at those lines: the kernel delivers them at the
   * return of each call instead.
   */
  readonly signalLines: boolean;
}

/**
 * The calls the first pass reads whoever makes them: the starting state's (credentials, limits,
 * the starting directory and the clones, execs and directory changes that bear on it) and the
 * futex words waited on. The root's calls are all read (its inherited fds), and so is any call
 * that may straggle. The rest the parser may skip (see `wants`).
 */
const SCANNED_CALLS: ReadonlySet<string> = new Set([
  'getuid',
  'geteuid',
  'getgid',
  'getegid',
  'prlimit64',
  'getcwd',
  'chdir',
  'fchdir',
  'execve',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'futex',
]);

/**
 * The first pass, a line at a time: it keeps facts (a few per process), not lines. It needs only
 * some of the calls: a parser given `wants` as its skipCall (negated) reads the others no further
 * than their names, and the facts are the same as from every event.
 */
export class ReplayScan {
  readonly #start: StartingStateScan;
  readonly #fds = new InitialFdsScan();
  readonly #futex = new WaitedFutexWords();
  readonly #pids = new PidPresence();
  readonly #stragglers = new StragglerScan();
  readonly #signalKinds = new SignalLinesScan();
  #coreDumps = false;
  #signalLines = false;
  /** The pid of the first syscall event that has one (InitialFdsScan's root, whose every call is read). */
  #root: number | undefined;

  constructor(options: ReplayOptions = {}) {
    this.#start = new StartingStateScan(options.cwd !== undefined ? { cwd: options.cwd } : {});
  }

  /**
   * Whether the pass needs this call's event: until the root is known, every call (the first
   * syscall event with a pid names it, and none before it may be skipped; a trace without pids
   * never names one); then the root's, the scanned calls, those that may straggle and the
   * descendants' fd calls that may show an inherited fd (InitialFdsScan.wants).
   */
  wants(pid: number | null, name: string, line: number, endLine: number): boolean {
    const root = this.#root;
    return root === undefined || pid === root || SCANNED_CALLS.has(name) || mayStraggle(line, endLine) || this.#fds.wants(pid, name);
  }

  add(e: TraceEvent): void {
    if (this.#root === undefined && e.kind === 'syscall' && e.pid !== null) this.#root = e.pid;
    this.#start.add(e);
    this.#fds.add(e);
    this.#futex.add(e);
    this.#pids.add(e);
    this.#stragglers.add(e);
    if (e.kind === 'killed' && e.coreDumped) this.#coreDumps = true;
    else if (e.kind === 'signal') {
      this.#signalLines = true;
      this.#signalKinds.add(e);
    }
  }

  finish(): ScanResult {
    const start = this.#start.finish();
    return {
      start,
      inputs: start.inputs,
      coreDumps: this.#coreDumps,
      signalLines: this.#signalLines,
      initialFds: this.#fds.finish(),
      waitedWords: this.#futex.words,
      singleProcess: this.#pids.singleProcess,
      stragglers: this.#stragglers.stragglers,
      recordedSignals: this.#signalKinds.finish(),
    };
  }
}

/**
 * The kernel and guest for a capture the scan has read, ready to be fed its events again;
 * or a message when the fs manifest is invalid (the capture is then uncheckable, not the checker crashed).
 * `keepEvents: false` makes the kernel forget each event once the guest has read it.
 */
export function startReplay(
  scan: ScanResult,
  options: ReplayOptions = {},
  sinks: ReplaySinks = {},
  keepEvents = true,
): { readonly kind: 'guest'; readonly guest: ReplayGuest } | { readonly kind: 'invalid-fs'; readonly message: string } {
  let fs: Vfs | null = null;
  if (options.fs !== undefined) {
    try {
      fs = Vfs.fromManifest(options.fs, { source: 'fs manifest' });
    } catch (err) {
      return { kind: 'invalid-fs', message: `invalid fs manifest: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const start = scan.start;
  const port = new KernelAdapter({
    fs,
    coreDumps: scan.coreDumps,
    signalsOnResume: scan.signalLines,
    uid: start.uid,
    gid: start.gid,
    rlimits: start.rlimits,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : start.cwd !== undefined ? { cwd: start.cwd } : {}),
    keepEvents,
  });
  return { kind: 'guest', guest: new ReplayGuest(port, scan, sinks) };
}

/** Replays a capture held whole: the scan, then the replay as one window. */
export function replayCapture(events: readonly TraceEvent[], options: ReplayOptions = {}): ReplayOutcome {
  const scan = new ReplayScan(options);
  for (const e of events) scan.add(e);
  // Held whole and fed as one window: nothing straggles.
  const started = startReplay({ ...scan.finish(), stragglers: null }, options);
  if (started.kind === 'invalid-fs') {
    return { records: [{ kind: 'fatal', line: 0, message: started.message }], pids: new PidMap(), unusable: [], kernelEvents: [] };
  }
  return started.guest.run(events);
}
