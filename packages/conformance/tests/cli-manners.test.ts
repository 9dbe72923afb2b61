// CLI manners: colour only on a terminal and never with NO_COLOR, a progress bar only on a
// terminal stderr and never with --quiet, --quiet output, --version, --help for every command.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { runCli, type CliWhere } from './helpers/cli.js';
import { COMMANDS } from '../src/cli/registry.js';
import { createProgress, renderProgress } from '../src/cli/progress.js';
import { dropWritesWhenClosed } from '../src/cli/closed-pipe.js';
import { colourWanted, terminalFor, withTerminal } from '../src/cli/terminal.js';
import { createStyle, toneOf, type Verdict } from '../src/cli/style.js';

type Where = Omit<CliWhere, 'columns'>;

const run = (argv: string[], where: Where = {}) => runCli(argv, { ...where, columns: 100 });

const TTY: Where = { out: true, err: true, env: {} };
const ESC = '\x1b';

/** The text without SGR sequences (a hand-written scanner: ESC '[' digits/';' 'm'). */
function plain(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ESC && text[i + 1] === '[') {
      let j = i + 2;
      while (j < text.length && /[0-9;]/.test(text[j] as string)) j++;
      if (text[j] === 'm') {
        i = j;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// A real strace -f run of a posix_spawn program (the lines of tests/cli.test.ts's fixture).
const CAPTURE = `11428 execve("./spawn", ["./spawn"], 0x7ffdca569d48 /* 39 vars */) = 0
11428 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7fcaf586a000, stack_size=0x9000}, 88 <unfinished ...>
11429 execve("/bin/true", ["true"], 0x7ffc3a0b4a58 /* 39 vars */ <unfinished ...>
11428 <... clone3 resumed>) = 11429
11429 <... execve resumed>) = 0
11428 wait4(11429,  <unfinished ...>
11429 exit_group(0)   = ?
11429 +++ exited with 0 +++
11428 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11429
11428 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11429, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---
11428 exit_group(0)   = ?
11428 +++ exited with 0 +++
`;

/** A directory with `n` corpus-like cases (DIR/case<i>/capture.strace) and a bad capture file. */
function corpusDir(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-manners-'));
  for (let i = 0; i < n; i++) {
    mkdirSync(join(dir, 'corpus', `case${i}`), { recursive: true });
    writeFileSync(join(dir, 'corpus', `case${i}`, 'capture.strace'), CAPTURE);
  }
  writeFileSync(join(dir, 'bad.strace'), CAPTURE + 'this is not strace output\n');
  return dir;
}

/** Runs that exercise every kind of output a command of ours styles. */
function styledRuns(): string[][] {
  return [['parse', 'bad.strace'], ['tree', 'bad.strace'], ['normalize', '--write', 'corpus'], ['frobnicate'], ['parse', 'missing.strace'], ['parse', '--frob']];
}

describe('colour', () => {
  it('a terminal gets colour; stripping it gives exactly the uncoloured output', async () => {
    let coloured = 0;
    for (const argv of styledRuns()) {
      // Each in a fresh directory, so that normalize --write writes in both.
      const tty = await run(argv, { ...TTY, cwd: corpusDir(3) });
      const pipe = await run(argv, { cwd: corpusDir(3) });
      if ((tty.stdout + tty.stderr).includes(ESC)) coloured++;
      expect(tty.code, argv.join(' ')).toBe(pipe.code);
      expect(plain(tty.stdout), argv.join(' ')).toBe(pipe.stdout);
      // stderr on a terminal also has the progress bar: compare the lines that end in \n.
      expect(plain(tty.stderr).split('\n').map((l) => l.slice(l.lastIndexOf('\r') + 1)).join('\n')).toBe(pipe.stderr);
    }
    expect(coloured).toBe(styledRuns().length);
  });

  it('an error on a terminal is coloured but is still one forkscope: line', async () => {
    const r = await run(['frobnicate'], TTY);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(ESC);
    expect(plain(r.stderr)).toMatch(/^forkscope: unknown command 'frobnicate' .*\nTry 'forkscope --help'\.\n$/);
  });

  it('neither stdout nor stderr is a terminal: no escape byte anywhere', async () => {
    const dir = corpusDir(3);
    for (const argv of styledRuns()) {
      const r = await run(argv, { cwd: dir });
      expect(r.stdout + r.stderr, argv.join(' ')).not.toContain(ESC);
      expect(r.stderr).not.toContain('\r');
    }
  });

  it('NO_COLOR (any non-empty value) on a terminal: no escape byte anywhere, progress bar included', async () => {
    const dir = corpusDir(3);
    for (const value of ['1', 'true', '0', 'no']) {
      for (const argv of styledRuns()) {
        const r = await run(argv, { ...TTY, cwd: dir, env: { NO_COLOR: value } });
        expect(r.stdout + r.stderr, `NO_COLOR=${value} ${argv.join(' ')}`).not.toContain(ESC);
      }
    }
  });

  it('an empty NO_COLOR is not set (no-color.org); TERM=dumb never gets colour', () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(true, { TERM: 'dumb' })).toBe(false);
    expect(colourWanted(true, { TERM: 'xterm-256color' })).toBe(true);
  });

  it('FORCE_COLOR is not read: Nx sets it for every task, and a pipe must stay plain', async () => {
    expect(colourWanted(false, { FORCE_COLOR: 'true' })).toBe(false);
    const r = await run(['frobnicate'], { env: { FORCE_COLOR: 'true' } });
    expect(r.stderr).not.toContain(ESC);
  });

  it('stdout and stderr are decided each on its own', async () => {
    const dir = corpusDir(0);
    const outOnly = await run(['parse', 'bad.strace'], { out: true, err: false, cwd: dir });
    expect(outOnly.stdout).toContain(ESC);
    expect(outOnly.stderr).not.toContain(ESC);
    const errOnly = await run(['parse', 'bad.strace'], { out: false, err: true, cwd: dir });
    expect(errOnly.stdout).not.toContain(ESC);
    expect(errOnly.stderr).toContain(ESC);
  });

  it('a style never changes the words, only wraps them; a disabled style returns them untouched', () => {
    const verdicts: Verdict[] = ['conforms', 'matches', 'ok', 'diverges', 'DIVERGES', 'error', 'unchecked', 'wrote', 'unchanged'];
    const on = createStyle(true);
    const off = createStyle(false);
    for (const v of verdicts) {
      expect(off.verdict(v)).toBe(v);
      expect(on.verdict(v)).not.toBe(v);
      expect(plain(on.verdict(v))).toBe(v);
    }
    expect(toneOf('conforms')).not.toBe(toneOf('diverges'));
    expect(on.paint('bad', '')).toBe('');
  });
});

describe('progress bar', () => {
  it('normalize --write over many captures draws a bar on a terminal stderr, and erases it at the end', async () => {
    const dir = corpusDir(4);
    const r = await run(['normalize', '--write', 'corpus'], { err: true, cwd: dir });
    expect(r.code).toBe(0);
    const bars = r.stderrWrites.filter((w) => w.startsWith('\r') && w.includes('['));
    expect(bars.map((b) => b.trim().replace(/ +$/, '').match(/\d+\/\d+$/)?.[0])).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(bars.every((b) => b.includes('normalize ['))).toBe(true);
    // The last write erases the bar: nothing of it is left on the line.
    const last = r.stderrWrites.at(-1) ?? '';
    expect(last).toMatch(/^\r +\r$/);
    // stdout is not a terminal: its lines are as on a pipe, and they do not erase the bar.
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(4);
    expect(r.stderrWrites.filter((w) => /^\r +\r$/.test(w))).toHaveLength(1);
    // Both on one terminal: every stdout line is preceded by erasing the bar (4 lines, the last after done).
    const both = await run(['normalize', '--write', 'corpus'], { out: true, err: true, cwd: corpusDir(4), env: {} });
    expect(both.stderrWrites.filter((w) => /^\r +\r$/.test(w))).toHaveLength(4);
  });

  it('no bar when stderr is not a terminal, even when stdout is', async () => {
    const dir = corpusDir(4);
    const r = await run(['normalize', '--write', 'corpus'], { out: true, err: false, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('no bar with --quiet, even on a terminal', async () => {
    const dir = corpusDir(4);
    const r = await run(['--quiet', 'normalize', '--write', 'corpus'], { ...TTY, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('no bar for a single capture', async () => {
    const dir = corpusDir(1);
    const r = await run(['normalize', '--write', 'corpus'], { ...TTY, cwd: dir });
    expect(r.stderr).toBe('');
  });

  it('createProgress: redraws only when the line changes, clear then tick redraws, done is final and idempotent', () => {
    const writes: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => writes.push(s), isTTY: true, columns: 60 }, cwd: '/', isTTY: false, env: {} };
    const t = terminalFor(io, { quiet: false });
    const p = createProgress(withTerminal(io, t), 1000, 'check');
    expect(p.active).toBe(true);
    for (let i = 0; i < 1000; i++) p.tick();
    // 1000 ticks, but the counts change every tick: one write each; the bar never exceeds the width.
    expect(writes).toHaveLength(1000);
    expect(Math.max(...writes.map((w) => w.replace(/\r/g, '').trimEnd().length))).toBeLessThanOrEqual(59);
    p.tick(); // past the total: clamped, nothing new to draw
    expect(writes).toHaveLength(1000);
    p.clear();
    expect(writes.at(-1)).toMatch(/^\r +\r$/);
    p.clear(); // already erased
    expect(writes).toHaveLength(1001);
    p.tick();
    expect(writes.at(-1)).toContain('1000/1000');
    p.done();
    p.done();
    p.tick();
    expect(writes).toHaveLength(1003);
    expect(writes.at(-1)).toMatch(/^\r +\r$/);
  });

  it('createProgress is inactive (writes nothing) on a pipe, with --quiet, and for a command run outside main on a pipe', () => {
    for (const [isTTY, quiet] of [[false, false], [true, true], [false, true]] as const) {
      const writes: string[] = [];
      const io = { stdout: { write: () => true }, stderr: { write: (s: string) => writes.push(s), isTTY }, cwd: '/', isTTY: false, env: {} };
      const p = createProgress(withTerminal(io, terminalFor(io, { quiet })), 10, 'x');
      expect(p.active).toBe(false);
      p.tick();
      p.done();
      expect(writes).toEqual([]);
    }
    const direct = createProgress({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: '/', isTTY: false }, 10, 'x');
    expect(direct.active).toBe(false);
  });

  it('renderProgress never writes into the last column, whatever the label and width', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 }), (label, count, total, columns) => {
        const line = renderProgress(label, Math.min(count, total), total, columns);
        expect(line.length).toBeLessThanOrEqual(columns - 1);
        expect(line).not.toContain('\n');
      }),
    );
    expect(renderProgress('check', 5, 10, 80)).toMatch(/^check \[#{20}-{20}\] 5\/10$/);
  });
});

describe('--quiet', () => {
  it('normalize --write --quiet prints only the files it wrote', async () => {
    const dir = corpusDir(3);
    const first = await run(['normalize', '--write', 'corpus', '--quiet'], { cwd: dir });
    expect(first.stdout.split('\n').filter((l) => l.startsWith('wrote '))).toHaveLength(3);
    const again = await run(['normalize', '--write', 'corpus', '-q'], { cwd: dir });
    expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const loud = await run(['normalize', '--write', 'corpus'], { cwd: dir });
    expect(loud.stdout.split('\n').filter((l) => l.startsWith('unchanged '))).toHaveLength(3);
    writeFileSync(join(dir, 'corpus', 'case1', 'expected.json'), '{}\n');
    const one = await run(['-q', 'normalize', '--write', 'corpus'], { cwd: dir });
    expect(one.stdout).toBe(`wrote ${join('corpus', 'case1', 'expected.json')}\n`);
  });

  it('keeps the result and the errors: parse still prints its summary and the lines it did not understand', async () => {
    const dir = corpusDir(0);
    const q = await run(['parse', '--quiet', 'bad.strace'], { cwd: dir });
    const loud = await run(['parse', 'bad.strace'], { cwd: dir });
    expect(q).toEqual(loud);
    expect(q.code).toBe(1);
    expect(q.stdout).toBe('bad.strace: 13 lines, 9 events, 1 diagnostic\n');
    expect(q.stderr).toMatch(/^bad\.strace:13: /);
    const missing = await run(['--quiet', 'tree', 'missing.strace'], { cwd: dir });
    expect(missing).toMatchObject({ code: 2, stderr: 'forkscope: missing.strace: no such file or directory\n' });
  });

  it('after -- a --quiet is the command\'s argument, not the global option', async () => {
    const dir = corpusDir(0);
    const r = await run(['parse', '--', '--quiet'], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stderr: 'forkscope: --quiet: no such file or directory\n' });
  });
});

describe('--version', () => {
  it('prints the package.json version, with -V too', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-V']) {
      expect(await run([flag])).toMatchObject({ code: 0, stdout: `forkscope ${pkg.version}\n`, stderr: '' });
    }
  });
});

describe('--help for every registered command', () => {
  it('the top-level help lists every command and the global options', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} +\\S`, 'm'));
    for (const opt of ['--quiet', '--debug', '--version', 'NO_COLOR']) expect(r.stdout).toContain(opt);
  });

  it.each(COMMANDS.map((c) => c.name))('%s: --help, -h and `help NAME` print the help, whose first line is the usage, exit 0', async (name) => {
    const cmd = COMMANDS.find((c) => c.name === name);
    const helps = [await run([name, '--help']), await run([name, '-h']), await run(['help', name]), await run([name, 'some-file', '--help'])];
    for (const h of helps) expect(h).toMatchObject({ code: 0, stdout: cmd?.help, stderr: '' });
    expect((helps[0]?.stdout ?? '').split('\n')[0]).toMatch(new RegExp(`^usage: forkscope ${name}\\b`, 'i'));
  });

  for (const { name, help } of COMMANDS) {
    it(`${name}: the help has an Examples section with at least one forkscope ${name} line`, () => {
      const examples = help.split(/^examples:\n/im)[1] ?? '';
      expect(examples, `${name} --help has an Examples: section`).not.toBe('');
      expect(examples).toMatch(new RegExp(`^  forkscope ${name}\\b`, 'm'));
    });
  }
});

describe('usage errors', () => {
  it('an unknown command lists the commands and suggests the nearest, exit 2', async () => {
    const r = await run(['chek']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [first, hint, rest] = r.stderr.split('\n');
    expect(first).toContain("forkscope: unknown command 'chek'; did you mean 'check'?");
    for (const c of COMMANDS) expect(first).toContain(c.name);
    expect(hint).toBe("Try 'forkscope --help'.");
    expect(rest).toBe('');
    expect((await run(['zzzzzzzz'])).stderr).not.toContain('did you mean');
    expect((await run(['help', 'chek'])).code).toBe(2);
  });

  it('no command at all is a usage error listing the commands', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    for (const c of COMMANDS) expect(r.stderr).toContain(c.name);
  });
});

describe('a reader that goes away', () => {
  it('parse --ndjson into a pipe whose reader closed it: writes after EPIPE are dropped, no crash, no stack', async () => {
    const dir = corpusDir(0);
    writeFileSync(join(dir, 'big.strace'), CAPTURE.repeat(100));
    // A reader that takes one byte, closes its end of the pipe, says so, and stays alive (a
    // reader that exits would have Node close our end first, hiding the EPIPE).
    const reader = spawn('sh', ['-c', 'head -c 1 >/dev/null; exec 0<&-; echo closed; exec sleep 30'], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      const pipe = reader.stdin;
      pipe.write('x');
      await new Promise<void>((resolve) => reader.stdout.once('data', () => resolve()));
      let stderr = '';
      const code = await main(['parse', '--ndjson', 'big.strace'], { stdout: pipe, stderr: { write: (s: string) => (stderr += s) }, cwd: dir, isTTY: false, env: {} });
      // EPIPE arrives as an 'error' event after the writes; unhandled it would be an uncaught exception.
      await new Promise<void>((resolve) => (pipe.destroyed ? resolve() : pipe.once('close', () => resolve())));
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(pipe.destroyed).toBe(true);
    } finally {
      reader.kill();
    }
  });

  it('another asynchronous write error is one line on stderr, once; later writes are dropped', () => {
    const written: string[] = [];
    const reported: string[] = [];
    const stream = Object.assign(new EventEmitter(), { write: (t: string) => written.push(t) });
    const guarded = dropWritesWhenClosed(stream, 'stdout', (line) => reported.push(line));
    guarded.write('a');
    stream.emit('error', Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    stream.emit('error', Object.assign(new Error('write after end'), { code: 'ERR_STREAM_DESTROYED' }));
    guarded.write('b');
    expect(written).toEqual(['a']);
    expect(reported).toEqual(['forkscope: stdout: ENOSPC: no space left on device, write']);
    // A second guard over the same stream adds no second listener, and sees it closed.
    expect(dropWritesWhenClosed(stream, 'stdout', () => {}).write('c')).toBe(false);
    expect(stream.listenerCount('error')).toBe(1);
  });
});
