// ANSI colour that is either on or off for one stream. Commands style words through this and
// never ask whether they are on a terminal; main decides once (see terminal.ts).

/** What a piece of text means, not how it looks: the look is decided here only. */
export type Tone = 'ok' | 'bad' | 'warn' | 'dim' | 'bold' | 'error';

/** The verdict words the commands print (check, verify, matrix, normalize --write). */
export type Verdict = 'conforms' | 'matches' | 'ok' | 'diverges' | 'DIVERGES' | 'error' | 'unchecked' | 'wrote' | 'unchanged';

// SGR open/close pairs; each closes only what it opened, so styles nest.
const SGR: Readonly<Record<Tone, readonly [string, string]>> = {
  ok: ['32', '39'],
  bad: ['31', '39'],
  warn: ['33', '39'],
  dim: ['2', '22'],
  bold: ['1', '22'],
  error: ['1;31', '22;39'],
};

export interface Style {
  /** Whether this style writes escape sequences at all. */
  readonly enabled: boolean;
  paint(tone: Tone, text: string): string;
  /** A verdict word in its colour; the text itself is never changed. */
  verdict(word: Verdict): string;
}

export function toneOf(word: Verdict): Tone {
  switch (word) {
    case 'conforms':
    case 'matches':
    case 'ok':
    case 'wrote':
      return 'ok';
    case 'diverges':
    case 'DIVERGES':
      return 'bad';
    case 'error':
      return 'error';
    case 'unchecked':
      return 'warn';
    case 'unchanged':
      return 'dim';
    default: {
      const never: never = word;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

export function createStyle(enabled: boolean): Style {
  const paint = (tone: Tone, text: string): string => {
    if (!enabled || text === '') return text;
    const [open, close] = SGR[tone];
    return `\x1b[${open}m${text}\x1b[${close}m`;
  };
  return { enabled, paint, verdict: (word) => paint(toneOf(word), word) };
}

/** The style that never colours: for files, pipes and NO_COLOR. */
export const PLAIN: Style = createStyle(false);
