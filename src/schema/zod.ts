/**
 * zod, imported here once for the library (the schema, the tracer's strict
 * checks and the price overrides take `z` from this file): like Polars
 * (`frames/polars.ts`), an npm package named by one module is checked once, not
 * once per importer, when Deno loads tracebook by `await import()` in a project
 * whose `node_modules/` it lays out.
 *
 * @example
 * ```ts
 * import { z } from "./zod.ts";
 * if (!z.number().int().safeParse(3).success) throw new Error("3 is an integer");
 * ```
 *
 * @module
 */
export { z } from "npm:zod@4.6.7";
