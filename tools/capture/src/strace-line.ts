// A small scanner for the lines that `strace -f -ttt -T -s 256 -o FILE` writes.
// It only has to understand the shapes our own captures contain (see
// /work/shared/docs/strace-format.md): it is a capture-time tool, not the
// tracer package's full parser. Hand-written and linear: no regular
// expressions, quote-aware so that `)` or `=` inside a string never ends a call.

/** One physical line of an `-o` capture, classified. */
export type StraceLine =
  | { readonly kind: 'call'; readonly pid: number; readonly name: string; readonly args: string; readonly retval: string }
  | { readonly kind: 'unfinished'; readonly pid: number; readonly name: string; readonly args: string }
  | { readonly kind: 'resumed'; readonly pid: number; readonly name: string; readonly tail: string }
  | { readonly kind: 'signal'; readonly pid: number; readonly text: string }
  | { readonly kind: 'exited'; readonly pid: number; readonly code: number }
  | { readonly kind: 'killed'; readonly pid: number; readonly signal: string; readonly coreDumped: boolean }
  | { readonly kind: 'superseded'; readonly pid: number; readonly byPid: number };

/** A syscall whose unfinished and resumed halves have been joined. */
export interface JoinedCall {
  readonly pid: number;
  readonly name: string;
  /** The argument text between the call's parentheses. */
  readonly args: string;
  /** The return value token (`0`, `-1`, `4083`, `0x7f…`, `?`). */
  readonly retval: string;
  /** 1-based line of the capture where the call started. */
  readonly line: number;
}

export class StraceScanError extends Error {
  constructor(
    readonly lineNumber: number,
    why: string,
  ) {
    super(`line ${lineNumber}: ${why}`);
    this.name = 'StraceScanError';
  }
}

const UNFINISHED = '<unfinished ...>';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c === '_');
}

/**
 * Finds the `)` that closes a call whose arguments start at `from`, skipping
 * strings and nested brackets. Returns -1 when the line ends first.
 */
export function findCallClose(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1; // past the closing quote (or past the end: caller sees -1)
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ']' || c === '}') depth -= 1;
    else if (c === ')') {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  return -1;
}

/** The return value token after the closing `)`: `) = -1 ENOENT (...) <0.1>` → `-1`. */
function scanRetval(text: string, close: number, lineNumber: number): string {
  let i = close + 1;
  while (text[i] === ' ') i += 1;
  if (text[i] !== '=') throw new StraceScanError(lineNumber, `expected "=" after the call's ")"`);
  i += 1;
  while (text[i] === ' ') i += 1;
  const start = i;
  while (i < text.length && text[i] !== ' ') i += 1;
  if (i === start) throw new StraceScanError(lineNumber, 'missing return value');
  return text.slice(start, i);
}

/**
 * Classifies one line. The prefix must be the `-f -o` pid column followed by a
 * `-ttt` timestamp, which is what every capture in the corpus uses.
 */
export function scanStraceLine(text: string, lineNumber: number): StraceLine {
  let i = 0;
  while (isDigit(text[i])) i += 1;
  if (i === 0) throw new StraceScanError(lineNumber, 'line does not start with a pid');
  const pid = Number(text.slice(0, i));
  while (text[i] === ' ') i += 1;
  // -ttt timestamp: digits '.' digits, then one space.
  const tsStart = i;
  while (isDigit(text[i]) || text[i] === '.') i += 1;
  if (i === tsStart || text[i] !== ' ') throw new StraceScanError(lineNumber, 'missing -ttt timestamp after the pid');
  i += 1;
  const body = text.slice(i);

  if (body.startsWith('--- ')) return { kind: 'signal', pid, text: body };
  if (body.startsWith('+++ ')) return scanExitLine(body, pid, lineNumber);
  if (body.startsWith('<... ')) {
    let j = 5;
    while (isNameChar(body[j])) j += 1;
    const name = body.slice(5, j);
    const marker = ' resumed>';
    if (name === '' || !body.startsWith(marker, j)) throw new StraceScanError(lineNumber, 'malformed "<... resumed>" line');
    return { kind: 'resumed', pid, name, tail: body.slice(j + marker.length) };
  }
  let j = 0;
  while (isNameChar(body[j])) j += 1;
  if (j === 0 || body[j] !== '(') throw new StraceScanError(lineNumber, `unrecognised line shape: ${JSON.stringify(body.slice(0, 60))}`);
  const name = body.slice(0, j);
  const close = findCallClose(body, j + 1);
  if (close < 0) {
    const trimmed = body.trimEnd();
    if (!trimmed.endsWith(UNFINISHED)) throw new StraceScanError(lineNumber, `call "${name}" neither closes nor is unfinished`);
    return { kind: 'unfinished', pid, name, args: trimmed.slice(j + 1, trimmed.length - UNFINISHED.length).trimEnd() };
  }
  return { kind: 'call', pid, name, args: body.slice(j + 1, close), retval: scanRetval(body, close, lineNumber) };
}

function scanExitLine(body: string, pid: number, lineNumber: number): StraceLine {
  const exited = '+++ exited with ';
  const killed = '+++ killed by ';
  const superseded = '+++ superseded by execve in pid ';
  if (body.startsWith(exited)) {
    const code = Number(body.slice(exited.length, body.indexOf(' ', exited.length)));
    if (!Number.isInteger(code)) throw new StraceScanError(lineNumber, 'malformed "exited with" line');
    return { kind: 'exited', pid, code };
  }
  if (body.startsWith(killed)) {
    let j = killed.length;
    while (isNameChar(body[j])) j += 1;
    const signal = body.slice(killed.length, j);
    if (!signal.startsWith('SIG')) throw new StraceScanError(lineNumber, 'malformed "killed by" line');
    return { kind: 'killed', pid, signal, coreDumped: body.includes('(core dumped)') };
  }
  if (body.startsWith(superseded)) {
    const byPid = Number(body.slice(superseded.length, body.indexOf(' ', superseded.length)));
    return { kind: 'superseded', pid, byPid };
  }
  throw new StraceScanError(lineNumber, `unrecognised "+++" line: ${JSON.stringify(body)}`);
}

/** The classified lines of a whole capture (a trailing newline is not a line). */
export function scanCapture(text: string): StraceLine[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => scanStraceLine(line, index + 1));
}

/**
 * Joins each unfinished call with its resumed half (same pid, same name) and
 * returns the calls in the order they started.
 */
export function joinCalls(lines: readonly StraceLine[]): JoinedCall[] {
  const calls: (JoinedCall | undefined)[] = [];
  const open = new Map<number, { name: string; args: string; line: number; slot: number }>();
  lines.forEach((l, index) => {
    const lineNumber = index + 1;
    switch (l.kind) {
      case 'call':
        calls.push({ pid: l.pid, name: l.name, args: l.args, retval: l.retval, line: lineNumber });
        return;
      case 'unfinished':
        open.set(l.pid, { name: l.name, args: l.args, line: lineNumber, slot: calls.length });
        calls.push(undefined); // keeps start order; filled when it resumes
        return;
      case 'resumed': {
        const pending = open.get(l.pid);
        if (pending === undefined || pending.name !== l.name) {
          throw new StraceScanError(lineNumber, `"${l.name}" resumed without an unfinished call in pid ${l.pid}`);
        }
        open.delete(l.pid);
        let tail = l.tail;
        // "<... x resumed> <unfinished ...>) = ?": killed or superseded while blocked.
        if (tail.startsWith(` ${UNFINISHED}`)) tail = tail.slice(UNFINISHED.length + 1);
        const whole = `${pending.args} ${tail}`;
        const close = findCallClose(whole, 0);
        if (close < 0) throw new StraceScanError(lineNumber, `resumed "${l.name}" does not close`);
        calls[pending.slot] = {
          pid: l.pid,
          name: l.name,
          args: whole.slice(0, close).trimEnd(),
          retval: scanRetval(whole, close, lineNumber),
          line: pending.line,
        };
        return;
      }
      case 'signal':
      case 'exited':
      case 'killed':
      case 'superseded':
        return;
      default: {
        const never: never = l;
        throw new Error(`unhandled line kind ${JSON.stringify(never)}`);
      }
    }
  });
  // A call still open at the end (the process died in it) has no result; keep it with "?".
  for (const pending of open.values()) {
    calls[pending.slot] = { pid: lines[pending.line - 1]?.pid ?? 0, name: pending.name, args: pending.args, retval: '?', line: pending.line };
  }
  return calls.filter((c): c is JoinedCall => c !== undefined);
}

/** Splits an argument list at top-level commas (outside strings and brackets). */
export function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < args.length) {
    const c = args[i];
    if (c === '"') {
      i += 1;
      while (i < args.length && args[i] !== '"') i += args[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(args.slice(start, i).trim());
      start = i + 1;
    }
    i += 1;
  }
  const last = args.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

/**
 * Decodes a strace C string literal (`"/bin/sh"`, with `\"`, `\\`, `\n`, octal
 * escapes). Returns undefined for anything that is not a complete literal —
 * including a truncated one (`"abc"...`), whose real value is unknown.
 */
export function decodeCString(token: string): string | undefined {
  if (token.length < 2 || token[0] !== '"' || token[token.length - 1] !== '"') return undefined;
  const bytes: number[] = [];
  let i = 1;
  const end = token.length - 1;
  while (i < end) {
    const c = token[i] as string;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      i += 1;
      continue;
    }
    const e = token[i + 1];
    i += 2;
    switch (e) {
      case 'n': bytes.push(10); break;
      case 't': bytes.push(9); break;
      case 'r': bytes.push(13); break;
      case 'v': bytes.push(11); break;
      case 'f': bytes.push(12); break;
      case '"': bytes.push(34); break;
      case '\\': bytes.push(92); break;
      default: {
        if (e === undefined || e < '0' || e > '7') return undefined;
        let value = Number(e);
        let digits = 1;
        while (digits < 3 && token[i] !== undefined && (token[i] as string) >= '0' && (token[i] as string) <= '7' && i < end) {
          value = value * 8 + Number(token[i]);
          i += 1;
          digits += 1;
        }
        bytes.push(value & 0xff);
      }
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
