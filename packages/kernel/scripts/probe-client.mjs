// Drives a python probe script (scripts/*-probe.py) in --serve mode from the oracle tests: one
// JSON request per line on its stdin, one JSON reply per line on its stdout. One interpreter per
// test file instead of one per case keeps the differential tests fast.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The system interpreter directly: version-manager shims can add seconds per start. */
export const pythonBin = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export function pythonAvailable() {
  return spawnSync(pythonBin, ['-c', 'print(1)']).status === 0;
}

export class ProbeServer {
  /** @param {string} script */
  constructor(script) {
    this.script = script;
    /** @type {{ resolve: (v: unknown) => void, reject: (e: Error) => void }[]} */
    this.waiting = [];
    this.stderr = '';
    // -B: no __pycache__ beside the scripts.
    this.child = spawn(pythonBin, ['-B', script, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk) => {
      this.stderr += String(chunk);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (!w) return;
      try {
        w.resolve(JSON.parse(line));
      } catch {
        w.reject(new Error(`${script}: not JSON: ${line}`));
      }
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${script} exited (${code}): ${this.stderr}`));
    });
  }

  /** @param {unknown} value @returns {Promise<unknown>} */
  request(value) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(value)}\n`);
    });
  }

  close() {
    this.child.stdin.end();
  }
}
