/**
 * The report stage: what the report shows (`buildReportInput`, from a `TraceSet`)
 * and how it is written (`renderReport`, one self-contained HTML file from the
 * templates in `templates/`; `renderSummaryText`, the seed's summary.txt).
 *
 * ```
 * TraceSet ──► buildReportInput ──► ReportInput (plain JSON) ──► renderReport ──► HTML
 *   summarize (metrics) + allFigures (figures) + reportTables (listings)
 *   + callsExplorer (the Calls section: calls, texts, spans)
 * ```
 *
 * Rendering is pure and escapes every trace string; the only raw HTML is our own
 * CSS, sort script and SVG figures.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { buildReportInput, renderReport } from "./mod.ts";
 * const traces = await loadTraces(["traces/"]);
 * const html = renderReport(await buildReportInput(traces), { title: "Nightly run" });
 * if (!html.startsWith("<!DOCTYPE html>") || !html.includes("<title>Nightly run</title>")) {
 *   throw new Error("not the report");
 * }
 * ```
 *
 * @module
 */
export { buildReportInput, type BuildReportOptions, FIGURE_CAPTIONS } from "./build.ts";
export { jsonForScript, renderReport, type RenderReportOptions, reportRenderer } from "./render.ts";
export {
  type CallSelection,
  callsExplorer,
  type CallsExplorerData,
  type CallsExplorerOptions,
  type ClippedText,
  EXPLORER_DEFAULTS,
  type ExplorerCall,
  type ExplorerMessage,
  type ExplorerSpan,
  type PickReason,
  type ReportInputWithCalls,
} from "./calls_explorer.ts";
export { CALL_GROUP_FIELDS, groupByFields, groupComparison } from "./groups.ts";
export {
  DEFAULT_LIMITS,
  type ReportLimits,
  type ReportTables,
  reportTables,
  runTables,
  type RunTraces,
} from "./tables.ts";
export type {
  CallRow,
  CountedStats,
  DataQuality,
  DiagnosticRow,
  ErrorGroup,
  EventTypeRow,
  FileRow,
  GroupComparison,
  GroupSummary,
  LatencyStats,
  Listing,
  MetricValue,
  ModelContractKey,
  ModelSummary,
  ReportFigure,
  ReportInput,
  ReportSummary,
  RunSummary,
  SessionRow,
  SummaryContractKey,
} from "./input.ts";
export { renderSummaryText, type SummaryTextInput } from "./summary_text.ts";
export { formatFixed } from "../log/format.ts";
export {
  comparisonView,
  type Delta,
  DELTA_LABELS,
  DELTA_METRICS,
  type DeltaMetric,
  type GateResult,
  gateVerdict,
  type RunComparison,
} from "./comparison.ts";
