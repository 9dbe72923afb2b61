// The Rust consumer of the corpus (tools/corpus-rs): its own `cargo test`
// (fixtures and the real corpus) and its `check` command on corpus/ must pass.
// It builds offline against Debian's packaged serde crates; where cargo or
// those crates are missing the tests are skipped with the reason printed
// (tools/scripts/install-rust-deps.sh installs the crates).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const crateDir = join(repoRoot, 'tools', 'corpus-rs');
const installScript = join(repoRoot, 'tools', 'scripts', 'install-rust-deps.sh');
const corpusDir = join(repoRoot, 'corpus');
// Where tools/corpus-rs/.cargo/config.toml points cargo's directory source.
const DEBIAN_REGISTRY = '/usr/share/cargo/registry';
const CRATES = ['serde', 'serde_derive', 'serde_json'] as const;
// The first build compiles serde_derive and syn: about 40 s of CPU, but over three
// minutes on a machine busy with other test suites. Allow it time.
const CARGO_TIMEOUT_MS = 580_000;
const TEST_TIMEOUT_MS = 600_000;

/** Where cargo is looked for: PATH, then rustup's default location. */
const CARGO_CANDIDATES = ['cargo', join(process.env['CARGO_HOME'] ?? join(homedir(), '.cargo'), 'bin', 'cargo')];

/** The first candidate cargo that runs. */
function findCargo(): string | undefined {
  return CARGO_CANDIDATES.find((c) => spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0);
}

/** Why the Rust tests cannot run here, or undefined if they can. */
function unavailableBecause(cargo: string | undefined): string | undefined {
  if (cargo === undefined) return `cargo not found (tried ${CARGO_CANDIDATES.join(', ')})`;
  if (!existsSync(DEBIAN_REGISTRY)) return `${DEBIAN_REGISTRY} missing (run tools/scripts/install-rust-deps.sh)`;
  const present = readdirSync(DEBIAN_REGISTRY);
  const missing = CRATES.filter((c) => !present.some((d) => d.startsWith(`${c}-1.`)));
  if (missing.length > 0) return `Debian crates missing from ${DEBIAN_REGISTRY}: ${missing.join(', ')} (run tools/scripts/install-rust-deps.sh)`;
  return undefined;
}

const cargo = findCargo();
const unavailable = unavailableBecause(cargo);
if (unavailable !== undefined) console.warn(`corpus-rs tests skipped: ${unavailable}`);
const rustIt = unavailable === undefined ? it : it.skip;
const skipNote = unavailable === undefined ? '' : ` (skipped: ${unavailable})`;

interface CargoRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs cargo in the crate asynchronously, so the test worker stays responsive during a long first build. */
function runCargo(args: readonly string[]): Promise<CargoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cargo ?? 'cargo', args, { cwd: crateDir, timeout: CARGO_TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`cargo ${args.join(' ')}: ${e.message}`)));
    child.on('close', (status, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (signal !== null) reject(new Error(`cargo ${args.join(' ')} killed by ${signal} (timeout ${CARGO_TIMEOUT_MS} ms?)\n${stderr}`));
      else resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

describe('tools/corpus-rs (Rust reader of the corpus)', () => {
  rustIt(
    `cargo test --offline passes: fixtures, fixture corpora, the CLI and the real corpus${skipNote}`,
    async () => {
      const r = await runCargo(['test', '--offline']);
      const output = `${r.stdout}\n${r.stderr}`;
      expect(r.status, output).toBe(0);
      // Every test binary reports a result line; none failed and some tests ran.
      const results = r.stdout.split('\n').filter((l) => l.startsWith('test result: '));
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((l) => !l.startsWith('test result: ok.')), output).toEqual([]);
      const passed = results.reduce((n, l) => n + Number(/ok\. (\d+) passed/.exec(l)?.[1] ?? 0), 0);
      expect(passed).toBeGreaterThan(10);
      expect(r.stdout).toContain('real_corpus_loads_without_problems ... ok');
    },
    TEST_TIMEOUT_MS,
  );

  rustIt(
    `corpus-rs check corpus/ loads every listed case and finds no problem${skipNote}`,
    async () => {
      const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as { cases: unknown[] };
      const n = manifest.cases.length;
      const r = await runCargo(['run', '--offline', '--quiet', '--', 'check', corpusDir]);
      expect(r.stderr, r.stdout).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`: ${n} of ${n} listed cases loaded`);
      expect(r.stdout.trimEnd().endsWith('0 problem(s)')).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  rustIt(
    `install-rust-deps.sh changes nothing when the crates are installed (idempotent)${skipNote}`,
    () => {
      // The crates are present (else this is skipped), so the script must not call apt-get.
      const r = spawnSync('sh', [installScript], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      for (const pkg of ['librust-serde-dev', 'librust-serde-derive-dev', 'librust-serde-json-dev']) {
        expect(r.stdout).toContain(`install-rust-deps: ${pkg} already installed`);
      }
      expect(r.stdout).toContain('install-rust-deps: nothing to do');
      expect(r.stdout).not.toContain('apt-get');
    },
    60_000,
  );
});
