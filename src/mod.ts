/**
 * tracebook: analyse the traces of LLM calls.
 *
 * ```
 * trace files ──► load ──► frames ──► metrics ──► figures ──► report
 *  (JSONL)        (zod +    (Polars    (pl.Expr,    (Observable   (HTML, summary.txt/.json)
 *                  Polars)   DataFrames) summaries)  Plot → SVG/PNG)
 * tracing ──► writes native JSONL (imports schema only)
 * cli/, notebooks/ ──► thin shells over this library
 * ```
 *
 * In a notebook, `show(x)` displays frames, trace sets, summaries and figures
 * richly (escaped HTML tables with a row limit, inline SVG).
 *
 * @example
 * ```ts
 * import { latencyHistogram, loadTraces, summarize } from "./mod.ts";
 * const traces = await loadTraces("traces/");
 * const summary = summarize(traces);
 * // traces/ holds 90 llm_request and 6 llm_error lines (grep -c).
 * if (summary.request_count !== 90 || summary.error_count !== 6) throw new Error("counts");
 * const fig = await latencyHistogram(traces.calls);
 * if (!fig.toSVG().startsWith("<svg")) throw new Error("not an SVG");
 * ```
 *
 * @module
 */

// schema: the native trace format
export {
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  normalizeUsage,
  traceEventJsonSchema,
  USAGE_FIELDS,
} from "./schema/mod.ts";
export type {
  CustomEvent,
  EventEnvelope,
  KnownEventType,
  LlmErrorData,
  LlmErrorEvent,
  LlmRequestData,
  LlmRequestEvent,
  LlmResponseData,
  LlmResponseEvent,
  RawUsage,
  SessionEndEvent,
  SessionMetadataEvent,
  SessionStartEvent,
  TraceEvent,
  Usage,
} from "./schema/mod.ts";

// log: the error callers may catch
export { UserError } from "./log/mod.ts";
export type { WarnFn } from "./log/mod.ts";

// prices
export { applyPrices, loadPriceOverrides, lookupPrice, parsePriceOverrides } from "./prices/mod.ts";
export type { ApplyPricesOptions, PriceOverride, PriceOverrides } from "./prices/mod.ts";

// frames: the contract
export {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
} from "./frames/columns.ts";
export type { CallStatus, TraceSet } from "./frames/columns.ts";
export { concatTraceSets } from "./frames/concat.ts";

// load: paths → TraceSet
export {
  callTextReader,
  DEFAULT_MAX_LINE_BYTES,
  findTraceInputs,
  fromTraceText,
  loadTraceGroups,
  loadTraces,
  parseTimestamp,
  parseTraceText,
} from "./load/mod.ts";
export type {
  CallTextOptions,
  CallTextReader,
  Diagnostic,
  EventRecord,
  FromTraceTextOptions,
  LoadOptions,
  ParsedTrace,
  ParseTimestampOptions,
  ParseTraceOptions,
  TextColumns,
  TraceInput,
} from "./load/mod.ts";

// metrics: expressions, summaries, comparisons
export {
  aggregate,
  BETTER,
  callsOverTime,
  compareGroups,
  compareRuns,
  costPerCall,
  costTotal,
  countsBy,
  dataQuality,
  DELTA_METRICS,
  errorCount,
  errorLatency,
  errorRate,
  groupSpec,
  inFlight,
  isLatencySample,
  latency,
  normalizeErrorMessage,
  outputTokensPerSecond,
  quantile,
  sampleStd,
  sessionTable,
  specExprs,
  STAT_NAMES,
  statsSpec,
  summarize,
  summarizeBy,
  summarizeGroups,
  timeBucket,
  timeInCalls,
  timePerOutputToken,
  tokenSum,
  topErrors,
  ttft,
  unpricedModels,
  wilsonInterval,
} from "./metrics/mod.ts";
export type {
  Best,
  CallsOverTimeOptions,
  ComparedMetric,
  CompareGroupsOptions,
  CompareRunsOptions,
  Comparison,
  DataQuality,
  Delta,
  DeltaMetric,
  GateOptions,
  GateResult,
  GroupBy,
  GroupDeltas,
  GroupDeltasOptions,
  GroupMetrics,
  GroupOptions,
  GroupSummary,
  LatencySummary,
  Metric,
  MetricSpec,
  MetricValue,
  ModelSummary,
  Paired,
  PairedCall,
  PairedMetric,
  PairSide,
  RankedMetric,
  RunComparisonResult,
  Side,
  Stats,
  StatsOptions,
  SummarizeByOptions,
  SummarizeOptions,
  Summary,
  TopError,
  TopErrorsOptions,
} from "./metrics/mod.ts";

// figures: frame → Figure (callsOverTimeFigure and inFlightFigure: named apart from the metrics)
export {
  allFigures,
  callsOverTimeFigure,
  costByModel,
  Figure,
  FIGURE_NAMES,
  inFlightFigure,
  latencyByModel,
  latencyEcdf,
  latencyHistogram,
  modelsUsed,
  sessionTimeline,
  tokensVsLatency,
} from "./figures/mod.ts";
export type {
  AllFiguresOptions,
  CostByModelOptions,
  FigureInfo,
  InFlightOptions,
  LatencyByModelOptions,
  LatencyEcdfOptions,
  LatencyHistogramOptions,
  LegendItem,
  ModelsUsedOptions,
  NamedFigure,
  PngOptions,
  SessionTimelineOptions,
  TokensVsLatencyOptions,
} from "./figures/mod.ts";
export type { CallsOverTimeFigureOptions } from "./figures/mod.ts";

// report: HTML and text
export {
  buildReportInput,
  callsExplorer,
  FIGURE_CAPTIONS,
  renderReport,
  renderSummaryText,
} from "./report/mod.ts";
export type {
  BuildReportOptions,
  CallRow,
  CallSelection,
  CallsExplorerData,
  CallsExplorerOptions,
  ClippedText,
  DiagnosticRow,
  ErrorGroup,
  EventTypeRow,
  ExplorerCall,
  ExplorerMessage,
  ExplorerSpan,
  FileRow,
  GroupComparison,
  LatencyStats,
  Listing,
  ModelContractKey,
  ModelSummary as ReportModelSummary,
  PickReason,
  RenderReportOptions,
  ReportFigure,
  ReportInput,
  ReportInputWithCalls,
  ReportLimits,
  ReportSummary,
  RunComparison,
  RunSummary,
  RunTraces,
  SessionRow,
  SummaryContractKey,
  SummaryTextInput,
} from "./report/mod.ts";

// export: frames → Parquet, CSV, JSONL, OTLP, TensorBoard; the summary as SQL views
export {
  EXPORT_FORMATS,
  exportTraces,
  OTLP_FILE,
  postOtlp,
  SQL_ENGINES,
  sqlViews,
  toOtlpRequest,
  writeCsvFiles,
  writeJsonlFiles,
  writeParquetDataset,
  writeTensorBoard,
} from "./export/mod.ts";
export type {
  ExportFormat,
  ExportOptions,
  ExportResult,
  OtlpAnyValue,
  OtlpExportOptions,
  OtlpKeyValue,
  OtlpRequest,
  OtlpSpan,
  ParquetExportOptions,
  PostOtlpOptions,
  PostOtlpResult,
  SqlEngine,
  SqlViewsOptions,
  TensorBoardOptions,
} from "./export/mod.ts";

// tracing: writes native JSONL around model calls
export {
  BufferedFileWriter,
  CallHandle,
  createTracer,
  DEFAULT_TRACE_DIR,
  FileTraceWriter,
  fromEventEmitter,
  KnownSecrets,
  LLM_EVENTS,
  MemoryTraceWriter,
  REDACTED,
  redactText,
  sanitize,
  Tracer,
} from "./tracing/mod.ts";
export type {
  AnyFn,
  BufferedFileWriterOptions,
  CallOutcome,
  CallSink,
  CallStart,
  Clock,
  EmitterLike,
  EventBus,
  EventHandler,
  FinishedCall,
  SanitizeOptions,
  TraceCallOptions,
  TraceModelCall,
  TracerOptions,
  TraceWriter,
} from "./tracing/mod.ts";

// simulate: realistic, seeded traces through the tracer
export {
  DEFAULT_MODELS,
  MODEL_PROFILES,
  Random,
  simulate,
  SIMULATE_DEFAULTS,
  SimulatedApiError,
} from "./simulate/mod.ts";
export type {
  ModelProfile,
  ResponseShape,
  SimulateOptions,
  SimulationResult,
} from "./simulate/mod.ts";

// generate: the seed's traced taxonomy generator
export { ChatApiError, chatCompletion, generateTaxonomy } from "./generate/mod.ts";
export type {
  ChatRequest,
  Endpoint,
  GenerateTaxonomyOptions,
  TaxonomyNode,
  TaxonomyRun,
} from "./generate/mod.ts";

// notebook: rich display
export {
  frameHTML,
  JUPYTER_DISPLAY,
  mimeBundle,
  plotFigure,
  show,
  summaryHTML,
  toHTML,
  toText,
  traceSetHTML,
} from "./notebook/mod.ts";
export type {
  Displayable,
  DisplayOptions,
  MimeBundle,
  PlotFigureSpec,
  PlotOptions,
} from "./notebook/mod.ts";

export type { DataType } from "./frames/polars.ts";

import polars from "./frames/polars.ts";
/**
 * nodejs-polars, re-exported so notebooks and scripts use the same instance
 * (`pl.col`, `pl.lit`, and the types `pl.DataFrame`, `pl.Expr`, …). Polars documents
 * it (https://pola-rs.github.io/nodejs-polars/), so tracebook's own docs leave it out
 * (`@ignore`); it is public, and the frames and metrics above are typed with it.
 *
 * @ignore
 */
// deno-lint-ignore no-unused-vars -- an export (`export import`), which the rule does not see
export import pl = polars;
