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
import type {
  DataQuality as SummaryDataQuality,
  GroupDeltas,
  GroupSummary,
  LatencySummary,
  MetricValue,
  ModelSummary as MetricsModelSummary,
  Stats,
  Summary,
} from "../metrics/mod.ts";
import type { RunComparison } from "./comparison.ts";

export type { GroupSummary, MetricValue };

/** The keys of a `by_model` row that every summary has (the contract of `summary.json`). */
type ModelContractKey =
  | "model"
  | "calls"
  | "ok"
  | "errors"
  | "error_rate"
  | "latency"
  | "input_tokens"
  | "output_tokens"
  | "cost_usd";

/** A latency statistics block (seconds); `null` over zero values; `count` when known. */
export type LatencyStats = Omit<LatencySummary, "count"> & { count?: number };

/**
 * One model's row of `summary.by_model`: `summarize`'s row, whose extras may be
 * absent in a summary saved by an older version (then the report shows –).
 */
export type ModelSummary =
  & Omit<Pick<MetricsModelSummary, ModelContractKey>, "latency">
  & { latency: LatencyStats }
  & Partial<Omit<MetricsModelSummary, ModelContractKey>>
  & {
    /** On a comparison's page: the run (baseline or candidate label) the row is of. */
    run?: string;
  };

/** A statistics block with its count (`response_time`, `ttft`, …). */
export type CountedStats = Stats;

/** The keys every summary has (DESIGN.md's `summary.json` contract). */
type SummaryContractKey =
  | "generated_at"
  | "inputs"
  | "request_count"
  | "response_count"
  | "error_count"
  | "response_time"
  | "models_used"
  | "calls"
  | "tokens"
  | "cost_usd"
  | "sessions"
  | "diagnostics";

/**
 * The summary the report shows: `summarize`'s `Summary` (the shape of DESIGN.md's
 * `summary.json`), whose extras are shown when present, plus the comparison by a
 * field when one was asked for.
 */
export type ReportSummary =
  & Pick<Summary, SummaryContractKey>
  & Partial<Omit<Summary, SummaryContractKey | "schema" | "by_model">>
  & {
    schema?: string;
    by_model: ModelSummary[];
    /** The comparison by a field (`report --group-by FIELD`, `compare`); absent otherwise. */
    by_group?: GroupComparison;
  };

/** The comparison by a field: one row per group, and each group against a reference. */
export interface GroupComparison {
  /** The field: a calls column or a session-metadata field. */
  by: string;
  groups: GroupSummary[];
  /**
   * Each other group against the reference group, with 95% intervals, p-values,
   * tests and n (`groupDeltas`); absent with fewer than two groups.
   */
  deltas?: GroupDeltas | null;
}

/** The data-quality numbers of the summary (`summarize().data_quality`). */
export type DataQuality = SummaryDataQuality;

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

/** One input file and what it held. */
export interface FileRow {
  file: string;
  calls: number;
  sessions: number;
  /** The format the file was read as (`deno task formats`); null when unknown. */
  format: string | null;
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
  files?: FileRow[];
  /** A candidate run against a baseline (`compare`): shown first, as "Baseline vs candidate". */
  comparison?: RunComparison;
  /** Batch results among the calls and how they were priced (a note under the model table). */
  pricing?: { batchCalls: number; listPrices: boolean };
}
