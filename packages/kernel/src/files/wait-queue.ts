// WaitQueue: the kernel's wait_queue_head reduced to an observer list. Resources call notify()
// whenever a condition a sleeper may be waiting for *may* have changed (data arrived, a writer
// closed, space freed); sleepers re-check their own condition, exactly like a woken Linux task
// re-evaluating its loop. Delivery is synchronous and in subscription order, so it is deterministic.
//
// API: subscribe(fn) → unsubscribe function; notify(); size.

export type Waker = () => void;

export class WaitQueue {
  private readonly wakers: Waker[] = [];

  subscribe(waker: Waker): () => void {
    this.wakers.push(waker);
    return () => {
      const i = this.wakers.indexOf(waker);
      if (i >= 0) this.wakers.splice(i, 1);
    };
  }

  /** Calls every current subscriber once; subscribers added or removed meanwhile do not disturb it. */
  notify(): void {
    for (const waker of [...this.wakers]) waker();
  }

  get size(): number {
    return this.wakers.length;
  }
}
