// Errors are one `forkscope: …` line for every command, including commands added to the
// registry later: the dispatcher, not each command, turns what a command throws into that line.
// Commands that fail on purpose are appended to the real registry here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import type { Command } from '../src/cli/command.js';
import { InputError } from '../src/cli/io.js';

/** A command whose run calls `fail`: synchronously (a plain throw) or awaited (a rejection). */
function failing(name: string, fail: () => unknown, sync = false): Command {
  return {
    name,
    summary: `fails on purpose (${name})`,
    help: `Usage: forkscope ${name}\n\nExamples:\n  forkscope ${name}\n`,
    run: sync
      ? (() => {
          fail();
          return Promise.resolve(0);
        })
      : async () => {
          await fail();
          return 0;
        },
  };
}

vi.mock('../src/cli/registry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/cli/registry.js')>();
  const bug = (): never => {
    throw new TypeError('cannot read the pid of undefined\n    while replaying line 12\nthird line');
  };
  return {
    COMMANDS: [
      ...real.COMMANDS,
      failing('boom', bug),
      failing('boom-sync', bug, true),
      failing('throws-string', () => {
        throw 'a thrown string';
      }),
      failing('bad-input', () => {
        throw new InputError('capture.strace', 'line 3 is cut short\nand so is line 4');
      }),
      failing('unattributed-fs', async () => readFile('/nonexistent/forkscope/capture.strace')),
      failing('fs-error', () => {
        throw Object.assign(new Error("ENOENT: no such file or directory, open '/nonexistent/x'"), { code: 'ENOENT' });
      }),
    ],
  };
});

const { runCli } = await import('./helpers/cli.js');

const run = (argv: string[], tty = false) => runCli(argv, { out: tty, err: tty });

describe('errors thrown inside any command', () => {
  it.each(['boom', 'boom-sync'])('%s: an internal error is one line without a stack, exit 2', async (name) => {
    const r = await run([name]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'forkscope: internal error: cannot read the pid of undefined (run with --debug for details)\n' });
  });

  it.each(['boom', 'boom-sync'])('%s --debug: the same line, then the whole message and the stack', async (name) => {
    for (const argv of [[name, '--debug'], ['--debug', name]]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n');
      expect(lines[0]).toBe('forkscope: internal error: cannot read the pid of undefined');
      expect(lines[1]).toBe('TypeError: cannot read the pid of undefined');
      expect(r.stderr).toContain('third line');
      expect(r.stderr).toMatch(/\n\s+at /);
    }
  });

  it('a thrown non-Error is an internal error too', async () => {
    expect(await run(['throws-string'])).toEqual({ code: 2, stdout: '', stderr: 'forkscope: internal error: a thrown string (run with --debug for details)\n' });
  });

  it('an input error is one line naming the file, even when its reason has several lines; no stack unless --debug', async () => {
    expect(await run(['bad-input'])).toEqual({ code: 2, stdout: '', stderr: 'forkscope: capture.strace: line 3 is cut short and so is line 4\n' });
    expect((await run(['bad-input', '--debug'])).stderr).toMatch(/^forkscope: capture\.strace: line 3 is cut short and so is line 4\nInputError: [^]*?\n\s+at /);
  });

  it('an fs error no command attributed is an I/O error (exit 2), one line naming the path', async () => {
    for (const name of ['unattributed-fs', 'fs-error']) {
      const r = await run([name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toMatch(/^forkscope: ENOENT: no such file or directory, open '\/nonexistent\/[^\n]+'\n$/);
    }
  });

  it('on a terminal the error is coloured and still one line', async () => {
    const r = await run(['boom'], true);
    expect(r.stderr).toContain('\x1b[');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.startsWith('forkscope: ')).toBe(true);
  });
});
