// The files module's public names, for src/index.ts and the kernel core.
export * from './constants.js';
export { FdTable } from './fd-table.js';
export type { FdEntry } from './fd-table.js';
export { OpenFileDescription, ProcStatFile } from './open-file.js';
export type { AccessMode, FileObject, SpecialFile } from './open-file.js';
export { RegularFile } from './regular-file.js';
export type { RegularRead } from './regular-file.js';
export { CHAR_DEVICE_PATHS, charDeviceAt } from './char-device.js';
export type { CharDevice } from './char-device.js';
export { DEFAULT_PIPE_CAPACITY, Pipe, roundPipeSize } from './pipe.js';
export type { PipeReadResult, PipeWriteResult } from './pipe.js';
export { WaitQueue } from './wait-queue.js';
export type { Waker } from './wait-queue.js';
