/**
 * A full garbage collection on demand, for the loader's large inputs: after
 * reading one, the events and texts it held are garbage, and collecting them
 * at once returns their memory before the next steps (summaries, figures)
 * allocate theirs, which lowers the peak resident memory. V8 allows it once
 * `--expose-gc` is set at run time (Deno and Node); elsewhere it does nothing.
 *
 * @module
 */
import v8 from "node:v8";
import vm from "node:vm";

let collect: (() => void) | null | undefined;

/**
 * Collect garbage now, if the runtime allows it.
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
      collect = typeof gc === "function" ? gc as () => void : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}

let trim: (() => void) | null | undefined;

/**
 * Give back to the system the memory that was freed but is still held by the
 * C allocator: Polars allocates with glibc's `malloc`, which keeps freed pages
 * for reuse, so the intermediates of building the frames stay in the resident
 * memory until `malloc_trim` returns them (200,000 calls: 389 → 324 MB, in 14
 * ms). Only on Linux with glibc in Deno, and only when calling C is already
 * allowed (`--allow-ffi`, as `-A` does; never a prompt); elsewhere it does nothing.
 *
 * @example
 * ```ts
 * import { releaseFreedMemory } from "./_memory.ts";
 * releaseFreedMemory(); // returns at once where it cannot run
 * ```
 */
export function releaseFreedMemory(): void {
  if (trim === undefined) {
    trim = null;
    try {
      const deno = (globalThis as { Deno?: typeof Deno }).Deno;
      if (
        deno?.build.os === "linux" &&
        deno.permissions.querySync({ name: "ffi" }).state === "granted"
      ) {
        const libc = deno.dlopen("libc.so.6", {
          malloc_trim: { parameters: ["usize"], result: "i32" },
        });
        trim = () => void libc.symbols.malloc_trim(0n);
      }
    } catch {
      trim = null; // not glibc (musl, another system), or no FFI
    }
  }
  trim?.();
}

/**
 * Collect the garbage, then give the freed pages back ({@link releaseFreedMemory}):
 * between the steps of a large analysis, whose figures leave garbage (linkedom's
 * DOM) that holds Polars' intermediate frames until V8 collects their wrappers.
 * On 200,000 calls, once before the report and once after its figures: the peak
 * of a cold `analyze` 620 → about 500 MB, for about 40 ms each.
 *
 * @example
 * ```ts
 * import { settleMemory } from "./_memory.ts";
 * settleMemory();
 * ```
 */
export function settleMemory(): void {
  collectGarbage();
  releaseFreedMemory();
}

/** Calls from which an analysis is large enough for {@link settleMemory} to pay. */
export const SETTLE_CALLS = 50_000;
