/**
 * `reportTables`: the report's row listings (sessions, slowest calls, failed calls,
 * error groups, custom events, diagnostics, files) cut from a `TraceSet`'s frames
 * into plain rows. The summary numbers come from `metrics/`; this is only the lists.
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { SESSION_COLUMNS, type TraceSet } from "../frames/columns.ts";
import { topErrors } from "../metrics/errors.ts";
import { records } from "../frames/records.ts";
import type { CallTextReader } from "../load/call_texts.ts";
import type {
  CallRow,
  DiagnosticRow,
  ErrorGroup,
  EventTypeRow,
  FileRow,
  Listing,
  SessionRow,
} from "./input.ts";

/** How many rows each listing shows at most. */
export interface ReportLimits {
  /** Rows of the sessions table. @default {500} */
  sessions?: number;
  /** Rows of the slowest calls. @default {20} */
  slowestCalls?: number;
  /** Rows of the failed calls. @default {100} */
  failedCalls?: number;
  /** Rows of the error groups. @default {50} */
  errorGroups?: number;
  /** Rows of the custom event types. @default {100} */
  eventTypes?: number;
  /** Rows of the diagnostics. @default {500} */
  diagnostics?: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Required<ReportLimits> = {
  sessions: 500,
  slowestCalls: 20,
  failedCalls: 100,
  errorGroups: 50,
  eventTypes: 100,
  diagnostics: 500,
};

/** The listings `reportTables` returns (the `ReportInput` fields besides summary and figures). */
export interface ReportTables {
  sessions: Listing<SessionRow>;
  slowestCalls: Listing<CallRow>;
  failedCalls: Listing<CallRow>;
  errorGroups: Listing<ErrorGroup>;
  eventTypes: Listing<EventTypeRow>;
  diagnostics: Listing<DiagnosticRow>;
  files: FileRow[];
}

/** Event types of the trace format; every other type is a custom event. */
const CORE_EVENT_TYPES = [
  "session_start",
  "session_metadata",
  "session_end",
  "llm_request",
  "llm_response",
  "llm_error",
];

// --- values out of Polars rows ---------------------------------------------

type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null =>
  v === null || v === undefined
    ? null
    : typeof v === "bigint"
    ? Number(v)
    : typeof v === "number"
    ? (Number.isNaN(v) ? null : v)
    : Number(v);
const count = (v: unknown): number => numOrNull(v) ?? 0;
const iso = (v: unknown): string | null =>
  v instanceof Date
    ? (Number.isNaN(v.getTime()) ? null : v.toISOString())
    : v === null || v === undefined
    ? null
    : String(v);

function callRow(r: Row): CallRow {
  const row: CallRow = {
    session_id: str(r.session_id),
    request_id: str(r.request_id),
    model: str(r.model) ?? "unknown",
    started_at: iso(r.started_at),
    duration_s: numOrNull(r.duration_s),
    status: str(r.status) ?? "pending",
    error: str(r.error),
    input_tokens: numOrNull(r.input_tokens),
    output_tokens: numOrNull(r.output_tokens),
    cost_usd: numOrNull(r.cost_usd),
    file: str(r.file),
    line: numOrNull(r.line),
  };
  if ("output" in r) row.output = str(r.output);
  return row;
}

function listing<T>(frame: pl.DataFrame, limit: number, map: (r: Row) => T): Listing<T> {
  return { rows: records(frame.head(limit)).map(map), total: frame.height };
}

/**
 * The first `limit` rows of `frame` in the order of `by`, and its height:
 * only the sort keys and a row index are sorted (ties keep frame order), then
 * the rows kept are gathered, so a wide frame of many rows is never sorted whole.
 */
function topRows(
  frame: pl.DataFrame,
  by: string[],
  descending: boolean[],
  limit: number,
): pl.DataFrame {
  const keys = candidates(frame.select(...by).withRowIndex("__row"), by[0]!, descending[0]!, limit);
  const order = keys.sort([...by, "__row"], [...descending, false], true).head(limit);
  return gatherRows(frame, order.getColumn("__row").toArray() as unknown[]);
}

/**
 * The rows that can be among the first `limit` by `key` (then the other keys): those
 * at or beyond the `limit`-th value of `key`, ties included, found with one sort of
 * that column, so that only they are sorted by every key. The frame as it is when
 * `key` has nulls or NaN, or is not a number.
 */
export function candidates(
  keys: pl.DataFrame,
  key: string,
  descending: boolean,
  limit: number,
): pl.DataFrame {
  const column = keys.getColumn(key);
  if (keys.height <= limit || limit < 1 || !column.isNumeric() || column.nullCount() > 0) {
    return keys;
  }
  if (column.isFloat() && keys.select(pl.col(key).isNan().any()).row(0)[0] !== false) return keys;
  // `.last()` of the head: `.min()` of a sorted head is wrongly optimized in this Polars.
  const nth = pl.col(key).sort(descending).head(limit).last();
  return keys.filter(descending ? pl.col(key).gtEq(nth) : pl.col(key).ltEq(nth));
}

/** The rows of `frame` at `indices`, in that order. */
function gatherRows(frame: pl.DataFrame, indices: unknown[]): pl.DataFrame {
  return frame.select(pl.all().gather(indices.map(Number)));
}

// --- the listings -------------------------------------------------------------

function sessions(traces: TraceSet, limit: number): Listing<SessionRow> {
  const frame = traces.sessions.sort(["started_at", "session_id"], false, true);
  const metadataColumns = frame.columns.filter((c) => !(c in SESSION_COLUMNS));
  return listing(frame, limit, (r) => ({
    session_id: str(r.session_id) ?? "",
    file: str(r.file),
    started_at: iso(r.started_at),
    ended_at: iso(r.ended_at),
    duration_s: numOrNull(r.duration_s),
    complete: r.complete === true,
    calls: count(r.calls),
    errors: count(r.errors),
    metadata: Object.fromEntries(metadataColumns.map((c) => [c, str(r[c])])),
  }));
}

function slowestCalls(
  calls: pl.DataFrame,
  limit: number,
  texts?: CallTextReader,
): Listing<CallRow> {
  // Filter the row numbers, not the wide frame: only the listed rows are gathered.
  const finished = calls.select("status", "duration_s", "started_at").withRowIndex("__call")
    .filter(pl.col("status").neq(pl.lit("pending")).and(pl.col("duration_s").isNotNull()));
  return gathered(calls, finished, ["duration_s", "started_at"], [true, false], limit, texts);
}

function failedCalls(
  calls: pl.DataFrame,
  limit: number,
  texts?: CallTextReader,
): Listing<CallRow> {
  const failed = calls.select("status", "started_at", "file", "line").withRowIndex("__call")
    .filter(pl.col("status").eq(pl.lit("error")));
  const by = ["started_at", "file", "line"];
  return gathered(calls, failed, by, [false, false, false], limit, texts);
}

/**
 * The call rows listed from `keys` (sort keys and `__call`, the row number in
 * `calls`): the first `limit` by `by`, gathered from `calls` with every column
 * (and their texts, read by `texts` when given).
 */
function gathered(
  calls: pl.DataFrame,
  keys: pl.DataFrame,
  by: string[],
  descending: boolean[],
  limit: number,
  texts?: CallTextReader,
): Listing<CallRow> {
  const top = topRows(keys, by, descending, limit);
  let picked = gatherRows(calls, top.getColumn("__call").toArray() as unknown[]);
  if (texts) picked = texts.withTexts(picked);
  return { rows: records(picked).map(callRow), total: keys.height };
}

function errorGroups(calls: pl.DataFrame, limit: number): Listing<ErrorGroup> {
  // Only the columns topErrors reads, so its filter does not copy the wide frame.
  const all = topErrors(calls.select("status", "error", "model"), {
    limit: Number.MAX_SAFE_INTEGER,
  });
  return { rows: all.slice(0, limit), total: all.length };
}

function eventTypes(events: pl.DataFrame, limit: number): Listing<EventTypeRow> {
  const custom = events.filter(pl.col("type").isIn(CORE_EVENT_TYPES).not());
  const grouped = custom
    .sort(["timestamp", "file", "line"], false, true)
    .groupBy("type")
    .agg(
      pl.len().alias("count"),
      pl.col("session_id").nUnique().alias("sessions"),
      pl.col("payload").first().alias("example"),
    )
    .sort(["count", "type"], [true, false]);
  return listing(grouped, limit, (r) => ({
    type: str(r.type) ?? "",
    count: count(r.count),
    sessions: count(r.sessions),
    example: shownJson(str(r.example)),
  }));
}

/**
 * A payload as a page shows it: the clip mark, which payloads write as the
 * escape `\u2026` (`compactPayload`), shown as `…` (an escaped backslash before
 * `u2026` is not an escape).
 */
function shownJson(text: string | null): string | null {
  return text?.includes("\\u2026")
    ? text.replace(/(?<!\\)((?:\\\\)*)\\u2026/g, "$1…")
    : text ?? null;
}

function diagnostics(frame: pl.DataFrame, limit: number): Listing<DiagnosticRow> {
  return listing(frame.sort(["file", "line"], false, true), limit, (r) => ({
    file: str(r.file),
    line: numOrNull(r.line),
    code: str(r.code) ?? "",
    message: str(r.message) ?? "",
    severity: str(r.severity) ?? "error",
  }));
}

function files(traces: TraceSet): FileRow[] {
  const per = (frame: pl.DataFrame) =>
    new Map(
      (frame.select("file").groupBy("file").agg(pl.len().alias("n")).toRecords() as Row[]).map((
        r,
      ) => [str(r.file), count(r.n)]),
    );
  const calls = per(traces.calls);
  const sessions = per(traces.sessions);
  return traces.files.map((file) => ({
    file,
    format: traces.formats?.[file] ?? null,
    calls: calls.get(file) ?? 0,
    sessions: sessions.get(file) ?? 0,
  }));
}

/**
 * Cut the report's listings from the frames: sessions by start time, the slowest
 * finished calls, failed calls by time, error messages grouped by `topErrors` (numbers
 * and ids masked) most frequent first, custom event types, diagnostics by file and line,
 * and per-file counts. Each listing keeps its total when it is cut.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { reportTables } from "./tables.ts";
 * const { slowestCalls } = reportTables(await loadTraces(["traces/"]), { slowestCalls: 5 });
 * const seconds = slowestCalls.rows.map((r) => r.duration_s ?? 0);
 * // Five rows, the longest call first; the total counts every finished call (more than 5).
 * if (seconds.length !== 5 || seconds.some((s, i) => i > 0 && s > seconds[i - 1]!)) {
 *   throw new Error(seconds.join());
 * }
 * if (slowestCalls.total <= 5) throw new Error(`total ${slowestCalls.total}`);
 * ```
 */
export function reportTables(
  traces: TraceSet,
  limits: ReportLimits = {},
  texts?: CallTextReader,
): ReportTables {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return {
    sessions: sessions(traces, l.sessions),
    slowestCalls: slowestCalls(traces.calls, l.slowestCalls, texts),
    failedCalls: failedCalls(traces.calls, l.failedCalls, texts),
    errorGroups: errorGroups(traces.calls, l.errorGroups),
    eventTypes: eventTypes(traces.events, l.eventTypes),
    diagnostics: diagnostics(traces.diagnostics, l.diagnostics),
    files: files(traces),
  };
}

/** One run of a comparison: its label and its own traces. */
export interface RunTraces {
  /** The run's label (the `group` of its calls). */
  label: string;
  /** The run's traces alone. */
  traces: TraceSet;
}

/**
 * The listings of several runs kept apart (`compare`): each run's listings cut
 * from its own traces with the same limits, every row marked with its run, the
 * runs in the order given (baseline first). A total is the sum of the runs'.
 *
 * @example
 * ```ts
 * import { fileURLToPath } from "node:url";
 * import { loadTraces } from "../load/mod.ts";
 * import { runTables } from "./tables.ts";
 * const at = (name: string) => fileURLToPath(import.meta.resolve(`../../tests/fixtures/compare/${name}`));
 * const runs = [
 *   { label: "base", traces: await loadTraces([at("base.jsonl")]) },
 *   { label: "candidate", traces: await loadTraces([at("candidate.jsonl")]) },
 * ];
 * const { slowestCalls, failedCalls } = runTables(runs, { slowestCalls: 2 });
 * // base's two slowest (4 s, 3 s), then the candidate's (6 s, 4 s); its one failed call.
 * const rows = slowestCalls.rows.map((c) => `${c.run} ${c.duration_s}`).join();
 * if (rows !== "base 4,base 3,candidate 6,candidate 4" || slowestCalls.total !== 9) throw new Error(rows);
 * if (failedCalls.rows.map((c) => c.run).join() !== "candidate") throw new Error("failed");
 * ```
 */
export function runTables(
  runs: RunTraces[],
  limits: ReportLimits = {},
  texts?: CallTextReader,
): ReportTables {
  const each = runs.map(({ label, traces }) => ({
    label,
    tables: reportTables(traces, limits, texts),
  }));
  const merged = <T>(pick: (t: ReportTables) => Listing<T>): Listing<T & { run: string }> => ({
    rows: each.flatMap(({ label, tables }) => pick(tables).rows.map((r) => ({ ...r, run: label }))),
    total: each.reduce((n, { tables }) => n + pick(tables).total, 0),
  });
  return {
    sessions: merged((t) => t.sessions),
    slowestCalls: merged((t) => t.slowestCalls),
    failedCalls: merged((t) => t.failedCalls),
    errorGroups: merged((t) => t.errorGroups),
    eventTypes: merged((t) => t.eventTypes),
    diagnostics: merged((t) => t.diagnostics),
    files: each.flatMap(({ label, tables }) => tables.files.map((f) => ({ ...f, run: label }))),
  };
}
