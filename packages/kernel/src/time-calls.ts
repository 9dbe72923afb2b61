// Sleeping on the virtual clock: nanosleep and clock_nanosleep block until the clock reaches
// their deadline (Kernel.advanceClock moves it when nothing else can run); a handled signal
// ends them early (ERESTART_RESTARTBLOCK, or ERESTARTNOHAND for absolute sleeps).
import { CLOCK_MONOTONIC, CLOCK_REALTIME, TIMER_ABSTIME } from './abi.js';
import type { CallOf, Ptr, TimespecValue } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';
import { readTimespec } from './guest-io.js';

const NS = 1_000_000_000n;
const CLOCK_BOOTTIME = 7;
const CLOCK_TAI = 11;

function sleep(core: Core, t: Task, call: CallOf<'nanosleep'> | CallOf<'clock_nanosleep'>, req: Ptr | TimespecValue, absolute: boolean): SyscallResult {
  const ts = readTimespec(core, t, req);
  if (!ts.ok) return error(ts.errno);
  const { sec, nsec } = ts.value;
  if (sec < 0n || nsec < 0n || nsec >= NS) return error('EINVAL');
  const until = absolute ? sec * NS + nsec : core.now + sec * NS + nsec;
  const attempt = (): SyscallResult | undefined => (core.now >= until ? done(0) : undefined);
  // A deadline already reached (a zero sleep, a past absolute time) returns at once.
  const first = attempt();
  if (first !== undefined) return first;
  return core.block(t, call, { kind: 'sleep', until }, 'interruptible', absolute ? 'ERESTARTNOHAND' : 'ERESTART_RESTARTBLOCK', attempt);
}

export function sysNanosleep(core: Core, t: Task, call: CallOf<'nanosleep'>): SyscallResult {
  return sleep(core, t, call, call.req, false);
}

export function sysClockNanosleep(core: Core, t: Task, call: CallOf<'clock_nanosleep'>): SyscallResult {
  if (![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI].includes(call.clockid)) return error('EINVAL');
  return sleep(core, t, call, call.req, (call.flags & TIMER_ABSTIME) !== 0);
}
