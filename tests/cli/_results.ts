/** Shared set-up of the results-cache and replay tests: a scratch copy of `traces/`, the outputs' names, reading them. */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

/** The time of every run of these tests (outputs that show it then compare equal). */
export const NOW = new Date("2026-03-04T05:06:07.089Z");

/** The files `analyze` writes, after its prefix and `_`. */
export const ANALYZE_FILES = [
  "summary.txt",
  "summary.json",
  "response_times.svg",
  "response_times.png",
  "models_used.svg",
  "models_used.png",
  "report.html",
];

/** The files `report` writes. */
export const REPORT_FILES = ["report.html", "report_summary.json", "report.md"];

/** A scratch folder holding a copy of the repository's trace files in `traces/`, and a cache folder's path. */
export function scratch(): { dir: string; traces: string; cache: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tb-results-"));
  const traces = join(dir, "traces");
  Deno.mkdirSync(traces);
  for (const name of readdirSync(join(ROOT, "traces"))) {
    if (name.endsWith(".jsonl")) copyFileSync(join(ROOT, "traces", name), join(traces, name));
  }
  return { dir, traces, cache: join(dir, "cache"), done: () => rmSync(dir, { recursive: true }) };
}

/** The bytes of the files `names` (each after `prefix`) in `dir`, by name. */
export const readOutputs = (dir: string, names: string[], prefix = "") =>
  Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, prefix + n))]));

/** The names in `cache`'s results folder ending with `suffix`: entries (.tbr) or argument records (.argv). */
export const resultFiles = (cache: string, suffix = ".tbr") => {
  try {
    return readdirSync(join(cache, "results")).filter((n) => n.endsWith(suffix)).sort();
  } catch {
    return [];
  }
};
