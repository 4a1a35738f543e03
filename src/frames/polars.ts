/**
 * nodejs-polars, imported here once for the library: its modules take `pl` from
 * this file, not from the package each. A script that imports
 * tracebook with `await import()` (a notebook cell does) in a project whose
 * `node_modules/` Deno lays out (`nodeModulesDir: "auto"`, as this repository's)
 * makes Deno re-check that folder once for every import of an npm package in the
 * graph (~6 ms each): 39 modules imported Polars, 0.2 s of a 0.43 s import.
 * `prices/` (left of `frames/`) imports Polars itself.
 *
 * @example
 * ```ts
 * import pl from "./polars.ts";
 * const df = pl.DataFrame({ latency_s: [1, 2, 4] });
 * // (1 + 2 + 4) / 3 = 7/3
 * if (Math.abs(df.getColumn("latency_s").mean() - 7 / 3) > 1e-12) throw new Error("mean");
 * ```
 *
 * @module
 */
export { default } from "npm:nodejs-polars@0.25.2";
import type polars from "npm:nodejs-polars@0.25.2";
/**
 * A column's type (`pl.Float64`, `pl.Utf8`, …), as a type: a series' `dtype`
 * (the `pl` namespace holds the values; Deno's view of it also this type, the
 * TypeScript compiler's not, which the Node package's declarations are made with).
 */
export type DataType = polars.Series["dtype"];
