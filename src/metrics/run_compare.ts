/**
 * Two runs compared (`compare BASELINE CANDIDATE`, and the library): the deltas of
 * each metric with its 95% interval, p-value, test and n on both sides
 * ({@link runDeltas}), the gates ({@link evaluateGates}), and, when both runs share
 * call keys, the paired comparison ({@link pairedComparison}). The CLI only parses,
 * calls {@link compareRuns} and prints.
 *
 * Tests (DESIGN.md, "Comparisons"): latency mean and percentiles, a seeded
 * percentile bootstrap interval and the Mann–Whitney U test; error rate, Newcombe's
 * interval and Fisher's exact test; per-call tokens and cost, a bootstrap interval
 * and p-value. Paired: Wilcoxon signed-rank and a bootstrap interval of the mean
 * difference.
 *
 * @module
 */
import pl from "../frames/polars.ts";
// Deferred: stdlib evaluates on first use, not when tracebook is imported (see _stdlib.ts).
import defer * as stdlib from "./_stdlib.ts";
import { formatFixed, formatPercent, formatTrimmed } from "../log/format.ts";
import type { TraceSet } from "../frames/columns.ts";
import type { CallTextReader } from "../load/call_texts.ts";
import { withCallDefaults } from "./calls.ts";
import { type GroupSummary, metricValue, summarizeGroups } from "./group_summary.ts";
import { isLatencySample } from "./latency.ts";
import { callTokens } from "./tokens.ts";
import {
  type BootstrapCall,
  expectBootstraps,
  runBootstraps,
  shareBootstraps,
  sharedFloats,
} from "./_bootstraps.ts";
import {
  type BootstrapMeanDifference,
  fisherExact,
  mannWhitneyU,
  newcombeInterval,
  quantileSorted,
  type Statistic,
  wilcoxonSignedRank,
} from "./stats.ts";
import {
  type Delta,
  DELTA_METRICS,
  type DeltaMetric,
  formatDeltaValue,
  formatP,
} from "./deltas.ts";

/** Below this many values on either side, a delta carries a warning. */
export const MIN_SAMPLE = 20;

/** Options of the statistics. */
export interface StatsOptions {
  /** Bootstrap resamples. @default 2000 */
  resamples?: number;
  /** Bootstrap seed. @default 1 */
  seed?: number;
}

/** The per-call values behind the statistics of one side. */
export interface SideSamples {
  /** Latencies of successful responses with a positive duration. */
  latency: Float64Array;
  /** Successful calls. */
  ok: number;
  /** Failed calls. */
  errors: number;
  /** Per call, a missing count as 0 (so the mean is `tokens_per_call`). */
  tokens: Float64Array;
  /** Input tokens per call (a missing count as 0). */
  input_tokens: Float64Array;
  /** Output tokens per call (a missing count as 0). */
  output_tokens: Float64Array;
  /** Costs of priced calls. */
  cost: Float64Array;
}

// shared: the comparison's bootstraps hand them to the helper thread without a copy
const floats = (frame: pl.DataFrame, expr: pl.Expr): Float64Array =>
  sharedFloats(
    frame.select(expr.cast(pl.Float64).alias("v")).getColumn("v").toArray() as number[],
  );

/** The samples of a `calls` frame (one side). */
export function sideSamples(calls: pl.DataFrame): SideSamples {
  const c = withCallDefaults(calls);
  const tok = (col: string) => pl.col(col).fillNull(0);
  const counts = c.select(
    pl.col("status").eq(pl.lit("ok")).sum().alias("ok"),
    pl.col("status").eq(pl.lit("error")).sum().alias("errors"),
  ).toRecords()[0] ?? {};
  // each column filtered alone: filtering the frame would copy all of its columns
  return {
    latency: floats(c, pl.col("duration_s").filter(isLatencySample())),
    ok: Number(counts.ok ?? 0),
    errors: Number(counts.errors ?? 0),
    tokens: floats(c, callTokens().fillNull(0)),
    input_tokens: floats(c, tok("input_tokens")),
    output_tokens: floats(c, tok("output_tokens")),
    cost: floats(c, pl.col("cost_usd").filter(pl.col("cost_usd").isNotNull())),
  };
}

function point(b: number | null, c: number | null) {
  const change = b === null || c === null ? null : c - b;
  const relative_change = change === null ? null : b === 0 ? (c === 0 ? 0 : null) : change / b!;
  return { baseline: b, candidate: c, change, relative_change };
}

function warn(nb: number, nc: number): string | null {
  const n = Math.min(nb, nc);
  return n < MIN_SAMPLE
    ? `only ${n} value${
      n === 1 ? "" : "s"
    } on one side (fewer than ${MIN_SAMPLE}): the interval and p-value are rough`
    : null;
}

/**
 * The deltas of every {@link DELTA_METRICS} metric from `baseline` to `candidate`
 * (their summary rows and per-call samples), each with its 95% interval, p-value,
 * test and n on both sides.
 */
export function runDeltas(
  baseline: GroupSummary,
  candidate: GroupSummary,
  samples: { baseline: SideSamples; candidate: SideSamples },
  options: StatsOptions = {},
): Record<DeltaMetric, Delta> {
  return startDeltas(baseline, candidate, samples, options)();
}

/**
 * {@link runDeltas} begun: its bootstraps handed to the helper thread when they
 * are large (`shareBootstraps`), and the deltas made when the function returned
 * is called, so that the caller can do other work meanwhile (a comparison pairs
 * its calls).
 */
function startDeltas(
  baseline: GroupSummary,
  candidate: GroupSummary,
  samples: { baseline: SideSamples; candidate: SideSamples },
  options: StatsOptions,
): () => Record<DeltaMetric, Delta> {
  const { baseline: sb, candidate: sc } = samples;
  const latencyStats: Statistic[] = ["mean", "p50", "p95", "p99"];
  const seeded = { resamples: options.resamples, seed: options.seed };
  // Tokens: one bootstrap of the calls for the three columns; cost over the priced calls. When
  // every call is priced, the costs are as many as the calls on each side: with one seed their
  // resamples are the tokens' own, so they are read from the same bootstrap (the same interval)
  const allPriced = sb.cost.length === sb.tokens.length && sc.cost.length === sc.tokens.length;
  const shared = shareBootstraps([
    {
      fn: "bootstrapDifference",
      baseline: sb.latency,
      candidate: sc.latency,
      stats: latencyStats,
      options: seeded,
    },
    {
      fn: "bootstrapMeanDifferences",
      baseline: [sb.tokens, sb.input_tokens, sb.output_tokens, ...(allPriced ? [sb.cost] : [])],
      candidate: [sc.tokens, sc.input_tokens, sc.output_tokens, ...(allPriced ? [sc.cost] : [])],
      options: seeded,
    },
    // (none when every call is priced)
    {
      fn: "bootstrapMeanDifferences",
      baseline: allPriced ? [] : [sb.cost],
      candidate: allPriced ? [] : [sc.cost],
      options: seeded,
    },
  ]);
  return () => deltasOf(baseline, candidate, samples, shared.results(), allPriced);
}

/** The deltas of {@link startDeltas}, its bootstraps' results in hand. */
function deltasOf(
  baseline: GroupSummary,
  candidate: GroupSummary,
  { baseline: sb, candidate: sc }: { baseline: SideSamples; candidate: SideSamples },
  [latencyCi, [tokens, input, output, pricedAll], [costApart]]: [
    Record<Statistic, [number, number] | null>,
    (BootstrapMeanDifference | null)[],
    (BootstrapMeanDifference | null)[],
  ],
  allPriced: boolean,
): Record<DeltaMetric, Delta> {
  const cost = allPriced ? pricedAll : costApart;
  const mwu = mannWhitneyU(sb.latency, sc.latency);
  const nb = sb.ok + sb.errors, nc = sc.ok + sc.errors;
  const fisher = fisherExact(sb.errors, nb, sc.errors, nc);
  const perCall = (r: BootstrapMeanDifference | null | undefined, nb: number, nc: number) => ({
    ci95: r?.ci95 ?? null,
    p_value: r?.p_value ?? null,
    test: r ? "bootstrap" : null,
    interval: r ? "bootstrap" : null,
    n_baseline: nb,
    n_candidate: nc,
    warning: r ? warn(nb, nc) : null,
  });
  const latency = (stat: Statistic) => ({
    ci95: latencyCi[stat],
    p_value: mwu?.p_value ?? null,
    test: mwu ? "Mann–Whitney U" : null,
    interval: latencyCi[stat] ? "bootstrap" : null,
    n_baseline: sb.latency.length,
    n_candidate: sc.latency.length,
    warning: sb.latency.length && sc.latency.length
      ? warn(sb.latency.length, sc.latency.length)
      : null,
  });
  const stats: Record<DeltaMetric, Omit<Delta, keyof ReturnType<typeof point>>> = {
    calls: {
      ci95: null,
      p_value: null,
      test: null,
      interval: null,
      n_baseline: baseline.calls,
      n_candidate: candidate.calls,
      warning: null,
    },
    error_rate: {
      ci95: newcombeInterval(sb.errors, nb, sc.errors, nc),
      p_value: fisher?.p_value ?? null,
      test: fisher ? "Fisher's exact" : null,
      interval: nb && nc ? "Newcombe" : null,
      n_baseline: nb,
      n_candidate: nc,
      warning: nb && nc ? warn(nb, nc) : null,
    },
    latency_mean: latency("mean"),
    latency_p50: latency("p50"),
    latency_p95: latency("p95"),
    latency_p99: latency("p99"),
    cost_per_call: perCall(cost, sb.cost.length, sc.cost.length),
    tokens_per_call: perCall(tokens, sb.tokens.length, sc.tokens.length),
    input_tokens_per_call: perCall(input, sb.tokens.length, sc.tokens.length),
    output_tokens_per_call: perCall(output, sb.tokens.length, sc.tokens.length),
  };
  return Object.fromEntries(DELTA_METRICS.map((m) => [
    m,
    { ...point(metricValue(baseline, m), metricValue(candidate, m)), ...stats[m] },
  ])) as Record<DeltaMetric, Delta>;
}

// --- gates ----------------------------------------------------------------------

/** The gates of a comparison: limits on the candidate, and how sure a failure must be. */
export interface GateOptions {
  /** The highest error rate the candidate may have, as a fraction (0.05 = 5%). */
  maxErrorRate?: number;
  /** The largest allowed rise of the p95 latency, in percent of the baseline's. */
  maxP95Increase?: number;
  /** The largest allowed rise of the mean latency, in percent of the baseline's. */
  maxMeanIncrease?: number;
  /** The largest allowed rise of the cost per priced call, in percent of the baseline's. */
  maxCostIncrease?: number;
  /**
   * With it, a gate fails only when its limit is passed and the change is
   * significant at this level (p < significance).
   */
  significance?: number;
}

/** A gate's result. */
export interface GateResult {
  /** The option: `max_error_rate`, `max_p95_increase`, `max_mean_increase`, `max_cost_increase`. */
  gate: string;
  /** The metric the gate checks. */
  metric: DeltaMetric;
  /** The limit as given: a fraction for the error rate, a percent for the others. */
  limit: number;
  /** The candidate's error rate, or the rise in percent; null when it cannot be computed. */
  value: number | null;
  /** The gate passed. */
  passed: boolean;
  /**
   * The p-value the significance was judged on (the delta's, or for the error rate
   * the exact binomial test of "rate ≤ limit"); null without `significance`.
   */
  p_value: number | null;
  /**
   * The test of `p_value`: the delta's, a paired test when the runs were paired
   * (mean latency and cost), or the binomial test of the error rate.
   */
  test: string | null;
  /** The `gate failed: …` line, or a short "ok" sentence. */
  message: string;
}

/** A limit as short text: 10 → "10", 12.5 → "12.5". */
const plain = (x: number) => formatTrimmed(x, 6);
const pct1 = (r: number) => formatPercent(r);
/**
 * Check the gates on the candidate against the baseline: one result per gate set.
 * With `significance`, a limit passed by a change that is not significant passes,
 * saying so.
 *
 * @example
 * ```ts
 * import { evaluateGates } from "./run_compare.ts";
 * const d = { baseline: 2, candidate: 2.5, change: 0.5, relative_change: 0.25, p_value: 0.3 };
 * const deltas = { latency_p95: d } as never;
 * const candidate = { error_rate: 0, errors: 0, ok: 10 };
 * // A 25% rise passes a 10% limit: it fails, unless not significant at 0.05 (p = 0.3).
 * if (evaluateGates(deltas, candidate, { maxP95Increase: 10 })[0]!.passed) throw new Error("fails");
 * if (!evaluateGates(deltas, candidate, { maxP95Increase: 10, significance: 0.05 })[0]!.passed) {
 *   throw new Error("passes when not significant");
 * }
 * ```
 */
export function evaluateGates(
  d: Record<
    DeltaMetric,
    Pick<Delta, "baseline" | "candidate" | "p_value"> & { test?: string | null }
  >,
  candidate: Pick<GroupSummary, "error_rate" | "errors" | "ok">,
  options: GateOptions,
): GateResult[] {
  const alpha = options.significance;
  const results: GateResult[] = [];
  if (options.maxErrorRate !== undefined) {
    const limit = options.maxErrorRate;
    const rate = candidate.error_rate;
    const finished = candidate.ok + candidate.errors;
    const over = rate !== null && rate > limit;
    // One-sided exact binomial test of "the true rate is at most the limit".
    const p = alpha === undefined || rate === null
      ? null
      : candidate.errors === 0
      ? 1
      : 1 - stdlib.binomialCdf(candidate.errors - 1, finished, limit);
    const significant = p === null || p < alpha!;
    const passed = rate !== null && (!over || !significant);
    const sig = p === null
      ? ""
      : ` (${formatP(p)}${significant ? "" : `, not significant at ${plain(alpha!)}`})`;
    results.push({
      gate: "max_error_rate",
      metric: "error_rate",
      limit,
      value: rate,
      passed,
      p_value: p,
      test: p === null ? null : "exact binomial (one-sided)",
      message: rate === null
        ? `gate failed: the error rate cannot be checked, the candidate has no finished calls`
        : !over
        ? `error rate ${pct1(rate)} is within the allowed ${plain(limit * 100)}%`
        : passed
        ? `error rate ${pct1(rate)} is above the allowed ${plain(limit * 100)}%${sig}`
        : `gate failed: error rate is ${
          pct1(rate)
        } (${candidate.errors} of ${finished} finished calls), more than the allowed ${
          plain(limit * 100)
        }%${sig}`,
    });
  }
  const rises: [keyof GateOptions, string, DeltaMetric, string][] = [
    ["maxP95Increase", "max_p95_increase", "latency_p95", "p95 latency"],
    ["maxMeanIncrease", "max_mean_increase", "latency_mean", "mean latency"],
    ["maxCostIncrease", "max_cost_increase", "cost_per_call", "cost per call"],
  ];
  for (const [option, gate, metric, label] of rises) {
    const limit = options[option] as number | undefined;
    if (limit === undefined) continue;
    const { baseline: b, candidate: c } = d[metric];
    const p = alpha === undefined ? null : d[metric].p_value;
    const test = p === null ? null : d[metric].test ?? null;
    const paired = test?.startsWith("paired") ? `${test}, ` : "";
    let value: number | null = null, message: string, passed = false;
    if (b === null || c === null) {
      const side = b === null ? "baseline" : "candidate";
      message = `gate failed: ${label} cannot be compared, the ${side} has no ${
        metric === "cost_per_call" ? "priced calls" : "successful responses"
      }`;
    } else {
      value = b === 0 ? (c === 0 ? 0 : Infinity) : (c - b) / b * 100;
      const range = `(${formatDeltaValue(metric, b)} → ${formatDeltaValue(metric, c)})`;
      const rise = Number.isFinite(value)
        ? `${value >= 0 ? "rose" : "fell"} ${formatFixed(Math.abs(value), 1)}%`
        : "rose from zero";
      const significant = alpha === undefined || (p !== null && p < alpha);
      const sig = alpha === undefined
        ? ""
        : p === null
        ? " (untested)"
        : ` (${paired}${formatP(p)}${significant ? "" : `, not significant at ${plain(alpha)}`})`;
      passed = value <= limit || !significant;
      message = value <= limit
        ? `${label} ${rise} ${range}, within the allowed ${plain(limit)}%`
        : passed
        ? `${label} ${rise} ${range}, more than the allowed ${plain(limit)}%${sig}`
        : `gate failed: ${label} ${rise} ${range}, more than the allowed ${plain(limit)}%${sig}`;
    }
    results.push({
      gate,
      metric,
      limit,
      value: value === Infinity ? null : value,
      passed,
      p_value: p,
      test,
      message,
    });
  }
  return results;
}

// --- pairing --------------------------------------------------------------------

/** One paired metric: the mean of candidate − baseline over the pairs that have it. */
export interface PairedMetric {
  /** Pairs with the value on both sides. */
  n: number;
  /** Mean of candidate − baseline over the pairs; null without pairs. */
  mean_difference: number | null;
  /** Median of the paired differences. */
  median_difference: number | null;
  /** Bootstrap 95% interval of the mean difference. */
  ci95: [number, number] | null;
  /** Two-sided p-value of the Wilcoxon signed-rank test (1 when every difference is 0). */
  p_value: number | null;
  /** The test of `p_value`. */
  test: "Wilcoxon signed-rank";
  /** Set when there are fewer pairs than `MIN_SAMPLE`. */
  warning: string | null;
}

/** One pair with both sides' call (the largest differences). */
export interface PairedCall {
  /** The pairing key (request id or the `--pair-by` field's value). */
  key: string;
  /** candidate − baseline of `Paired.largest_by` (seconds, or output tokens). */
  difference: number;
  /** The baseline's call. */
  baseline: PairSide;
  /** The candidate's call. */
  candidate: PairSide;
}

/** One side of a listed pair. */
export interface PairSide {
  /** The requested model. */
  model: string | null;
  /** `ok`, `error` or `pending`. */
  status: string | null;
  /** Latency, seconds. */
  duration_s: number | null;
  /** Output tokens of the response. */
  output_tokens: number | null;
  /** The response's text, when the traces were loaded with `keepText`. */
  output: string | null;
}

/** The paired comparison (`compare.json`'s `paired`). */
export interface Paired {
  /** The key: `request_id` or the `--pair-by` field. */
  by: string;
  /** Keys on both sides. */
  pairs: number;
  /** Keys only the baseline has. */
  baseline_only: number;
  /** Keys only the candidate has. */
  candidate_only: number;
  /** Calls beyond the first with the same key on a side (not paired). */
  duplicates: { baseline: number; candidate: number };
  /** Pairs by outcome: both ok, only the baseline failed, only the candidate failed, both failed. */
  outcomes: {
    both_ok: number;
    baseline_error_only: number;
    candidate_error_only: number;
    both_error: number;
  };
  /** Latency (seconds), over pairs successful on both sides. */
  latency: PairedMetric;
  /** Input tokens, over pairs reporting them on both sides. */
  input_tokens: PairedMetric;
  /** Output tokens, over pairs reporting them on both sides. */
  output_tokens: PairedMetric;
  /** Cost (USD), over pairs priced on both sides. */
  cost: PairedMetric;
  /**
   * What `largest` is ranked by: `latency` when pairs have one on both sides, else
   * `output_tokens` (e.g. batch runs, which have no latency).
   */
  largest_by: "latency" | "output_tokens";
  /** The pairs with the largest difference (either way), largest first. */
  largest: PairedCall[];
}

/** Options of {@link pairedComparison}. */
export interface PairOptions extends StatsOptions {
  /** The key: a calls column or a session-metadata field. @default "request_id" */
  by?: string;
  /** How many pairs `largest` lists. @default 10 */
  largest?: number;
  /**
   * Pair only when the runs share at least one key. With `by` given explicitly,
   * a comparison without shared keys still reports its counts. @default true when `by` is absent
   */
  requireShared?: boolean;
  /**
   * Reads the outputs of the listed pairs when the calls were loaded without
   * their texts (`callTextReader`).
   */
  texts?: CallTextReader;
}

/**
 * The key of each call of `calls` (a column, or a metadata field of `sessions`) as
 * `__key`: calls without one are dropped, or keyed `(none)` with `keepNone`.
 */
function keyed(
  calls: pl.DataFrame,
  sessions: pl.DataFrame,
  by: string,
  keepNone = false,
): pl.DataFrame {
  let frame = withCallDefaults(calls);
  if (!frame.columns.includes(by)) {
    if (!sessions.columns.includes(by)) {
      throw new RangeError(
        `Cannot pair or group by "${by}": it is neither a calls column nor a session-metadata field.`,
      );
    }
    const on = sessions.columns.includes("file") ? ["session_id", "file"] : ["session_id"];
    frame = frame.join(
      sessions.select(...on, pl.col(by).alias("__meta")).unique({ subset: on, keep: "first" }),
      { on, how: "left" },
    ).withColumns(pl.col("__meta").alias(by)).drop("__meta");
  }
  const key = pl.col(by).cast(pl.Utf8);
  return keepNone
    ? frame.withColumns(key.fillNull(pl.lit("(none)")).alias("__key"))
    : frame.withColumns(key.alias("__key")).filter(pl.col("__key").isNotNull());
}

/**
 * The paired metrics of these differences, their bootstrap intervals drawn
 * together for samples of one length (`bootstrapMeans`: the same intervals).
 */
function pairedMetrics(samples: number[][], options: StatsOptions): PairedMetric[] {
  const intervals = new Array<[number, number] | null>(samples.length);
  const byLength = new Map<number, number[]>();
  samples.forEach((s, i) => byLength.set(s.length, [...byLength.get(s.length) ?? [], i]));
  const groups = [...byLength.values()];
  const found = runBootstraps(groups.map((indexes): BootstrapCall => ({
    fn: "bootstrapMeans",
    samples: indexes.map((i) => sharedFloats(samples[i]!)),
    options: { resamples: options.resamples, seed: options.seed },
  })));
  groups.forEach((indexes, g) => {
    indexes.forEach((i, k) => (intervals[i] = (found[g] as ([number, number] | null)[])[k]!));
  });
  return samples.map((values, i) => pairedMetric(values, intervals[i]!));
}

function pairedMetric(values: number[], ci95: [number, number] | null): PairedMetric {
  const sorted = Float64Array.from(values).sort();
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  const w = wilcoxonSignedRank(values);
  return {
    n: values.length,
    mean_difference: mean,
    median_difference: quantileSorted(sorted, 0.5),
    ci95,
    p_value: values.length === 0 ? null : w ? w.p_value : 1,
    test: "Wilcoxon signed-rank",
    warning: values.length && values.length < MIN_SAMPLE
      ? `only ${values.length} pairs (fewer than ${MIN_SAMPLE}): the interval and p-value are rough`
      : null,
  };
}

const numOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : Number.isFinite(Number(v)) ? Number(v) : null;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * One side of a pairing: its columns as arrays (no record per call: 200,000
 * calls a side made 400,000 objects, and a listed pair's 600,000 more), and
 * the row of the first call of each key, in the order the keys first appear.
 */
interface KeyedSide {
  cols: Record<string, unknown[]>;
  rows: Map<string, number>;
  duplicates: number;
}

/** The columns a pairing reads of a side (those it has), keyed first calls and repeats. */
function keyedSide(frame: pl.DataFrame): KeyedSide {
  const cols: Record<string, unknown[]> = {};
  for (const col of ["__key", ...PAIR_COLUMNS]) {
    if (frame.columns.includes(col)) cols[col] = frame.getColumn(col).toArray() as unknown[];
  }
  const keys = cols.__key!;
  const rows = new Map<string, number>();
  let duplicates = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = String(keys[i]);
    if (rows.has(key)) duplicates++;
    else rows.set(key, i);
  }
  return { cols, rows, duplicates };
}

/** The columns of a call a pairing reads. */
const PAIR_COLUMNS = ["model", "status", "duration_s", "input_tokens", "output_tokens", "cost_usd"];

/** The listed side of row `i` (its output filled in later, for the listed pairs only). */
function side({ cols }: KeyedSide, i: number): PairSide {
  return {
    model: strOrNull(cols.model?.[i]),
    status: strOrNull(cols.status?.[i]),
    duration_s: numOrNull(cols.duration_s?.[i]),
    output_tokens: numOrNull(cols.output_tokens?.[i]),
    output: null,
  };
}

/** A pair offered to {@link TopPairs}: its key, difference and rows on each side. */
interface PairRows {
  key: string;
  difference: number;
  b: number;
  c: number;
}

/**
 * The `size` pairs with the largest absolute difference (ties by key), kept as
 * they are offered: the first `size` of all of them sorted so, without holding
 * or sorting them all.
 */
class TopPairs {
  readonly list: PairRows[] = [];
  readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  /** Negative when `x` comes before `y`: the larger absolute difference, then the smaller key. */
  static order(x: PairRows, y: PairRows): number {
    return Math.abs(y.difference) - Math.abs(x.difference) || (x.key < y.key ? -1 : 1);
  }

  offer(key: string, difference: number, b: number, c: number): void {
    const list = this.list, pair = { key, difference, b, c };
    if (list.length === this.size && (this.size === 0 || TopPairs.order(pair, list.at(-1)!) >= 0)) {
      return;
    }
    let at = list.length;
    while (at > 0 && TopPairs.order(pair, list[at - 1]!) < 0) at--;
    list.splice(at, 0, pair);
    if (list.length > this.size) list.pop();
  }
}

/**
 * Pair the calls of two runs by a key (`request_id` by default; an OpenAI Batch
 * run's `request_id` is its `custom_id`): paired differences of latency, tokens and
 * cost (candidate − baseline) with a Wilcoxon signed-rank test and a bootstrap
 * interval of the mean difference, the keys only one side has, and the pairs with
 * the largest latency difference (output tokens when no pair has a latency, as in
 * batch runs). The first call of a key on a side is paired;
 * later ones are counted as duplicates. Null when `requireShared` and no key is
 * shared.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { pairedComparison } from "./run_compare.ts";
 * const none = pl.DataFrame({ session_id: [] });
 * const b = pl.DataFrame({ request_id: ["a", "b", "c"], status: ["ok", "ok", "ok"], duration_s: [1, 2, 3] });
 * const c = pl.DataFrame({ request_id: ["b", "c", "d"], status: ["ok", "ok", "ok"], duration_s: [2.5, 4, 9] });
 * const p = pairedComparison({ calls: b, sessions: none }, { calls: c, sessions: none })!;
 * // Keys b and c pair: differences 0.5 and 1, mean 0.75; a and d are unmatched.
 * if (p.pairs !== 2 || p.baseline_only !== 1 || p.candidate_only !== 1) throw new Error("counts");
 * if (p.latency.mean_difference !== 0.75 || p.largest[0]!.key !== "c") throw new Error("latency");
 * ```
 */
export function pairedComparison(
  baseline: Pick<TraceSet, "calls" | "sessions">,
  candidate: Pick<TraceSet, "calls" | "sessions">,
  options: PairOptions = {},
): Paired | null {
  const by = options.by ?? "request_id";
  const requireShared = options.requireShared ?? options.by === undefined;
  const kb = keyed(baseline.calls, baseline.sessions, by);
  const kc = keyed(candidate.calls, candidate.sessions, by);
  const b = keyedSide(kb), c = keyedSide(kc);
  const sb = b.cols.status ?? [], sc = c.cols.status ?? [];
  const latency: number[] = [], input: number[] = [], output: number[] = [], cost: number[] = [];
  const outcomes = { both_ok: 0, baseline_error_only: 0, candidate_error_only: 0, both_error: 0 };
  const size = options.largest ?? 10;
  const byLatency = new TopPairs(size), byTokens = new TopPairs(size);
  let pairs = 0;
  const at = (side: KeyedSide, col: string, i: number) => numOrNull(side.cols[col]?.[i]);
  const diff = (col: string, i: number, j: number, into: number[]) => {
    const x = at(b, col, i), y = at(c, col, j);
    if (x !== null && y !== null) into.push(y - x);
  };
  // the keys both sides have, in the order they first appear in the baseline
  for (const [key, i] of b.rows) {
    const j = c.rows.get(key);
    if (j === undefined) continue;
    pairs++;
    const okB = sb[i] === "ok", okC = sc[j] === "ok";
    const eb = sb[i] === "error", ec = sc[j] === "error";
    if (okB && okC) outcomes.both_ok++;
    else if (eb && ec) outcomes.both_error++;
    else if (eb && okC) outcomes.baseline_error_only++;
    else if (ec && okB) outcomes.candidate_error_only++;
    const db = at(b, "duration_s", i), dc = at(c, "duration_s", j);
    if (okB && okC && db !== null && dc !== null && db > 0 && dc > 0) {
      latency.push(dc - db);
      byLatency.offer(key, dc - db, i, j);
    }
    // output tokens rank the pairs only when no pair has a latency (batch runs)
    const ob = at(b, "output_tokens", i), oc = at(c, "output_tokens", j);
    if (latency.length === 0 && ob !== null && oc !== null) byTokens.offer(key, oc - ob, i, j);
    diff("input_tokens", i, j, input);
    diff("output_tokens", i, j, output);
    diff("cost_usd", i, j, cost);
  }
  if (requireShared && pairs === 0) return null;
  const paired = pairedMetrics([latency, input, output, cost], options);
  const largestBy = latency.length ? "latency" : "output_tokens";
  const listed = (latency.length ? byLatency : byTokens).list;
  const largest: PairedCall[] = listed.map((p) => ({
    key: p.key,
    difference: p.difference,
    baseline: side(b, p.b),
    candidate: side(c, p.c),
  }));
  // The outputs of the listed pairs only (texts are the wide part of a frame), or read for them.
  const outputs = (frame: pl.DataFrame, rows: number[]): (string | null)[] => {
    if (rows.length === 0) return [];
    if (frame.columns.includes("output")) {
      return frame.select(pl.col("output").gather(rows)).getColumn("output").toArray() as (
        | string
        | null
      )[];
    }
    if (!options.texts) return rows.map(() => null);
    const read = options.texts.withTexts(frame.select(pl.all().gather(rows)));
    return read.getColumn("output").toArray() as (string | null)[];
  };
  const ob = outputs(kb, listed.map((p) => p.b));
  const oc = outputs(kc, listed.map((p) => p.c));
  largest.forEach((p, i) => {
    p.baseline.output = ob[i] ?? null;
    p.candidate.output = oc[i] ?? null;
  });
  return {
    by,
    pairs,
    baseline_only: b.rows.size - pairs,
    candidate_only: c.rows.size - pairs,
    duplicates: { baseline: b.duplicates, candidate: c.duplicates },
    outcomes,
    latency: paired[0]!,
    input_tokens: paired[1]!,
    output_tokens: paired[2]!,
    cost: paired[3]!,
    largest_by: largestBy,
    largest,
  };
}

// --- groups against a reference ----------------------------------------------------

/** Each group's deltas against a reference group (`compareGroups`, the report's group tables). */
export interface GroupDeltas {
  /** The group every other is compared with. */
  reference: string;
  /** One entry per other group, in the groups' order. */
  groups: { group: string; deltas: Record<DeltaMetric, Delta> }[];
  /** Groups left out past `maxGroups`. */
  omitted: number;
}

/** Options of {@link groupDeltas}. */
export interface GroupDeltasOptions extends StatsOptions {
  /** The reference group. @default the first of `order`, else the group with the most calls */
  reference?: string;
  /** Labels listed first, in this order (e.g. baseline, candidate). */
  order?: string[];
  /** Compare at most this many groups with the reference (the bootstrap is per group). @default 20 */
  maxGroups?: number;
}

/**
 * Every group of `by` (a calls column or a session-metadata field) against a
 * reference group: the deltas of {@link runDeltas}, with intervals, p-values,
 * tests and n. Null with fewer than two groups.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { groupDeltas } from "./run_compare.ts";
 * const calls = pl.DataFrame({
 *   model: ["a", "a", "a", "b", "b"], status: ["ok", "ok", "ok", "ok", "error"],
 *   duration_s: [1, 2, 3, 5, 1],
 * });
 * const g = groupDeltas({ calls, sessions: pl.DataFrame({ session_id: [] }) } as never, "model")!;
 * // a has the most calls: the reference. b: mean latency 5 − 2 = 3; error rate 1/2 − 0/3 = 0.5.
 * const b = g.groups[0]!.deltas;
 * if (g.reference !== "a" || b.latency_mean.change !== 3 || b.error_rate.change !== 0.5) {
 *   throw new Error("bad");
 * }
 * ```
 */
export function groupDeltas(
  traces: Pick<TraceSet, "calls" | "sessions">,
  by: string,
  options: GroupDeltasOptions = {},
): GroupDeltas | null {
  expectBootstraps(traces.calls.height);
  const rows = summarizeGroups(traces as TraceSet, by);
  if (rows.length < 2) return null;
  const order = options.order ?? [];
  const rank = (g: GroupSummary) => {
    const i = order.indexOf(g.group);
    return i < 0 ? order.length : i;
  };
  rows.sort((a, b) => rank(a) - rank(b));
  const byCalls = [...rows].sort((a, b) => b.calls - a.calls || (a.group < b.group ? -1 : 1));
  const reference = options.reference ?? (order.find((o) => rows.some((r) => r.group === o)) ??
    byCalls[0]!.group);
  const ref = rows.find((r) => r.group === reference);
  if (!ref) throw new RangeError(`No group "${reference}" of ${by} to compare with.`);
  const keyedCalls = keyed(traces.calls, traces.sessions, by, true);
  const callsOf = (group: string) => keyedCalls.filter(pl.col("__key").eq(pl.lit(group)));
  const refSamples = sideSamples(callsOf(reference));
  const others = rows.filter((r) => r.group !== reference);
  const max = options.maxGroups ?? 20;
  return {
    reference,
    groups: others.slice(0, max).map((g) => ({
      group: g.group,
      deltas: runDeltas(
        ref,
        g,
        { baseline: refSamples, candidate: sideSamples(callsOf(g.group)) },
        options,
      ),
    })),
    omitted: Math.max(0, others.length - max),
  };
}

// --- the whole comparison ---------------------------------------------------------

/** One side of the comparison in `compare.json`. */
export type Side = Omit<GroupSummary, "group"> & { label: string; input: string };

/** A comparison of two runs: what `compare.json` holds. */
export interface RunComparisonResult {
  /** The schema of `compare.json`. */
  schema: "tracebook.compare/1";
  /** When the comparison was made, ISO 8601. */
  generated_at: string;
  /** The baseline's summary row, label and input. */
  baseline: Side;
  /** The candidate's summary row, label and input. */
  candidate: Side;
  /** Each compared metric's change with its statistics. */
  deltas: Record<DeltaMetric, Delta>;
  /** The paired comparison when the runs share call keys, else null. */
  paired: Paired | null;
  /** The gates set, in the order of the options. */
  gates: GateResult[];
  /** The significance level of the gates, when set. */
  significance: number | null;
  /**
   * How the statistics were made, to reproduce them: the bootstrap's seed and
   * resamples (fewer for large samples, see `bootstrapResamples`) and the sample size
   * below which a delta carries a warning.
   */
  statistics: { seed: number; resamples: number; min_sample: number };
  /** Every gate passed (true when none is set). */
  passed: boolean;
}

/** Options of {@link compareRuns}. */
export interface CompareRunsOptions extends GateOptions, StatsOptions {
  /** The baseline's and the candidate's `group` labels in `traces`. */
  baseline: string;
  /** The candidate's label. */
  candidate: string;
  /** The inputs as given (shown in `compare.json`). */
  inputs?: { baseline: string; candidate: string };
  /** Pair by this field (a calls column or a session-metadata field); default `request_id` when shared. */
  pairBy?: string;
  /** The `generated_at` time. @default now */
  now?: Date;
  /** Reads the listed pairs' outputs when the traces were loaded without texts ({@link PairOptions}). */
  texts?: CallTextReader;
}

/**
 * Compare two runs loaded as groups (`loadTraceGroups({ base: […], candidate: […] })`):
 * both sides' summary rows (the same rows as `by_model`), the deltas with their
 * statistics, the paired comparison when the runs share keys, and the gates.
 * Throws a `RangeError` when a side has no calls.
 *
 * @example
 * ```ts
 * import { loadTraceGroups } from "../load/mod.ts";
 * import { compareRuns } from "./run_compare.ts";
 * const traces = await loadTraceGroups({
 *   base: ["traces/trace_[0-9]*.jsonl"],
 *   candidate: ["traces/trace_[a-f]*.jsonl"],
 * });
 * const result = compareRuns(traces, { baseline: "base", candidate: "candidate", maxErrorRate: 0.05 });
 * // grep -c: base 21 requests, no error; candidate 69 requests, 63 responses, 6 errors:
 * // its error rate 6 / (63 + 6) ≈ 0.087 is over the 0.05 gate.
 * if (result.baseline.calls !== 21 || result.candidate.calls !== 69) throw new Error("calls");
 * if (result.passed || result.gates[0]!.passed) throw new Error("the gate should fail");
 * ```
 */
export function compareRuns(traces: TraceSet, options: CompareRunsOptions): RunComparisonResult {
  // the helper thread of large bootstraps loads while the summaries and samples are made
  expectBootstraps(traces.calls.height);
  const rows = summarizeGroups(traces, "group");
  // the columns the samples and the pairing read: each side's calls are a copy of these only
  const all = withCallDefaults(traces.calls);
  const read = new Set([
    "group",
    "session_id",
    "file",
    "output",
    // what reads a call's texts again (`texts`)
    "line",
    "orphan",
    "request_id",
    options.pairBy ?? "request_id",
    ...PAIR_COLUMNS,
  ]);
  const calls = all.select(...all.columns.filter((col) => read.has(col)));
  const part = (label: string, which: string) => {
    const row = rows.find((g) => g.group === label);
    if (!row || row.calls === 0) {
      throw new RangeError(`The ${which} (${label}) has no model calls to compare.`);
    }
    return { row, calls: calls.filter(pl.col("group").eq(pl.lit(label))) };
  };
  const b = part(options.baseline, "baseline"), c = part(options.candidate, "candidate");
  // the deltas' bootstraps go to the helper thread while this one pairs the calls
  const finishDeltas = startDeltas(b.row, c.row, {
    baseline: sideSamples(b.calls),
    candidate: sideSamples(c.calls),
  }, options);
  const paired = pairedComparison(
    { calls: b.calls, sessions: traces.sessions },
    { calls: c.calls, sessions: traces.sessions },
    { by: options.pairBy, resamples: options.resamples, seed: options.seed, texts: options.texts },
  );
  const deltas = finishDeltas();
  // Paired runs: the mean latency and cost gates judge significance on the pairs
  // (Wilcoxon signed-rank), a stronger test of the same prompts than the unpaired one.
  const pairedTest = (m: PairedMetric, d: Delta) =>
    m.n > 0 && m.p_value !== null
      ? { ...d, p_value: m.p_value, test: `paired Wilcoxon signed-rank, ${m.n} pairs` }
      : d;
  const gateDeltas = paired
    ? {
      ...deltas,
      latency_mean: pairedTest(paired.latency, deltas.latency_mean),
      cost_per_call: pairedTest(paired.cost, deltas.cost_per_call),
    }
    : deltas;
  const gates = evaluateGates(gateDeltas, c.row, options);
  const strip = ({ group, ...rest }: GroupSummary, input: string): Side => ({
    label: group,
    input,
    ...rest,
  });
  return {
    schema: "tracebook.compare/1",
    generated_at: (options.now ?? new Date()).toISOString(),
    baseline: strip(b.row, options.inputs?.baseline ?? options.baseline),
    candidate: strip(c.row, options.inputs?.candidate ?? options.candidate),
    deltas,
    paired,
    gates,
    significance: options.significance ?? null,
    statistics: {
      seed: options.seed ?? 1,
      resamples: options.resamples ?? 2000,
      min_sample: MIN_SAMPLE,
    },
    passed: gates.every((g) => g.passed),
  };
}
