import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { realFixture } from "../../_helpers.ts";
import { loadTraces } from "../../../src/load/mod.ts";
import { parseOpenAIBatchText } from "../../../src/load/mod.ts";
import { batchSessionId } from "../../../src/load/formats/openai_batch.ts";
import { rows, TOKENS } from "./_helpers.ts";
import pl from "../../../src/frames/polars.ts";

const SMALL = fileURLToPath(new URL("./fixtures/batch_small.jsonl", import.meta.url));

Deno.test("loadTraces() imports OpenAI Batch output: one call per line, ok on status 200, errors with their message", async () => {
  const t = await loadTraces(SMALL);
  assert.deepEqual(rows(t.calls, "line", "session_id", "request_id", "model", "status", "error"), [
    {
      line: 1,
      session_id: SMALL,
      request_id: "request-1",
      model: "gpt-4o-mini-2024-07-18",
      status: "ok",
      error: null,
    },
    {
      line: 2,
      session_id: SMALL,
      request_id: "request-2",
      model: "unknown",
      status: "error",
      error: "This request could not be executed before the completion window expired.",
    },
    {
      line: 3,
      session_id: SMALL,
      request_id: "request-3",
      model: "unknown",
      status: "error",
      error: "Invalid model",
    },
    {
      line: 8,
      session_id: SMALL,
      request_id: "request-1",
      model: "gpt-4o-mini-2024-07-18",
      status: "ok",
      error: null,
    },
  ]);
  assert.deepEqual(
    rows(t.calls, ...TOKENS),
    [
      {
        input_tokens: 30,
        output_tokens: 12,
        total_tokens: 42,
        cache_read_tokens: 10,
        reasoning_tokens: 5,
      },
      {
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      {
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      {
        input_tokens: 20,
        output_tokens: 8,
        total_tokens: 28,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
    ],
  );
  // Batch output has no latency: start = end = body.created, duration null
  assert.deepEqual(
    rows(t.calls, "started_at", "ended_at", "duration_s", "output_chars", "finish_reason"),
    [
      {
        started_at: new Date(1700000000000),
        ended_at: new Date(1700000000000),
        duration_s: null,
        output_chars: 9,
        finish_reason: "stop",
      },
      {
        started_at: null,
        ended_at: null,
        duration_s: null,
        output_chars: null,
        finish_reason: null,
      },
      {
        started_at: null,
        ended_at: null,
        duration_s: null,
        output_chars: null,
        finish_reason: null,
      },
      {
        started_at: new Date(1700000060000),
        ended_at: new Date(1700000060000),
        duration_s: null,
        output_chars: 6,
        finish_reason: "stop",
      },
    ],
  );
  assert.deepEqual(
    rows(
      t.sessions,
      "session_id",
      "started_at",
      "ended_at",
      "duration_s",
      "complete",
      "calls",
      "errors",
    ),
    [
      {
        session_id: SMALL,
        started_at: new Date(1700000000000),
        ended_at: new Date(1700000060000),
        duration_s: 60,
        complete: true,
        calls: 4,
        errors: 2,
      },
    ],
  );
  assert.deepEqual(rows(t.events, "line", "type", "request_id"), [
    { line: 1, type: "openai_batch.response", request_id: "request-1" },
    { line: 2, type: "openai_batch.response", request_id: "request-2" },
    { line: 3, type: "openai_batch.response", request_id: "request-3" },
    { line: 8, type: "openai_batch.response", request_id: "request-1" },
  ]);
});

Deno.test("loadTraces() reports every bad Batch output line as a diagnostic", async () => {
  const t = await loadTraces(SMALL);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 4, code: "invalid_json", severity: "error" },
    { line: 5, code: "batch_bad_line", severity: "error" },
    { line: 6, code: "not_an_object", severity: "error" },
    { line: 8, code: "duplicate_custom_id", severity: "warning" },
    { line: 9, code: "batch_bad_line", severity: "error" },
  ]);
  assert.deepEqual(t.diagnostics.getColumn("message").toArray().slice(1), [
    'OpenAI Batch output line is not loaded: both "response" and "error" are null or missing',
    "line is an array, not a JSON object",
    'custom_id "request-1" was already used on line 1 (kept as a separate call)',
    'OpenAI Batch output line is not loaded: "custom_id" is missing or not a string',
  ]);
  await assert.rejects(
    () => loadTraces(SMALL, { strict: true }),
    /Found 4 bad lines in strict mode/,
  );
});

Deno.test("parseOpenAIBatchText() reports a cut-off last line as truncated and takes Groq's total_time as the duration", () => {
  const groq = {
    custom_id: "g1",
    error: null,
    response: {
      status_code: 200,
      body: {
        model: "llama-3.1-8b-instant",
        created: 1742500035,
        usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, total_time: 0.5 },
        x_groq: { id: "req_1" },
      },
    },
  };
  const r = parseOpenAIBatchText(
    `${JSON.stringify(groq)}\n{"custom_id": "g2", "resp`,
    "dir/groq.batch_output.json",
  );
  assert.deepEqual(
    r.calls.map((c) => [c.session_id, c.provider, c.started_at, c.ended_at, c.duration_s]),
    [
      ["dir/groq.batch_output.json", "groq", 1742500035000000, 1742500035500000, 0.5],
    ],
  );
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.code]), [[2, "truncated_line"]]);
  // the session is the file's path: two batch_output.jsonl in two folders are two sessions
  assert.equal(batchSessionId("/a/b/out.JSONL"), "/a/b/out.JSONL");
});

const gpt35 = realFixture("openai-batch/gpt-3.5-turbo-0125.batch_output.jsonl");
Deno.test({
  name:
    "loadTraces() imports the real gpt-3.5-turbo Batch output: 1500 ok calls, priced, no latency",
  ignore: gpt35 === undefined,
  async fn() {
    const t = await loadTraces(gpt35!);
    // figures computed independently with python3 (json.loads per line)
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(t.calls.groupBy(["model", "status"]).len().toRecords(), [
      { model: "gpt-3.5-turbo-0125", status: "ok", len: 1500 },
    ]);
    const sum = (c: string) => t.calls.getColumn(c).sum();
    assert.equal(sum("input_tokens"), 453974);
    assert.equal(sum("output_tokens"), 240833);
    assert.equal(sum("total_tokens"), 694807);
    assert.equal(sum("cache_read_tokens"), 0);
    assert.equal(sum("reasoning_tokens"), 0);
    assert.equal(sum("output_chars"), 938743);
    assert.equal(t.calls.getColumn("duration_s").nullCount(), 1500);
    assert.equal(t.calls.getColumn("request_id").nUnique(), 1500);
    // $0.50/M input + $1.50/M output list price, at the Batch API's rate: half of it
    assert.ok(Math.abs(sum("cost_usd") - 0.5 * (453974 * 0.5 + 240833 * 1.5) / 1e6) < 1e-12);
    const list = await loadTraces(gpt35!, { listPrices: true });
    assert.ok(
      Math.abs(list.calls.getColumn("cost_usd").sum() - (453974 * 0.5 + 240833 * 1.5) / 1e6) <
        1e-12,
    );
    assert.equal(t.calls.getColumn("cost_usd").nullCount(), 0);
    assert.deepEqual(
      rows(
        t.sessions,
        "session_id",
        "started_at",
        "ended_at",
        "duration_s",
        "complete",
        "calls",
        "errors",
      ),
      [
        {
          session_id: gpt35,
          started_at: new Date(1743274323000),
          ended_at: new Date(1743275341000),
          duration_s: 1018,
          complete: true,
          calls: 1500,
          errors: 0,
        },
      ],
    );
    assert.equal(t.events.height, 1500);
  },
});

const groq = realFixture("openai-batch/groq-llama-3.1-8b.batch_output.jsonl");
Deno.test({
  name:
    "loadTraces() imports the real Groq Batch output: 3 calls with durations from usage.total_time",
  ignore: groq === undefined,
  async fn() {
    const t = await loadTraces(groq!);
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(
      rows(
        t.calls,
        "request_id",
        "model",
        "provider",
        "status",
        "duration_s",
        "input_tokens",
        "output_tokens",
      ),
      [
        ["request-2", 0.104815791, 55, 76],
        ["request-3", 2.678915092, 75, 2003],
        ["request-1", 0.019871881, 48, 12],
      ].map(([request_id, duration_s, input_tokens, output_tokens]) => ({
        request_id,
        model: "llama-3.1-8b-instant",
        provider: "groq",
        status: "ok",
        duration_s,
        input_tokens,
        output_tokens,
      })),
    );
    assert.equal(t.calls.getColumn("total_tokens").sum(), 2269);
    // Groq llama-3.1-8b-instant: $0.05/M input, $0.08/M output, at the batch rate (half)
    assert.ok(
      Math.abs(t.calls.getColumn("cost_usd").sum() - 0.5 * (178 * 0.05 + 2091 * 0.08) / 1e6) <
        1e-12,
    );
  },
});

Deno.test("openai_batch: Responses API bodies (a real output file): times from created_at, output text from output_text parts", async () => {
  const path = fileURLToPath(
    new URL("./fixtures/openai_batch_responses_api.jsonl", import.meta.url),
  );
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "openai_batch");
  // independent reading: each line's body is a Responses API object
  type Body = {
    created_at: number;
    model: string;
    output: { type: string; content?: { type: string; text: string }[] }[];
    usage: { input_tokens: number; output_tokens: number };
  };
  const bodies = Deno.readTextFileSync(path).trim().split("\n")
    .map((l) => (JSON.parse(l) as { response: { body: Body } }).response.body);
  const text = (b: Body) =>
    b.output.filter((o) => o.type === "message")
      .flatMap((o) => o.content!.filter((c) => c.type === "output_text").map((c) => c.text)).join(
        "",
      );
  assert.deepEqual(
    rows(t.calls, "model", "status", "input_tokens", "output_tokens", "output_chars")
      .concat(),
    bodies.map((b) => ({
      model: b.model,
      status: "ok",
      input_tokens: b.usage.input_tokens,
      output_tokens: b.usage.output_tokens,
      output_chars: [...text(b)].length, // code points
    })),
  );
  // 1750231686, 1750231688 and 1750231687 s: no completed_at, so each ends where it starts
  const micros = (c: string) => t.calls.getColumn(c).cast(pl.Int64).toArray().map(Number);
  assert.deepEqual(micros("started_at"), bodies.map((b) => b.created_at * 1e6));
  assert.deepEqual(micros("ended_at"), bodies.map((b) => b.created_at * 1e6));
});

Deno.test("openai_batch: a Responses API body that failed or was cancelled is an error; one cut short is ok with its reason", async () => {
  const path = fileURLToPath(
    new URL("./fixtures/openai_batch_responses_states.jsonl", import.meta.url),
  );
  const t = await loadTraces(path, { cache: false });
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "status",
      "error",
      "finish_reason",
      "output_tokens",
      "reasoning_tokens",
    ),
    [
      {
        request_id: "failed-1",
        status: "error",
        error: "The model failed to generate a response.", // the body's error.message
        finish_reason: null,
        output_tokens: null,
        reasoning_tokens: null,
      },
      {
        request_id: "incomplete-1",
        status: "ok",
        error: null,
        finish_reason: "max_output_tokens", // incomplete_details.reason
        output_tokens: 16,
        reasoning_tokens: 12,
      },
      {
        request_id: "cancelled-1",
        status: "error",
        error: "the response's status is cancelled",
        finish_reason: null,
        output_tokens: null,
        reasoning_tokens: null,
      },
    ],
  );
  // created_at 1750231701 s: a batch result has no latency (completed_at 1750231709 s is when
  // the batch got to it), so it ends where it starts, as a chat completion's does
  const i = t.calls.filter(pl.col("request_id").eq(pl.lit("incomplete-1")));
  const micros = (c: string) => Number(i.getColumn(c).cast(pl.Int64).toArray()[0]);
  assert.equal(micros("started_at"), 1750231701 * 1e6);
  assert.equal(micros("ended_at"), 1750231701 * 1e6);
  assert.equal(i.getColumn("duration_s").get(0), null);
});

Deno.test("openai_batch: embeddings results (lines quoted from real output files) are priced as OpenAI's", async () => {
  const path = fileURLToPath(
    new URL("./fixtures/openai_batch_embeddings.jsonl", import.meta.url),
  );
  const t = await loadTraces(path);
  const lines = Deno.readTextFileSync(path).trim().split("\n").map((l) => JSON.parse(l));
  const input = lines.reduce((s, l) => s + l.response.body.usage.prompt_tokens, 0); // 13 + 930
  assert.equal(t.calls.height, 2);
  assert.equal(t.calls.getColumn("input_tokens").sum(), input);
  assert.deepEqual(t.calls.getColumn("model").toArray(), [
    "text-embedding-3-small",
    "text-embedding-3-small",
  ]);
  // text-embedding-3-small: $0.02/M input tokens, at the batch rate (half); genai-prices does
  // not infer OpenAI from this name, so the file's provider must be said
  assert.equal(t.calls.getColumn("cost_usd").nullCount(), 0);
  assert.ok(Math.abs(t.calls.getColumn("cost_usd").sum() - 0.5 * input * 0.02 / 1e6) < 1e-15);
});
