// The scan's fast paths (src/fast-paths.ts) must give exactly what the general parsers give:
// leader by leader, result by result, and event by event over every corpus capture and over
// lines in the two styles the benchmark measures (-f -ttt -T -s 256, and plain -f).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fastPaths } from '../src/fast-paths.js';
import { parseFiles, parseText, type TraceEvent } from '../src/index.js';
import { parseOutcome, parseOutcomeGeneral } from '../src/outcome-parse.js';
import { parseLeader, parseLeaderGeneral, type LeaderResult } from '../src/prefix-parse.js';
import { findCallEnd } from '../src/text-scan.js';
import { benchDir, captureFiles, corpusDir } from './capture-files.js';
import { plain } from './event-compare.js';

const corpusCaptures = captureFiles(corpusDir);
const corpusLines = corpusCaptures.flatMap((f) => readFileSync(f, 'utf8').split('\n'));

/** Lines as the benchmark's -f -ttt -T -s 256 capture prints them, including the forms the fast paths hand on. */
const tttLines = [
  '1001 1795727915.859154 execve("/usr/bin/sh", ["sh", "-c", "tar cf - /usr/share/doc 2>/dev/null | gzip -1 > /dev/null"], 0x7ffe230cf888 /* 39 vars */) = 0 <0.005299>',
  '1001 1795727915.868566 brk(NULL)       = 0x563f5a8c4000 <0.000056>',
  '1001 1795727915.869413 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory) <0.000101>',
  '1001 1795727915.871668 close(3)        = 0 <0.000014>',
  '1002 1795727915.900000 wait4(-1,  <unfinished ...>',
  '1003 1795727915.900001 read(0, "\\177ELF\\2\\1\\1\\3\\0\\0"..., 832) = 832 <0.000010>',
  '1003 1795727915.900002 exit_group(0)   = ?',
  '1003 1795727915.900003 +++ exited with 0 +++',
  '1002 1795727915.900004 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 1003 <0.000100>',
  '1002 1795727915.900005 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1003, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
  '1002 1795727915.900006 rt_sigreturn({mask=[]}) = 1003 <0.000010>',
  '1002 1795727915.900007 read(0, "", 4096) = ? ERESTARTSYS (To be restarted if SA_RESTART is set) <0.100000>',
  '1002 1795727915.900008 fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC) <0.000004>',
  '1002 1795727915.900009 openat(AT_FDCWD, "/x", O_RDONLY) = 3</x> <0.000004>',
  '1002 1795727915.900010 getpid()        = 1002 (INJECTED) <0.000001>',
  '1002 1795727915.900011 open("/y", O_RDONLY) = -1 ENOENT (No such file or directory) (INJECTED) <0.000001>',
  '1002 1795727915.900012 umask(022)      = 022 <0.000001>',
  '1002 1795727915.900013 lseek(3, 0, SEEK_CUR) = 0xffffffffffffffff <0.000001>',
  '1002 1795727915.900014 close(9)        = -1 (errno 4000) <0.000001>',
  '1002 1795727915.900015 getppid()       = 1001 <>',
  '1002 1795727915.900016 getppid()       = 1001 <0.1> ',
  '1002 1795727915.900017 getppid()       =  1001 <0.1>',
  '1002 1795727915.900018 exit_group(1)   = ? <0.000001>',
  '1002 1795727915.900019 getuid()        = 0 <0.00a>',
  '1002 1795727915.900020 +++ exited with 1 +++',
];

/** Lines as plain -f prints them (short lines), and leaders the fast path must leave alone. */
const plainLines = [
  '1001 brk(NULL)                         = 0x5621665e9000',
  '1001 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fcf551ea000',
  '1001 newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=38759, ...}, AT_EMPTY_PATH) = 0',
  '1001 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)',
  '1001 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0d78311a10) = 1002',
  '1002 set_robust_list(0x7f0d78311a20, 24) = 0',
  '12345 getpid()                         = 12345',
  '4194304 getpid()                       = 4194304',
  '4194305 getpid()                       = 4194305',
  '12345678 getpid()                      = 1',
  '[pid  1002] getpid() = 1002',
  '[pid  1002] 10:11:12.123456 getpid() = 1002',
  'getpid()                                = 5',
  '10:11:12 getpid() = 5',
  '10:11:12.123456 getpid() = 5',
  '10:1:12 getpid() = 5',
  '1795727917.123456789 getpid() = 5',
  '1795727917. getpid() = 5',
  '1795727917 getpid() = 5',
  '     0.000123 getpid() = 5',
  '1001 1795727917.123456 (+     0.000123) getpid() = 5',
  '1001 [00007f84511ebbd3] getpid() = 1001',
  '1001 [  39] getpid() = 1001',
  '1001 1795727917.123456 [  39] [00007f84511ebbd3] getpid() = 1001',
  '1001<sh> getpid() = 1001',
  '1001 [unconfined] getpid() = 1001',
  '00:00:01.000000000 [tid 1000] openat(-100, "/etc/hosts", 0) = -2 (ENOENT)',
  '1001 getpid()= 1001',
  '1001 getpid() = 1001 (extra) (more)',
  '1001 syscall_0x1ff#64(0x1, 0x2) = -1 ENOSYS (Function not implemented)',
  '1001 strace: Process 1002 attached',
  '1001 _exit(0) = ?',
  '1001 ',
  '1001',
  '1001 1795727917.123456 ',
  '1001 +++ killed by SIGKILL +++',
  'Requested path "x" resolved into "/x"',
];

/** Events as plain data, spans included: the two ways must agree on line numbers too. */
function events(text: string): Record<string, unknown>[] {
  return parseText(text).map((e: TraceEvent) => plain(e));
}

function both<T>(f: () => T): { fast: T; general: T } {
  fastPaths.enabled = true;
  const fast = f();
  fastPaths.enabled = false;
  try {
    return { fast, general: f() };
  } finally {
    fastPaths.enabled = true;
  }
}

/** A LeaderResult copied out of the shared object, its stamp as text and nanoseconds. */
function leaderOf(parse: (s: string) => LeaderResult, s: string): unknown {
  const l = parse(s);
  const time = l.prefix.time;
  return { ...l, prefix: { ...l.prefix, time: time === undefined ? undefined : { text: time.text, ns: time.ns } } };
}

function outcomeOf(s: string, i: number, shadow: boolean, general: boolean): unknown {
  const r = (general ? parseOutcomeGeneral : parseOutcome)(s, i, s.length, shadow);
  if (typeof r === 'string') return r;
  const o = r.outcome;
  return { outcome: { ...o, ...('value' in o ? { value: o.value } : {}) }, duration: r.duration, injection: r.injection };
}

/** Where the result text of a call line starts (after its `)`), or -1. */
function resultStart(s: string): number {
  const open = s.indexOf('(');
  if (open < 0) return -1;
  const end = findCallEnd(s, open + 1, s.length);
  return end === null || end.marker !== null ? -1 : end.next;
}

const leaderPieces = fc.tuple(
  fc.constantFrom('', '1001 ', '12345 ', '1 ', '4194304 ', '4194305 ', '12345678 ', '1001<sh> ', '[pid  1002] ', '[pid 7] '),
  fc.constantFrom('', '10:11:12 ', '10:11:12.5 ', '1795727917.123456 ', '1795727917.123456789 ', '179572791.1 ', '1795727917 ', '17957.1 ', '1:2:3 '),
  fc.constantFrom('', '(+     0.000123) ', '     0.000123 ', '[  39] ', '[00007f84511ebbd3] ', '[????????????????] ', '[tid 4] '),
  fc.constantFrom('getpid() = 5', '<... read resumed>"", 1) = 0', '--- SIGCHLD {si_signo=SIGCHLD} ---', '+++ exited with 0 +++', '(x', '[x', '7', ' x', '', 'strace: x'),
);

const resultPieces = fc.tuple(
  fc.constantFrom('', ' ', '                    ', '  '),
  fc.constantFrom('= ', '=', '==', '= ', '='),
  fc.constantFrom('0', '3', '-1', '-4095', '999', '1000', '012', '019', '0x7f00', '0xffffffffffffffff', '18446744073709551615', '?', '-', 'x', ''),
  fc.constantFrom('', ' ENOENT', ' ENOENT (No such file or directory)', ' EINTR (Interrupted (nested) call)', ' ERESTARTSYS (To be restarted)', ' (errno 4000)', ' <unavailable>', '</x>', '<<', ' (flags FD_CLOEXEC)'),
  fc.constantFrom('', ' (INJECTED)', ' (DELAYED)', ' (x)', ' (unclosed'),
  fc.constantFrom('', ' <0.000012>', ' <0.1', ' <>', ' <1a>', ' <0.1> ', '<0.1>', ' <0.1>x'),
);

describe('fast paths: the same results as the general parsers', () => {
  afterEach(() => {
    fastPaths.enabled = true;
  });

  it('every corpus line and every bench-style line has the same leader both ways', () => {
    const lines = [...corpusLines, ...tttLines, ...plainLines];
    expect(lines.length).toBeGreaterThan(100);
    for (const s of lines) expect(leaderOf(parseLeader, s), s).toEqual(leaderOf(parseLeaderGeneral, s));
  });

  it('generated leaders (pid column, [pid N], stamps, -r, [scno], [ip], Shadow) are read the same both ways', () => {
    fc.assert(
      fc.property(leaderPieces, ([pid, stamp, extra, body]) => {
        const s = pid + stamp + extra + body;
        expect(leaderOf(parseLeader, s)).toEqual(leaderOf(parseLeaderGeneral, s));
      }),
      { numRuns: 3000 },
    );
  });

  it('every corpus and bench-style result is read the same both ways', () => {
    let n = 0;
    for (const s of [...corpusLines, ...tttLines, ...plainLines]) {
      const i = resultStart(s);
      if (i < 0) continue;
      n++;
      expect(outcomeOf(s, i, false, false), s).toEqual(outcomeOf(s, i, false, true));
    }
    expect(n).toBeGreaterThan(100);
  });

  it('generated results (values, errors, restarts, decorations, extras, injections, durations) are read the same both ways', () => {
    fc.assert(
      fc.property(resultPieces, fc.boolean(), ([sp, eq, value, errno, note, duration], shadow) => {
        const s = 'getpid()' + sp + eq + value + errno + note + duration;
        expect(outcomeOf(s, 8, shadow, false)).toEqual(outcomeOf(s, 8, shadow, true));
      }),
      { numRuns: 5000 },
    );
  });

  it('fast and general scans give the same events, spans included, for every corpus capture', () => {
    expect(corpusCaptures.length).toBeGreaterThan(0);
    for (const f of corpusCaptures) {
      const { fast, general } = both(() => events(readFileSync(f, 'utf8')));
      expect(fast.length, f).toBeGreaterThan(0);
      expect(fast, f).toEqual(general);
    }
  });

  it('fast and general scans give the same events for the bench-style lines of both captures', () => {
    for (const lines of [tttLines, plainLines]) {
      const { fast, general } = both(() => events(lines.join('\n') + '\n'));
      expect(fast).toEqual(general);
      expect(fast.length).toBeGreaterThan(10);
    }
  });

  it('-ff files (no pid column: the pid comes from the file name) give the same events both ways', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fast-paths-'));
    try {
      const parent = join(dir, 'run.300');
      const child = join(dir, 'run.301');
      writeFileSync(
        parent,
        [
          '1795723913.000001 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 301 <0.000050>',
          '1795723913.000004 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 301 <0.000020>',
          '1795723913.000005 access("/nope", F_OK) = -1 ENOENT (No such file or directory) <0.000003>',
          '1795723913.000006 exit_group(0) = ?',
          '1795723913.000007 +++ exited with 0 +++',
        ].join('\n') + '\n',
      );
      writeFileSync(child, ['1795723913.000002 exit_group(3) = ?', '1795723913.000003 +++ exited with 3 +++'].join('\n') + '\n');
      const collect = async (): Promise<Record<string, unknown>[]> => {
        const out: Record<string, unknown>[] = [];
        for await (const e of parseFiles([parent, child])) out.push(plain(e));
        return out;
      };
      fastPaths.enabled = true;
      const fast = await collect();
      fastPaths.enabled = false;
      const general = await collect();
      // The clone returned (stamp + -T duration) after the child's two lines.
      expect(fast.map((e) => e['pid'])).toEqual([301, 301, 300, 300, 300, 300, 300]);
      expect(fast).toEqual(general);
    } finally {
      fastPaths.enabled = true;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const benchCaptures = ['capture-f-ttt-T.strace', 'capture-f.strace'].map((n) => join(benchDir, n));
  it.skipIf(!benchCaptures.every((f) => existsSync(f)))(
    'fast and general scans agree on the first 20 000 lines of each benchmark capture (skipped when tmp/bench has none)',
    () => {
      for (const f of benchCaptures) {
        const text = readFileSync(f, 'utf8').split('\n').slice(0, 20000).join('\n');
        const { fast, general } = both(() => events(text));
        expect(fast.filter((e) => e['kind'] === 'diagnostic')).toEqual([]);
        expect(fast).toEqual(general);
      }
    },
  );
});
