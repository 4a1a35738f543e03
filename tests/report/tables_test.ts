import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { reportTables } from "../../src/report/tables.ts";
import { summarize } from "../../src/metrics/mod.ts";
import { sampleTraceSet } from "../fixtures/report/frames.ts";

Deno.test("reportTables() lists sessions by start time with their metadata", () => {
  const { sessions } = reportTables(sampleTraceSet());
  assert.equal(sessions.total, 2);
  assert.deepEqual(
    sessions.rows.map((
      s,
    ) => [s.session_id, s.started_at, s.complete, s.calls, s.errors, s.metadata]),
    [
      ["s-1", "2025-04-08T09:59:59.000Z", true, 3, 0, { user: "ann" }],
      ["s-2", "2025-04-08T10:04:59.000Z", false, 3, 2, { user: "bob" }],
    ],
  );
});

Deno.test("reportTables() lists the slowest finished calls first and cuts at the limit", () => {
  const { slowestCalls } = reportTables(sampleTraceSet(), { slowestCalls: 3 });
  assert.equal(slowestCalls.total, 5); // the pending call has no duration
  assert.deepEqual(
    slowestCalls.rows.map((c) => [c.request_id, c.duration_s, c.status, c.file, c.line]),
    [
      ["r-2", 3.25, "ok", "a.jsonl", 4],
      ["r-4", 2, "error", "a.jsonl", 11],
      ["r-1", 1.5, "ok", "a.jsonl", 2],
    ],
  );
  assert.equal(slowestCalls.rows[2]!.input_tokens, 10);
});

Deno.test("reportTables() groups errors that differ only in numbers and ids", () => {
  const { errorGroups, failedCalls } = reportTables(sampleTraceSet());
  assert.deepEqual(errorGroups, {
    rows: [{
      message: "Rate limit: retry in <n> (<id>)",
      count: 2,
      share: 1,
      example: "Rate limit: retry in 20s (req_8f3a2b9c1d4e)",
      models: ["claude-3-5-haiku", "gpt-4o"],
    }],
    total: 1,
  });
  assert.deepEqual(failedCalls.rows.map((c) => [c.request_id, c.model, c.error]), [
    ["r-4", "gpt-4o", "Rate limit: retry in 20s (req_8f3a2b9c1d4e)"],
    ["r-5", "claude-3-5-haiku", "Rate limit: retry in 35s (req_77aa00bb11cc)"],
  ]);
});

Deno.test("reportTables() counts custom events, data-quality problems and calls per file", () => {
  const t = reportTables(sampleTraceSet());
  assert.deepEqual(t.eventTypes, {
    rows: [{ type: "node_expanded", count: 2, sessions: 1, example: '{"depth":3}' }],
    total: 1,
  });
  // Data quality is computed once, by summarize() (the report reads summary.data_quality).
  const q = summarize(sampleTraceSet()).data_quality;
  assert.deepEqual(
    [q.orphan_responses, q.pending_calls, q.sessions_without_end],
    [0, 1, 1],
  );
  assert.deepEqual(t.diagnostics.rows, [
    {
      file: "a.jsonl",
      line: 16,
      code: "invalid_json",
      message: "a.jsonl:16 is not JSON.",
      severity: "error",
    },
  ]);
  // The hand-made frames name no format (the loader sets one per file).
  assert.deepEqual(t.files, [{ file: "a.jsonl", calls: 6, sessions: 2, format: null }]);
});

Deno.test("reportTables() slowest calls: ties at the cut are ordered by start, then frame order", () => {
  const base = sampleTraceSet();
  // 40 finished calls: call i lasts (i mod 4) s and starts 40 − i s after 10:00 (so the later
  // rows start first). The 5 slowest last 3 s (i = 3, 7, …, 39, ten of them); among those, the
  // earliest starts are the largest i: 39, 35, 31, 27, 23.
  const calls = base.calls.head(1).select(pl.all().gather(Array(40).fill(0))).withColumns(
    pl.Series("request_id", Array.from({ length: 40 }, (_, i) => `c${i}`)),
    pl.Series("duration_s", Array.from({ length: 40 }, (_, i) => i % 4), pl.Float64),
    pl.Series("status", Array(40).fill("ok")),
    pl.Series(
      "started_at",
      Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2025, 3, 8, 10, 0, 40 - i))),
    ).cast(base.calls.getColumn("started_at").dtype),
  );
  const { slowestCalls } = reportTables({ ...base, calls }, { slowestCalls: 5 });
  assert.equal(slowestCalls.total, 40);
  assert.deepEqual(slowestCalls.rows.map((c) => c.request_id), ["c39", "c35", "c31", "c27", "c23"]);
  // A NaN duration sorts first (largest), as before: the shortcut leaves such a column whole.
  const withNaN = calls.withColumns(
    pl.Series("duration_s", Array.from({ length: 40 }, (_, i) => (i === 0 ? NaN : i % 4))),
  );
  const nan = reportTables({ ...base, calls: withNaN }, { slowestCalls: 2 }).slowestCalls;
  assert.deepEqual(nan.rows.map((c) => c.request_id), ["c0", "c39"]);
});

Deno.test("reportTables(): an event type's first payload shows the clip mark as …, an escaped backslash before u2026 as it is", () => {
  const base = sampleTraceSet();
  const payload = '{"text":"ab\\u2026 (400 characters)","path":"C:\\\\u2026"}';
  const extra = pl.DataFrame({
    file: ["b.jsonl"],
    line: [1],
    type: ["otel.chat"],
    timestamp: [new Date("2025-04-08T09:00:00Z")],
    session_id: ["s-9"],
    request_id: ["r-9"],
    payload: [payload],
  }).select(...base.events.columns.map((c) => pl.col(c).cast(base.events.getColumn(c).dtype)));
  const t = reportTables({ ...base, events: pl.concat([base.events, extra]) });
  const row = t.eventTypes.rows.find((r) => r.type === "otel.chat")!;
  assert.equal(row.example, '{"text":"ab… (400 characters)","path":"C:\\\\u2026"}');
  assert.deepEqual(JSON.parse(row.example!), JSON.parse(payload));
});
