import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromTraceText, loadTraces } from "../../../src/load/mod.ts";
import { fixture, loadAs, rows } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
type Line = Record<string, any>;

/** The lines of a JSONL fixture, read independently. */
const lines = (name: string) =>
  readFileSync(fixture(name), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Line);

Deno.test("gemini_batch: Vertex AI batch prediction output (two real lines, LiteLLM's docs): model, tokens, times, the batch rate", async () => {
  const path = fixture("gemini_batch_vertex_litellm.jsonl");
  const t = await loadAs(path, "gemini_batch");
  const want = lines("gemini_batch_vertex_litellm.jsonl");
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "status",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "finish_reason",
      "session_id",
    ),
    want.map((l) => ({
      model: l.response.modelVersion, // gemini-2.5-flash-lite
      status: "ok", // an empty status
      input_tokens: l.response.usageMetadata.promptTokenCount, // 9, 9
      output_tokens: l.response.usageMetadata.candidatesTokenCount, // 10, 9 (no thinking)
      total_tokens: l.response.usageMetadata.totalTokenCount, // 19, 18
      finish_reason: l.response.candidates[0].finishReason, // MAX_TOKENS, STOP
      session_id: path,
    })),
  );
  // no latency: a batch result's time is when its response was made (createTime)
  assert.deepEqual(
    rows(t.calls, "started_at", "duration_s"),
    want.map((l) => ({ started_at: new Date(l.response.createTime), duration_s: null })),
  );
  // priced at the batch rate: half of gemini-2.5-flash-lite's list price ($0.10 in, $0.40 out per
  // million): (18 × 0.10 + 19 × 0.40) / 1e6 / 2 = 4.7e-6
  const cost = t.calls.getColumn("cost_usd").sum() as number;
  assert.equal(Math.round(cost * 1e10), 47_000);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("gemini_batch: a Vertex AI line's request gives the prompt's characters: its system instruction and contents", async () => {
  // a real line of Vertex AI output (gemini-2.5-flash-lite, dllewellyn/reflex): a system
  // instruction of one part, 1787 characters, and one user content of one part, 850 characters
  // (each its JSON string decoded and its characters counted)
  const path = fixture("gemini_batch_vertex_request.jsonl");
  await loadAs(path, "gemini_batch");
  const t = await loadTraces(path, { cache: false, keepText: true });
  const [line] = lines("gemini_batch_vertex_request.jsonl");
  assert.equal(line!.request.system_instruction.parts[0].text.length, 1787);
  assert.equal(line!.request.contents[0].parts[0].text.length, 850);
  assert.deepEqual(
    rows(t.calls, "model", "input_tokens", "output_tokens", "prompt_chars", "output_chars"),
    [
      // 1787 + 850 = 2637; the answer, one text part, is 301 characters
      {
        model: "gemini-2.5-flash-lite",
        input_tokens: 838,
        output_tokens: 72,
        prompt_chars: 2637,
        output_chars: 301,
      },
    ],
  );
  assert.deepEqual(JSON.parse(t.calls.getColumn("messages").get(0) as string), line!.request);
  // LiteLLM's two lines: "You are a helpful assistant." (28) + "Hello world!" (12), and
  // "You are an unhelpful assistant." (31) + "Hello world!" (12)
  const litellm = await loadAs(fixture("gemini_batch_vertex_litellm.jsonl"), "gemini_batch");
  assert.deepEqual(rows(litellm.calls, "prompt_chars"), [{ prompt_chars: 40 }, {
    prompt_chars: 43,
  }]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("gemini_batch: a failed Vertex line (its status) and a Gemini API error are errors; thinking is output; @default is no part of the model", async () => {
  const path = fixture("gemini_batch_errors.jsonl");
  const t = await loadAs(path, "gemini_batch");
  const [vertex, failed, gemini, quota] = lines("gemini_batch_errors.jsonl");
  const u = gemini!.response.usageMetadata;
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "status",
      "error",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "reasoning_tokens",
    ),
    [
      {
        request_id: vertex!.response.responseId,
        model: "gemini-2.0-flash-001", // gemini-2.0-flash-001@default
        status: "ok",
        error: null,
        input_tokens: 29180,
        output_tokens: 36,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      {
        request_id: null,
        model: "unknown", // no response names one
        status: "error",
        error: failed!.status, // "Bad Request: {…}"
        input_tokens: null,
        output_tokens: null,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      {
        request_id: gemini!.key,
        model: gemini!.response.modelVersion,
        status: "ok",
        error: null,
        input_tokens: u.promptTokenCount, // 1027, the 1000 cached inside it
        output_tokens: u.candidatesTokenCount + u.thoughtsTokenCount, // 6 + 194 = 200
        cache_read_tokens: u.cachedContentTokenCount,
        reasoning_tokens: u.thoughtsTokenCount,
      },
      {
        request_id: quota!.key,
        model: "unknown",
        status: "error",
        error: quota!.error.message,
        input_tokens: null,
        output_tokens: null,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
    ],
  );
});

Deno.test("gemini_batch: a prompt blocked before the model answered (no candidates) has no output and finishes with its block reason", async () => {
  // hand-made from the Gemini API's GenerateContentResponse: a blocked prompt has promptFeedback
  // and no candidates; a candidate stopped for safety has a finishReason and no content
  const t = await loadAs(fixture("gemini_batch_blocked.jsonl"), "gemini_batch");
  const [blocked, safety] = lines("gemini_batch_blocked.jsonl");
  assert.deepEqual(
    rows(t.calls, "request_id", "status", "input_tokens", "output_chars", "finish_reason"),
    [
      {
        request_id: blocked!.key,
        status: "ok", // the request was served: the model refused the prompt
        input_tokens: blocked!.response.usageMetadata.promptTokenCount, // 30
        output_chars: null, // no answer (was 168: the characters of the response's JSON)
        finish_reason: blocked!.response.promptFeedback.blockReason, // PROHIBITED_CONTENT
      },
      {
        request_id: safety!.key,
        status: "ok",
        input_tokens: safety!.response.usageMetadata.promptTokenCount, // 31
        output_chars: null,
        finish_reason: safety!.response.candidates[0].finishReason, // SAFETY
      },
    ],
  );
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("gemini_batch: detection takes Vertex and Gemini API lines, not OpenAI batch lines nor a per-call log with a response", () => {
  const vertex = '{"status": "", "processed_time": "2025-01-01T00:00:00Z", "request": {}, ' +
    '"response": {"modelVersion": "gemini-2.5-flash", "usageMetadata": {"promptTokenCount": 3}}}\n';
  assert.equal(fromTraceText(vertex, { file: "p.jsonl" }).formats?.["p.jsonl"], "gemini_batch");
  const gemini = '{"key": "k1", "response": {"candidates": [], "usageMetadata": {}}}\n';
  assert.equal(fromTraceText(gemini, { file: "g.jsonl" }).formats?.["g.jsonl"], "gemini_batch");
  const openai = '{"id": "b1", "custom_id": "k1", "response": {"status_code": 200, "body": ' +
    '{"model": "gpt-4o", "usage": {"prompt_tokens": 1, "completion_tokens": 1}}}, "error": null}\n';
  assert.equal(fromTraceText(openai, { file: "o.jsonl" }).formats?.["o.jsonl"], "openai_batch");
  // a failed line whose error is a google.rpc.Status under `status` ("each line is either a
  // GenerateContentResponse or a status object"), first in the file
  const status = '{"key": "k0", "status": {"code": 8, "message": "Resource exhausted"}}\n' + gemini;
  const s = fromTraceText(status, { file: "s.jsonl" });
  assert.equal(s.formats?.["s.jsonl"], "gemini_batch");
  assert.deepEqual(rows(s.calls, "status", "error"), [
    { status: "error", error: "Resource exhausted" },
    { status: "ok", error: null },
  ]);
  const log = '{"key": "k1", "model": "gpt-4o", "input_tokens": 3, "response": "hi"}\n';
  assert.equal(fromTraceText(log, { file: "l.jsonl" }).formats?.["l.jsonl"], "generic");
});
