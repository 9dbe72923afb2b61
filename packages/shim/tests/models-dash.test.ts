// The dash model on scripts beyond the corpus: redirection failures and variable scoping across
// fork (the shell's state lives in its own memory, so a subshell's changes stay in the child).
import { Vfs } from '@forkscope/kernel';
import { describe, expect, it } from 'vitest';
import { resolveImage } from '../src/models/registry.js';
import { dashMain } from '../src/models/dash.js';
import { Machine } from '../src/runtime/machine.js';
import { STRATEGIES, type StrategyName } from '../src/strategies/strategy.js';

function dash(script: string, strategy: StrategyName = 'linux'): string {
  const vfs = new Vfs();
  for (const p of ['/bin/true', '/bin/echo', '/usr/bin/dash']) vfs.writeFile(p, { kind: 'elf' }, { mode: 0o755 });
  vfs.mkdir('/work');
  vfs.markAbsent('/nonexistent');
  const m = new Machine({ strategy: STRATEGIES[strategy], fs: vfs, argv: ['/usr/bin/dash', '-c', script], envp: ['PATH=/bin'], cwd: '/work', images: resolveImage });
  const run = m.run(dashMain);
  expect(run.invariants).toEqual([]);
  return run.text;
}

/** What the shell wrote to fd 1, in order. */
function stdout(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf(' write(1, "');
    if (at >= 0) out.push(line.slice(at + 11, line.indexOf('", ', at)));
  }
  return out;
}

describe('dash model', () => {
  it('a redirection that cannot be opened: no child, status 2, the next command runs', () => {
    const text = dash('/bin/true < /nonexistent/in; echo "status $?"');
    expect(text).not.toContain('vfork(');
    expect(text).toContain('write(2, "/usr/bin/dash: 1: cannot open /nonexistent/in');
    expect(stdout(text)).toEqual(['status 2\\n']);
  });

  it('a subshell changes its own copy of a variable; the parent still sees the old value (fork copies memory)', () => {
    const text = dash('x=outer; (x=inner; echo "in $x"); echo "out $x"');
    expect(text).toMatch(/clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD/);
    expect(stdout(text)).toEqual(['in inner\\n', 'out outer\\n']);
  });

  it('$? after an external command is its exit status, read back through waitforjob', () => {
    const text = dash('/bin/true; echo "t $?"; exit 4');
    expect(stdout(text)).toEqual(['t 0\\n']);
    expect(text).toMatch(/^1000 +\S+ exit_group\(4\) = \?$/m);
  });
});
