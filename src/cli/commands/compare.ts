/**
 * `compare BASELINE CANDIDATE [--baseline-label base] [--candidate-label candidate]
 * [--output-dir analysis] [--title …] [--max-error-rate R] [--max-p95-increase PCT]
 * [--max-mean-increase PCT] [--max-cost-increase PCT]`: two runs side by side, for CI.
 *
 * Loads each side (a file, directory or glob) as a labelled group (`loadTraceGroups`),
 * writes `compare.html` (the report, opening with a "Baseline vs candidate" section of
 * the deltas and gate results, plus a comparison by group, baseline first) and
 * `compare.json` (both sides' numbers, the deltas and the gate results), prints the
 * deltas, and checks the gates on the candidate against the baseline: one
 * `gate failed: …` line per failed gate on stderr and exit 1, else exit 0.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from "npm:commander@15.1.0";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTraceGroups } from "../../load/mod.ts";
import { UserError } from "../../log/mod.ts";
import { loadPriceOverrides } from "../../prices/mod.ts";
import { buildReportInput, type GroupSummary, renderReport } from "../../report/mod.ts";
import {
  type Delta,
  DELTA_LABELS,
  DELTA_METRICS,
  type DeltaMetric,
  formatChange,
  formatDeltaValue,
  type GateResult,
} from "../../report/comparison.ts";
import { progressReporter } from "../progress.ts";

export { type Delta, DELTA_METRICS, type DeltaMetric, type GateResult };

/** Options of the `compare` command. */
export interface CompareOptions {
  baselineLabel?: string;
  candidateLabel?: string;
  outputDir?: string;
  title?: string;
  /** The highest error rate the candidate may have, as a fraction (0.05 = 5%). */
  maxErrorRate?: number;
  /** The largest allowed rise of the p95 latency, in percent of the baseline's. */
  maxP95Increase?: number;
  /** The largest allowed rise of the mean latency, in percent of the baseline's. */
  maxMeanIncrease?: number;
  /** The largest allowed rise of the cost per priced call, in percent of the baseline's. */
  maxCostIncrease?: number;
  prices?: string;
  timezone?: string;
  strict?: boolean;
  quiet?: boolean;
}

/** One side of the comparison in `compare.json`. */
export type Side = Omit<GroupSummary, "group"> & { label: string; input: string };

/** What `compare.json` holds. */
export interface CompareJson {
  schema: "tracebook.compare/1";
  generated_at: string;
  baseline: Side;
  candidate: Side;
  deltas: Record<DeltaMetric, Delta>;
  gates: GateResult[];
  /** Every gate passed (true when none is set). */
  passed: boolean;
}

/** What `compare` wrote and found. */
export interface CompareResult {
  html: string;
  json: string;
  comparison: CompareJson;
}

function metricOf(g: GroupSummary, metric: DeltaMetric): number | null {
  switch (metric) {
    case "calls":
      return g.calls;
    case "error_rate":
      return g.error_rate;
    case "latency_mean":
      return g.latency.mean;
    case "latency_p50":
      return g.latency.p50;
    case "latency_p95":
      return g.latency.p95;
    case "latency_p99":
      return g.latency.p99;
    case "cost_per_call":
      return g.cost_per_call;
    case "tokens_per_call":
      return g.tokens_per_call;
  }
}

/** The change of each metric from `baseline` to `candidate`. */
export function deltas(
  baseline: GroupSummary,
  candidate: GroupSummary,
): Record<DeltaMetric, Delta> {
  return Object.fromEntries(DELTA_METRICS.map((m) => {
    const b = metricOf(baseline, m), c = metricOf(candidate, m);
    const change = b === null || c === null ? null : c - b;
    const relative = change === null ? null : b === 0 ? (c === 0 ? 0 : null) : change / b!;
    return [m, { baseline: b, candidate: c, change, relative_change: relative }];
  })) as Record<DeltaMetric, Delta>;
}

// --- formatting ---------------------------------------------------------------

/** A limit as short text: 10 → "10", 12.5 → "12.5". */
const plain = (x: number) => String(Number(x.toFixed(6)));
const pct1 = (r: number) => `${(r * 100).toFixed(1)}%`;
const formatValue = formatDeltaValue;
const LABELS = DELTA_LABELS;

/** The deltas as a plain-text table (what `compare` prints). */
export function deltaTable(
  d: Record<DeltaMetric, Delta>,
  labels: { baseline: string; candidate: string },
): string {
  const rows = [
    ["", labels.baseline, labels.candidate, "change"],
    ...DELTA_METRICS.map((m) => [
      LABELS[m],
      formatValue(m, d[m].baseline),
      formatValue(m, d[m].candidate),
      formatChange(m, d[m]),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) =>
    r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]! + 2) : cell)).join("").trimEnd()
  ).join("\n");
}

// --- gates --------------------------------------------------------------------

/** Check the gates set in `options` on the candidate against the baseline. */
export function evaluateGates(
  d: Record<DeltaMetric, Delta>,
  candidate: GroupSummary,
  options: CompareOptions,
): GateResult[] {
  const results: GateResult[] = [];
  if (options.maxErrorRate !== undefined) {
    const limit = options.maxErrorRate;
    const rate = candidate.error_rate;
    const finished = candidate.ok + candidate.errors;
    const passed = rate !== null && rate <= limit;
    results.push({
      gate: "max_error_rate",
      metric: "error_rate",
      limit,
      value: rate,
      passed,
      message: rate === null
        ? `gate failed: the error rate cannot be checked, the candidate has no finished calls`
        : passed
        ? `error rate ${pct1(rate)} is within the allowed ${plain(limit * 100)}%`
        : `gate failed: error rate is ${
          pct1(rate)
        } (${candidate.errors} of ${finished} finished calls), more than the allowed ${
          plain(limit * 100)
        }%`,
    });
  }
  const rises: [keyof CompareOptions, string, DeltaMetric, string][] = [
    ["maxP95Increase", "max_p95_increase", "latency_p95", "p95 latency"],
    ["maxMeanIncrease", "max_mean_increase", "latency_mean", "mean latency"],
    ["maxCostIncrease", "max_cost_increase", "cost_per_call", "cost per call"],
  ];
  for (const [option, gate, metric, label] of rises) {
    const limit = options[option] as number | undefined;
    if (limit === undefined) continue;
    const { baseline: b, candidate: c } = d[metric];
    let value: number | null = null, message: string;
    if (b === null || c === null) {
      const side = b === null ? "baseline" : "candidate";
      message = `gate failed: ${label} cannot be compared, the ${side} has no ${
        metric === "cost_per_call" ? "priced calls" : "successful responses"
      }`;
    } else {
      value = b === 0 ? (c === 0 ? 0 : Infinity) : (c - b) / b * 100;
      const range = `(${formatValue(metric, b)} → ${formatValue(metric, c)})`;
      const rise = Number.isFinite(value)
        ? `${value >= 0 ? "rose" : "fell"} ${Math.abs(value).toFixed(1)}%`
        : "rose from zero";
      message = value <= limit
        ? `${label} ${rise} ${range}, within the allowed ${plain(limit)}%`
        : `gate failed: ${label} ${rise} ${range}, more than the allowed ${plain(limit)}%`;
    }
    results.push({
      gate,
      metric,
      limit,
      value: value === Infinity ? null : value,
      passed: value !== null && value <= limit,
      message,
    });
  }
  return results;
}

// --- the command ----------------------------------------------------------------

/** Load both sides, write compare.html and compare.json, print the deltas; the CLI action calls this. */
export async function runCompare(
  baseline: string,
  candidate: string,
  options: CompareOptions = {},
): Promise<CompareResult> {
  const base = options.baselineLabel ?? "base";
  const cand = options.candidateLabel ?? "candidate";
  if (base === cand) {
    throw new UserError(
      `The baseline and candidate labels must differ (both are "${base}").`,
      { exitCode: 2 },
    );
  }
  const outputDir = options.outputDir ?? "analysis";
  const progress = options.quiet ? undefined : progressReporter("Loading traces");
  const traces = await loadTraceGroups({ [base]: [baseline], [cand]: [candidate] }, {
    strict: options.strict ?? false,
    timezone: options.timezone,
    prices: options.prices ? loadPriceOverrides(options.prices) : undefined,
    onProgress: progress?.update,
  }).finally(() => progress?.stop());
  const input = await buildReportInput(traces, { groupBy: "group", groupOrder: [base, cand] });
  const groups = input.summary.by_group!.groups;
  const side = (label: string, which: string, path: string): GroupSummary => {
    const g = groups.find((x) => x.group === label);
    if (!g || g.calls === 0) {
      throw new UserError(`The ${which} (${path}) has no model calls to compare.`);
    }
    return g;
  };
  const b = side(base, "baseline", baseline), c = side(cand, "candidate", candidate);
  const d = deltas(b, c);
  const gates = evaluateGates(d, c, options);
  const strip = (g: GroupSummary, input: string): Side => {
    const { group, ...rest } = g;
    return { label: group, input, ...rest };
  };
  const comparison: CompareJson = {
    schema: "tracebook.compare/1",
    generated_at: input.summary.generated_at,
    baseline: strip(b, baseline),
    candidate: strip(c, candidate),
    deltas: d,
    gates,
    passed: gates.every((g) => g.passed),
  };
  const html = renderReport(
    { ...input, comparison: { baseline: base, candidate: cand, deltas: d, gates } },
    { title: options.title ?? `Comparison: ${base} vs ${cand}` },
  );
  mkdirSync(outputDir, { recursive: true });
  const result = {
    html: join(outputDir, "compare.html"),
    json: join(outputDir, "compare.json"),
    comparison,
  };
  writeFileSync(result.json, JSON.stringify(comparison, null, 2) + "\n");
  writeFileSync(result.html, html);
  if (!options.quiet) {
    console.log(deltaTable(d, { baseline: base, candidate: cand }));
    console.log(
      gates.length
        ? `gates: ${gates.filter((g) => g.passed).length} of ${gates.length} passed`
        : "gates: none set",
    );
    console.log(result.html);
    console.log(result.json);
  }
  for (const g of gates) if (!g.passed) console.error(g.message);
  return result;
}

/** A number option: a fraction (`0.05`) or, with `percent`, a percentage (`10` or `10%`). */
function numberOption(name: string, fraction: boolean) {
  return (value: string): number => {
    const m = /^\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*(%?)\s*$/.exec(value);
    if (!m) throw new InvalidArgumentError(`${name} must be a number, got "${value}".`);
    let x = Number(m[1]);
    if (fraction && m[2]) x /= 100;
    if (x < 0 || (fraction && x > 1)) {
      throw new InvalidArgumentError(
        fraction ? `${name} must be between 0 and 1 (or 0% and 100%).` : `${name} must be ≥ 0.`,
      );
    }
    return x;
  };
}

/** Define the `compare` command. */
export function define(cmd: Command): void {
  cmd
    .argument("<baseline>", "the baseline run: a trace file, directory or (quoted) glob")
    .argument("<candidate>", "the candidate run: a trace file, directory or (quoted) glob")
    .option("--baseline-label <label>", "the baseline's name in the outputs", "base")
    .option("--candidate-label <label>", "the candidate's name in the outputs", "candidate")
    .option(
      "-o, --output-dir <dir>",
      "directory to write compare.html and compare.json to",
      "analysis",
    )
    .option("-t, --title <title>", "the report's title (default: Comparison: BASE vs CANDIDATE)")
    .option(
      "--max-error-rate <rate>",
      "fail when the candidate's error rate is above this (0.05 or 5%)",
      numberOption("--max-error-rate", true),
    )
    .option(
      "--max-p95-increase <pct>",
      "fail when the p95 latency rose more than this percent",
      numberOption("--max-p95-increase", false),
    )
    .option(
      "--max-mean-increase <pct>",
      "fail when the mean latency rose more than this percent",
      numberOption("--max-mean-increase", false),
    )
    .option(
      "--max-cost-increase <pct>",
      "fail when the cost per priced call rose more than this percent",
      numberOption("--max-cost-increase", false),
    )
    .option(
      "--prices <file>",
      "JSON of per-model prices (USD per million tokens) to add or override",
    )
    .option("--timezone <iana>", "time zone of naive timestamps (default UTC)")
    .option("--strict", "fail (exit 1) when any input line is bad")
    .option("-q, --quiet", "print nothing but errors and failed gates")
    .action(async (baseline: string, candidate: string, opts: CompareOptions) => {
      const { comparison } = await runCompare(baseline, candidate, opts);
      if (!comparison.passed) Deno.exitCode = 1;
    });
}
