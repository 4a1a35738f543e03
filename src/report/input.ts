/**
 * What the HTML report shows: plain, JSON-able data (no DataFrames), so a report
 * can be rendered from a saved summary as well as from loaded traces.
 * `buildReportInput` fills it from a `TraceSet`; `renderReport` turns it into HTML.
 *
 * Every string here may come from a trace and is treated as untrusted text,
 * except `ReportFigure.svg`, which is our own SVG.
 *
 * @module
 */
import type { RunComparison } from "./comparison.ts";

/** A latency statistics block (seconds); `null` over zero values. */
export interface LatencyStats {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
}

/** One model's row of `summary.by_model` (DESIGN.md, `summary.json`). */
export interface ModelSummary {
  model: string;
  calls: number;
  ok: number;
  errors: number;
  /** errors / (ok + errors); null when neither. */
  error_rate: number | null;
  latency: LatencyStats;
  input_tokens: number | null;
  output_tokens: number | null;
  /** Null when the model has no known price. */
  cost_usd: number | null;
  /** Wilson 95% interval of `error_rate` (an extra of `summarize`). */
  error_rate_ci?: [number, number] | null;
  /** The user's named metrics over this model's calls (`summarize(…, { metrics })`). */
  metrics?: Record<string, MetricValue>;
}

/** The value of a user's named metric. */
export type MetricValue = number | string | boolean | null;

/** A statistics block with its count (`response_time`, `ttft`, …). */
export type CountedStats = LatencyStats & { count: number; std: number | null };

/** The summary the report shows: the shape of DESIGN.md's `summary.json`. */
export interface ReportSummary {
  schema?: string;
  generated_at: string;
  inputs: string[];
  request_count: number;
  response_count: number;
  error_count: number;
  response_time: CountedStats;
  models_used: Record<string, number>;
  calls: { total: number; ok: number; error: number; pending: number };
  tokens: { input: number; output: number; total: number; calls_with_usage: number };
  cost_usd: { total: number | null; priced_calls: number; unpriced_models: string[] };
  sessions: { count: number; complete: number; unfinished: number };
  by_model: ModelSummary[];
  diagnostics: { count: number; by_code: Record<string, number> };
  // Extras of `summarize`, shown when present.
  /** errors / (ok + errors) with its Wilson 95% interval. */
  error_rate?: { rate: number | null; low: number | null; high: number | null };
  /** Time to first token of streamed calls. */
  ttft?: CountedStats;
  output_tokens_per_second?: CountedStats;
  throughput?: {
    calls_per_minute: number | null;
    peak_calls_per_minute: number;
    peak_in_flight: number;
    span_s: number | null;
  };
  session_stats?: { duration_s: CountedStats; share_in_calls: number | null };
  data_quality?: {
    orphan_responses: number;
    pending_calls: number;
    sessions_without_end: number;
    unknown_model_calls: number;
  };
  /** The user's named metrics over all calls. */
  metrics?: Record<string, MetricValue>;
  /** The comparison by a field (`report --group-by FIELD`, `compare`); absent otherwise. */
  by_group?: GroupComparison;
}

/** One group's row of the comparison by a field (from `compareGroups`). */
export interface GroupSummary {
  /** The group's value of the field (`(none)` for calls without one). */
  group: string;
  calls: number;
  ok: number;
  errors: number;
  pending: number;
  /** errors / (ok + errors); null when neither. */
  error_rate: number | null;
  /** Wilson 95% interval of `error_rate`. */
  error_rate_ci: [number, number] | null;
  /** Over successful responses with a duration, seconds. */
  latency: {
    count: number;
    mean: number | null;
    p50: number | null;
    p90: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
  };
  ttft_p50: number | null;
  output_tokens_per_second: number | null;
  input_tokens: number;
  output_tokens: number;
  /** (input + output tokens) / calls; null without calls. */
  tokens_per_call: number | null;
  /** Null when no call of the group has a known price. */
  cost_usd: number | null;
  /** Mean cost of the priced calls. */
  cost_per_call: number | null;
}

/** The comparison by a field: one row per group. */
export interface GroupComparison {
  /** The field: a calls column or a session-metadata field. */
  by: string;
  groups: GroupSummary[];
}

/** A figure to show inline: our own SVG (the only raw HTML in the report). */
export interface ReportFigure {
  /** The figure's heading. */
  title: string;
  /** A standalone SVG document from `Figure.toSVG()`. */
  svg: string;
  /** A sentence under the figure saying how to read it. */
  caption?: string;
}

/** Rows shown in a table, with the total when only the first rows are shown. */
export interface Listing<T> {
  rows: T[];
  /** How many rows exist in all; more than `rows.length` when the list was cut. */
  total: number;
}

/** One row of the sessions table. Timestamps are ISO 8601 strings in UTC. */
export interface SessionRow {
  session_id: string;
  file: string | null;
  started_at: string | null;
  ended_at: string | null;
  duration_s: number | null;
  complete: boolean;
  calls: number;
  errors: number;
  /** Session metadata fields (user, project, version, …) as text. */
  metadata: Record<string, string | null>;
}

/** One model call (the slowest calls, the failed calls). */
export interface CallRow {
  session_id: string | null;
  request_id: string | null;
  model: string;
  started_at: string | null;
  duration_s: number | null;
  /** `ok` | `error` | `pending`. */
  status: string;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  file: string | null;
  line: number | null;
  /** The response's text, when the traces were loaded with `keepText` (else absent). */
  output?: string | null;
}

/** Errors with the same normalized message (numbers and ids masked): `topErrors` of metrics. */
export interface ErrorGroup {
  /** The normalized message. */
  message: string;
  count: number;
  /** Share of all failed calls, in [0, 1]. */
  share: number;
  /** One original message. */
  example: string;
  /** The models these errors came from. */
  models: string[];
}

/** A custom event type (`tracer.logEvent(type, data)`) and how often it occurs. */
export interface EventTypeRow {
  type: string;
  count: number;
  sessions: number;
  /** The payload of the first one, as JSON text. */
  example: string | null;
}

/** One data-quality problem (a row of the `diagnostics` frame). */
export interface DiagnosticRow {
  file: string | null;
  line: number | null;
  code: string;
  message: string;
  /** `error` (the line was not loaded) | `warning`. */
  severity: string;
}

/** Data-quality counts beyond the diagnostics. */
export interface DataQuality {
  /** Responses with no matching request. */
  orphan_responses: number;
  /** Requests with neither a response nor an error. */
  pending_calls: number;
  /** Sessions with no `session_end`. */
  unfinished_sessions: number;
}

/** One input file and what it held. */
export interface FileRow {
  file: string;
  calls: number;
  sessions: number;
}

/** Everything the report shows. Only `summary` is required. */
export interface ReportInput {
  summary: ReportSummary;
  figures?: ReportFigure[];
  sessions?: Listing<SessionRow>;
  slowestCalls?: Listing<CallRow>;
  errorGroups?: Listing<ErrorGroup>;
  failedCalls?: Listing<CallRow>;
  eventTypes?: Listing<EventTypeRow>;
  diagnostics?: Listing<DiagnosticRow>;
  dataQuality?: DataQuality;
  files?: FileRow[];
  /** A candidate run against a baseline (`compare`): shown first, as "Baseline vs candidate". */
  comparison?: RunComparison;
}
