// A progress bar on stderr for commands that work through many captures. Drawn only when stderr
// is a terminal and --quiet was not given (see terminal.ts); otherwise every call is a no-op, so
// a command calls it unconditionally. It writes no escape sequences (carriage return and spaces
// only), so NO_COLOR and dumb terminals see nothing they cannot show.
import type { CliIo } from './io.js';
import { terminalOf } from './terminal.js';

export interface Progress {
  /** Whether anything is drawn at all. */
  readonly active: boolean;
  /** One more item done. */
  tick(): void;
  /** Erase the bar (before the command writes a line of its own); the next tick redraws it. */
  clear(): void;
  /** Erase the bar for good; later calls do nothing. */
  done(): void;
}

/** Below this many items a bar would only flicker. */
export const PROGRESS_MIN_TOTAL = 2;

const INACTIVE: Progress = { active: false, tick() {}, clear() {}, done() {} };

/**
 * A bar over `total` items, e.g. in a command's run:
 *   const progress = createProgress(ctx.io, inputs.length, 'check');
 *   try { for (const input of inputs) { reports.push(await checkCapture(input)); progress.tick(); } }
 *   finally { progress.done(); }
 * and `progress.clear()` before writing a line to a terminal while the bar is up.
 */
export function createProgress(io: CliIo, total: number, label: string): Progress {
  const terminal = terminalOf(io);
  if (!terminal.progress || !Number.isSafeInteger(total) || total < PROGRESS_MIN_TOTAL) return INACTIVE;
  const columns = terminal.stderrColumns;
  let count = 0;
  let shown = ''; // what is on the line now ('' when erased)
  let finished = false;

  const erase = (): void => {
    if (shown === '') return;
    io.stderr.write('\r' + ' '.repeat(shown.length) + '\r');
    shown = '';
  };
  const draw = (): void => {
    const line = renderProgress(label, count, total, columns);
    if (line === shown) return; // redraw only when something visible changed
    const pad = shown.length > line.length ? ' '.repeat(shown.length - line.length) : '';
    io.stderr.write('\r' + line + pad);
    shown = line;
  };

  return {
    active: true,
    tick() {
      if (finished) return;
      if (count < total) count++;
      draw();
    },
    clear() {
      if (!finished) erase();
    },
    done() {
      if (finished) return;
      finished = true;
      erase();
    },
  };
}

/** `label [#####-----] 12/40`, no wider than `columns - 1` (the last column would wrap). */
export function renderProgress(label: string, count: number, total: number, columns: number): string {
  const counts = ` ${count}/${total}`;
  const room = columns - 1 - counts.length - 3; // 3: the space and the two brackets
  const barWidth = Math.min(40, room - label.length);
  if (barWidth < 10) {
    // Too narrow for a bar: the counts alone, the label cut to fit.
    return (label.slice(0, Math.max(0, columns - 1 - counts.length)) + counts).slice(0, Math.max(0, columns - 1));
  }
  const filled = total === 0 ? barWidth : Math.floor((barWidth * count) / total);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${counts}`;
}
