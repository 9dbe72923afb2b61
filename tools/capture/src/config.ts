// The fixed capture environment. Every case runs with these paths and this
// environment so that no path or variable of the capturing user leaks into
// the corpus, and two captures of the same case differ only in pids,
// addresses and times.

/** Where builds go; case argv refer to programs here. */
export const BIN_DIR = '/tmp/forkscope/bin';
/** Working directory of every case, recreated empty (plus fixtures) before each one. */
export const WORK_DIR = '/tmp/forkscope/work';
/** The PATH every traced program sees; runtime interpreters are looked up on it too. */
export const CASE_PATH = '/usr/local/bin:/usr/bin:/bin';
/** The whole environment of the traced root process (as by `env -i`). */
export const CASE_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: CASE_PATH,
  HOME: WORK_DIR,
  LANG: 'C.UTF-8',
});
/** strace options, before `-o FILE`: follow forks, absolute µs timestamps, durations, 256-byte strings. */
export const STRACE_FLAGS: readonly string[] = Object.freeze(['-f', '-ttt', '-T', '-s', '256']);
/** A case that runs longer than this is killed and reported as failed. */
export const CASE_TIMEOUT_MS = 60_000;
/** Name of the capture file inside a case directory. */
export const CAPTURE_FILE = 'capture.strace';
/** Name of the metadata file inside a case directory. */
export const CASE_FILE = 'case.json';
