// The fs module's public names, for src/index.ts and the kernel core.
export { interpreterArgv, MAX_BINFMT_DEPTH } from './exec-resolution.js';
export type { ExecResolution, ScriptLevel } from './exec-resolution.js';
export { ManifestError } from './manifest.js';
export { openRegular } from './open-regular.js';
export type { RegularOpen, RegularOpenRequest } from './open-regular.js';
export type { ManifestEntry } from './manifest.js';
export { BINPRM_BUF_SIZE, parseShebang } from './shebang.js';
export type { Shebang } from './shebang.js';
export { MAXSYMLINKS, NAME_MAX, PATH_MAX, permits, ROOT, splitPath, Vfs } from './vfs.js';
export type { ChdirResolution, Cred, DirectoryNode, FileContent, Lookup, Owned, VfsNode } from './vfs.js';
