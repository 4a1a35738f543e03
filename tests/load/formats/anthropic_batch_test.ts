import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { realFixture } from "../../_helpers.ts";
import { fromTraceText, loadTraces } from "../../../src/load/mod.ts";
import { detectFormat, sampleFile } from "../../../src/load/mod.ts";
import { fixture, rows } from "./_helpers.ts";

const MIXED = fixture("anthropic_batch_mixed.jsonl");

Deno.test("anthropic_batch: succeeded is ok, errored/canceled/expired are errors with their message", async () => {
  // fixture written from Anthropic's "Retrieve Message Batch results" documentation
  const t = await loadTraces(MIXED);
  assert.equal(t.formats?.[MIXED], "anthropic_batch");
  assert.deepEqual(
    rows(t.calls, "line", "request_id", "model", "status", "error", "finish_reason"),
    [
      {
        line: 1,
        request_id: "req-2",
        model: "claude-3-5-sonnet-20240620",
        status: "ok",
        error: null,
        finish_reason: "end_turn",
      },
      {
        line: 2,
        request_id: "req-3",
        model: "unknown",
        status: "error",
        error: "max_tokens: Field required",
        finish_reason: null,
      },
      {
        line: 3,
        request_id: "req-4",
        model: "unknown",
        status: "error",
        error: "request errored (overloaded_error) with no message",
        finish_reason: null,
      },
      {
        line: 4,
        request_id: "req-5",
        model: "unknown",
        status: "error",
        error: "request canceled: the batch was canceled before it ran",
        finish_reason: null,
      },
      {
        line: 6,
        request_id: "req-6",
        model: "unknown",
        status: "error",
        error: "request expired: the batch ended (24 h) before it ran",
        finish_reason: null,
      },
      {
        line: 7,
        request_id: "req-1",
        model: "claude-3-5-haiku-20241022",
        status: "ok",
        error: null,
        finish_reason: "tool_use",
      },
    ],
  );
  assert.deepEqual(
    rows(
      t.calls,
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
    )[0],
    // Anthropic's input_tokens exclude the cache: the whole prompt is 11 + 2000 read + 100 written
    {
      input_tokens: 11 + 2000 + 100,
      output_tokens: 36,
      total_tokens: 11 + 2000 + 100 + 36,
      cache_read_tokens: 2000,
      cache_write_tokens: 100,
    },
  );
  // "Hello again!" (12) + " How can I help?" (16); a tool_use block has no text
  assert.deepEqual(t.calls.getColumn("output_chars").toArray(), [28, null, null, null, null, null]);
  // no times in the file; the session is the file; every call is a batch call
  assert.equal(t.calls.getColumn("started_at").nullCount(), 6);
  assert.equal(t.calls.getColumn("duration_s").nullCount(), 6);
  assert.deepEqual(t.calls.getColumn("session_id").unique().toArray(), [MIXED]);
  assert.deepEqual(t.calls.getColumn("batch").unique().toArray(), [true]);
  assert.deepEqual(
    rows(t.sessions, "session_id", "calls", "errors", "complete"),
    [{ session_id: MIXED, calls: 6, errors: 4, complete: true }],
  );
  // the two broken lines are one diagnostic each
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 8, code: "anthropic_batch_bad_line", severity: "error" },
    { line: 9, code: "truncated_object", severity: "error" },
  ]);
  assert.deepEqual(
    t.events.getColumn("type").toArray(),
    [
      "anthropic_batch.succeeded",
      "anthropic_batch.errored",
      "anthropic_batch.errored",
      "anthropic_batch.canceled",
      "anthropic_batch.expired",
      "anthropic_batch.succeeded",
    ],
  );
});

Deno.test("anthropic_batch: priced at the batch rate (half the list price) unless listPrices", async () => {
  const haiku = (t: { calls: pl.DataFrame }) =>
    t.calls.filter(pl.col("request_id").eq(pl.lit("req-1"))).getColumn("cost_usd").get(0) as number;
  // claude-3-5-haiku: $0.80/M input, $4/M output: 400 × 0.8e-6 + 50 × 4e-6 = 0.00052
  const list = await loadTraces(MIXED, { listPrices: true });
  assert.ok(Math.abs(haiku(list) - 0.00052) < 1e-12, String(haiku(list)));
  const batch = await loadTraces(MIXED);
  assert.ok(Math.abs(haiku(batch) - 0.00026) < 1e-12, String(haiku(batch)));
});

Deno.test("anthropic_batch: a file where all 36 requests failed reports 36 errors", () => {
  const lines = Array.from({ length: 36 }, (_, i) =>
    JSON.stringify({
      custom_id: `r${i}`,
      result: i % 3 === 0 ? { type: "expired" } : {
        type: "errored",
        error: { type: "error", error: { type: "invalid_request_error", message: `bad ${i}` } },
      },
    }));
  const t = fromTraceText(lines.join("\n") + "\n", { file: "all_failed.jsonl" });
  assert.equal(t.formats?.["all_failed.jsonl"], "anthropic_batch");
  assert.equal(t.calls.height, 36);
  assert.equal(t.calls.filter(pl.col("status").eq(pl.lit("error"))).height, 36);
  assert.equal(t.calls.getColumn("error").nullCount(), 0);
  assert.equal(t.calls.getColumn("error").get(1), "bad 1");
});

Deno.test("anthropic_batch: a JSON array of pretty-printed results is read too", async () => {
  const file = fixture("anthropic_batch_pretty.json");
  assert.equal(detectFormat(sampleFile(file))?.name, "anthropic_batch");
  const t = await loadTraces(file);
  assert.deepEqual(
    rows(t.calls, "request_id", "model", "status", "input_tokens", "output_tokens"),
    [
      {
        request_id: "p-1",
        model: "claude-sonnet-4-20250514",
        status: "ok",
        input_tokens: 20,
        output_tokens: 4,
      },
      {
        request_id: "p-2",
        model: "unknown",
        status: "error",
        input_tokens: null,
        output_tokens: null,
      },
    ],
  );
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("anthropic_batch: two files of the same name in two folders are two sessions", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const text = readFileSync(MIXED, "utf8");
    for (const sub of ["a", "b"]) {
      Deno.mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, "batch_results.jsonl"), text);
    }
    const t = await loadTraces(dir);
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [
      join(dir, "a", "batch_results.jsonl"),
      join(dir, "b", "batch_results.jsonl"),
    ]);
    assert.equal(t.calls.height, 12);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

const yard = realFixture("anthropic-batch/yardbonita.claude-3-opus.batch_results.jsonl");
Deno.test({
  name: "anthropic_batch: the real yardbonita file (20 succeeded claude-3-opus results)",
  ignore: yard === undefined,
  async fn() {
    // independent reading: plain JSON.parse of each line
    const lines = readFileSync(yard!, "utf8").split("\n").filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l));
    const usage = lines.map((l) => l.result.message.usage);
    const total = (k: string) =>
      usage.reduce((a: number, u: Record<string, number>) => a + u[k]!, 0);
    assert.equal(lines.length, 20);

    const t = await loadTraces(yard!);
    assert.equal(t.formats?.[yard!], "anthropic_batch");
    assert.equal(t.diagnostics.height, 0);
    assert.equal(t.calls.height, 20);
    assert.equal(t.calls.filter(pl.col("status").eq(pl.lit("ok"))).height, 20);
    assert.equal(t.calls.filter(pl.col("status").eq(pl.lit("error"))).height, 0);
    assert.equal(t.calls.filter(pl.col("status").eq(pl.lit("pending"))).height, 0);
    assert.deepEqual(t.calls.getColumn("model").unique().toArray(), ["claude-3-opus-20240229"]);
    assert.equal(t.calls.getColumn("input_tokens").sum(), total("input_tokens"));
    assert.equal(t.calls.getColumn("output_tokens").sum(), total("output_tokens"));
    assert.equal(t.calls.getColumn("cache_read_tokens").sum(), 0);
    // no latency in batch results: n = 0
    assert.equal(t.calls.getColumn("duration_s").nullCount(), 20);
    assert.deepEqual(
      t.calls.getColumn("request_id").toArray(),
      lines.map((l) => l.custom_id),
    );
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [yard]);
  },
});
