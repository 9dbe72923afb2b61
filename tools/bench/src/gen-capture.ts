// Makes a large, real strace capture for the parser benchmark: runs real commands (a tar|gzip
// pipeline, a shell loop of small processes, Python's subprocess) under strace, then
// concatenates the runs until the target size, renumbering pids so that every run has its own
// tasks and shifting -ttt timestamps so that time keeps increasing. Nothing is synthetic: every
// line was printed by strace.
//
//   node tools/bench/dist/gen-capture.js [--out FILE] [--mb 50] [--flags "-f -ttt -T"]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Commands that spawn, pipe and exec the way the corpus programs do, with plenty of I/O. */
const COMMANDS: readonly string[] = [
  'tar cf - /usr/share/doc 2>/dev/null | gzip -1 > /dev/null',
  'for i in 1 2 3 4 5 6 7 8; do ls -l /usr/bin > /dev/null; echo "$i" | cat | wc -c > /dev/null; done',
  'command -v python3 >/dev/null && python3 -c "import subprocess; [subprocess.run([\'true\']) for _ in range(5)]"; true',
];

export interface CaptureOptions {
  readonly out: string;
  /** Target size in bytes (the file ends at the first run boundary past it). */
  readonly bytes: number;
  /** strace options placed before `-o` (default: the corpus's `-f -ttt -T -s 256`). */
  readonly flags?: readonly string[];
}

const DEFAULT_FLAGS = ['-f', '-ttt', '-T', '-s', '256'];

/** Runs each command once under strace; returns the captures' text. Throws if strace cannot run. */
export function recordRuns(flags: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-gen-'));
  try {
    return COMMANDS.map((cmd, i) => {
      const out = join(dir, `run${i}.strace`);
      const r = spawnSync('strace', [...flags, '-o', out, 'sh', '-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.error) throw new Error(`gen-capture: strace could not run: ${r.error.message}`);
      if (!existsSync(out)) throw new Error(`gen-capture: strace wrote no capture: ${r.stderr.trim()}`);
      return readFileSync(out, 'utf8');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pids of a capture: the first field of -f -o lines. */
function pidsOf(text: string): Set<number> {
  const pids = new Set<number>();
  for (const line of text.split('\n')) {
    const m = /^(\d+) /.exec(line);
    if (m) pids.add(Number(m[1]));
  }
  return pids;
}

let nextPid = 1000;
function freshPid(): number {
  nextPid = nextPid >= 4_000_000 ? 1000 : nextPid + 1;
  return nextPid;
}

/** First and last -ttt stamps of a run, in microseconds (null without -ttt). */
function stampsOf(text: string): { first: bigint; last: bigint } | null {
  let first: bigint | null = null;
  let last: bigint | null = null;
  for (const line of text.split('\n')) {
    const m = /^\d+ +(\d{9,})\.(\d{6}) /.exec(line);
    if (!m) continue;
    const t = BigInt(m[1] as string) * 1_000_000n + BigInt(m[2] as string);
    first ??= t;
    last = t;
  }
  return first === null || last === null ? null : { first, last };
}

/**
 * One run with its pids renumbered (in the pid column and wherever the same number stands alone:
 * clone results, wait4 arguments, si_pid=, superseded lines) and its -ttt stamps shifted.
 */
function renumber(text: string, shiftUs: bigint): string {
  const map = new Map<string, string>();
  for (const p of pidsOf(text)) map.set(String(p), String(freshPid()));
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/(?<![\w.])\d+(?![\w.])/g, (n) => map.get(n) ?? n)
        .replace(/^(\d+ +)(\d{9,})\.(\d{6})(?= )/, (_all, pid: string, s: string, us: string) => {
          const t = BigInt(s) * 1_000_000n + BigInt(us) + shiftUs;
          return `${pid}${t / 1_000_000n}.${String(t % 1_000_000n).padStart(6, '0')}`;
        }),
    )
    .join('\n');
}

/** Writes the capture; returns its size in bytes. */
export function generateCapture(opts: CaptureOptions): number {
  const runs = recordRuns(opts.flags ?? DEFAULT_FLAGS);
  mkdirSync(dirname(opts.out), { recursive: true });
  const fd = openSync(opts.out, 'w');
  let written = 0;
  const stamps = runs.map(stampsOf);
  let clock: bigint | null = null;
  try {
    for (let i = 0; written < opts.bytes; i++) {
      const base = runs[i % runs.length] as string;
      const st = stamps[i % runs.length] ?? null;
      // Shift this run so that it starts 1 ms after the previous one ended.
      const shift: bigint = st !== null && clock !== null ? clock + 1000n - st.first : 0n;
      if (st !== null) clock = st.last + shift;
      const text = renumber(base, shift);
      written += writeSync(fd, text.endsWith('\n') ? text : text + '\n');
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** The capture at `out`, made if missing or smaller than `bytes`. */
export function ensureCapture(opts: CaptureOptions): string {
  if (!existsSync(opts.out) || statSync(opts.out).size < opts.bytes) generateCapture(opts);
  return opts.out;
}

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const defaultCapturePath = join(repoRoot, 'tmp', 'bench', 'capture-f-ttt-T.strace');

function main(argv: readonly string[]): void {
  let out = defaultCapturePath;
  let mb = 50;
  let flags: string[] = DEFAULT_FLAGS;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i] ?? out;
    else if (a === '--mb') mb = Number(argv[++i]);
    else if (a === '--flags') flags = (argv[++i] ?? '').split(' ').filter((x) => x.length > 0);
    else throw new Error(`gen-capture: unknown argument ${a}`);
  }
  const size = generateCapture({ out, bytes: mb * 1e6, flags });
  console.log(`gen-capture: wrote ${(size / 1e6).toFixed(1)} MB to ${out}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
