// Every corpus capture has an up-to-date expected.json (re-normalize and compare), and every
// normalized form — corpus and fixtures — validates against corpus/schema/expected.schema.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../src/parse.js';
import { canonicalJson } from '../src/normalize/canonical-json.js';
import { normalize } from '../src/normalize/normalize.js';
import type { TraceEvent } from '../src/events.js';
import { FixtureCapture, exitedStatus, ident, int, ok } from './normalize-fixtures.js';

const corpus = new URL('../../../corpus/', import.meta.url).pathname;
const manifestPath = join(corpus, 'manifest.json');
const schema = JSON.parse(readFileSync(join(corpus, 'schema/expected.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const REGENERATE = 'regenerate with: npx forkscope normalize --write corpus/';

interface Case {
  id: string;
  path: string;
}
const cases: Case[] = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { cases: Case[] }).cases : [];

async function eventsOf(file: string): Promise<TraceEvent[]> {
  const out: TraceEvent[] = [];
  for await (const ev of parseFile(file)) out.push(ev);
  return out;
}

describe('corpus expected.json', () => {
  it('corpus/manifest.json exists and lists cases', () => {
    expect(existsSync(manifestPath), 'corpus/manifest.json is missing').toBe(true);
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.id, c.path] as const))('%s: expected.json is up to date and valid', async (_id, path) => {
    const expectedPath = join(corpus, path, 'expected.json');
    expect(existsSync(expectedPath), `${path}/expected.json is missing; ${REGENERATE}`).toBe(true);
    const normalized = normalize(await eventsOf(join(corpus, path, 'capture.strace')));
    expect(canonicalJson(normalized), `${path}/expected.json is stale; ${REGENERATE}`).toBe(readFileSync(expectedPath, 'utf8'));
    expect(validate(normalized), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(cases.map((c) => [c.id, c.path] as const))('%s: no pid of the capture leaks into the normalized form', async (_id, path) => {
    const events = await eventsOf(join(corpus, path, 'capture.strace'));
    const pids = new Set(events.map((e) => e.pid).filter((p): p is number => p !== null && p > 255));
    expect(pids.size).toBeGreaterThan(0);
    const numbers: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'number') numbers.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(normalize(events));
    expect(numbers.filter((n) => pids.has(n))).toEqual([]);
  });
});

describe('expected.schema.json (fixture events)', () => {
  const fixture = () => {
    const cap = new FixtureCapture();
    cap.execve(40, '/bin/sh', ['sh', '-c', 'true']);
    const clone = cap.open(40, 'clone3', cap.clone3Args(['CLONE_VM', 'CLONE_VFORK'], ident('SIGCHLD')));
    cap.execve(41, '/bin/true', ['true']);
    clone.finish(ok(41));
    cap.exitGroup(41, 0);
    cap.exited(41, 0);
    cap.wait4(40, -1, exitedStatus(0), int(0), ok(41));
    cap.sigchld(40, 41, 'CLD_EXITED', int(0));
    cap.kill(40, 99999, 'SIGTERM', { kind: 'error', value: -1n, errno: 'ESRCH', message: '' });
    return normalize(cap.events);
  };

  it('accepts a normalized fixture capture', () => {
    expect(validate(fixture()), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects what the form never holds: a raw pid 0, an unknown event kind, a missing ordering list', () => {
    const n = JSON.parse(JSON.stringify(fixture())) as { processes: { pid: number; tasks: { events: { kind: string }[] }[] }[]; orderings?: unknown };
    const badPid = structuredClone(n);
    (badPid.processes[0] as { pid: number }).pid = 0;
    expect(validate(badPid)).toBe(false);
    const badKind = structuredClone(n);
    (badKind.processes[0]?.tasks[0]?.events[0] as { kind: string }).kind = 'teleport';
    expect(validate(badKind)).toBe(false);
    const noOrderings = structuredClone(n);
    delete noOrderings.orderings;
    expect(validate(noOrderings)).toBe(false);
  });
});

describe('real captures (corpus): what the normalized form says', () => {
  const load = async (path: string) => normalize(await eventsOf(join(corpus, path, 'capture.strace')));
  const taskOf = (n: Awaited<ReturnType<typeof load>>, tid: number) => n.processes.flatMap((p) => p.tasks).find((t) => t.tid === tid);

  it('A3 G1 (posix_spawn/exec-enoent): the failed exec does not release the parent, the exit does', async () => {
    const n = await load('posix_spawn/exec-enoent');
    expect(taskOf(n, 2)?.events.map((e) => e.kind)).toEqual(['exec', 'exit-call', 'exited']);
    expect(taskOf(n, 2)?.events[0]).toMatchObject({ result: 'ENOENT' });
    expect(n.processes[1]?.exit).toEqual({ kind: 'exited', code: 127 });
    expect(n.orderings).toContainEqual({ kind: 'resumed-after', reason: 'vfork-released-by-exit', call: { pid: 1, index: 1 }, after: { pid: 2, index: 1 } });
    expect(n.orderings.some((o) => o.reason === 'vfork-released-by-exec')).toBe(false);
  });

  it('A2 (raw/vfork-exec): after a failed then a successful exec, the successful one releases the parent', async () => {
    const n = await load('raw/vfork-exec');
    const child = taskOf(n, 2);
    const ok = child?.events.findIndex((e) => e.kind === 'exec' && e.result === 0);
    expect(ok).toBeGreaterThan(0);
    expect(n.orderings).toContainEqual({ kind: 'resumed-after', reason: 'vfork-released-by-exec', call: { pid: 1, index: 1 }, after: { pid: 2, index: ok } });
  });

  it('C10 G3 (posix_spawn/two-threads): each thread\'s child is numbered right after its thread', async () => {
    const n = await load('posix_spawn/two-threads');
    expect(n.processes.map((p) => [p.pid, p.parent, p.createdBy?.pid])).toEqual([[1, null, undefined], [3, 1, 2], [5, 1, 4]]);
    expect(n.processes[0]?.tasks.map((t) => [t.tid, t.thread])).toEqual([[1, false], [2, true], [4, true]]);
  });

  it('E28 (raw/exit-signal-wclone): exit_signal 0 and SIGUSR1 children are reaped only with __WCLONE/__WALL', async () => {
    const n = await load('raw/exit-signal-wclone');
    const waits = taskOf(n, 1)?.events.filter((e) => e.kind === 'wait') ?? [];
    expect(waits.map((w) => (w.kind === 'wait' ? [w.options, w.result] : null))).toEqual([
      [[], 'ECHILD'],
      [['__WCLONE'], 2],
      [[], 'ECHILD'],
      [['__WALL'], 3],
    ]);
    expect(taskOf(n, 1)?.events.filter((e) => e.kind === 'clone').map((e) => (e.kind === 'clone' ? e.exitSignal : null))).toEqual([null, 'SIGUSR1']);
  });
});
