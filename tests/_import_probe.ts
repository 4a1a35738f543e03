/**
 * Run by `tests/mod_import_test.ts` in a fresh process: imports `src/mod.ts` (and
 * with `use`, then draws a figure, renders it to PNG, redacts a key, looks up a
 * price and runs a Mann–Whitney test) under V8's precise coverage, and prints, per
 * npm package, what of its code V8 compiled and ran, as JSON:
 * `{ "<package>": { "scripts": n, "ran": bool } }`.
 *
 * - `scripts`: the package's scripts V8 compiled (a module in the import graph is
 *   compiled even when `import defer` leaves it unevaluated);
 * - `ran`: the package's code ran: a function of it other than a script's top level
 *   was called, or a file of it was compiled twice (a CommonJS file is compiled once
 *   as the ES module wrapper Deno puts around it and once more when it is required).
 *
 * @module
 */
import { Session } from "node:inspector";

const session = new Session();
session.connect();
function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => err ? reject(err) : resolve(res as T))
  );
}

interface ScriptCoverage {
  url: string;
  functions: { ranges: { count: number }[] }[];
}

await post("Profiler.enable");
await post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });
const mod = await import(new URL("../src/mod.ts", import.meta.url).href);
if (Deno.args[0] === "use") {
  const stats = await import(new URL("../src/metrics/stats.ts", import.meta.url).href);
  const fig = await mod.latencyHistogram(mod.emptyFrame(mod.CALL_COLUMNS));
  fig.toPNG();
  mod.redactText("key sk-abcdefghijklmnopqrstuvwx");
  mod.lookupPrice("gpt-4o");
  stats.mannWhitneyU([1, 2, 3], [4, 5, 6]);
}
const { result } = await post<{ result: ScriptCoverage[] }>("Profiler.takePreciseCoverage");

/** The package a script belongs to (the innermost `node_modules/` or the npm cache), if any. */
function packageOf(url: string): string | undefined {
  const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url) ??
    /\/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\/[^/]+\//.exec(url);
  return m?.[1];
}

const packages: Record<string, { scripts: number; ran: boolean }> = {};
const seen = new Set<string>();
for (const script of result) {
  const name = packageOf(script.url);
  if (name === undefined) continue;
  const entry = packages[name] ??= { scripts: 0, ran: false };
  entry.scripts++;
  if (seen.has(script.url)) entry.ran = true;
  seen.add(script.url);
  if (script.functions.slice(1).some((f) => f.ranges[0]!.count > 0)) entry.ran = true;
}
console.log(JSON.stringify(packages));
