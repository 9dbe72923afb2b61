// The report of a capture whose worker died (or sent nonsense) before answering: verdict
// "error", so the run still ends, exits 2 and names the capture, like any uncheckable input.
import { readFileSync } from 'node:fs';
import { parseCaseInfo } from '../check/case-info.js';
import type { CaseInfo } from '../check/case-info.js';
import { errorReport } from '../check/check-capture.js';
import type { CaptureInput } from '../check/discover.js';
import type { CaptureReport } from '../check/report.js';

export function crashReport(input: CaptureInput, why: string): CaptureReport {
  return errorReport(input.file, caseInfo(input), `${input.file}: ${why}`);
}

/** The case.json beside the capture, as far as it can still be read (its id and family name the report). */
function caseInfo(input: CaptureInput): CaseInfo {
  if (input.caseFile === undefined) return {};
  try {
    const parsed = parseCaseInfo(readFileSync(input.caseFile, 'utf8'));
    return parsed.kind === 'ok' ? parsed.value : {};
  } catch {
    // Unreadable now: the family falls back to the path, the error message says the rest.
    return {};
  }
}
