/**
 * The report's one inline script: the table sort (`sort.ts`) and the call
 * explorer (`explorer.ts`), bundled by esbuild into `src/report/_client_bundle.ts`
 * (`deno task build:report-js`).
 *
 * @module
 */
import "./sort.ts";
import "./explorer.ts";
