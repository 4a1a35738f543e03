/**
 * `import()` of a module by a specifier Deno cannot read ahead. Deno loads every
 * module a literal `import("…")` names (and their graphs) together with the
 * module that holds it, evaluated or not, and resolves every npm package among
 * them (a script outside a project with a lockfile reads each package's registry
 * metadata: ~0.03 s for Observable Plot and linkedom). A command imports the
 * modules of its slow path through this, so that a run that never takes it
 * (`--version`, a replay from the results cache) does not load them; the
 * library imports the packages only its async functions use (Plot and linkedom,
 * on the first figure) the same way, so that `import … from "src/mod.ts"` does
 * not load them. In `log/`, the leaf every stage may import.
 *
 * @module
 */

/**
 * Import `path`, relative to the module URL `base` (give `import.meta.url`), or an
 * absolute specifier (an npm package's, pinned as in any import); `T` is the module's
 * type (`typeof` a type-only `import type * as M`).
 *
 * @example
 * ```ts
 * import { lazyImport } from "./_lazy.ts";
 * import type * as Terminal from "./terminal.ts";
 * const terminal = await lazyImport<typeof Terminal>("./terminal.ts", import.meta.url);
 * // BEL (U+0007) is written as \x07
 * if (terminal.escapeControl("a\u0007b") !== "a\\x07b") throw new Error("not escaped");
 * ```
 */
export function lazyImport<T>(path: string, base: string): Promise<T> {
  return import(new URL(path, base).href);
}
