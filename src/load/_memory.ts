/**
 * A full garbage collection on demand, for the loader's large inputs: after
 * reading one, the events and texts it held are garbage, and collecting them
 * at once returns their memory before the next steps (summaries, figures)
 * allocate theirs, which lowers the peak resident memory. V8 allows it once
 * `--expose-gc` is set at run time (Deno and Node); elsewhere it does nothing.
 *
 * @module
 */
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";
import { deno } from "./_runtime.ts";

let collect: (() => void) | null | undefined;

/** The process's resident memory in bytes. */
const residentBytes = () => process.memoryUsage.rss();

/**
 * Collect garbage now, if the runtime allows it (the whole heap: a
 * `gc({ type: "minor" })` measured as long as a full collection here).
 *
 * @example
 * ```ts
 * import { collectGarbage } from "./_memory.ts";
 * collectGarbage(); // returns once V8 has collected (or at once elsewhere)
 * ```
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc = vm.runInNewContext("gc");
      collect = typeof gc === "function" ? gc : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}

/** glibc's allocator functions this module calls, or null where C cannot be called. */
type Libc = {
  malloc_trim(pad: bigint): number;
  mallopt(param: number, value: number): number;
};

let libc: Libc | null | undefined;

/**
 * glibc's `malloc_trim` and `mallopt` through Deno's FFI: only on Linux, and
 * only when calling C is already allowed (`--allow-ffi`, as `-A` does; never a
 * prompt); null elsewhere (musl, another system, Node, no FFI).
 */
function glibc(): Libc | null {
  if (libc === undefined) {
    libc = null;
    try {
      if (
        deno?.build.os === "linux" &&
        deno.permissions.querySync({ name: "ffi" }).state === "granted"
      ) {
        libc = deno.dlopen("libc.so.6", {
          malloc_trim: { parameters: ["usize"], result: "i32" },
          mallopt: { parameters: ["i32", "i32"], result: "i32" },
        }).symbols as unknown as Libc;
      }
    } catch {
      libc = null; // not glibc (musl, another system), or no FFI
    }
  }
  return libc;
}

/**
 * The share of a large load's input size under which the process keeps the memory
 * it freed for reuse ({@link keepFreedMemoryBelow}): half of it, so that the
 * growth between two settlings still fits under the goal of 0.6× the input.
 */
export const KEEP_FREED_SHARE = 0.5;

/** Resident memory below which {@link releaseFreedMemory} gives nothing back (0: always gives back). */
let keepFreedBelow = 0;

/**
 * Keep the freed memory for reuse while the process holds less than `bytes`
 * ({@link releaseFreedMemory} does nothing below it), for the rest of the process
 * or until called again: a large load calls it with {@link KEEP_FREED_SHARE} of
 * its input's size. Every page given back is faulted in again when the next step
 * allocates it, and a fault costs 13–18 µs on this project's host
 * (`bench/_page_cost.ts`): a cold `analyze` of the 784 MB file gave back and
 * faulted in again about 60,000 pages (1.0–1.2 s) at its settlings.
 *
 * @example
 * ```ts
 * import { keepFreedMemoryBelow, releaseFreedMemory } from "./_memory.ts";
 * keepFreedMemoryBelow(Number.MAX_SAFE_INTEGER);
 * if (releaseFreedMemory()) throw new Error("nothing is given back below the bound");
 * keepFreedMemoryBelow(0); // as before: given back at every settling
 * ```
 */
export function keepFreedMemoryBelow(bytes: number): void {
  keepFreedBelow = bytes;
}

/** The bound {@link keepFreedMemoryBelow} set last (0: none). */
export function freedMemoryBound(): number {
  return keepFreedBelow;
}

/**
 * Give back to the system the memory that was freed but is still held by the
 * C allocator: Polars allocates with glibc's `malloc`, which keeps freed pages
 * for reuse, so the intermediates of building the frames stay in the resident
 * memory until `malloc_trim` returns them (200,000 calls: 389 → 324 MB, in 14
 * ms). Only on Linux with glibc in Deno, and only when calling C is already
 * allowed (`--allow-ffi`, as `-A` does; never a prompt); elsewhere it does nothing.
 * Nothing either while the process holds less than {@link keepFreedMemoryBelow}'s
 * bound. Returns whether it gave memory back.
 *
 * @example
 * ```ts
 * import { releaseFreedMemory } from "./_memory.ts";
 * releaseFreedMemory(); // returns at once where it cannot run
 * ```
 */
export function releaseFreedMemory(): boolean {
  const c = glibc();
  if (c === null || residentBytes() < keepFreedBelow) return false;
  c.malloc_trim(0n);
  return true;
}

/** glibc's `mallopt` parameters (malloc.h). */
const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;

/**
 * The free top from which {@link trimOnFree} has a heap give memory back: 8
 * MiB, not 1. Pages given back are faulted in again when the heap grows, and
 * on a host that charges 13–15 µs for each fresh page (`bench/_page_cost.ts`,
 * this project's machine on 2026-12-01) that cost more than the memory it
 * saved. A cold `analyze` of the 784 MB file, 4 rounds alternated (1 MiB
 * against 8): 6.65–8.94 s against 6.12–7.83 s, 275,000–306,000 page faults
 * against 249,000–269,000, at 357–361 MiB against 374–391 (0.48× → 0.50–0.52×
 * the input, against the goal of 0.6×); 16 MiB took as long as 8 for 379–407
 * MiB.
 */
export const TRIM_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** Whether {@link trimOnFree} set the allocator (null: not yet asked). */
let trimmingOnFree: boolean | null = null;

/**
 * Have glibc's allocator give freed memory back to the system as it is freed,
 * from the moment this is called on, for the rest of the process (once; later
 * calls do nothing): a large load calls it before reading. By default glibc
 * raises its thresholds as large blocks are freed (up to 64 MB of free memory
 * kept at the top of each heap before any is returned, and a 32 MB threshold
 * for mapping a block of its own), and Polars' threads each allocate from a
 * heap of their own: memory freed in one heap stays resident while another
 * grows, until `malloc_trim` ({@link releaseFreedMemory}) runs at the next
 * settling. Fixed thresholds instead (`mallopt`: a heap whose free top reaches
 * {@link TRIM_THRESHOLD_BYTES} is trimmed at once; blocks from 32 MiB are mapped
 * apart, as the default allows at most) keep the resident memory near what is
 * in use. A cold `analyze` of 200,000 calls (784 MB) peaked at 418–421 MiB
 * (median 419, 7 runs) against 431–450 (median 443) before, with a trim
 * threshold of 1 MiB; see {@link TRIM_THRESHOLD_BYTES} for the 8 MiB it has
 * now. Returns whether the allocator took the thresholds: false where C cannot
 * be called ({@link releaseFreedMemory}).
 *
 * @example
 * ```ts
 * import { trimOnFree } from "./_memory.ts";
 * const set = trimOnFree(); // true on Linux with glibc and FFI allowed (`-A`), else false
 * if (trimOnFree() !== set) throw new Error("set once, the same answer after");
 * ```
 */
export function trimOnFree(): boolean {
  if (trimmingOnFree === null) {
    const c = glibc();
    // mallopt returns 1 when it takes a value
    trimmingOnFree = c !== null &&
      c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) === 1 &&
      c.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) === 1;
  }
  return trimmingOnFree;
}

/** A settling collected but not yet turned (when its caller did not wait for it). */
let settling: Promise<void> | null = null;

/** Resident memory after the last {@link settleMemory}. */
let settledAt = 0;

/** The next task of the event loop (after the pending ones). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Collect the garbage, let the event loop turn once, then give the freed pages
 * back ({@link releaseFreedMemory}, from {@link keepFreedMemoryBelow}'s bound
 * on): between the steps of a large load or analysis. A Polars frame or
 * series is freed only when V8 has collected its JS wrapper and then the
 * runtime has run the wrapper's finalizer, which Deno
 * does between tasks, never inside a collection: a collection alone frees the
 * JS side only (measured: 20 series of 8 MB, 87 MB still in use after two
 * collections and a microtask, 3 MB after the next task). The figures and the
 * frames' own building leave such garbage: its wrappers are small, so V8 sees
 * no reason to collect them. About 20–80 ms each, with the heap's size.
 *
 * @example
 * ```ts
 * import { settleMemory } from "./_memory.ts";
 * await settleMemory();
 * ```
 */
export function settleMemory(): Promise<void> {
  collectGarbage();
  const settled = nextTask().then(() => {
    releaseFreedMemory();
    settledAt = residentBytes();
    if (settling === settled) settling = null;
  });
  settling = settled;
  return settled;
}

/** The growth from which {@link settleWhenGrown} settles. */
const GROWTH = 64 * 1024 * 1024;

/**
 * {@link settleMemory} when the resident memory has grown by `bytes` or more
 * since the last one: between steps of a large analysis (the report's
 * figures), so that their garbage is let go as it piles up, without paying a
 * collection after every step.
 *
 * @example
 * ```ts
 * import { settleWhenGrown } from "./_memory.ts";
 * await settleWhenGrown(); // settles only after 64 MB more than at the last settling
 * ```
 */
export async function settleWhenGrown(bytes = GROWTH): Promise<void> {
  // one under way (collected, not yet turned): its turn and pages are enough, not a second collection
  if (settling) await settling;
  else if (residentBytes() - settledAt >= bytes) await settleMemory();
}

/** Calls from which an analysis is large enough for {@link settleMemory} to pay. */
export const SETTLE_CALLS = 50_000;
