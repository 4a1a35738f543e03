/** Values with untrusted text (a summary, a TraceSet) shared by the notebook tests. */
import pl from "nodejs-polars";
import type { TraceSet } from "../../src/frames/columns.ts";

export const XSS = `<script>alert("x")</script>`;

export const SUMMARY = {
  schema: "tracebook.summary/1",
  generated_at: "2025-04-08T19:42:09",
  inputs: ["traces/"],
  request_count: 3,
  response_count: 2,
  error_count: 1,
  response_time: {
    count: 2,
    mean: 1.5,
    std: 0.7071,
    min: 1,
    max: 2,
    p50: 1.5,
    p90: 1.9,
    p95: 1.95,
    p99: 1.99,
  },
  models_used: { [XSS]: 3 },
  calls: { total: 3, ok: 2, error: 1, pending: 0 },
  tokens: { input: 10, output: 20, total: 30, calls_with_usage: 2 },
  cost_usd: { total: null, priced_calls: 0, unpriced_models: [XSS] },
  sessions: { count: 1, complete: 1, unfinished: 0 },
  by_model: [{
    model: XSS,
    calls: 3,
    ok: 2,
    errors: 1,
    error_rate: 1 / 3,
    latency: { mean: 1.5, p50: 1.5, p90: 1.9, p95: 1.95, p99: 1.99, min: 1, max: 2, count: 2 },
    input_tokens: 10,
    output_tokens: 20,
    cost_usd: null,
  }],
  diagnostics: { count: 0, by_code: {} },
};

export function traceSet(): TraceSet {
  return {
    calls: pl.DataFrame({ status: ["ok", "ok", "error", "pending"], model: ["a", "a", "b", XSS] }),
    sessions: pl.DataFrame({ session_id: ["s1"] }),
    events: pl.DataFrame({ type: ["x", "y"] }),
    diagnostics: pl.DataFrame({ code: [] as string[] }),
    files: ["a.jsonl", "b.jsonl"],
    inputs: ["traces/"],
  };
}
