// dash 0.5.12 -c for sequences of simple commands (the subset the corpus's scripts use): the
// builtins echo, exit, read, true and false run in the shell; an external command is
// vforked (evalcommand → vforkexec) and waited with waitforjob's wait4(-1, &status, 0), then
// dowait's WNOHANG sweep. A name without a slash that PATH lookup cannot find is status 127
// without any child. `exec` replaces the shell. The exit status of the last command is the
// shell's.
import type { Guest, GuestGen } from '../runtime/program.js';
import { readFd, execve, exitGroup, popLocal, pushLocal, sys, vfork, waitpid, pathOf, WAIT } from './libc.js';

/** Splits a script into commands at `;` outside quotes; each command into words. */
export function scanScript(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (const ch of script) {
    if (quote !== '') {
      if (ch === quote) quote = '';
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\n') {
      endWord();
    } else if (ch === ';') {
      endWord();
      if (words.length > 0) commands.push(words);
      words = [];
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== '') throw new Error(`dash model: unterminated quote in ${JSON.stringify(script)}`);
  endWord();
  if (words.length > 0) commands.push(words);
  return commands;
}

function* write(fd: number, text: string): GuestGen<void> {
  const bytes = new TextEncoder().encode(text);
  yield* sys({ name: 'write', fd, buf: bytes, count: BigInt(bytes.length) });
}

/** Redirection words are applied by the real shell around the command; their fds do not change the lifecycle. */
function dropRedirections(words: readonly string[]): string[] {
  return words.filter((w) => !w.startsWith('>') && !w.startsWith('<') && !/^[0-9]>/.test(w));
}

export function* dashMain(g: Guest): GuestGen<number> {
  const script = g.argv[1] === '-c' ? (g.argv[2] ?? '') : '';
  let status = 0;
  const statusWord = pushLocal(g, 8n);
  // `a || b` runs b only when a fails: split each command at the operator.
  const commands: { words: string[]; orElse: boolean }[] = [];
  for (const words of scanScript(script)) {
    let part: string[] = [];
    let orElse = false;
    for (const w of words) {
      if (w === '||') {
        commands.push({ words: part, orElse });
        part = [];
        orElse = true;
      } else {
        part.push(w);
      }
    }
    commands.push({ words: part, orElse });
  }
  for (const { words: raw, orElse } of commands) {
    if (orElse && status === 0) continue;
    const words = dropRedirections(raw).map((w) => w.replace('$?', String(status)));
    const name = words[0];
    if (name === undefined) continue;
    switch (name) {
      case 'exit':
        return yield* exitGroup(words[1] === undefined ? status : Number(words[1]) & 0xff);
      case 'echo':
        yield* write(raw.includes('>&2') ? 2 : 1, `${words.slice(1).join(' ')}\n`);
        status = 0;
        continue;
      case 'true':
        status = 0;
        continue;
      case 'false':
        status = 1;
        continue;
      case 'read': {
        const r = yield* readFd(g, 0, 1n);
        status = r.kind === 'done' && r.value > 0n ? 0 : 1;
        continue;
      }
      case 'exec': {
        const argv = words.slice(1);
        const path = argv[0];
        if (path === undefined) continue;
        yield* execve(path, argv, g.envp);
        return yield* exitGroup(127);
      }
      default:
        break;
    }
    let path = name;
    if (!name.includes('/')) {
      const found = pathOf(g.envp)
        .split(':')
        .map((d) => `${d}/${name}`)
        .find((p) => g.lookup(p) === 'file');
      if (found === undefined) {
        yield* write(2, `sh: 1: ${name}: not found\n`);
        status = 127;
        continue;
      }
      path = found;
    }
    const argv = words;
    const r = yield* vfork(function* (c) {
      const e = yield* execve(path, argv, c.envp);
      return yield* exitGroup(e.kind === 'error' && e.errno === 'ENOENT' ? 127 : 126);
    });
    if (r.kind !== 'done') {
      status = 2;
      continue;
    }
    yield* waitpid(-1, statusWord);
    const st = g.mem.readU32(statusWord);
    status = (st & 0x7f) === 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f);
    yield* waitpid(-1, statusWord, WAIT.WNOHANG);
  }
  popLocal(g, 8n);
  return status;
}
