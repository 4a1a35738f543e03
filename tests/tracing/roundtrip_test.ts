// deno-lint-ignore-file require-await -- tests stub model calls
/**
 * Round trip: what the tracer writes, the loader reads back with the same numbers.
 */
import assert from "node:assert/strict";
import { loadTraces } from "../../src/load/mod.ts";
import { Tracer } from "../../src/tracing/mod.ts";
import { manualClock, tempDir } from "./_util.ts";

Deno.test("traced calls loaded back with loadTraces() give the same models, statuses, durations, tokens and TTFT", async () => {
  const dir = tempDir();
  const { clock, advance } = manualClock();
  let n = 0;
  const tracer = new Tracer({
    traceDir: dir,
    sessionId: "rt",
    clock,
    newId: () => `r${++n}`,
    endOnExit: false,
  });
  tracer.logMetadata({ user: "researcher1", project: "finance_taxonomy" });
  const create = tracer.traceModelCall(
    async (req: { model: string; messages: unknown[]; fail?: boolean }) => {
      advance(req.model === "gpt-4o-mini" ? 0.5 : 2.25);
      if (req.fail) throw Object.assign(new Error("529 Overloaded"), { name: "OverloadedError" });
      return req.model.startsWith("claude")
        ? {
          type: "message",
          model: req.model,
          content: [{ type: "text", text: "ok" }],
          stop_reason: "end_turn",
          usage: { input_tokens: 30, output_tokens: 7 },
        }
        : {
          model: req.model,
          choices: [{ message: { content: "fine" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 12, completion_tokens: 4 },
        };
    },
  );
  await create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "abc" }] });
  advance(1);
  await create({ model: "claude-3-5-sonnet-20241022", messages: [] });
  advance(1);
  await create({ model: "claude-3-5-sonnet-20241022", messages: [], fail: true }).catch(() => {});
  const stream = tracer.traceModelCall(async (_model: string) =>
    (async function* () {
      advance(0.3);
      yield { model: "gpt-4o", choices: [{ delta: { content: "str" } }] };
      advance(0.7);
      yield {
        model: "gpt-4o",
        choices: [{ delta: { content: "eam" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 2 },
      };
    })()
  );
  for await (const _ of await stream("gpt-4o")) { /* consume */ }
  tracer.startCall({ model: "gpt-4o" }); // never answered: pending
  advance(4);
  tracer.logEvent("taxonomy_output", { total_nodes: 12 });
  tracer.close();

  const traces = await loadTraces([dir]);
  assert.equal(traces.diagnostics.height, 0);
  const calls = traces.calls.sort("request_id").select(
    "request_id",
    "model",
    "status",
    "duration_s",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "ttft_s",
    "error",
  ).toRecords();
  assert.deepEqual(calls, [
    {
      request_id: "r1",
      model: "gpt-4o-mini",
      status: "ok",
      duration_s: 0.5,
      input_tokens: 12,
      output_tokens: 4,
      total_tokens: 16,
      ttft_s: null,
      error: null,
    },
    {
      request_id: "r2",
      model: "claude-3-5-sonnet-20241022",
      status: "ok",
      duration_s: 2.25,
      input_tokens: 30,
      output_tokens: 7,
      total_tokens: 37,
      ttft_s: null,
      error: null,
    },
    {
      request_id: "r3",
      model: "claude-3-5-sonnet-20241022",
      status: "error",
      duration_s: 2.25,
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      ttft_s: null,
      error: "529 Overloaded",
    },
    {
      request_id: "r4",
      model: "gpt-4o",
      status: "ok",
      duration_s: 1,
      input_tokens: 5,
      output_tokens: 2,
      total_tokens: 7,
      ttft_s: 0.3,
      error: null,
    },
    {
      request_id: "r5",
      model: "gpt-4o",
      status: "pending",
      duration_s: null,
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      ttft_s: null,
      error: null,
    },
  ]);
  const started = traces.calls.sort("request_id").getColumn("started_at")
    .toArray() as unknown as Date[];
  assert.equal(started[0]!.toISOString(), "2025-04-08T19:42:09.000Z");
  assert.equal(started[1]!.toISOString(), "2025-04-08T19:42:10.500Z");
  const [session] = traces.sessions.toRecords() as Record<string, unknown>[];
  assert.equal(session!.session_id, "rt");
  assert.equal(session!.complete, true);
  assert.equal(session!.duration_s, 12, "0.5 + 1 + 2.25 + 1 + 2.25 + 1 + 4 seconds");
  assert.equal(session!.calls, 5);
  assert.equal(session!.errors, 1);
  const types = traces.events.getColumn("type").toArray();
  assert.deepEqual(types, [
    "session_start",
    "session_metadata",
    "llm_request",
    "llm_response",
    "llm_request",
    "llm_response",
    "llm_request",
    "llm_error",
    "llm_request",
    "llm_response",
    "llm_request",
    "taxonomy_output",
    "session_end",
  ]);
});
