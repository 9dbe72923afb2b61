// One capture at a time per machine: every capture uses the same fixed
// /tmp/forkscope directories, so a second run waits for the first.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WORK_DIR } from './config.js';

const LOCK_FILE = `${dirname(WORK_DIR)}/capture.lock`;
const WAIT_LIMIT_MS = 10 * 60_000;
const POLL_MS = 500;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock (waiting while a live holder has it); returns the release function. */
export async function acquireCaptureLock(log: (line: string) => void): Promise<() => void> {
  mkdirSync(dirname(LOCK_FILE), { recursive: true });
  const start = Date.now();
  let announced = false;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(LOCK_FILE, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    } catch {
      continue; // released between our attempts
    }
    if (!Number.isInteger(holder) || holder <= 0 || !alive(holder)) {
      rmSync(LOCK_FILE, { force: true }); // stale: its holder is gone
      continue;
    }
    if (Date.now() - start > WAIT_LIMIT_MS) throw new Error(`another capture (pid ${holder}) has held ${LOCK_FILE} for over ${WAIT_LIMIT_MS / 60_000} minutes`);
    if (!announced) {
      log(`capture: waiting for another capture (pid ${holder}) to finish`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
