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

import assert from "node:assert/strict";

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
 * `served_model` is the response's model (errors and the pending call have none).
 */
export function mixedTraceSet(): TraceSet {
  const claude = "claude-3-5-sonnet-20241022";
  return traceSet({
    calls: [
      call({
        session_id: "s1",
        request_id: "r1",
        model: "gpt-4o",
        served_model: "gpt-4o", // the response names it
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
        served_model: "gpt-4o", // the response names it
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
        served_model: claude, // the response names it
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
        served_model: "gpt-4o", // the response names it
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
        served_model: "gpt-4o", // the response names it
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
        served_model: "my-model", // the response names it
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

/** Deep equality where numbers agree to 1e-12 (relative) and key order matters. */
export function assertClose(actual: unknown, expected: unknown, path = "summary"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    assert.ok(
      Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
      `${path}: ${actual} != ${expected}`,
    );
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === "object") {
    assert.ok(actual && typeof actual === "object", `${path}: not an object`);
    assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${path}: keys`);
    for (const [k, v] of Object.entries(expected)) {
      assertClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    }
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

// Hand-computed: see the fixture description in _frames.ts.
export const CLAUDE = "claude-3-5-sonnet-20241022";
/** The contract keys of the summary of the mixed fixture, hand-computed. */
export const EXPECTED_CONTRACT = {
  schema: "tracebook.summary/1",
  generated_at: "2025-02-03T04:05:06.000Z",
  inputs: ["mixed.jsonl"],
  request_count: 8, // 9 calls, one an orphan response
  response_count: 6, // r1 r2 r4 r5 r8 r9
  error_count: 2, // r3 r6
  // ok calls with duration > 0: [2, 4, 6, 10, 1] (r5's 0 s is left out)
  response_time: {
    count: 5,
    mean: 4.6,
    std: 3.5777087639996634,
    min: 1,
    max: 10,
    p50: 4,
    p90: 8.4,
    p95: 9.2,
    p99: 9.84,
  },
  models_used: { "gpt-4o": 4, [CLAUDE]: 3, "my-model": 1 }, // requests, first-requested order
  calls: { total: 9, ok: 6, error: 2, pending: 1 },
  tokens: { input: 4610, output: 1461, total: 6071, calls_with_usage: 6 },
  // gpt-4o: r1 0.0035 + r2 (1000×2.5 + 1000×1.25 + 300×10)/1e6 + r5 0.000035 + r8 0.00035; claude r4 (500×3 + 50×15)/1e6
  cost_usd: { total: 0.012885, priced_calls: 5, unpriced_models: ["my-model"] },
  sessions: { count: 2, complete: 1, unfinished: 1 },
  by_model: [
    {
      model: "gpt-4o",
      calls: 5,
      ok: 4,
      errors: 0,
      error_rate: 0,
      // [2, 4, 10]
      latency: { mean: 16 / 3, p50: 4, p90: 8.8, p95: 9.4, p99: 9.88, min: 2, max: 10, count: 3 },
      input_tokens: 3110,
      output_tokens: 411,
      cost_usd: 0.010635,
      pending: 1,
      error_rate_ci: [0, 0.4898908364545973],
      served_models: ["gpt-4o"],
      ttft_p50: 0.5, // r2 only
      output_tokens_per_second: 50, // median of r1 100/2, r2 300/4, r8 10/10
      tokens_per_call: (3110 + 411) / 5,
      input_tokens_per_call: 3110 / 5,
      output_tokens_per_call: 411 / 5,
      priced_calls: 4, // r1 r2 r5 r8
      cost_per_call: 0.010635 / 4,
      metrics: {},
    },
    {
      model: CLAUDE,
      calls: 3,
      ok: 1,
      errors: 2,
      error_rate: 2 / 3,
      latency: { mean: 6, p50: 6, p90: 6, p95: 6, p99: 6, min: 6, max: 6, count: 1 },
      input_tokens: 500,
      output_tokens: 50,
      cost_usd: 0.00225,
      pending: 0,
      error_rate_ci: [0.20765960080204768, 0.9385080552796037],
      served_models: [CLAUDE],
      ttft_p50: 1.5,
      output_tokens_per_second: 50 / 6,
      tokens_per_call: 550 / 3,
      input_tokens_per_call: 500 / 3,
      output_tokens_per_call: 50 / 3,
      priced_calls: 1,
      cost_per_call: 0.00225,
      metrics: {},
    },
    {
      model: "my-model",
      calls: 1,
      ok: 1,
      errors: 0,
      error_rate: 0,
      latency: { mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, min: 1, max: 1, count: 1 },
      input_tokens: 1000,
      output_tokens: 1000,
      cost_usd: null,
      pending: 0,
      error_rate_ci: [0, 0.7934506856227626],
      served_models: ["my-model"],
      ttft_p50: null,
      output_tokens_per_second: 1000,
      tokens_per_call: 2000,
      input_tokens_per_call: 1000,
      output_tokens_per_call: 1000,
      priced_calls: 0,
      cost_per_call: null, // unpriced
      metrics: {},
    },
  ],
  diagnostics: { count: 2, by_code: { invalid_json: 1, orphan_response: 1 } },
};
