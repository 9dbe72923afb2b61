// The memory module's public names, for src/index.ts and the kernel core.
export { AddressSpace, DEFAULT_BRK_START, DEFAULT_MMAP_BASE, MMAP_MIN_ADDR } from './address-space.js';
export type { Mapping, MmapRequest } from './address-space.js';
export * from './constants.js';
export { PrivateLayer, SharedStore } from './page-store.js';
export type { PageStore } from './page-store.js';
