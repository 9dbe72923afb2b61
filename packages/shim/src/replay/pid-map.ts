// Recorded task ids to emulated ones. The emulated kernel hands out its own ids,
// so a recorded id is known only through what the recording says a call
// returned: the root is bound at its first execve, every other task through the
// clone-family call that created it. A child's first lines usually come before
// the parent's clone returns, and several tasks may be cloning at once, so a new
// id is matched against the clone calls still in flight by their recorded
// results, never by number.
import type { SyscallEvent } from '@forkscope/tracer';

/** A clone-family call that has been entered (the emulated child exists) but whose recorded result is not yet bound. */
export interface PendingClone {
  /** The recorded caller. */
  readonly callerPid: number;
  readonly event: SyscallEvent;
  /** The emulated id of the task the kernel created for this call. */
  readonly emulatedChild: number;
  /** The id the recording says the call returned in the caller, when it says one. */
  readonly recordedChild: number | null;
}

export type ClaimResult =
  | { readonly kind: 'bound'; readonly emulated: number; readonly clone: PendingClone }
  | { readonly kind: 'unknown'; readonly reason: string };

export class PidMap {
  readonly #toEmulated = new Map<number, number>();
  readonly #toRecorded = new Map<number, number>();
  readonly #pending: PendingClone[] = [];

  /** Binds a recorded id to an emulated one; a second, different binding of either side is a bug in the caller. */
  bind(recorded: number, emulated: number): void {
    const had = this.#toEmulated.get(recorded);
    if (had !== undefined && had !== emulated) {
      throw new Error(`recorded pid ${recorded} already bound to ${had}, not ${emulated}`);
    }
    this.#toEmulated.set(recorded, emulated);
    this.#toRecorded.set(emulated, recorded);
  }

  /** Forgets a recorded id (a reaped task whose number the recording may reuse). */
  release(recorded: number): void {
    const emulated = this.#toEmulated.get(recorded);
    if (emulated === undefined) return;
    this.#toEmulated.delete(recorded);
    if (this.#toRecorded.get(emulated) === recorded) this.#toRecorded.delete(emulated);
  }

  emulated(recorded: number): number | undefined {
    return this.#toEmulated.get(recorded);
  }

  recorded(emulated: number): number | undefined {
    return this.#toRecorded.get(emulated);
  }

  has(recorded: number): boolean {
    return this.#toEmulated.has(recorded);
  }

  /** Records a clone-family call the kernel has performed whose child's recorded id is not bound yet. */
  addPending(clone: PendingClone): void {
    this.#pending.push(clone);
  }

  pending(): readonly PendingClone[] {
    return this.#pending;
  }

  /**
   * A recorded id seen for the first time: it must be the child of a clone
   * call in flight whose recorded result is that id. Binds it on success.
   */
  claim(recorded: number): ClaimResult {
    const index = this.#pending.findIndex((p) => p.recordedChild === recorded);
    if (index < 0) {
      const inFlight = this.#pending.length;
      return {
        kind: 'unknown',
        reason:
          inFlight === 0
            ? `pid ${recorded} appears from nowhere: no clone, fork or vfork is in flight`
            : `pid ${recorded} appears from nowhere: none of the ${inFlight} clone calls in flight returned it`,
      };
    }
    const [clone] = this.#pending.splice(index, 1);
    if (clone === undefined) throw new Error('pending clone vanished');
    this.bind(recorded, clone.emulatedChild);
    return { kind: 'bound', emulated: clone.emulatedChild, clone };
  }

  /**
   * The clone call returned in its caller: bind its child if the child has not
   * shown a line of its own yet. Returns the pending entry it settled, if any.
   */
  settle(event: SyscallEvent): PendingClone | undefined {
    const index = this.#pending.findIndex((p) => p.event === event);
    if (index < 0) return undefined;
    const [clone] = this.#pending.splice(index, 1);
    if (clone === undefined) throw new Error('pending clone vanished');
    if (clone.recordedChild !== null && !this.#toEmulated.has(clone.recordedChild)) {
      this.bind(clone.recordedChild, clone.emulatedChild);
    }
    return clone;
  }
}
