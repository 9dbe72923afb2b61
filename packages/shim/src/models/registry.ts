// Every program model, named by the corpus case it reproduces (`<family>/<case>`).
import type { Program } from '../runtime/program.js';
import { coreImage } from './images.js';
import { dashMain } from './dash.js';
import { POSIX_SPAWN_MODELS } from './posix-spawn.js';
import { RUST_MODELS } from './rust.js';
import { PYTHON_MODELS } from './python.js';
import { RAW_MODELS } from './raw.js';
import { withLoader } from './ld-so.js';

export interface ModelEntry {
  readonly id: string;
  readonly main: Program;
}

// Every dash case runs the same image: the script comes from the case's argv.
const DASH_CASES = ['background-wait', 'command-substitution', 'exec', 'exit-status', 'not-found', 'pipeline', 'redirection', 'simple', 'subshell', 'trap', 'two-commands'];

function entries(): ModelEntry[] {
  const out: ModelEntry[] = [];
  const add = (family: string, table: { readonly [name: string]: Program }): void => {
    for (const [name, main] of Object.entries(table)) out.push({ id: `${family}/${name}`, main });
  };
  add('raw', RAW_MODELS);
  add('posix_spawn', POSIX_SPAWN_MODELS);
  add('rust', RUST_MODELS);
  add('python', PYTHON_MODELS);
  for (const name of DASH_CASES) out.push({ id: `dash/${name}`, main: dashMain });
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export const MODELS: readonly ModelEntry[] = entries();

export function findModel(id: string): ModelEntry | undefined {
  return MODELS.find((m) => m.id === id);
}

/** The exec'd programs: coreutils and dash, plus the spawn test program's `report` mode. */
export function resolveImage(path: string, argv: readonly string[]): Program | null {
  if (argv[1] === 'report') {
    return withLoader(function* () {
      return 0;
    });
  }
  const image = coreImage(path, argv);
  return image === null ? null : withLoader(image);
}
