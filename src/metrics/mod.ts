/**
 * Metrics: small builders returning Polars expressions (`pl.Expr`), combined by
 * a spec `{ name: metric }` and applied overall (`aggregate`) or per group
 * (`summarizeBy`: model, session, file, provider, session metadata, time bucket);
 * `summarize` builds the `summary.json` object, `compareGroups` the comparison
 * table of the report. Metrics never read files or draw.
 *
 * @example Add a metric of your own
 * ```ts ignore
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { summarize, summarizeBy, timeBucket } from "./mod.ts";
 * const p75 = pl.col("duration_s").quantile(0.75, "linear");
 * summarize(traces, { metrics: { p75_latency: p75 } }).by_model[0]!.metrics.p75_latency;
 * summarizeBy(traces.calls, timeBucket("1h"), { calls: pl.len(), p75_latency: p75 });
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
export { callsOverTime, type CallsOverTimeOptions, inFlight } from "./throughput.ts";
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
  type ModelSummary,
  type RankedMetric,
  rankedValue,
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
  assessDelta,
  compareRuns,
  type CompareRunsOptions,
  type Delta,
  DELTA_LABELS,
  DELTA_METRICS,
  type DeltaMetric,
  deltaValue,
  evaluateGates,
  formatDeltaValue,
  formatP,
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
export { type LiveStatus, LiveTotals, type ModelTotals } from "./live_totals.ts";
