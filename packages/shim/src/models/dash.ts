// dash 0.5.12 running `-c SCRIPT` (src/eval.c, jobs.c, exec.c, redir.c, trap.c), as guest code:
// a simple external command is vforked (vforkexec: every signal blocked around vfork, the child
// unblocks and execs); pipelines, subshells, command substitutions and background jobs are
// forked (glibc fork = clone) and the last command of a forked child execs in place. waitforjob
// is dowait's loop of wait4(-1, &status, 0) ending in a WNOHANG sweep; the `wait` builtin polls
// with WNOHANG and sleeps in sigsuspend until the SIGCHLD handler fires. The shell's state
// (variables, $?, $!, trap actions, the signal flags its handler sets) lives in its data
// segment, so a forked child's changes stay in the child and a vfork child's would not.
import { F_DUPFD, F_SETFD, FD_CLOEXEC, O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, SIG_SETMASK, SIGNALS, signalNumber, WAIT } from '@forkscope/kernel';
import type { Guest, GuestGen, SignalHandler } from '../runtime/program.js';
import { errnoNumber, execve, exitGroup, fork, must, pathOf, popLocal, pushLocal, readFd, sys, vfork } from './libc.js';
import { evalArith, parseScript, type AndOr, type Command, type List, type Pipeline, type Redir, type Word } from './sh-syntax.js';

/** onsig, dash's handler for trapped signals and SIGCHLD. */
const ONSIG = 0x555a1b695dc0n;
const RESTORER = 0x7f0000002050n;
const SA_RESTORER = 0x04000000n;
const SA_RESTART = 0x10000000n;
/** Every signal but glibc's two internal ones: sigblockall's set. */
const ALL_BUT_INTERNAL = ((1n << 64n) - 1n) & ~(3n << 31n);

/** The shell's globals, kept as one record in its data segment. */
interface ShellState {
  vars: { [name: string]: string };
  positional: string[];
  status: number;
  /** $!: the last background job's pid. */
  bgpid: number;
  /** $$: the top-level shell's pid (a subshell keeps it). */
  rootpid: number;
  traps: { [signo: number]: string };
  gotsigchld: boolean;
  pendingSig: number;
}

const STATE_OFFSET = 0x400n;
const STATE_MAX = 0x1800;

function load(g: Guest): ShellState {
  const at = g.data + STATE_OFFSET;
  const len = g.mem.readU32(at);
  return JSON.parse(new TextDecoder().decode(g.mem.read(at + 4n, len))) as ShellState;
}

function store(g: Guest, s: ShellState): void {
  const bytes = new TextEncoder().encode(JSON.stringify(s));
  if (bytes.length > STATE_MAX) throw new Error('dash model: shell state does not fit its data segment');
  const at = g.data + STATE_OFFSET;
  g.mem.writeU32(at, bytes.length);
  g.mem.write(at + 4n, bytes);
}

function update(g: Guest, change: (s: ShellState) => void): void {
  const s = load(g);
  change(s);
  store(g, s);
}

function* write(fd: number, text: string): GuestGen<void> {
  const bytes = new TextEncoder().encode(text);
  yield* sys({ name: 'write', fd, buf: bytes, count: BigInt(bytes.length) });
}

/** Evaluation flags: EV_EXIT means this is the last thing the process does (exec in place). */
interface Flags {
  readonly exit: boolean;
}

/** The dash image: `argv = [dash, -c, script, $0, $1…]`. */
export function* dashMain(g: Guest): GuestGen<number> {
  const script = g.argv[1] === '-c' ? (g.argv[2] ?? '') : '';
  const list = parseScript(script);
  const pid = Number(yield* must({ name: 'getpid' }));
  const vars: { [name: string]: string } = {};
  for (const e of g.envp) {
    const eq = e.indexOf('=');
    if (eq > 0) vars[e.slice(0, eq)] = e.slice(eq + 1);
  }
  store(g, { vars, positional: g.argv.slice(3), status: 0, bgpid: 0, rootpid: pid, traps: {}, gotsigchld: false, pendingSig: 0 });
  g.defineHandler(ONSIG, onsig);
  yield* must({ name: 'rt_sigaction', sig: SIGNALS.SIGCHLD, act: { handler: ONSIG, flags: SA_RESTORER, mask: ALL_BUT_INTERNAL, restorer: RESTORER }, oldact: 0n, sigsetsize: 8n });
  for (const [sig, handler] of [
    [SIGNALS.SIGINT, ONSIG],
    [SIGNALS.SIGQUIT, 'SIG_DFL'],
    [SIGNALS.SIGTERM, 'SIG_DFL'],
  ] as const) {
    yield* setsignal(g, sig, handler);
  }
  const status = yield* evalList(g, list, { exit: false });
  return yield* exitGroup(status);
}

/** onsig: SIGCHLD sets gotsigchld; a trapped signal becomes pending for dotrap. */
const onsig: SignalHandler = function* (g, signo) {
  update(g, (s) => {
    if (signo === SIGNALS.SIGCHLD) {
      s.gotsigchld = true;
      if (s.traps[signo] === undefined) return;
    }
    s.pendingSig = signo;
  });
};

/** setsignal: query the old action, then install the new one. */
function* setsignal(g: Guest, sig: number, handler: bigint | 'SIG_DFL' | 'SIG_IGN'): GuestGen<void> {
  const old = pushLocal(g, 32n);
  yield* sys({ name: 'rt_sigaction', sig, act: 0n, oldact: old, sigsetsize: 8n });
  popLocal(g, 32n);
  yield* sys({ name: 'rt_sigaction', sig, act: { handler, flags: SA_RESTORER, mask: ALL_BUT_INTERNAL, restorer: RESTORER }, oldact: 0n, sigsetsize: 8n });
}

function* evalList(g: Guest, list: List, flags: Flags): GuestGen<number> {
  let status = load(g).status;
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i];
    if (!item) continue;
    const last = i === list.items.length - 1;
    if (item.background) {
      status = yield* background(g, item.andOr);
    } else {
      status = yield* evalAndOr(g, item.andOr, { exit: flags.exit && last });
    }
    update(g, (s) => {
      s.status = status;
    });
    yield* dotrap(g);
  }
  return status;
}

function* evalAndOr(g: Guest, a: AndOr, flags: Flags): GuestGen<number> {
  let status = yield* evalPipeline(g, a.first, { exit: flags.exit && a.rest.length === 0 });
  for (let i = 0; i < a.rest.length; i++) {
    const r = a.rest[i];
    if (!r) continue;
    if ((r.op === '&&') !== (status === 0)) continue;
    update(g, (s) => {
      s.status = status;
    });
    status = yield* evalPipeline(g, r.pipeline, { exit: flags.exit && i === a.rest.length - 1 });
  }
  return status;
}

/** evalpipe: a fork per stage, pipes wired in each child, then one waitforjob for all. */
function* evalPipeline(g: Guest, p: Pipeline, flags: Flags): GuestGen<number> {
  const first = p.commands[0];
  if (!first) return 0;
  if (p.commands.length === 1) return yield* evalCommand(g, first, flags);
  let prevfd = -1;
  const fds = pushLocal(g, 8n);
  let children = 0;
  for (let i = 0; i < p.commands.length; i++) {
    const cmd = p.commands[i];
    if (!cmd) continue;
    let pipe: [number, number] = [-1, -1];
    if (i < p.commands.length - 1) {
      yield* must({ name: 'pipe2', pipefd: fds, flags: 0 });
      pipe = [g.mem.readU32(fds), g.mem.readU32(fds + 4n)];
    }
    const inFd = prevfd;
    const r = yield* fork(g, function* (c) {
      if (pipe[1] >= 0) yield* sys({ name: 'close', fd: pipe[0] });
      if (inFd > 0) {
        yield* sys({ name: 'dup2', oldfd: inFd, newfd: 0 });
        yield* sys({ name: 'close', fd: inFd });
      }
      if (pipe[1] > 1) {
        yield* sys({ name: 'dup2', oldfd: pipe[1], newfd: 1 });
        yield* sys({ name: 'close', fd: pipe[1] });
      }
      return yield* exitGroup(yield* evalCommand(c, cmd, { exit: true }));
    });
    if (r.kind === 'done') children++;
    if (prevfd >= 0) yield* sys({ name: 'close', fd: prevfd });
    prevfd = pipe[0];
    yield* sys({ name: 'close', fd: pipe[1] });
  }
  popLocal(g, 8n);
  return yield* waitforjob(g, children);
}

function* evalCommand(g: Guest, cmd: Command, flags: Flags): GuestGen<number> {
  if (cmd.kind === 'subshell') {
    if (flags.exit) {
      if ((yield* pushRedirs(g, cmd.redirs, false)) === null) return 2;
      return yield* evalList(g, cmd.list, { exit: true });
    }
    const r = yield* fork(g, function* (c) {
      if ((yield* pushRedirs(c, cmd.redirs, false)) === null) return yield* exitGroup(2);
      return yield* exitGroup(yield* evalList(c, cmd.list, { exit: true }));
    });
    return r.kind === 'done' ? yield* waitforjob(g, 1) : 2;
  }
  const argv: string[] = [];
  for (const w of cmd.words) argv.push(yield* expand(g, w));
  const assigns: [string, string][] = [];
  for (const a of cmd.assigns) assigns.push([a.name, yield* expand(g, a.value)]);
  const name = argv[0];
  if (name === undefined) {
    update(g, (s) => {
      for (const [k, v] of assigns) s.vars[k] = v;
    });
    return load(g).status;
  }
  const builtin = BUILTINS[name];
  if (builtin) {
    const saved = yield* pushRedirs(g, cmd.redirs, true);
    if (saved === null) return 2;
    const status = yield* builtin(g, argv);
    yield* popRedirs(saved);
    return status;
  }
  const path = findCommand(g, name);
  if (path === null) {
    yield* write(2, `/usr/bin/dash: 1: ${name}: not found\n`);
    return 127;
  }
  if (flags.exit) {
    if ((yield* pushRedirs(g, cmd.redirs, false)) === null) return 2;
    return yield* shellexec(g, path, argv);
  }
  const saved = yield* pushRedirs(g, cmd.redirs, true);
  if (saved === null) return 2;
  const status = yield* vforkexec(g, path, argv);
  yield* popRedirs(saved);
  return status;
}

/** find_command: a name with a slash as is; otherwise the first PATH entry naming a file. */
function findCommand(g: Guest, name: string): string | null {
  if (name.includes('/')) return name;
  // dash stat()s each candidate; the kernel has no stat(2), so the filesystem model is asked.
  for (const dir of pathOf(g.envp).split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${name}`;
    if (g.lookup(candidate) === 'file') return candidate;
  }
  return null;
}

/** vforkexec: block every signal, vfork; the child unblocks and execs; the parent waits. */
function* vforkexec(g: Guest, path: string, argv: readonly string[]): GuestGen<number> {
  yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: ALL_BUT_INTERNAL }, oldset: 0n, sigsetsize: 8n });
  const r = yield* vfork(function* (c) {
    const old = pushLocal(c, 8n);
    yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: 0n }, oldset: old, sigsetsize: 8n });
    return yield* exitGroup(yield* shellexec(c, path, argv));
  });
  const old = pushLocal(g, 8n);
  yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: 0n }, oldset: old, sigsetsize: 8n });
  popLocal(g, 8n);
  if (r.kind !== 'done') return 2;
  return yield* waitforjob(g, 1);
}

/** shellexec: execve; on failure the error message and 127 (not found) or 126. */
function* shellexec(g: Guest, path: string, argv: readonly string[]): GuestGen<number> {
  const env = Object.entries(load(g).vars).map(([k, v]) => `${k}=${v}`);
  const e = yield* execve(path, argv, env);
  const errno = errnoNumber(e);
  yield* write(2, `/usr/bin/dash: 1: ${argv[0] ?? path}: ${errno === 2 ? 'not found' : 'Permission denied'}\n`);
  return yield* exitGroup(errno === 2 || errno === 20 ? 127 : 126);
}

/** waitforjob → dowait: blocking wait4(-1) until the job's processes are gone, then a WNOHANG sweep. */
function* waitforjob(g: Guest, processes: number): GuestGen<number> {
  const statusWord = pushLocal(g, 8n);
  let status = 0;
  let left = processes;
  while (left > 0) {
    const r = yield* sys({ name: 'wait4', pid: -1, status: statusWord, options: 0, rusage: 0n });
    if (r.kind === 'error') {
      if (r.errno === 'EINTR') continue;
      break;
    }
    left--;
    status = decodeStatus(g.mem.readU32(statusWord));
  }
  yield* sys({ name: 'wait4', pid: -1, status: statusWord, options: WAIT.WNOHANG, rusage: 0n });
  popLocal(g, 8n);
  update(g, (s) => {
    s.gotsigchld = false;
  });
  return status;
}

function decodeStatus(st: number): number {
  return (st & 0x7f) === 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f);
}

/** `cmd &`: forkshell FORK_BG; the child ignores SIGINT/SIGQUIT and reads /dev/null. */
function* background(g: Guest, a: AndOr): GuestGen<number> {
  const r = yield* fork(g, function* (c) {
    for (const sig of [SIGNALS.SIGINT, SIGNALS.SIGQUIT]) {
      const bit = 1n << BigInt(sig - 1);
      yield* sys({ name: 'rt_sigaction', sig, act: { handler: 'SIG_IGN', flags: SA_RESTORER | SA_RESTART, mask: bit, restorer: RESTORER }, oldact: c.sp - 64n, sigsetsize: 8n });
    }
    yield* sys({ name: 'close', fd: 0 });
    yield* sys({ name: 'openat', dirfd: -100, path: '/dev/null', flags: O_RDONLY, mode: 0 });
    return yield* exitGroup(yield* evalAndOr(c, a, { exit: true }));
  });
  if (r.kind === 'done') {
    const pid = Number(r.value);
    update(g, (s) => {
      s.bgpid = pid;
    });
  }
  return 0;
}

/** Runs the trap actions of signals the handler recorded (dotrap). */
function* dotrap(g: Guest): GuestGen<void> {
  const s = load(g);
  if (s.pendingSig === 0) return;
  const action = s.traps[s.pendingSig];
  update(g, (x) => {
    x.pendingSig = 0;
  });
  if (action !== undefined) yield* evalList(g, parseScript(action), { exit: false });
}

/** A saved descriptor: restored by popredir. */
interface Saved {
  readonly fd: number;
  readonly copy: number;
}

/** redirect(): open targets, save the old descriptor above 10 (close-on-exec) when pushing. */
function* pushRedirs(g: Guest, redirs: readonly Redir[], save: boolean): GuestGen<Saved[] | null> {
  const saved: Saved[] = [];
  for (const r of redirs) {
    const target = yield* expand(g, r.target);
    let from: number;
    let opened = false;
    if (r.op === '>&' || r.op === '<&') {
      from = Number(target);
    } else {
      const flags = r.op === '<' ? O_RDONLY : r.op === '>>' ? O_WRONLY | O_CREAT | O_APPEND : O_WRONLY | O_CREAT | O_TRUNC;
      const o = yield* sys({ name: 'openat', dirfd: -100, path: target, flags, mode: r.op === '<' ? 0 : 0o666 });
      if (o.kind === 'error') {
        // The command does not run; what was already redirected is put back.
        yield* write(2, `/usr/bin/dash: 1: cannot ${r.op === '<' ? 'open' : 'create'} ${target}: ${o.errno === 'ENOENT' ? 'Directory nonexistent' : o.errno}\n`);
        yield* popRedirs(saved);
        return null;
      }
      from = Number(o.value);
      opened = true;
    }
    if (save) {
      const copy = yield* sys({ name: 'fcntl', fd: r.fd, cmd: F_DUPFD, arg: 10n });
      yield* sys({ name: 'close', fd: r.fd });
      if (copy.kind === 'done') {
        yield* sys({ name: 'fcntl', fd: Number(copy.value), cmd: F_SETFD, arg: BigInt(FD_CLOEXEC) });
        saved.push({ fd: r.fd, copy: Number(copy.value) });
      }
    }
    if (from !== r.fd) {
      yield* sys({ name: 'dup2', oldfd: from, newfd: r.fd });
      if (opened) yield* sys({ name: 'close', fd: from });
    }
  }
  return saved;
}

function* popRedirs(saved: readonly Saved[]): GuestGen<void> {
  for (const s of saved) {
    yield* sys({ name: 'dup2', oldfd: s.copy, newfd: s.fd });
    yield* sys({ name: 'close', fd: s.copy });
  }
}

/** Word expansion (without field splitting: every corpus expansion is quoted or one field). */
function* expand(g: Guest, w: Word): GuestGen<string> {
  let out = '';
  for (const part of w.parts) {
    switch (part.kind) {
      case 'lit':
        out += part.text;
        break;
      case 'var':
        out += variable(load(g), part.name);
        break;
      case 'arith': {
        const s = load(g);
        out += String(evalArith(part.expr, (n) => variable(s, n)));
        break;
      }
      case 'cmdsub':
        out += yield* commandSubstitution(g, part.list);
        break;
      default: {
        const never: never = part;
        throw new Error(`word part ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

function variable(s: ShellState, name: string): string {
  switch (name) {
    case '?':
      return String(s.status);
    case '!':
      return s.bgpid === 0 ? '' : String(s.bgpid);
    case '$':
      return String(s.rootpid);
    case '#':
      return String(s.positional.length);
    default:
      if (name.length === 1 && name >= '1' && name <= '9') return s.positional[Number(name) - 1] ?? '';
      return s.vars[name] ?? '';
  }
}

/** evalbackcmd: a pipe and a fork; the child's stdout is the pipe; the parent reads to EOF and waits. */
function* commandSubstitution(g: Guest, list: List): GuestGen<string> {
  const fds = pushLocal(g, 8n);
  yield* must({ name: 'pipe2', pipefd: fds, flags: 0 });
  const [rd, wr] = [g.mem.readU32(fds), g.mem.readU32(fds + 4n)];
  popLocal(g, 8n);
  const r = yield* fork(g, function* (c) {
    yield* sys({ name: 'close', fd: rd });
    yield* sys({ name: 'dup2', oldfd: wr, newfd: 1 });
    yield* sys({ name: 'close', fd: wr });
    return yield* exitGroup(yield* evalList(c, list, { exit: true }));
  });
  yield* sys({ name: 'close', fd: wr });
  let text = '';
  for (;;) {
    const part = yield* readFd(g, rd, 128n);
    if (part.kind !== 'done' || part.value === 0n) break;
    text += new TextDecoder().decode(part.out?.data ?? new Uint8Array());
  }
  yield* sys({ name: 'close', fd: rd });
  const status = r.kind === 'done' ? yield* waitforjob(g, 1) : 2;
  update(g, (s) => {
    s.status = status;
  });
  // Trailing newlines are removed from a command substitution.
  let end = text.length;
  while (end > 0 && text[end - 1] === '\n') end--;
  return text.slice(0, end);
}

type Builtin = (g: Guest, argv: readonly string[]) => GuestGen<number>;

const BUILTINS: { readonly [name: string]: Builtin } = {
  echo: function* (_g, argv) {
    yield* write(1, `${argv.slice(1).join(' ')}\n`);
    return 0;
  },
  true: function* () {
    return 0;
  },
  ':': function* () {
    return 0;
  },
  false: function* () {
    return 1;
  },
  exit: function* (g, argv) {
    const code = argv[1] === undefined ? load(g).status : Number(argv[1]) & 0xff;
    return yield* exitGroup(code);
  },
  cd: function* (g, argv) {
    const dir = argv[1] ?? load(g).vars['HOME'] ?? '/';
    const r = yield* sys({ name: 'chdir', path: dir });
    if (r.kind === 'error') {
      yield* write(2, `/usr/bin/dash: 1: cd: can't cd to ${dir}\n`);
      return 2;
    }
    update(g, (s) => {
      s.vars['OLDPWD'] = s.vars['PWD'] ?? '';
      s.vars['PWD'] = dir;
    });
    return 0;
  },
  read: function* (g, argv) {
    // dash reads one byte at a time so as not to consume past the line.
    let line = '';
    let eof = false;
    for (;;) {
      const r = yield* readFd(g, 0, 1n);
      if (r.kind !== 'done' || r.value === 0n) {
        eof = true;
        break;
      }
      const ch = String.fromCharCode(r.out?.data?.[0] ?? 0);
      if (ch === '\n') break;
      line += ch;
    }
    const names = argv.slice(1).filter((a) => a !== '-r');
    const fields = line.split(' ').filter((f) => f !== '');
    update(g, (s) => {
      names.forEach((n, i) => {
        s.vars[n] = i === names.length - 1 ? fields.slice(i).join(' ') : (fields[i] ?? '');
      });
    });
    return eof ? 1 : 0;
  },
  '[': function* (_g, argv) {
    const args = argv.slice(1, argv[argv.length - 1] === ']' ? -1 : undefined);
    return testArgs(args) ? 0 : 1;
  },
  test: function* (_g, argv) {
    return testArgs(argv.slice(1)) ? 0 : 1;
  },
  kill: function* (_g, argv) {
    let sig: number = SIGNALS.SIGTERM;
    let status = 0;
    for (const a of argv.slice(1)) {
      if (a.startsWith('-')) {
        const n = signalNumber(`SIG${a.slice(1)}`) ?? signalNumber(a.slice(1));
        if (n === undefined) return 2;
        sig = n;
        continue;
      }
      const r = yield* sys({ name: 'kill', pid: Number(a), sig });
      if (r.kind === 'error') status = 1;
    }
    return status;
  },
  trap: function* (g, argv) {
    const action = argv[1] ?? '';
    for (const name of argv.slice(2)) {
      const sig = signalNumber(`SIG${name}`) ?? signalNumber(name);
      if (sig === undefined) return 1;
      update(g, (s) => {
        s.traps[sig] = action;
      });
      yield* setsignal(g, sig, action === '' ? 'SIG_IGN' : ONSIG);
    }
    return 0;
  },
  wait: function* (g, argv) {
    return yield* waitcmd(g, argv.length > 1);
  },
  exec: function* (g, argv) {
    const name = argv[1];
    if (name === undefined) return 0;
    const path = findCommand(g, name);
    if (path === null) {
      yield* write(2, `/usr/bin/dash: 1: exec: ${name}: not found\n`);
      return yield* exitGroup(127);
    }
    return yield* shellexec(g, path, argv.slice(1));
  },
};

/** `wait [pid]`: dowait(DOWAIT_WAITCMD): WNOHANG polls, sigsuspend between them. */
function* waitcmd(g: Guest, _specific: boolean): GuestGen<number> {
  const statusWord = pushLocal(g, 8n);
  const old = pushLocal(g, 8n);
  let status = 127;
  for (;;) {
    update(g, (s) => {
      s.gotsigchld = false;
    });
    const r = yield* sys({ name: 'wait4', pid: -1, status: statusWord, options: WAIT.WNOHANG, rusage: 0n });
    if (r.kind === 'error') break;
    if (r.value > 0n) {
      status = decodeStatus(g.mem.readU32(statusWord));
      continue;
    }
    if (status !== 127) break;
    yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: ALL_BUT_INTERNAL }, oldset: old, sigsetsize: 8n });
    while (!load(g).gotsigchld) {
      yield* sys({ name: 'rt_sigsuspend', mask: { mask: g.mem.readU64(old) }, sigsetsize: 8n });
    }
    yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: 0n }, oldset: old, sigsetsize: 8n });
  }
  popLocal(g, 8n);
  popLocal(g, 8n);
  return status;
}

function testArgs(args: readonly string[]): boolean {
  if (args.length === 0) return false;
  if (args.length === 1) return (args[0] ?? '') !== '';
  if (args.length === 2 && args[0] === '-n') return (args[1] ?? '') !== '';
  if (args.length === 2 && args[0] === '-z') return (args[1] ?? '') === '';
  if (args.length === 3 && args[1] === '=') return args[0] === args[2];
  if (args.length === 3 && args[1] === '!=') return args[0] !== args[2];
  return false;
}
