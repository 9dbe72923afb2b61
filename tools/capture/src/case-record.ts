// The shape of corpus/<family>/<case>/case.json (documented in corpus/README.md
// and corpus/schema/case.schema.json).
import type { FsEntry } from './fs-manifest.js';
import type { CapturePromise } from './promises.js';
import type { Versions } from './tools.js';

export type ExitStatus = { readonly code: number } | { readonly signal: string; readonly coreDumped?: true };

export interface CaseRecord {
  /** "<family>/<case>" */
  readonly id: string;
  readonly family: string;
  readonly description: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly strace: { readonly version: string; readonly flags: readonly string[] };
  readonly versions: Versions;
  /** UTC, ISO 8601. */
  readonly date: string;
  /** The traced program's own standard output. */
  readonly stdout: string;
  readonly exitStatus: ExitStatus;
  readonly promises: readonly CapturePromise[];
  readonly fs: readonly FsEntry[];
}
