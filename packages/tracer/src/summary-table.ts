// The `-c`/`-C` call summary table (src/count.c):
//   % time     seconds  usecs/call     calls    errors syscall
//   ------ ----------- ----------- --------- --------- ----------------
//    34.75    0.000212         212         1           munmap
//   100.00    0.000610          19        31         2 total
import type { SummaryRow } from './events.js';

export function isSummaryHeader(line: string): boolean {
  return line.startsWith('% time ') && line.includes('syscall');
}

export function isSummarySeparator(line: string): boolean {
  if (!line.startsWith('------')) return false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x2d && c !== 0x20) return false;
  }
  return true;
}

function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line.charCodeAt(i) === 0x20) i++;
    if (i >= line.length) break;
    const start = i;
    while (i < line.length && line.charCodeAt(i) !== 0x20) i++;
    out.push(line.slice(start, i));
  }
  return out;
}

function num(text: string | undefined): number | null {
  if (text === undefined || text.length === 0) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e)) return null;
  }
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** A row of the table, or null if the line is not one. The errors column is blank when zero. */
export function parseSummaryRow(line: string): SummaryRow | null {
  const w = words(line);
  if (w.length !== 5 && w.length !== 6) return null;
  const percentTime = num(w[0]);
  const seconds = num(w[1]);
  const usecsPerCall = num(w[2]);
  const calls = num(w[3]);
  const errors = w.length === 6 ? num(w[4]) : 0;
  const syscall = w[w.length - 1] as string;
  if (percentTime === null || seconds === null || usecsPerCall === null || calls === null || errors === null) {
    return null;
  }
  return { percentTime, seconds, usecsPerCall, calls, errors, syscall };
}
