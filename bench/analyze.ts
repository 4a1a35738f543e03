/**
 * Benchmark: `analyze` end to end (load, summarize, figures, report) on a
 * simulated single file of 200,000 calls, written once into `.bench/`
 * (git-ignored) by the simulator. Prints wall time and peak RSS
 * (`/usr/bin/time -v` when present) as a Markdown table, next to a
 * re-implementation of the seed's Python loop when python3 is available.
 *
 * Usage: `deno run -A bench/analyze.ts [CALLS=200000]`
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { callsArg, run } from "./_run.ts";

const calls = callsArg(200_000, "Usage: deno run -A bench/analyze.ts [CALLS=200000]");
const root = new URL("../", import.meta.url).pathname;
const dir = `${root}.bench/analyze-${calls}`;
const file = `${dir}/trace_simulated.jsonl`;
const cli = `${root}src/cli/main.ts`;
if (!existsSync(file)) {
  mkdirSync(dir, { recursive: true });
  const sessions = String(Math.max(1, Math.round(calls / 500)));
  await run(Deno.execPath(), [
    "run",
    "-A",
    cli,
    "simulate",
    "--out",
    dir,
    "--calls",
    String(calls),
    "--sessions",
    sessions,
    "--single-file",
    "--seed",
    "7",
  ]);
}
const size = Deno.statSync(file).size / 1e6;

const rows: [string, { seconds: number; rssMb: number | null }][] = [];
rows.push([
  "tracebook analyze (txt, json, 2 figures, report.html)",
  await run(Deno.execPath(), [
    "run",
    "-A",
    cli,
    "analyze",
    file,
    "--output-dir",
    `${dir}/out`,
    "--quiet",
  ]),
]);
rows.push([
  "tracebook report",
  await run(Deno.execPath(), [
    "run",
    "-A",
    cli,
    "report",
    file,
    "--output-dir",
    `${dir}/out`,
    "--quiet",
  ]),
]);
const seedLoop = `${root}bench/_seed_loop.py`;
if (existsSync(seedLoop) && existsSync("/usr/bin/python3")) {
  rows.push([
    "seed's analysis loop in Python (json + statistics, no figures)",
    await run("/usr/bin/python3", [seedLoop, file]),
  ]);
}

console.log(`Input: ${file} (${calls.toLocaleString("en")} calls, ${size.toFixed(0)} MB)\n`);
console.log("| command | wall (s) | peak RSS (MB) |\n|---|---:|---:|");
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${r.seconds.toFixed(2)} | ${r.rssMb === null ? "n/a" : r.rssMb.toFixed(0)} |`,
  );
}
