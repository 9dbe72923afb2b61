// The report of a capture whose worker died (or sent nonsense) before answering: verdict
// "error", so the run still ends, exits 2 and names the capture, like any uncheckable input.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseCaseInfo } from '../check/case-info.js';
import type { CaptureInput } from '../check/discover.js';
import type { CaptureReport } from '../check/report.js';

export function crashReport(input: CaptureInput, why: string): CaptureReport {
  const info = caseInfo(input);
  return {
    file: input.file,
    ...(info.id !== undefined ? { id: info.id } : {}),
    family: info.family,
    verdict: 'error',
    events: 0,
    checked: 0,
    effectChecked: 0,
    adopted: 0,
    divergences: [],
    adoptedReasons: [],
    error: `${input.file}: ${why}`,
  };
}

/**
 * Id and family as check-capture.ts derives them (case.json's family, the id's first part, or
 * corpus/<family>/<case>/capture.strace), so a crashed capture is counted in its own family.
 */
function caseInfo(input: CaptureInput): { id?: string; family: string } {
  let id: string | undefined;
  let family: string | undefined;
  if (input.caseFile !== undefined) {
    try {
      const parsed = parseCaseInfo(readFileSync(input.caseFile, 'utf8'));
      if (parsed.kind === 'ok') ({ id, family } = parsed.value);
    } catch {
      // Unreadable now: the family falls back to the path, the error message says the rest.
    }
  }
  if (family === undefined && id !== undefined && id.includes('/')) family = id.slice(0, id.indexOf('/'));
  if (family === undefined && basename(input.file) === 'capture.strace') {
    const dir = basename(dirname(dirname(input.file)));
    if (dir !== '' && dir !== '.') family = dir;
  }
  return { ...(id !== undefined ? { id } : {}), family: family ?? 'other' };
}
