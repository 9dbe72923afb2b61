// What one -ff line says about other processes, for merging -ff files where timing cannot decide.
//
// In a -ff file a call is one line stamped at its entry; the merge places it at entry + -T
// duration. Stamps are microseconds, durations are rounded, and `+++ exited` has no duration, so a
// wait that returned child C can land before C's exit. Linux orders these causally: a traced
// child's exit is reported to the tracer (strace prints `+++ exited`) before its parent's wait can
// reap it, and a child runs only after its parent entered clone/fork/vfork.

/** The cross-file facts of one line's body (the text after the pid/stamp leader). */
export interface FfLineFacts {
  /** wait4/waitid that reaped (exited or killed) this pid: must follow that pid's exit line. */
  readonly reaps: number | null;
  /** clone/clone3/fork/vfork that returned this pid: that pid's first line must follow it. */
  readonly creates: number | null;
  /** `+++ exited with N +++` / `+++ killed by SIG +++`: this file's process is gone. */
  readonly exits: boolean;
}

const NONE: FfLineFacts = { reaps: null, creates: null, exits: false };

/** The facts of one body; NONE for lines that relate to no other process. */
export function ffLineFacts(line: string, body: number): FfLineFacts {
  if (line.startsWith('+++ exited', body) || line.startsWith('+++ killed', body)) {
    return { reaps: null, creates: null, exits: true };
  }
  const name = callName(line, body);
  switch (name) {
    case 'wait4': {
      // A stopped or continued child (WUNTRACED/WCONTINUED) is reported while it lives.
      if (line.includes('WIFSTOPPED', body) || line.includes('WIFCONTINUED', body)) return NONE;
      return { reaps: resultPid(line), creates: null, exits: false };
    }
    case 'waitid': {
      // waitid returns 0; the reaped pid is in the siginfo. Only CLD_EXITED/KILLED/DUMPED reap.
      if (!(line.includes('CLD_EXITED', body) || line.includes('CLD_KILLED', body) || line.includes('CLD_DUMPED', body))) return NONE;
      const at = line.indexOf('si_pid=', body);
      return { reaps: at < 0 ? null : uintAt(line, at + 7), creates: null, exits: false };
    }
    case 'clone':
    case 'clone3':
    case 'fork':
    case 'vfork':
      return { reaps: null, creates: resultPid(line), exits: false };
    default:
      return NONE;
  }
}

/** The syscall name at `body` (`name(`), or '' when the body is not a call. */
function callName(line: string, body: number): string {
  let i = body;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    const word = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
    if (!word) break;
    i++;
  }
  return i > body && line.charCodeAt(i) === 0x28 /* ( */ ? line.slice(body, i) : '';
}

/** The positive integer result after the last ` = `, or null (`= -1 ECHILD`, `= ?`, none). */
function resultPid(line: string): number | null {
  const eq = line.lastIndexOf(' = ');
  if (eq < 0) return null;
  const pid = uintAt(line, eq + 3);
  return pid === null || pid === 0 ? null : pid;
}

/** The decimal digits at `at` as a number, or null when there are none. */
function uintAt(line: string, at: number): number | null {
  let n = 0;
  let i = at;
  while (i < line.length && i - at < 10) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  return i === at ? null : n;
}
