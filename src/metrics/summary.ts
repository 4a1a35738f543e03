/**
 * `summarize`: the `{prefix}_summary.json` object of DESIGN.md ("CLI and
 * outputs"), key for key, then the extra metrics after those keys.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";
import { USAGE_FIELDS } from "../schema/mod.ts";
import { exactMeanStd } from "./exact.ts";
import { aggregate, type MetricSpec, type MetricValue, plainValue, specExprs } from "./spec.ts";
import { records } from "../frames/records.ts";
import {
  errorLatency,
  latency,
  outputTokensPerSecond,
  statsSpec,
  timePerOutputToken,
  ttft,
} from "./latency.ts";
import {
  errorCount,
  errorRateColumns,
  okCount,
  pendingCount,
  type TopError,
  topErrors,
} from "./errors.ts";
import { withCallDefaults } from "./calls.ts";
import { type ModelSummary, summarizeGroups } from "./group_summary.ts";
import {
  callsWithUsage,
  costTotal,
  pricedCalls,
  tokenSum,
  tokenTotal,
  unpricedModels,
} from "./tokens.ts";
import { callsOverTime, peakInFlight } from "./throughput.ts";
import { sessionTable } from "./sessions.ts";
import { countsBy, type DataQuality, dataQuality, problemCount } from "./quality.ts";
import { withFrames } from "../frames/lazy.ts";

/** count, mean, sample std, min, max and linear percentiles; null over zero values. */
export interface Stats {
  /** How many values. */
  count: number;
  /** The mean. */
  mean: number | null;
  /** The sample standard deviation (n − 1); 0 for a single value. */
  std: number | null;
  /** The smallest value. */
  min: number | null;
  /** The largest value. */
  max: number | null;
  /** The median (linear interpolation). */
  p50: number | null;
  /** The 90th percentile (linear). */
  p90: number | null;
  /** The 95th percentile (linear). */
  p95: number | null;
  /** The 99th percentile (linear). */
  p99: number | null;
}

/** The `{prefix}_summary.json` object (schema `tracebook.summary/1`). */
export interface Summary {
  /** The schema of this object. */
  schema: "tracebook.summary/1";
  /** When the summary was made, ISO 8601. */
  generated_at: string;
  /** The inputs as given. */
  inputs: string[];
  /** `llm_request` events (non-orphan calls). */
  request_count: number;
  /** `llm_response` events (calls with status ok, orphans included). */
  response_count: number;
  /** `llm_error` events. */
  error_count: number;
  /** Over `llm_response` events with `duration_seconds > 0`. */
  response_time: Stats;
  /** Requests per model, in the order models were first requested. */
  models_used: Record<string, number>;
  /** Calls by status (orphans included). */
  calls: { total: number; ok: number; error: number; pending: number };
  /** Token sums over the calls that report usage. */
  tokens: { input: number; output: number; total: number; calls_with_usage: number };
  /** Total cost of the priced calls (null when none is priced) and the models without a price. */
  cost_usd: { total: number | null; priced_calls: number; unpriced_models: string[] };
  /** Sessions, and how many have a `session_end`. */
  sessions: { count: number; complete: number; unfinished: number };
  /** One row per requested model, the most calls first (`groupSpec`). */
  by_model: ModelSummary[];
  /** Problems found while loading, in all and per code (a row standing for several counts them all). */
  diagnostics: { count: number; by_code: Record<string, number> };
  // Extras, after the contract keys.
  /** Failed calls with a positive duration: never mixed into `response_time`. */
  error_latency: Stats;
  /** Wilson 95% interval of errors / (ok + errors). */
  error_rate: { rate: number | null; low: number | null; high: number | null };
  /** Time to first token of streamed calls, seconds. */
  ttft: Stats;
  /** Seconds per output token of successful calls. */
  time_per_output_token: Stats;
  /** Output tokens per second of successful calls. */
  output_tokens_per_second: Stats;
  /** Cache-read, cache-write and reasoning tokens, summed. */
  token_details: { cache_read: number; cache_write: number; reasoning: number };
  /** First and last call, the span between them, and the call rate and its peaks. */
  throughput: {
    first_call_at: string | null;
    last_call_at: string | null;
    span_s: number | null;
    calls_per_minute: number | null;
    peak_calls_per_minute: number;
    peak_in_flight: number;
  };
  /** Session durations, calls per session, and time spent in and outside calls. */
  session_stats: {
    duration_s: Stats;
    calls_per_session: Stats;
    time_in_calls_s: number;
    time_outside_calls_s: number;
    /** time in calls / (time in + outside), over sessions with a duration. */
    share_in_calls: number | null;
  };
  /** The most frequent error messages (`topErrors`). */
  top_errors: TopError[];
  /** Counts of the data problems (`dataQuality`). */
  data_quality: DataQuality;
  /** Custom metrics over all calls. */
  metrics: Record<string, MetricValue>;
}

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /**
   * Named metrics to add: expressions over the `calls` frame, reported overall
   * (`summary.metrics`) and per model (`summary.by_model[i].metrics`).
   */
  metrics?: MetricSpec;
  /** The `generated_at` time. @default now */
  now?: Date;
  /** How many normalized error messages to list. @default 10 */
  topErrors?: number;
}

function stats(frame: pl.DataFrame, values: pl.Expr): Stats {
  return statsOf(frame.lazy().select(values.alias("__v")));
}

/**
 * {@link Stats} of the one column `__v` (the values selected once, not once per
 * statistic), in one query: the values are never a frame of their own.
 */
function statsOf(values: pl.LazyDataFrame): Stats {
  const [r] = values.select(...specExprs(statsSpec(pl.col("__v")))).collectSync().toRecords();
  const s = Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, plainValue(v)]));
  return { ...s, count: (s.count as number) ?? 0 } as unknown as Stats;
}

/**
 * `response_time`: the seed's population. The mean and standard deviation are exact
 * and rounded once, as Python's `statistics` module computes them (bit for bit);
 * percentiles, min and max come from Polars.
 */
function seedStats(calls: pl.DataFrame): Stats {
  const values = calls.select(latency().alias("__v"));
  // One Float64 column out of Polars, never a JS value per call.
  const array = values.getColumn("__v").cast(pl.Float64).toTypedArray() as Float64Array;
  return { ...statsOf(values.lazy()), ...exactMeanStd(array) };
}

/**
 * The calls columns the summary reads: it narrows `calls` to them first, so that no
 * filter or join copies the wide frame's other columns (prompts, ids, files).
 */
const SUMMARY_COLUMNS: readonly string[] = [
  "session_id",
  "model",
  "status",
  "orphan",
  "started_at",
  "ended_at",
  "duration_s",
  "error",
  ...USAGE_FIELDS,
  "ttft_s",
  "cost_usd",
];

/**
 * Summarize a trace set: exactly the `{prefix}_summary.json` object of DESIGN.md,
 * with the extra metrics after the contract keys. Full-precision numbers;
 * statistics over zero values are null.
 *
 * Counts follow the seed: `request_count` = non-orphan calls (= `llm_request`
 * events), `response_count` = calls with status ok (= `llm_response` events,
 * orphans included), `error_count` = calls with status error. `response_time`
 * and every `by_model[].latency` are over successful calls with `duration_s > 0`.
 *
 * Add your own metric with `metrics`: any Polars aggregation over `calls`.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { loadTraces } from "../load/mod.ts";
 * import { summarize } from "./summary.ts";
 * const traces = await loadTraces(["traces/"]);
 * const summary = summarize(traces, {
 *   metrics: { p75_latency: pl.col("duration_s").quantile(0.75, "linear") },
 * });
 * // traces/: 90 requests of three models (gpt-4o, claude-3-5-sonnet-20241022, gpt-4o-mini).
 * if (summary.request_count !== 90 || summary.by_model.length !== 3) throw new Error("counts");
 * const overall = summary.metrics.p75_latency;             // over all calls
 * const perModel = summary.by_model[0]!.metrics.p75_latency; // per model
 * if (typeof overall !== "number" || typeof perModel !== "number") throw new Error("p75");
 * ```
 */
export function summarize(traces: TraceSet, options: SummarizeOptions = {}): Summary {
  const wide = withCallDefaults(traces.calls);
  const calls = wide.select(...SUMMARY_COLUMNS);
  const custom = options.metrics ?? {};

  // The error rate and its interval from the two counts, once (`errorRateColumns`).
  const [counted] = records(
    calls.select(...specExprs({
      total: () => pl.len().cast(pl.Int64),
      requests: () => pl.col("orphan").fillNull(false).not().sum().cast(pl.Int64),
      ok: okCount,
      error: errorCount,
      pending: pendingCount,
      input: () => tokenSum("input_tokens"),
      output: () => tokenSum("output_tokens"),
      tokens_total: tokenTotal,
      calls_with_usage: callsWithUsage,
      cache_read: () => tokenSum("cache_read_tokens"),
      cache_write: () => tokenSum("cache_write_tokens"),
      reasoning: () => tokenSum("reasoning_tokens"),
      cost_total: costTotal,
      priced_calls: pricedCalls,
      first_call_at: () => pl.col("started_at").min(),
    })).withColumns(...errorRateColumns("ok", "error")),
  );
  const counts = Object.fromEntries(Object.entries(counted!).map(([k, v]) => [k, plainValue(v)]));
  const num = (k: string) => (counts[k] as number | null) ?? 0;

  // Requests per model (the model rule: the requested model), in the order models were
  // first requested (the seed's dict order).
  const requested = calls.lazy().select("model", "orphan").withRowIndex("__i").filter(
    pl.col("orphan").fillNull(false).not(),
  )
    .groupBy("model").agg(pl.len().cast(pl.Int64).alias("n"), pl.col("__i").min().alias("__first"))
    .sort("__first")
    .collectSync();
  const models_used = Object.fromEntries(
    requested.toRecords().map((r) => [String(r.model), plainValue(r.n) as number]),
  );

  // One row per model, most calls first (ties by name): the same rows as every group table.
  const by_model: ModelSummary[] = summarizeGroups(traces, "model", { metrics: custom })
    .sort((a, b) => b.calls - a.calls || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
    .map(({ group, ...row }) => ({ model: group, ...row }));

  const sessionsFrame = traces.sessions;
  const complete = sessionsFrame.height
    ? sessionsFrame.filter(pl.col("complete").eq(true)).height
    : 0;

  // Throughput and concurrency.
  const perMinute = callsOverTime(calls, { every: "1m" });
  const first = counts.first_call_at as string | null;
  const ends = calls.select(
    pl.col("ended_at").max().alias("e"),
    pl.col("started_at").max().alias("s"),
  ).toRecords()[0]!;
  const times = [ends.e, ends.s].map((d) => plainValue(d)).filter((d): d is string =>
    typeof d === "string"
  );
  const last = times.length
    ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b))
    : null;
  const span = first && last ? (Date.parse(last) - Date.parse(first)) / 1000 : null;

  // Sessions.
  const table = sessionTable(calls, sessionsFrame);
  const withDuration = table.filter(pl.col("duration_s").isNotNull());
  const inCalls = withDuration.height
    ? (plainValue(withDuration.getColumn("time_in_calls_s").sum()) as number)
    : 0;
  const outside = withDuration.height
    ? (plainValue(withDuration.getColumn("time_outside_calls_s").sum()) as number)
    : 0;

  return {
    schema: "tracebook.summary/1",
    generated_at: (options.now ?? new Date()).toISOString(),
    inputs: [...traces.inputs],
    request_count: num("requests"),
    response_count: num("ok"),
    error_count: num("error"),
    response_time: seedStats(calls),
    models_used,
    calls: { total: num("total"), ok: num("ok"), error: num("error"), pending: num("pending") },
    tokens: {
      input: num("input"),
      output: num("output"),
      total: num("tokens_total"),
      calls_with_usage: num("calls_with_usage"),
    },
    cost_usd: {
      total: counts.cost_total as number | null,
      priced_calls: num("priced_calls"),
      unpriced_models: unpricedModels(calls),
    },
    sessions: {
      count: sessionsFrame.height,
      complete,
      unfinished: sessionsFrame.height - complete,
    },
    by_model,
    diagnostics: {
      count: problemCount(traces.diagnostics),
      by_code: countsBy(traces.diagnostics, "code"),
    },
    error_latency: stats(calls, errorLatency()),
    error_rate: {
      rate: counts.error_rate as number | null,
      low: counts.error_rate_low as number | null,
      high: counts.error_rate_high as number | null,
    },
    ttft: stats(calls, ttft()),
    time_per_output_token: stats(calls, timePerOutputToken()),
    output_tokens_per_second: stats(calls, outputTokensPerSecond()),
    token_details: {
      cache_read: num("cache_read"),
      cache_write: num("cache_write"),
      reasoning: num("reasoning"),
    },
    throughput: {
      first_call_at: first,
      last_call_at: last,
      span_s: span,
      calls_per_minute: span && span > 0 ? num("total") / (span / 60) : null,
      peak_calls_per_minute: perMinute.height
        ? (plainValue(perMinute.getColumn("calls").max()) as number)
        : 0,
      peak_in_flight: peakInFlight(calls, traces.sessions),
    },
    session_stats: {
      duration_s: stats(table, pl.col("duration_s").filter(pl.col("duration_s").isNotNull())),
      calls_per_session: stats(table, pl.col("calls").cast(pl.Float64)),
      time_in_calls_s: inCalls,
      time_outside_calls_s: outside,
      share_in_calls: inCalls + outside > 0 ? inCalls / (inCalls + outside) : null,
    },
    top_errors: topErrors(calls, { limit: options.topErrors ?? 10 }),
    // not a spread: that would read the lazy events frame of a cached load (decoded for nothing:
    // 200,000 calls, 0.13 s and 50 MB)
    data_quality: dataQuality(withFrames(traces, { calls })),
    metrics: aggregate(wide, custom),
  };
}
