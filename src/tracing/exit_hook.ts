/**
 * Ending open sessions when the process exits: an unclosed tracer writes its
 * `session_end` on a normal exit (Deno's `unload` event, Node's
 * `process.on("exit")`). The hook is installed once, on the first tracer.
 *
 * @module
 */

/** Something that ends when the process exits. */
export interface Closable {
  close(): unknown;
}

const open = new Set<Closable>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  const endAll = () => {
    for (const t of [...open]) {
      try {
        t.close();
      } catch {
        // one failing close must not stop the others
      }
    }
  };
  if ("Deno" in globalThis && typeof globalThis.addEventListener === "function") {
    globalThis.addEventListener("unload", endAll);
  } else {
    const proc = (globalThis as { process?: { on?: (e: string, f: () => void) => void } }).process;
    proc?.on?.("exit", endAll);
  }
}

/**
 * Close `item` when the process exits, unless {@link forgetOnExit} was called first.
 *
 * @example
 * ```ts
 * import { closeOnExit, forgetOnExit } from "./exit_hook.ts";
 * let closed = 0;
 * const item = { close() { closed++; } };
 * closeOnExit(item); // registers only: nothing is closed before the exit
 * forgetOnExit(item); // closed by its owner instead
 * if (closed !== 0) throw new Error("closed too early");
 * ```
 */
export function closeOnExit(item: Closable): void {
  open.add(item);
  hook();
}

/** Stop closing `item` on exit (it was closed already). */
export function forgetOnExit(item: Closable): void {
  open.delete(item);
}
