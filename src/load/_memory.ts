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
