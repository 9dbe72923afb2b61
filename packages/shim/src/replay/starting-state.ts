// What the kernel must start from that only the environment knew: the credentials the capture
// ran with and its starting resource limits. The recording shows them through the first call
// that reads each one; that call is then an input (sent for its effect, counted as adopted), and
// every later read is checked against a kernel that started from it. Nothing is invented: a
// resource the capture never reads before setting it keeps no seed, and its reads are adopted.
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import { RLIMIT_NAMES } from './names.js';
import { argOf, constOf, intOf, rlimitOf } from './values.js';

export interface StartingState {
  /** The uid and gid every recorded process ran as (0 unless the capture says otherwise). */
  readonly uid: number;
  readonly gid: number;
  /** Starting limits by RLIMIT_* number, for the resources the capture reads before setting. */
  readonly rlimits: Readonly<Record<number, { readonly cur: bigint; readonly max: bigint }>>;
  /** Calls whose result is the environment's, not the kernel's: sent, but adopted with this reason. */
  readonly inputs: ReadonlyMap<SyscallEvent, string>;
}

export function inferStartingState(events: readonly TraceEvent[]): StartingState {
  const inputs = new Map<SyscallEvent, string>();
  let uid: number | undefined;
  let gid: number | undefined;
  // A SIGCHLD's si_uid is the recorded child's real uid: the uid is then known without adopting a
  // getuid. (Other signals may come from outside the recording, from another user.)
  for (const e of events) {
    if (e.kind !== 'signal') continue;
    const code = e.siginfo.find((f) => f.name === 'si_code')?.value;
    if (code?.kind !== 'ident' || !code.name.startsWith('CLD_')) continue;
    const v = e.siginfo.find((f) => f.name === 'si_uid')?.value;
    const n = intOf(v);
    if (n !== undefined) {
      uid = Number(n);
      break;
    }
  }
  const rlimits: Record<number, { cur: bigint; max: bigint }> = {};
  const decided = new Set<number>();
  for (const e of events) {
    if (e.kind !== 'syscall' || e.outcome.kind !== 'value') continue;
    switch (e.name) {
      case 'getuid':
      case 'geteuid':
        if (uid === undefined) {
          uid = Number(e.outcome.value);
          inputs.set(e, 'the uid the capture ran as is an environment input (the kernel starts from this reading)');
        }
        break;
      case 'getgid':
      case 'getegid':
        if (gid === undefined) {
          gid = Number(e.outcome.value);
          inputs.set(e, 'the gid the capture ran as is an environment input (the kernel starts from this reading)');
        }
        break;
      case 'prlimit64': {
        let args;
        try {
          args = e.args;
        } catch {
          break;
        }
        const resource = constOf(argOf(args, 1), RLIMIT_NAMES);
        if (resource === undefined) break;
        const r = Number(resource);
        const setsOne = intOf(argOf(args, 2)) !== 0n;
        const old = rlimitOf(argOf(args, 3));
        if (!decided.has(r)) {
          decided.add(r);
          // The first sight of a resource decides: a read seeds it, a set first leaves it unknown.
          if (!setsOne && old !== undefined) {
            rlimits[r] = old;
            inputs.set(e, 'the starting resource limit is an environment input (the kernel starts from this reading)');
            break;
          }
        }
        if (rlimits[r] === undefined && old !== undefined) inputs.set(e, 'the starting resource limit is not shown by the capture');
        break;
      }
      default:
        break;
    }
  }
  return { uid: uid ?? 0, gid: gid ?? 0, rlimits, inputs };
}
