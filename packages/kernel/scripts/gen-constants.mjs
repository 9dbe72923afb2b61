#!/usr/bin/env node
// Generates packages/kernel/src/errno.ts and src/signals.ts from this machine's Linux UAPI headers,
// so the numbers are Linux's own and are written down exactly once.
//
//   node packages/kernel/scripts/gen-constants.mjs           # (re)write both modules
//   node packages/kernel/scripts/gen-constants.mjs --check   # exit 1 if the committed modules differ
//
// Inputs:
//   /usr/include/asm-generic/errno-base.h, /usr/include/asm-generic/errno.h  (errno numbers, aliases)
//   /usr/include/x86_64-linux-gnu/asm/signal.h (or asm-generic/signal.h)     (signal numbers, aliases)
//   /usr/include/asm-generic/signal.h                                        (_NSIG)
//   glibc's strerror(), through python3's os.strerror: the text strace prints after an errno name.
// Kernel-internal restart codes (512..516, include/linux/errno.h) are not in the UAPI headers; their
// numbers and strace's texts (strace syscall.c prints them itself) are listed below.
// Default signal actions are signal(7)'s table; headers do not carry them.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, '..', 'src');
const repoRoot = join(here, '..', '..', '..');

const ERRNO_HEADERS = ['/usr/include/asm-generic/errno-base.h', '/usr/include/asm-generic/errno.h'];
const SIGNAL_HEADERS = ['/usr/include/x86_64-linux-gnu/asm/signal.h', '/usr/include/asm-generic/signal.h'];
const GENERIC_SIGNAL_HEADER = '/usr/include/asm-generic/signal.h';

/** Kernel-internal codes a tracer can observe at syscall exit; texts as strace prints them. */
const KERNEL_INTERNAL_ERRNOS = [
  { name: 'ERESTARTSYS', number: 512, message: 'To be restarted if SA_RESTART is set' },
  { name: 'ERESTARTNOINTR', number: 513, message: 'To be restarted' },
  { name: 'ERESTARTNOHAND', number: 514, message: 'To be restarted if no handler' },
  { name: 'ENOIOCTLCMD', number: 515, message: null }, // strace prints strerror's text for it
  { name: 'ERESTART_RESTARTBLOCK', number: 516, message: 'Interrupted by signal' },
];

/** signal(7), "Standard signals" table. */
const DEFAULT_ACTIONS = {
  SIGHUP: 'term', SIGINT: 'term', SIGQUIT: 'core', SIGILL: 'core', SIGTRAP: 'core', SIGABRT: 'core',
  SIGBUS: 'core', SIGFPE: 'core', SIGKILL: 'term', SIGUSR1: 'term', SIGSEGV: 'core', SIGUSR2: 'term',
  SIGPIPE: 'term', SIGALRM: 'term', SIGTERM: 'term', SIGSTKFLT: 'term', SIGCHLD: 'ign', SIGCONT: 'cont',
  SIGSTOP: 'stop', SIGTSTP: 'stop', SIGTTIN: 'stop', SIGTTOU: 'stop', SIGURG: 'ign', SIGXCPU: 'core',
  SIGXFSZ: 'core', SIGVTALRM: 'term', SIGPROF: 'term', SIGWINCH: 'ign', SIGIO: 'term', SIGPWR: 'term',
  SIGSYS: 'core',
};

class GenError extends Error {}

/**
 * Scans `#define NAME VALUE` lines of a header by hand (no regular expressions that could backtrack).
 * VALUE is either a decimal integer or another macro name (an alias).
 */
function scanDefines(file) {
  const out = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  let inComment = false; // inside a /* … */ block that spans lines (e.g. x86's commented-out SIGLOST)
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (inComment) {
      if (line.includes('*/')) inComment = false;
      return;
    }
    const lastOpen = line.lastIndexOf('/*');
    if (lastOpen >= 0 && line.indexOf('*/', lastOpen + 2) < 0) inComment = true;
    if (!line.startsWith('#define')) return;
    const words = [];
    let i = '#define'.length;
    while (i < line.length && words.length < 2) {
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
      const start = i;
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
      if (i > start) words.push(line.slice(start, i));
    }
    if (words.length < 2) return;
    const [name, value] = words;
    let comment = null;
    const open = line.indexOf('/*', i);
    if (open >= 0) {
      const close = line.indexOf('*/', open + 2);
      if (close > open) comment = line.slice(open + 2, close).trim();
    }
    out.push({ name, value, comment, where: `${file}:${index + 1}` });
  });
  return out;
}

const isDecimal = (s) => s.length > 0 && [...s].every((c) => c >= '0' && c <= '9');

function collect(defines, accept) {
  /** @type {{name:string, number:number, comment:string|null}[]} */
  const canon = [];
  /** @type {Map<string,string>} */
  const aliases = new Map();
  const byName = new Map();
  for (const d of defines) {
    if (!accept(d.name)) continue;
    if (isDecimal(d.value)) {
      const number = Number(d.value);
      byName.set(d.name, number);
      // The first name for a number is the one strace prints (EAGAIN, not EWOULDBLOCK).
      if (canon.some((c) => c.number === number)) {
        const first = canon.find((c) => c.number === number);
        aliases.set(d.name, first.name);
      } else {
        canon.push({ name: d.name, number, comment: d.comment });
      }
    } else if (byName.has(d.value)) {
      const target = canon.find((c) => c.number === byName.get(d.value));
      aliases.set(d.name, target.name);
      byName.set(d.name, byName.get(d.value));
    } else {
      throw new GenError(`${d.where}: ${d.name} is defined as ${d.value}, which is not a known number`);
    }
  }
  return { canon, aliases };
}

function strerrors(numbers) {
  const py = 'import json,os,sys\nprint(json.dumps({n: os.strerror(n) for n in json.loads(sys.argv[1])}))';
  // The system interpreter first: version-manager shims can add seconds per start.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['-c', py, JSON.stringify(numbers)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new GenError(`python3 (for glibc strerror) failed: ${r.error?.message ?? r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

const q = (s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function genErrno() {
  for (const f of ERRNO_HEADERS) if (!existsSync(f)) throw new GenError(`${f}: missing (install linux-libc-dev)`);
  const defines = ERRNO_HEADERS.flatMap(scanDefines);
  const { canon, aliases } = collect(defines, (n) => n.startsWith('E') && !n.startsWith('E_') && n !== 'EOF');
  for (const k of KERNEL_INTERNAL_ERRNOS) canon.push({ name: k.name, number: k.number, comment: null });
  canon.sort((a, b) => a.number - b.number);
  const texts = strerrors(canon.map((c) => c.number));
  const rows = canon.map((c) => {
    const internal = KERNEL_INTERNAL_ERRNOS.find((k) => k.name === c.name);
    const message = internal?.message ?? texts[String(c.number)];
    return `  { name: ${q(c.name)}, number: ${c.number}, message: ${q(message)} },`;
  });
  const src = ERRNO_HEADERS.map((f) => `//   ${f}`).join('\n');
  return `// Generated by packages/kernel/scripts/gen-constants.mjs — do not edit; rerun the script.
// Sources:
${src}
//   glibc strerror() texts (what strace prints after the name); kernel-internal 512..516 from
//   include/linux/errno.h with strace's own texts.
//
// API: ERRNO (name → number), ErrnoName, ERRNO_TABLE (canonical rows in number order),
// ERRNO_ALIASES (EWOULDBLOCK → EAGAIN, …), errnoNumber(name), errnoName(number) (strace's name),
// errnoMessage(name | number), isErrnoName(text), parseErrnoName(text) (accepts aliases).
// Kernel errors are values of type ErrnoName; Errno<T> is the result shape the kernel modules use.

export interface ErrnoInfo {
  readonly name: ErrnoName;
  readonly number: number;
  readonly message: string;
}

export const ERRNO_TABLE = [
${rows.join('\n')}
] as const satisfies readonly { name: string; number: number; message: string }[];

export type ErrnoName = (typeof ERRNO_TABLE)[number]['name'];

export const ERRNO: { readonly [N in ErrnoName]: number } = Object.freeze(
  Object.fromEntries(ERRNO_TABLE.map((e) => [e.name, e.number])) as { [N in ErrnoName]: number },
);

export const ERRNO_ALIASES = {
${[...aliases].map(([a, t]) => `  ${a}: ${q(t)},`).join('\n')}
} as const satisfies Record<string, ErrnoName>;

export type ErrnoAlias = keyof typeof ERRNO_ALIASES;

const byNumber = new Map<number, ErrnoInfo>(ERRNO_TABLE.map((e) => [e.number, e]));
const byName = new Map<string, ErrnoInfo>(ERRNO_TABLE.map((e) => [e.name, e]));

export function isErrnoName(text: string): text is ErrnoName {
  return byName.has(text);
}

/** The canonical name for a name or alias as strace or a header may spell it, or undefined. */
export function parseErrnoName(text: string): ErrnoName | undefined {
  if (byName.has(text)) return text as ErrnoName;
  return Object.hasOwn(ERRNO_ALIASES, text) ? ERRNO_ALIASES[text as ErrnoAlias] : undefined;
}

export function errnoNumber(name: ErrnoName): number {
  return ERRNO[name];
}

/** The name strace prints for a positive errno number, or undefined for a number Linux does not define. */
export function errnoName(number: number): ErrnoName | undefined {
  return byNumber.get(number)?.name;
}

/** strace's text after the name, e.g. "No such file or directory"; glibc's form for unknown numbers. */
export function errnoMessage(errno: ErrnoName | number): string {
  const info = typeof errno === 'number' ? byNumber.get(errno) : byName.get(errno);
  return info?.message ?? \`Unknown error \${String(errno)}\`;
}

/** A kernel operation's outcome: a value, or an errno (never an exception). */
export type Errno<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errno: ErrnoName };

export function ok<T>(value: T): Errno<T> {
  return { ok: true, value };
}

export function fail<T = never>(errno: ErrnoName): Errno<T> {
  return { ok: false, errno };
}
`;
}

function genSignals() {
  const header = SIGNAL_HEADERS.find((f) => existsSync(f));
  if (!header) throw new GenError(`${SIGNAL_HEADERS.join(' or ')}: missing (install linux-libc-dev)`);
  if (!existsSync(GENERIC_SIGNAL_HEADER)) throw new GenError(`${GENERIC_SIGNAL_HEADER}: missing`);
  const nsigDef = scanDefines(GENERIC_SIGNAL_HEADER).find((d) => d.name === '_NSIG');
  if (!nsigDef || !isDecimal(nsigDef.value)) throw new GenError(`${GENERIC_SIGNAL_HEADER}: no numeric _NSIG`);
  const nsig = Number(nsigDef.value);
  const defines = scanDefines(header).map((d) => (d.value === '_NSIG' ? { ...d, value: String(nsig) } : d));
  const isSig = (n) => n.startsWith('SIG') && !n.startsWith('SIG_') && n !== 'SIGSTKSZ';
  const { canon, aliases } = collect(defines, isSig);
  const rtmin = canon.find((c) => c.name === 'SIGRTMIN')?.number;
  const rtmax = nsig;
  if (rtmin === undefined) throw new GenError(`${header}: no SIGRTMIN`);
  const standard = canon.filter((c) => c.number < rtmin);
  const rows = standard.map((c) => {
    const action = DEFAULT_ACTIONS[c.name];
    if (!action) throw new GenError(`${header}: ${c.name} has no default action in signal(7)'s table`);
    return `  { name: ${q(c.name)}, number: ${c.number}, defaultAction: ${q(action)} },`;
  });
  const aliasRows = [...aliases].filter(([a]) => a !== 'SIGRTMAX' && a !== 'SIGRTMIN');
  return `// Generated by packages/kernel/scripts/gen-constants.mjs — do not edit; rerun the script.
// Sources: ${header} (numbers, aliases), ${GENERIC_SIGNAL_HEADER} (_NSIG = ${nsig}),
// signal(7) (default actions). Real-time signals are named as strace prints them: the kernel's
// SIGRTMIN (${rtmin}) is "SIGRTMIN", ${rtmin} + n is "SIGRT_n" up to _NSIG (${rtmax}) = "SIGRT_${rtmax - rtmin}".
//
// API: SIGNALS (standard name → number), SignalName, SIGNAL_TABLE, SIGNAL_ALIASES, SIGRTMIN, SIGRTMAX,
// NSIG, signalName(number) (strace's spelling), signalNumber(name) (aliases and SIGRT_n accepted),
// defaultAction(number), isValidSignal(number).

export type DefaultAction = 'term' | 'core' | 'stop' | 'cont' | 'ign';

export const SIGNAL_TABLE = [
${rows.join('\n')}
] as const satisfies readonly { name: string; number: number; defaultAction: DefaultAction }[];

export type StandardSignalName = (typeof SIGNAL_TABLE)[number]['name'];
/** Every name strace prints for a signal number in 1..NSIG. */
export type SignalName = StandardSignalName | 'SIGRTMIN' | \`SIGRT_\${number}\`;

export interface SignalInfo {
  readonly name: SignalName;
  readonly number: number;
  readonly defaultAction: DefaultAction;
}

export const SIGNALS: { readonly [N in StandardSignalName]: number } = Object.freeze(
  Object.fromEntries(SIGNAL_TABLE.map((s) => [s.name, s.number])) as { [N in StandardSignalName]: number },
);

export const SIGNAL_ALIASES = {
${aliasRows.map(([a, t]) => `  ${a}: ${q(t)},`).join('\n')}
} as const satisfies Record<string, StandardSignalName>;

/** The kernel's first real-time signal (glibc reserves two more and reports 34). */
export const SIGRTMIN = ${rtmin};
export const SIGRTMAX = ${rtmax};
/** Highest signal number; valid signals are 1..NSIG. */
export const NSIG = ${nsig};

const byNumber = new Map<number, SignalInfo>(SIGNAL_TABLE.map((s) => [s.number, s]));
const byName = new Map<string, number>(SIGNAL_TABLE.map((s) => [s.name, s.number]));

export function isValidSignal(number: number): boolean {
  return Number.isInteger(number) && number >= 1 && number <= NSIG;
}

/** strace's spelling of a signal number, or undefined outside 1..NSIG. */
export function signalName(number: number): SignalName | undefined {
  if (!isValidSignal(number)) return undefined;
  if (number < SIGRTMIN) return byNumber.get(number)?.name;
  return number === SIGRTMIN ? 'SIGRTMIN' : \`SIGRT_\${number - SIGRTMIN}\`;
}

/** The number for a standard name, an alias (SIGIOT, SIGPOLL…), SIGRTMIN, SIGRTMAX or SIGRT_n. */
export function signalNumber(name: string): number | undefined {
  const direct = byName.get(name);
  if (direct !== undefined) return direct;
  if (Object.hasOwn(SIGNAL_ALIASES, name)) return byName.get(SIGNAL_ALIASES[name as keyof typeof SIGNAL_ALIASES]);
  if (name === 'SIGRTMIN') return SIGRTMIN;
  if (name === 'SIGRTMAX') return SIGRTMAX;
  if (name.startsWith('SIGRT_')) {
    const digits = name.slice('SIGRT_'.length);
    if (digits.length === 0 || digits.length > 3 || ![...digits].every((c) => c >= '0' && c <= '9')) return undefined;
    if (digits.length > 1 && digits.startsWith('0')) return undefined;
    const n = SIGRTMIN + Number(digits);
    return n > SIGRTMIN && n <= SIGRTMAX ? n : undefined;
  }
  return undefined;
}

/** What happens when a signal at SIG_DFL is delivered; real-time signals terminate. */
export function defaultAction(number: number): DefaultAction {
  if (number >= SIGRTMIN && number <= SIGRTMAX) return 'term';
  const info = byNumber.get(number);
  if (!info) throw new RangeError(\`defaultAction: \${number} is not a signal (1..\${NSIG})\`);
  return info.defaultAction;
}

export function signalInfo(number: number): SignalInfo | undefined {
  const name = signalName(number);
  return name === undefined ? undefined : { name, number, defaultAction: defaultAction(number) };
}
`;
}

function main() {
  const check = process.argv.includes('--check');
  const outputs = [
    { file: join(srcDir, 'errno.ts'), text: genErrno() },
    { file: join(srcDir, 'signals.ts'), text: genSignals() },
  ];
  let stale = 0;
  for (const { file, text } of outputs) {
    const rel = relative(repoRoot, file);
    if (check) {
      const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
      if (current !== text) {
        stale++;
        process.stderr.write(`${rel}: out of date; run node packages/kernel/scripts/gen-constants.mjs\n`);
      }
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${rel}\n`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}

try {
  main();
} catch (e) {
  if (e instanceof GenError) {
    process.stderr.write(`gen-constants: ${e.message}\n`);
    process.exitCode = 2;
  } else throw e;
}
