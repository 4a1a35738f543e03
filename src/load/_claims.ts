/**
 * Work shared between threads one piece at a time: the parallel reader's
 * ranges (`_parallel.ts`) and a comparison's bootstraps (`metrics/_bootstraps.ts`).
 *
 * @module
 */

/** Slots of the {@link Claims} array. */
const NEXT = 0, JOINED = 1, STOP = 2;

/**
 * The pieces threads take, shared between them (an `Int32Array` over a
 * `SharedArrayBuffer`): the next piece to take, the number joined so far, and
 * a flag to stop. A thread takes the next piece (an atomic add) but waits while
 * it is `window` pieces or more ahead of the join: the reader's ranges read and
 * not yet joined stay few, whatever the threads' speeds (a window of `count`
 * never waits: the bootstraps).
 */
export class Claims {
  readonly slots: Int32Array;
  readonly count: number;
  readonly window: number;

  constructor(slots: Int32Array, count: number, window: number) {
    this.slots = slots;
    this.count = count;
    this.window = window;
  }

  /** New claims over `count` pieces. */
  static create(count: number, window: number): Claims {
    return new Claims(new Int32Array(new SharedArrayBuffer(3 * 4)), count, window);
  }

  /** The next piece to take, once the join is near enough; -1 when there is none. */
  take(): number {
    const s = this.slots;
    if (Atomics.load(s, STOP)) return -1;
    const i = Atomics.add(s, NEXT, 1);
    if (i >= this.count) return -1;
    for (let j = Atomics.load(s, JOINED); i >= j + this.window; j = Atomics.load(s, JOINED)) {
      if (Atomics.load(s, STOP)) return -1;
      Atomics.wait(s, JOINED, j, 50);
    }
    return Atomics.load(s, STOP) ? -1 : i;
  }

  /** (In the calling thread) `joined` pieces are joined: wake the threads that wait. */
  joined(joined: number): void {
    Atomics.store(this.slots, JOINED, joined);
    Atomics.notify(this.slots, JOINED);
  }

  /** Stop every thread after its current piece. */
  stop(): void {
    Atomics.store(this.slots, STOP, 1);
    Atomics.notify(this.slots, JOINED);
  }
}
