/**
 * Test helpers: build contract frames (src/frames/columns.ts) from row objects.
 * Columns a row leaves out are null (`orphan` false).
 * @module
 */
import pl from "nodejs-polars";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  type TraceSet,
} from "../../src/frames/columns.ts";

type Row = Record<string, unknown>;

const DATE_RE = /^\d{4}-\d{2}-\d{2}T/;

function frame(
  columns: Record<string, pl.DataType>,
  rows: Row[],
  defaults: Row = {},
): pl.DataFrame {
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !(k in columns));
  const all: Record<string, pl.DataType> = {
    ...columns,
    ...Object.fromEntries(extra.map((k) => [k, pl.Utf8])),
  };
  return pl.DataFrame(
    Object.entries(all).map(([name, dtype]) => {
      const values = rows.map((r) => {
        const v = name in r ? r[name] : defaults[name] ?? null;
        return typeof v === "string" && DATE_RE.test(v) && String(dtype).includes("Datetime")
          ? new Date(v)
          : v;
      });
      return pl.Series(name, values, dtype);
    }),
  );
}

/** A `calls` frame with exactly the contract columns (CALL_COLUMNS then CALL_EXTRA_COLUMNS). */
export function callsFrame(rows: Row[]): pl.DataFrame {
  return frame({ ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS }, rows, { orphan: false });
}

/** A `sessions` frame: SESSION_COLUMNS, then any metadata fields the rows name (Utf8). */
export function sessionsFrame(rows: Row[]): pl.DataFrame {
  return frame(SESSION_COLUMNS, rows);
}

/** A `diagnostics` frame. */
export function diagnosticsFrame(rows: Row[]): pl.DataFrame {
  return frame(DIAGNOSTIC_COLUMNS, rows);
}

/** A TraceSet from row objects. */
export function traceSet(
  parts: { calls?: Row[]; sessions?: Row[]; diagnostics?: Row[]; inputs?: string[] },
): TraceSet {
  return {
    calls: callsFrame(parts.calls ?? []),
    sessions: sessionsFrame(parts.sessions ?? []),
    events: frame(EVENT_COLUMNS, []),
    diagnostics: diagnosticsFrame(parts.diagnostics ?? []),
    files: ["mixed.jsonl"],
    inputs: parts.inputs ?? ["mixed.jsonl"],
  };
}

/** Assert two numbers agree to 1e-12 (relative), naming the value. */
export function near(actual: unknown, expected: number, what: string): void {
  if (
    typeof actual !== "number" ||
    Math.abs(actual - expected) > 1e-12 * Math.max(1, Math.abs(expected))
  ) {
    throw new Error(`${what}: expected ${expected}, got ${actual}`);
  }
}

const T = (s: string) => `2025-01-01T00:${s}Z`;
const call = (o: Row): Row => ({ file: "mixed.jsonl", provider: null, ...o });
const usage = (input: number, output: number, more: Row = {}): Row => ({
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
  ...more,
});

/**
 * The hand-made trace set of tests/fixtures/metrics/mixed.jsonl, as the loader
 * should produce it (costs filled by the test through applyPrices).
 * Session s1 (complete, 60 s, user alice): r1, r2 gpt-4o ok; r3 claude error;
 * r4 claude ok; r5 gpt-4o ok with a zero duration. Session s2 (no end, user bob):
 * r6 claude error; r7 gpt-4o pending; r8 gpt-4o orphan response; r9 my-model ok.
 */
export function mixedTraceSet(): TraceSet {
  const claude = "claude-3-5-sonnet-20241022";
  return traceSet({
    calls: [
      call({
        session_id: "s1",
        request_id: "r1",
        model: "gpt-4o",
        started_at: T("00:00"),
        ended_at: T("00:02"),
        duration_s: 2,
        status: "ok",
        line: 3,
        ...usage(1000, 100),
      }),
      call({
        session_id: "s1",
        request_id: "r2",
        model: "gpt-4o",
        started_at: T("00:01"),
        ended_at: T("00:05"),
        duration_s: 4,
        status: "ok",
        line: 4,
        ttft_s: 0.5,
        ...usage(2000, 300, { cache_read_tokens: 1000 }),
      }),
      call({
        session_id: "s1",
        request_id: "r3",
        model: claude,
        started_at: T("00:10"),
        ended_at: T("00:11"),
        duration_s: 1,
        status: "error",
        line: 7,
        error: "Rate limit exceeded (429), request req_8f3k2j9d",
      }),
      call({
        session_id: "s1",
        request_id: "r4",
        model: claude,
        started_at: T("00:20"),
        ended_at: T("00:26"),
        duration_s: 6,
        status: "ok",
        line: 9,
        ttft_s: 1.5,
        ...usage(500, 50),
      }),
      call({
        session_id: "s1",
        request_id: "r5",
        model: "gpt-4o",
        started_at: T("00:30"),
        ended_at: T("00:30"),
        duration_s: 0,
        status: "ok",
        line: 11,
        ...usage(10, 1),
      }),
      call({
        session_id: "s2",
        request_id: "r6",
        model: claude,
        started_at: T("02:00"),
        ended_at: T("02:03"),
        duration_s: 3,
        status: "error",
        line: 15,
        error: "Rate limit exceeded (429), request req_1a2b3c4d",
      }),
      call({
        session_id: "s2",
        request_id: "r7",
        model: "gpt-4o",
        started_at: T("02:10"),
        ended_at: null,
        duration_s: null,
        status: "pending",
        line: 17,
      }),
      call({
        session_id: "s2",
        request_id: "r8",
        model: "gpt-4o",
        started_at: T("02:10"),
        ended_at: T("02:20"),
        duration_s: 10,
        status: "ok",
        line: 18,
        orphan: true,
        ...usage(100, 10),
      }),
      call({
        session_id: "s2",
        request_id: "r9",
        model: "my-model",
        started_at: T("02:30"),
        ended_at: T("02:31"),
        duration_s: 1,
        status: "ok",
        line: 19,
        ...usage(1000, 1000),
      }),
    ],
    sessions: [
      {
        session_id: "s1",
        file: "mixed.jsonl",
        started_at: T("00:00"),
        ended_at: T("01:00"),
        duration_s: 60,
        complete: true,
        calls: 5,
        errors: 1,
        user: "alice",
      },
      {
        session_id: "s2",
        file: "mixed.jsonl",
        started_at: T("02:00"),
        ended_at: null,
        duration_s: null,
        complete: false,
        calls: 4,
        errors: 1,
        user: "bob",
      },
    ],
    diagnostics: [
      {
        file: "mixed.jsonl",
        line: 18,
        code: "orphan_response",
        message: "Response r8 has no request.",
        severity: "warning",
      },
      {
        file: "mixed.jsonl",
        line: 21,
        code: "invalid_json",
        message: "Line 21 is not valid JSON.",
        severity: "error",
      },
    ],
  });
}
