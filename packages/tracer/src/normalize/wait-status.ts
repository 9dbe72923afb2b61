// Decoding of the status wait4 reports, as strace prints it: the macro form
// `[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]`, or a bare number under -X raw.
import type { Value } from '../values.js';
import { tokens } from '../tree/arg-values.js';
import type { SignalRef, WaitStatus } from './normalized.js';

/** The status a wait4 call stored, or null when strace printed no decodable status (NULL, an address). */
export function decodeWaitStatus(v: Value): WaitStatus | null {
  const toks = tokens(v).filter((t) => t !== 's');
  const first = toks[0];
  if (first === undefined) return null;
  if (typeof first === 'bigint') return toks.length === 1 && isStatusArray(v) ? decodeRaw(first) : null;
  const after = (name: string): string | bigint | undefined => {
    const i = toks.indexOf(name);
    return i < 0 ? undefined : toks[i + 1];
  };
  if (toks.includes('WIFEXITED')) {
    const code = after('WEXITSTATUS');
    return typeof code === 'bigint' ? { kind: 'exited', code: Number(code) } : null;
  }
  if (toks.includes('WIFSIGNALED')) {
    const sig = signalToken(after('WTERMSIG'));
    return sig === null ? null : { kind: 'killed', signal: sig, core: toks.includes('WCOREDUMP') };
  }
  if (toks.includes('WIFSTOPPED')) {
    const sig = signalToken(after('WSTOPSIG'));
    return sig === null ? null : { kind: 'stopped', signal: sig };
  }
  if (toks.includes('WIFCONTINUED')) return { kind: 'continued' };
  return null;
}

function signalToken(t: string | bigint | undefined): SignalRef | null {
  if (t === undefined) return null;
  return typeof t === 'bigint' ? Number(t) : t;
}

// Only `[N]` (an int array) is a status; a bare address is the unfilled pointer.
function isStatusArray(v: Value): boolean {
  return v.kind === 'array';
}

/** The kernel's encoding (wait.h): low 7 bits the signal, 0x7f stopped, 0xffff continued. */
function decodeRaw(status: bigint): WaitStatus {
  const s = Number(status & 0xffffn);
  if (s === 0xffff) return { kind: 'continued' };
  const low = s & 0x7f;
  if (low === 0) return { kind: 'exited', code: (s >> 8) & 0xff };
  if (low === 0x7f) return { kind: 'stopped', signal: (s >> 8) & 0xff };
  return { kind: 'killed', signal: low, core: (s & 0x80) !== 0 };
}
