// Where the bytes of mapped pages live. Pages are allocated on first write and read as zeros
// before that, so a 1 GiB mapping costs nothing until it is touched.
//
// Two kinds of store:
// - SharedStore: one page map referenced by every mapping that shares it (MAP_SHARED, also across
//   fork, C3). A write is seen by all.
// - PrivateLayer: copy-on-write at page granularity without copying at fork. fork freezes the
//   current layer and gives parent and child each a fresh, empty layer on top of it; a write copies
//   just the touched page into the writer's own layer. fork's cost is one object per private
//   store, independent of how many pages are mapped or populated (except that every MAX_CHAIN-th
//   fork after writes merges the frozen chain: one map entry per populated page, no page copies).
// Store page numbers are never reused: munmap just drops the mapping's reference, and every new
// mapping gets a fresh store, so a re-mapped range always reads zeros.
import { PAGE_SIZE } from './constants.js';

/** Longest copy-on-write chain kept before fork merges it (see PrivateLayer.fork). */
export const MAX_CHAIN = 16;

export interface PageStore {
  /** The page's current bytes, or undefined if it was never written (reads as zeros). Do not mutate. */
  peek(page: number): Uint8Array | undefined;
  /** A page this store owns and may mutate, copying or zero-filling it first. */
  own(page: number): Uint8Array;
}

export class SharedStore implements PageStore {
  readonly kind = 'shared';
  private readonly pages = new Map<number, Uint8Array>();

  peek(page: number): Uint8Array | undefined {
    return this.pages.get(page);
  }

  own(page: number): Uint8Array {
    let bytes = this.pages.get(page);
    if (!bytes) {
      bytes = new Uint8Array(PAGE_SIZE);
      this.pages.set(page, bytes);
    }
    return bytes;
  }

  /** Pages actually allocated (for tests and memory accounting). */
  get populated(): number {
    return this.pages.size;
  }
}

export class PrivateLayer implements PageStore {
  readonly kind = 'private';
  private readonly pages = new Map<number, Uint8Array>();

  private constructor(private readonly below: PrivateLayer | null) {}

  static create(): PrivateLayer {
    return new PrivateLayer(null);
  }

  peek(page: number): Uint8Array | undefined {
    // Iterative walk: the chain grows by one layer per fork that follows a write.
    for (let layer: PrivateLayer | null = this; layer; layer = layer.below) {
      const bytes = layer.pages.get(page);
      if (bytes) return bytes;
    }
    return undefined;
  }

  own(page: number): Uint8Array {
    let bytes = this.pages.get(page);
    if (bytes) return bytes;
    const inherited = this.below?.peek(page);
    bytes = inherited ? inherited.slice() : new Uint8Array(PAGE_SIZE);
    this.pages.set(page, bytes);
    return bytes;
  }

  /**
   * fork: this layer becomes read-only and shared; returns the two new tops (parent's, child's).
   * An empty layer is skipped so repeated forks without writes do not lengthen the chain.
   */
  fork(): [PrivateLayer, PrivateLayer] {
    let base = this.pages.size === 0 ? this.below : this;
    // A process that writes between forks (a shell loop) would otherwise lengthen its chain by
    // one layer per fork and make reads slower and slower. Past MAX_CHAIN layers the frozen chain
    // is merged into one layer. Frozen pages are immutable, so the merge shares them by reference:
    // it costs one map entry per populated page, once every MAX_CHAIN forks.
    if (base && base.depth > MAX_CHAIN) base = base.flatten();
    return [new PrivateLayer(base), new PrivateLayer(base)];
  }

  /** One layer holding what this (frozen) chain shows; pages shared, not copied. */
  private flatten(): PrivateLayer {
    const chain: PrivateLayer[] = [];
    for (let layer: PrivateLayer | null = this; layer; layer = layer.below) chain.push(layer);
    const flat = new PrivateLayer(null);
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const [page, bytes] of (chain[i] as PrivateLayer).pages) flat.pages.set(page, bytes);
    }
    return flat;
  }

  get depth(): number {
    let n = 0;
    for (let layer: PrivateLayer | null = this; layer; layer = layer.below) n++;
    return n;
  }

  /** Pages allocated in this layer alone. */
  get populated(): number {
    return this.pages.size;
  }
}
