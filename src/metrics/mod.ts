/**
 * Metrics: small builders returning Polars expressions (`pl.Expr`), combined by
 * a spec `{ name: metric }` and applied overall (`aggregate`) or per group
 * (`summarizeBy`: model, session, file, provider, session metadata, time bucket);
 * `summarize` builds the `summary.json` object. One group row (`groupSpec`,
 * `summarizeGroups`) makes `by_model`, the comparison by a field (`compareGroups`)
 * and both sides of `compareRuns` (two runs: deltas with 95% intervals, p-values,
 * tests and n, pairing, gates; statistics in `stats.ts`); `LiveTotals` keeps
 * `watch`'s running totals. Metrics never read files or draw.
 *
 * @example Add a metric of your own
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { aggregate, summarizeBy } from "./mod.ts";
 * const calls = pl.DataFrame({ model: ["a", "a", "a", "a", "b"], duration_s: [1, 2, 3, 4, 10] });
 * const p75 = pl.col("duration_s").quantile(0.75, "linear");
 * // Linear p75 of 1, 2, 3, 4: position 0.75 × 3 = 2.25, so 3 + 0.25 × (4 − 3) = 3.25.
 * if (aggregate(calls.filter(pl.col("model").eq(pl.lit("a"))), { p75 }).p75 !== 3.25) {
 *   throw new Error("p75");
 * }
 * const byModel = summarizeBy(calls, "model", { calls: pl.len(), p75 });
 * if (byModel.getColumn("p75").toArray().join() !== "3.25,10") throw new Error("by model");
 * ```
 *
 * @module
 */
export {
  aggregate,
  type GroupBy,
  type Metric,
  type MetricSpec,
  type MetricValue,
  plainValue,
  specExprs,
  summarizeBy,
  type SummarizeByOptions,
  timeBucket,
} from "./spec.ts";
export {
  count,
  errorLatency,
  isLatencySample,
  latency,
  outputTokensPerSecond,
  quantile,
  sampleStd,
  STAT_NAMES,
  statsSpec,
  timePerOutputToken,
  ttft,
} from "./latency.ts";
export {
  ERROR_NORMALIZATION,
  errorCount,
  errorRate,
  errorRateBound,
  normalizeErrorMessage,
  okCount,
  pendingCount,
  type TopError,
  topErrors,
  type TopErrorsOptions,
  wilsonInterval,
  Z95,
} from "./errors.ts";
export {
  callsWithUsage,
  costPerCall,
  costTotal,
  pricedCalls,
  tokenSum,
  unpricedModels,
} from "./tokens.ts";
export { callsOverTime, type CallsOverTimeOptions, inFlight, peakInFlight } from "./throughput.ts";
export { sessionTable, timeInCalls } from "./sessions.ts";
export { countsBy, type DataQuality, dataQuality } from "./quality.ts";
export { exactMean, exactSampleStd } from "./exact.ts";
export { withCallDefaults, withModelRule } from "./calls.ts";
export {
  BETTER,
  type GroupMetrics,
  type GroupOptions,
  groupRow,
  groupSpec,
  type GroupSummary,
  groupTable,
  type LatencySummary,
  type MetricName,
  metricValue,
  type ModelSummary,
  type RankedMetric,
  summarizeGroups,
} from "./group_summary.ts";
export { type Stats, summarize, type SummarizeOptions, type Summary } from "./summary.ts";
export {
  type Best,
  COMPARED_METRICS,
  type ComparedMetric,
  compareGroups,
  type CompareGroupsOptions,
  type Comparison,
} from "./compare.ts";
export {
  bootstrapDifference,
  bootstrapMean,
  type BootstrapMeanDifference,
  bootstrapMeanDifferences,
  bootstrapMeans,
  type BootstrapOptions,
  bootstrapResamples,
  fisherExact,
  mannWhitneyU,
  MAX_BOOTSTRAP_DRAWS,
  midranks,
  MIN_BOOTSTRAP_RESAMPLES,
  newcombeInterval,
  quantileSorted,
  seededUint32,
  type Statistic,
  statistic,
  type TestResult,
  type Uint32Generator,
  wilcoxonSignedRank,
} from "./stats.ts";
export {
  compareRuns,
  type CompareRunsOptions,
  evaluateGates,
  type GateOptions,
  type GateResult,
  type GroupDeltas,
  groupDeltas,
  type GroupDeltasOptions,
  MIN_SAMPLE,
  type Paired,
  type PairedCall,
  pairedComparison,
  type PairedMetric,
  type PairOptions,
  type PairSide,
  type RunComparisonResult,
  runDeltas,
  type Side,
  type SideSamples,
  sideSamples,
  type StatsOptions,
} from "./run_compare.ts";
export {
  assessDelta,
  type Delta,
  DELTA_LABELS,
  DELTA_METRICS,
  type DeltaMetric,
  formatDeltaValue,
  formatP,
} from "./deltas.ts";
export { type LiveStatus, LiveTotals, type ModelTotals } from "./live_totals.ts";
