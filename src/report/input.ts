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
export type ModelContractKey =
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
export type SummaryContractKey =
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
  /** One row per group, in table order. */
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
  /** The rows shown. */
  rows: T[];
  /** How many rows exist in all; more than `rows.length` when the list was cut. */
  total: number;
}

/** One row of the sessions table. Timestamps are ISO 8601 strings in UTC. */
export interface SessionRow {
  /** The session id. */
  session_id: string;
  /** The file the session was read from. */
  file: string | null;
  /** The first event's time. */
  started_at: string | null;
  /** The last event's time. */
  ended_at: string | null;
  /** ended_at − started_at, seconds. */
  duration_s: number | null;
  /** Whether the session has a `session_end`. */
  complete: boolean;
  /** Model calls of the session. */
  calls: number;
  /** Failed calls of the session. */
  errors: number;
  /** Session metadata fields (user, project, version, …) as text. */
  metadata: Record<string, string | null>;
  /** On a comparison's page: the run (baseline or candidate label) the row is of. */
  run?: string;
}

/** One model call (the slowest calls, the failed calls). */
export interface CallRow {
  /** The session of the call. */
  session_id: string | null;
  /** The request id of the call. */
  request_id: string | null;
  /** The requested model (the model rule). */
  model: string;
  /** When the call started, ISO 8601 UTC. */
  started_at: string | null;
  /** Latency, seconds. */
  duration_s: number | null;
  /** `ok` | `error` | `pending`. */
  status: string;
  /** The error message of a failed call. */
  error: string | null;
  /** Input tokens, when the response reported usage. */
  input_tokens: number | null;
  /** Output tokens, when the response reported usage. */
  output_tokens: number | null;
  /** The call's cost, when its model is priced. */
  cost_usd: number | null;
  /** The file of the call's request. */
  file: string | null;
  /** The 1-based line of the call's request. */
  line: number | null;
  /** The response's text, when the traces were loaded with `keepText` (else absent). */
  output?: string | null;
  /** On a comparison's page: the run (baseline or candidate label) the row is of. */
  run?: string;
}

/** Errors with the same normalized message (numbers and ids masked): `topErrors` of metrics. */
export interface ErrorGroup {
  /** The normalized message. */
  message: string;
  /** How many failed calls have this message. */
  count: number;
  /** Share of all failed calls, in [0, 1]. */
  share: number;
  /** One original message. */
  example: string;
  /** The models these errors came from. */
  models: string[];
  /** On a comparison's page: the run (baseline or candidate label) the row is of. */
  run?: string;
}

/** A custom event type (`tracer.logEvent(type, data)`) and how often it occurs. */
export interface EventTypeRow {
  /** The event type. */
  type: string;
  /** How many events of this type. */
  count: number;
  /** How many sessions have one. */
  sessions: number;
  /** The payload of the first one, as JSON text. */
  example: string | null;
  /** On a comparison's page: the run (baseline or candidate label) the row is of. */
  run?: string;
}

/** One data-quality problem (a row of the `diagnostics` frame). */
export interface DiagnosticRow {
  /** The file with the problem. */
  file: string | null;
  /** The 1-based line, when the problem is one line's. */
  line: number | null;
  /** A stable code (`invalid_json`, `line_too_long`, …). */
  code: string;
  /** One sentence saying what is wrong. */
  message: string;
  /** `error` (the line was not loaded) | `warning`. */
  severity: string;
  /** On a comparison's page: the run (baseline or candidate label) the row is of. */
  run?: string;
}

/** One input file and what it held. */
export interface FileRow {
  /** The file's path. */
  file: string;
  /** Model calls read from it. */
  calls: number;
  /** Sessions read from it. */
  sessions: number;
  /** The format the file was read as (`deno task formats`); null when unknown. */
  format: string | null;
  /** On a comparison's page: the run (baseline or candidate label) the row is of. */
  run?: string;
}

/** One run of a comparison and its own summary (`summarize` over that run's traces). */
export interface RunSummary {
  /** The run's label (the `group` of its calls). */
  label: string;
  /** The run's numbers. */
  summary: ReportSummary;
}

/** Everything the report shows. Only `summary` is required. */
export interface ReportInput {
  /** The numbers of the page: `summarize`'s summary, or one saved in `summary.json`. */
  summary: ReportSummary;
  /** The figures, in page order. */
  figures?: ReportFigure[];
  /** The sessions table. */
  sessions?: Listing<SessionRow>;
  /** The slowest calls. */
  slowestCalls?: Listing<CallRow>;
  /** Failed calls grouped by normalized message. */
  errorGroups?: Listing<ErrorGroup>;
  /** The failed calls. */
  failedCalls?: Listing<CallRow>;
  /** The custom event types. */
  eventTypes?: Listing<EventTypeRow>;
  /** The problems found while loading. */
  diagnostics?: Listing<DiagnosticRow>;
  /** The input files and what each held. */
  files?: FileRow[];
  /** A candidate run against a baseline (`compare`): shown first, as "Baseline vs candidate". */
  comparison?: RunComparison;
  /**
   * The runs of a comparison (`compare`), baseline first, each with its own summary: the
   * page shows their headline and data-quality cards side by side, never added together.
   */
  runs?: RunSummary[];
  /** Batch results among the calls and how they were priced (a note under the model table). */
  pricing?: { batchCalls: number; listPrices: boolean };
}
