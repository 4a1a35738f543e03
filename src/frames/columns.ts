/**
 * The frame contract every later stage relies on: the columns of `calls`,
 * `sessions`, `events` and `diagnostics`, with their Polars dtypes, and the
 * `TraceSet` that `loadTraces` returns (DESIGN.md, "Frames").
 *
 * @module
 */
import pl, { type DataType } from "./polars.ts";

/** Datetime in microseconds, UTC. */
export const DATETIME_UTC = pl.Datetime("us", "UTC");

/** Columns of `calls`: one row per model call, in this order. */
export const CALL_COLUMNS = {
  session_id: pl.Utf8,
  request_id: pl.Utf8,
  /**
   * The model the request asked for; when no request names one, the model the
   * response names; else `"unknown"` (DESIGN.md, "The model rule"). Never null.
   */
  model: pl.Utf8,
  /** The model the response names (e.g. `gpt-4o-2024-08-06` for `gpt-4o`); null when none does. */
  served_model: pl.Utf8,
  /** Null when the trace does not name one and none can be inferred. */
  provider: pl.Utf8,
  started_at: DATETIME_UTC,
  ended_at: DATETIME_UTC,
  /** From `duration_seconds`, else end − start; null while pending. */
  duration_s: pl.Float64,
  /** `ok` | `error` | `pending`. */
  status: pl.Utf8,
  error: pl.Utf8,
  input_tokens: pl.Int64,
  output_tokens: pl.Int64,
  total_tokens: pl.Int64,
  cache_read_tokens: pl.Int64,
  reasoning_tokens: pl.Int64,
  ttft_s: pl.Float64,
  /** Null when the model has no known price (listed, never a silent 0). */
  cost_usd: pl.Float64,
  prompt_chars: pl.Int64,
  output_chars: pl.Int64,
  /** The format the file was read as (`native`, `otlp`, `openai_batch`, …; `deno task formats`). */
  format: pl.Utf8,
  /** The file of the request (of the response for an orphan). */
  file: pl.Utf8,
  /** 1-based line of the request (of the response for an orphan). */
  line: pl.Int64,
  /** Trace id, for formats with a span tree (null otherwise). */
  trace_id: pl.Utf8,
  /** Span id of the call, for formats with a span tree. */
  span_id: pl.Utf8,
  /** Span id of the call's parent span (an agent or workflow span), when it has one. */
  parent_span_id: pl.Utf8,
  /** Comparison group label (null when inputs are not grouped). */
  group: pl.Utf8,
} as const;

/** Extra columns of `calls`, after the contract ones. */
export const CALL_EXTRA_COLUMNS = {
  finish_reason: pl.Utf8,
  cache_write_tokens: pl.Int64,
  /**
   * Of `cache_write_tokens`, those written to a 1-hour cache (Anthropic's extended
   * lifetime): priced at their own rate.
   */
  cache_write_1h_tokens: pl.Int64,
  /** The response had no request (an orphan, counted as the seed counts it). */
  orphan: pl.Bool,
  retry_of: pl.Utf8,
  /** A batch result, priced at the provider's batch rate unless list prices are asked for. */
  batch: pl.Bool,
  /**
   * Server-side web searches the model ran for the call (Anthropic's
   * `server_tool_use.web_search_requests`): billed per search, priced beside the tokens.
   */
  web_search_requests: pl.Int64,
} as const;

/** Columns of `sessions`, followed by one Utf8 column per session-metadata field. */
export const SESSION_COLUMNS = {
  session_id: pl.Utf8,
  file: pl.Utf8,
  started_at: DATETIME_UTC,
  ended_at: DATETIME_UTC,
  duration_s: pl.Float64,
  /** Has a `session_end`. */
  complete: pl.Bool,
  calls: pl.Int64,
  errors: pl.Int64,
} as const;

/** Columns of `events`: every valid event. */
export const EVENT_COLUMNS = {
  file: pl.Utf8,
  line: pl.Int64,
  type: pl.Utf8,
  timestamp: DATETIME_UTC,
  session_id: pl.Utf8,
  request_id: pl.Utf8,
  /** The `data` of custom and metadata events as JSON text (null for others). */
  payload: pl.Utf8,
} as const;

/** Columns of `diagnostics`: one row per problem. */
export const DIAGNOSTIC_COLUMNS = {
  file: pl.Utf8,
  line: pl.Int64,
  code: pl.Utf8,
  message: pl.Utf8,
  /** `error` (the line was not loaded) | `warning` (loaded, but suspicious). */
  severity: pl.Utf8,
  /**
   * Lines this row stands for: 1, except the one row per file and code that counts
   * the lines past the first 100 of that code (memory stays bounded; the count exact).
   */
  count: pl.Int64,
} as const;

/** Call status values. */
export type CallStatus = "ok" | "error" | "pending";

/** The result of `loadTraces`. */
export interface TraceSet {
  /** One row per model call (`CALL_COLUMNS`, plus `CALL_EXTRA_COLUMNS` when present). */
  calls: pl.DataFrame;
  /** One row per session (`SESSION_COLUMNS`). */
  sessions: pl.DataFrame;
  /** One row per event that is not part of a call: custom events, metadata (`EVENT_COLUMNS`). */
  events: pl.DataFrame;
  /** One row per problem found while loading (`DIAGNOSTIC_COLUMNS`). */
  diagnostics: pl.DataFrame;
  /** The input files, in the order they were read. */
  files: string[];
  /** The inputs as the caller gave them. */
  inputs: string[];
  /** The format each file was read as, by file name (`deno task formats`). */
  formats?: Record<string, string>;
}

/**
 * An empty DataFrame with the given columns.
 *
 * @example
 * ```ts
 * import { emptyFrame, SESSION_COLUMNS } from "./columns.ts";
 * const sessions = emptyFrame(SESSION_COLUMNS);
 * if (sessions.height !== 0 || sessions.columns.join() !== Object.keys(SESSION_COLUMNS).join()) {
 *   throw new Error(sessions.columns.join());
 * }
 * ```
 */
export function emptyFrame(columns: Record<string, DataType>): pl.DataFrame {
  return pl.DataFrame(
    Object.entries(columns).map(([name, dtype]) => pl.Series(name, [], dtype)),
  );
}
