// The `#!` line as fs/binfmt_script.c reads it (Linux ≥ 5.0): only the first BINPRM_BUF_SIZE
// (256) bytes of the file are seen; the interpreter is the first word after `#!` (leading spaces
// and tabs skipped), and everything after the following run of spaces/tabs up to the end of the
// line — trailing spaces/tabs trimmed — is ONE optional argument, spaces included (D21). A NUL
// byte ends a word (C strings). A line with no newline within the buffer is accepted only if the
// interpreter word itself ends inside the buffer.
//
// API: parseShebang(head) → { kind:'script', interpreter, arg } | { kind:'not-script' } | { kind:'no-interpreter' }
//   head: the file's first bytes as a string of char codes 0..255 (or any longer prefix).

export const BINPRM_BUF_SIZE = 256;

export type Shebang =
  | { readonly kind: 'script'; readonly interpreter: string; readonly arg: string | null }
  /** Does not start with `#!` (another binary format would be tried; none is modelled: ENOEXEC). */
  | { readonly kind: 'not-script' }
  /** `#!` with no interpreter word, or a truncated one: ENOEXEC (D5). */
  | { readonly kind: 'no-interpreter' };

const isSpaceTab = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isTerminator = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\0';

export function parseShebang(head: string): Shebang {
  // The kernel reads into a zeroed buffer: bytes past the end of a short file are NULs.
  const buf = head.slice(0, BINPRM_BUF_SIZE).padEnd(BINPRM_BUF_SIZE, '\0');
  if (buf[0] !== '#' || buf[1] !== '!') return { kind: 'not-script' };
  // The last byte of the buffer is reserved for a terminator.
  const last = BINPRM_BUF_SIZE - 1;
  let end = buf.indexOf('\n');
  if (end < 0) {
    // No newline: the interpreter word must end (space, tab or NUL) before the buffer does.
    let i = 2;
    while (i < last && isSpaceTab(buf[i])) i++;
    if (i >= last) return { kind: 'no-interpreter' };
    let j = i;
    while (j < last && !isTerminator(buf[j])) j++;
    if (j >= last) return { kind: 'no-interpreter' };
    end = last;
  }
  // Trim trailing spaces/tabs, skip leading ones.
  while (end > 2 && isSpaceTab(buf[end - 1])) end--;
  let nameStart = 2;
  while (nameStart < end && isSpaceTab(buf[nameStart])) nameStart++;
  if (nameStart >= end) return { kind: 'no-interpreter' };
  let sep = nameStart;
  while (sep < end && !isTerminator(buf[sep])) sep++;
  const interpreter = buf.slice(nameStart, sep);
  // "#!\0…" yields an empty name; resolveExec opens it as the kernel does (the cwd: EACCES).
  let arg: string | null = null;
  if (sep < end && buf[sep] !== '\0') {
    let a = sep;
    while (a < end && isSpaceTab(buf[a])) a++;
    if (a < end) {
      const raw = buf.slice(a, end);
      const nul = raw.indexOf('\0');
      arg = nul >= 0 ? raw.slice(0, nul) : raw;
    }
  }
  return { kind: 'script', interpreter, arg };
}
