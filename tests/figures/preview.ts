/**
 * Render every figure of the sample calls frame (and the empty-state figures)
 * to PNG and SVG under `analysis/figures-preview/` (git-ignored), to look at:
 *
 *   npx --yes deno@2.9.6 run -A tests/figures/preview.ts
 *
 * @module
 */
import { allFigures } from "../../src/figures/mod.ts";
import { emptyFrame, SESSION_COLUMNS } from "../../src/frames/columns.ts";
import { callsFrame } from "./_calls.ts";
import { sampleCalls } from "./_sample.ts";

const dir = new URL("../../analysis/figures-preview/", import.meta.url);
Deno.mkdirSync(dir, { recursive: true });
const empty = callsFrame([]);
for (const [prefix, calls] of [["sample", sampleCalls()], ["empty", empty]] as const) {
  const traces = {
    calls,
    sessions: emptyFrame(SESSION_COLUMNS),
    events: empty,
    diagnostics: empty,
    files: [],
    inputs: [],
  };
  for (const { name, figure } of await allFigures(traces)) {
    Deno.writeFileSync(new URL(`${prefix}_${name}.png`, dir), figure.toPNG());
    Deno.writeTextFileSync(new URL(`${prefix}_${name}.svg`, dir), figure.toSVG());
    if (figure.warnings.length) console.warn(`${prefix}_${name}: ${figure.warnings.join("; ")}`);
  }
}
console.log(`wrote ${dir.pathname}`);
