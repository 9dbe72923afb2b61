// What a replay check says about one capture, and about a run over many.
// The JSON field names are the CLI contract (architecture.md, "CLI contract");
// more fields may be added, these stay.

/** The rule a divergence broke; one name per check the brief lists. */
export type Rule =
  /** A checked call returned another value than recorded (pids compared through the mapping). */
  | 'result'
  /** A checked call failed with another errno than recorded, or failed/succeeded where the recording did the opposite. */
  | 'errno'
  /** An effect-checked call was recorded with a new fd other than the lowest free one. */
  | 'fd-lowest-free'
  /** A call on an fd the kernel holds closed was recorded as succeeding (a dropped close, a reused closed fd). */
  | 'fd-closed'
  /** A call recorded as completing while the kernel still holds it blocked (its wake-up cause is not recorded before it). */
  | 'blocking'
  /** `+++ exited with N +++` / `+++ killed by SIG +++` differs from what the kernel produced, or the kernel kept the task alive. */
  | 'exit'
  /** `--- SIG {...} ---` differs from the kernel's signal (si_code, si_pid, si_status), or the kernel has none pending. */
  | 'signal'
  /** The process tree, exec chain or thread membership differs. */
  | 'process';

export const RULES: readonly Rule[] = ['result', 'errno', 'fd-lowest-free', 'fd-closed', 'blocking', 'exit', 'signal', 'process'];

export interface Divergence {
  /** 1-based line in the capture. */
  readonly line: number;
  /** The recorded pid. */
  readonly pid: number | null;
  /** The syscall name, or the line's kind (`exited`, `killed`, `signal`) for non-call lines. */
  readonly syscall: string;
  /** What the recording says. */
  readonly expected: string;
  /** What the emulated kernel did. */
  readonly emulated: string;
  readonly rule: Rule;
}

/** Why a syscall was adopted rather than checked, counted per reason for the report. */
export interface AdoptedReason {
  readonly reason: string;
  readonly count: number;
}

export type Verdict = 'conforms' | 'diverges' | 'error';

export interface CaptureReport {
  readonly file: string;
  /** Case id (`<family>/<case>`) when a case.json was found beside the capture. */
  readonly id?: string;
  readonly family: string;
  readonly verdict: Verdict;
  /** Syscall events in the capture (each split call counts once). */
  readonly events: number;
  readonly checked: number;
  readonly effectChecked: number;
  readonly adopted: number;
  readonly divergences: readonly Divergence[];
  readonly adoptedReasons: readonly AdoptedReason[];
  /** For verdict "error": what made the capture uncheckable, with file and line where known. */
  readonly error?: string;
}

export interface CheckRun {
  readonly captures: readonly CaptureReport[];
  readonly summary: { readonly conforms: number; readonly diverges: number; readonly error: number };
}

export function summarize(captures: readonly CaptureReport[]): CheckRun {
  let conforms = 0;
  let diverges = 0;
  let error = 0;
  for (const c of captures) {
    switch (c.verdict) {
      case 'conforms':
        conforms++;
        break;
      case 'diverges':
        diverges++;
        break;
      case 'error':
        error++;
        break;
      default: {
        const never: never = c.verdict;
        throw new Error(`unknown verdict ${String(never)}`);
      }
    }
  }
  return { captures, summary: { conforms, diverges, error } };
}

/** Per family: the share of syscall events that were checked or effect-checked. */
export interface FamilyCoverage {
  readonly family: string;
  readonly events: number;
  readonly covered: number;
  /** 0..100, one decimal. */
  readonly percent: number;
  /** The most frequent reasons events were adopted, most frequent first (at most five). */
  readonly topAdopted: readonly AdoptedReason[];
}

export function familyCoverage(captures: readonly CaptureReport[]): FamilyCoverage[] {
  const byFamily = new Map<string, { events: number; covered: number; reasons: Map<string, number> }>();
  for (const c of captures) {
    if (c.verdict === 'error') continue;
    const f = byFamily.get(c.family) ?? { events: 0, covered: 0, reasons: new Map<string, number>() };
    f.events += c.events;
    f.covered += c.checked + c.effectChecked;
    for (const r of c.adoptedReasons) f.reasons.set(r.reason, (f.reasons.get(r.reason) ?? 0) + r.count);
    byFamily.set(c.family, f);
  }
  return [...byFamily.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([family, f]) => ({
      family,
      events: f.events,
      covered: f.covered,
      percent: f.events === 0 ? 0 : Math.round((f.covered * 1000) / f.events) / 10,
      topAdopted: [...f.reasons.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 5)
        .map(([reason, count]) => ({ reason, count })),
    }));
}
