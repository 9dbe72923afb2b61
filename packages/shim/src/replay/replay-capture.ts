// One call to replay a parsed capture: builds the kernel the capture needs
// (its filesystem from the case's fs manifest, guest memory off: the replay
// passes decoded values), runs the replay guest over it, returns the records.
import type { TraceEvent } from '@forkscope/tracer';
import { Vfs } from '@forkscope/kernel';
import type { ManifestEntry } from '@forkscope/kernel';
import { KernelAdapter } from './kernel-adapter.js';
import { PidMap } from './pid-map.js';
import { ReplayGuest } from './replay-guest.js';
import { inferStartingState } from './starting-state.js';
import type { ReplayOutcome } from './replay-guest.js';

/** One path of a corpus case's fs manifest (corpus/README.md): the kernel's ManifestEntry. */
export type FsManifestEntry = ManifestEntry;

export interface ReplayOptions {
  /** Drives exec and chdir results; without it the kernel adopts them. */
  readonly fs?: readonly FsManifestEntry[];
  /** The directory the capture ran in (case.json `cwd`). */
  readonly cwd?: string;
}

export function replayCapture(events: readonly TraceEvent[], options: ReplayOptions = {}): ReplayOutcome {
  let fs: Vfs | null = null;
  if (options.fs !== undefined) {
    try {
      fs = Vfs.fromManifest(options.fs, { source: 'fs manifest' });
    } catch (err) {
      // A manifest the kernel rejects makes the capture uncheckable, not the checker crash.
      const message = `invalid fs manifest: ${err instanceof Error ? err.message : String(err)}`;
      return { records: [{ kind: 'fatal', line: 0, message }], pids: new PidMap(), unusable: [], kernelEvents: [] };
    }
  }
  // Whether cores were dumped is the environment's RLIMIT_CORE; the recording shows it if any task dumped one.
  const coreDumps = events.some((e) => e.kind === 'killed' && e.coreDumped);
  const start = inferStartingState(events, options.cwd !== undefined ? { cwd: options.cwd } : {});
  const port = new KernelAdapter({
    fs,
    coreDumps,
    uid: start.uid,
    gid: start.gid,
    rlimits: start.rlimits,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : start.cwd !== undefined ? { cwd: start.cwd } : {}),
  });
  return new ReplayGuest(port, { inputs: start.inputs }).run(events);
}
