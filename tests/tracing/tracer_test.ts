// deno-lint-ignore-file no-explicit-any require-await -- tests read parsed JSON and stub model calls
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { MemoryTraceWriter, Tracer } from "../../src/tracing/mod.ts";
import { formatNaiveIso } from "../../src/tracing/_time.ts";
import { manualClock, readEvents, tempDir } from "./_util.ts";

const openaiResponse = {
  id: "chatcmpl-1",
  object: "chat.completion",
  model: "gpt-4o-2024-08-06",
  choices: [{
    index: 0,
    message: { role: "assistant", content: "Team Sports" },
    finish_reason: "stop",
  }],
  usage: {
    prompt_tokens: 12,
    completion_tokens: 3,
    total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 4 },
  },
};

const anthropicResponse = {
  type: "message",
  model: "claude-3-5-sonnet-20241022",
  content: [{ type: "text", text: "Motor " }, { type: "text", text: "Sports" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 20, output_tokens: 5, cache_read_input_tokens: 8 },
};

Deno.test("formatNaiveIso() writes microseconds like Python's isoformat() and drops a zero fraction", () => {
  const base = Date.UTC(2025, 3, 8, 19, 42, 9) * 1000;
  assert.equal(formatNaiveIso(base + 122347), "2025-04-08T19:42:09.122347");
  assert.equal(formatNaiveIso(base + 5), "2025-04-08T19:42:09.000005");
  assert.equal(formatNaiveIso(base), "2025-04-08T19:42:09");
});

Deno.test("new Tracer() writes session_start to <traceDir>/trace_<session_id>.jsonl", () => {
  const dir = tempDir();
  const { clock } = manualClock();
  const tracer = new Tracer({ traceDir: dir, sessionId: "s-1", clock, endOnExit: false });
  assert.equal(tracer.traceFile, `${dir}/trace_s-1.jsonl`);
  assert.deepEqual(readEvents(tracer.traceFile!), [
    { type: "session_start", timestamp: "2025-04-08T19:42:09", session_id: "s-1" },
  ]);
  tracer.close();
});

Deno.test("the default trace folder is traces/llm_calls, as the seed's plugin", () => {
  const cwd = Deno.cwd();
  const dir = tempDir();
  Deno.chdir(dir);
  try {
    const tracer = new Tracer({ sessionId: "x", endOnExit: false });
    tracer.close();
    assert.equal(tracer.traceFile, "traces/llm_calls/trace_x.jsonl");
    assert.deepEqual(readEvents(`${dir}/traces/llm_calls/trace_x.jsonl`).map((e) => e.type), [
      "session_start",
      "session_end",
    ]);
  } finally {
    Deno.chdir(cwd);
  }
});

Deno.test("traceModelCall() takes the model from a positional parameter named model, and the prompt as a message", async () => {
  const writer = new MemoryTraceWriter();
  const { clock, advance } = manualClock();
  const tracer = new Tracer({ writer, sessionId: "s", clock, newId: () => "r1", endOnExit: false });
  const call = tracer.traceModelCall(async (model: string, prompt: string, temperature: number) => {
    advance(1.5);
    return `${model}: ${prompt} @ ${temperature}`;
  });
  assert.equal(await call("gpt-4o-mini", "Plan Sports", 0.2), "gpt-4o-mini: Plan Sports @ 0.2");
  const [, request, response] = writer.events();
  assert.deepEqual(request, {
    type: "llm_request",
    timestamp: "2025-04-08T19:42:09",
    session_id: "s",
    data: {
      request_id: "r1",
      model: "gpt-4o-mini",
      params: { temperature: 0.2 },
      messages: [{ role: "user", content: "Plan Sports" }],
      provider: "openai",
    },
  });
  assert.deepEqual(response, {
    type: "llm_response",
    timestamp: "2025-04-08T19:42:10.500000",
    session_id: "s",
    data: {
      request_id: "r1",
      duration_seconds: 1.5,
      success: true,
      model: "gpt-4o-mini",
      output: "gpt-4o-mini: Plan Sports @ 0.2",
      provider: "openai",
    },
  });
});

Deno.test("traceModelCall() reads named arguments: params without messages, and an OpenAI response", async () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, newId: () => "r1", endOnExit: false });
  const create = tracer.traceModelCall(async (_req: object) => openaiResponse);
  const messages = [{ role: "user", content: "Plan Sports" }];
  assert.equal(await create({ model: "gpt-4o", messages, temperature: 0 }), openaiResponse);
  const [, request, response] = writer.events() as any[];
  assert.equal(request.data.model, "gpt-4o");
  assert.deepEqual(request.data.params, { model: "gpt-4o", temperature: 0 });
  assert.deepEqual(request.data.messages, messages);
  assert.equal(response.data.model, "gpt-4o-2024-08-06", "the response's model wins");
  assert.equal(response.data.output, "Team Sports");
  assert.equal(response.data.finish_reason, "stop");
  assert.deepEqual(response.data.usage, {
    input_tokens: 12,
    output_tokens: 3,
    total_tokens: 15,
    cache_read_tokens: 4,
  });
});

Deno.test("traceModelCall() reads Anthropic-shaped and plain-string responses", async () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  await tracer.traceModelCall(async (_r: object) => anthropicResponse)({
    model: "claude-3-5-sonnet-20241022",
    messages: [],
  });
  await tracer.traceModelCall(async () => "plain text")();
  const [, , claude, , plain] = writer.events() as any[];
  assert.equal(claude.data.output, "Motor Sports");
  assert.equal(claude.data.finish_reason, "end_turn");
  assert.equal(claude.data.provider, "anthropic");
  // Anthropic's input_tokens leave the cache out: the prompt was 20 new tokens and 8 read from the
  // cache, written as the whole prompt (it had been 20, priced as 12 new and 8 cached)
  assert.deepEqual(claude.data.usage, {
    input_tokens: 20 + 8,
    output_tokens: 5,
    total_tokens: 20 + 8 + 5,
    cache_read_tokens: 8,
  });
  assert.equal(plain.data.output, "plain text");
  assert.equal(plain.data.model, "unknown");
});

Deno.test("traceModelCall() reads a Gemini response: its thinking (thoughtsTokenCount) is output, counted apart from candidatesTokenCount", async () => {
  // the usage of a live gemini-2.5-flash reply (max_tokens 200, the whole budget spent thinking),
  // as a public project's test pins it: 27 prompt, 6 answer and 194 thinking tokens, 227 in all
  const gemini = {
    candidates: [{
      content: { role: "model", parts: [{ text: "ok" }] },
      finishReason: "MAX_TOKENS",
    }],
    usageMetadata: {
      promptTokenCount: 27,
      candidatesTokenCount: 6,
      thoughtsTokenCount: 194,
      totalTokenCount: 227,
    },
    modelVersion: "gemini-2.5-flash",
  };
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  await tracer.traceModelCall(async (_r: object) => gemini)({ model: "gemini-2.5-flash" });
  const [, , response] = writer.events() as any[];
  assert.equal(response.data.output, "ok");
  assert.equal(response.data.finish_reason, "MAX_TOKENS");
  assert.deepEqual(response.data.usage, {
    input_tokens: 27,
    output_tokens: 200, // 6 + 194: thinking is billed as output (it had been 6)
    total_tokens: 227, // 27 + 200
    reasoning_tokens: 194,
  });
});

Deno.test("a failing call writes llm_error with duration, message and error type, and rethrows the same error", async () => {
  const writer = new MemoryTraceWriter();
  const { clock, advance } = manualClock();
  const tracer = new Tracer({ writer, clock, newId: () => "r1", endOnExit: false });
  class RateLimitError extends Error {}
  const thrown = new RateLimitError("429 Rate limit reached");
  const call = tracer.traceModelCall(async (_model: string) => {
    advance(0.25);
    throw thrown;
  });
  await assert.rejects(call("gpt-4o"), (err) => err === thrown);
  const [, , error] = writer.events();
  assert.deepEqual(error, {
    type: "llm_error",
    timestamp: "2025-04-08T19:42:09.250000",
    session_id: (error as any).session_id,
    data: {
      request_id: "r1",
      duration_seconds: 0.25,
      success: false,
      error: "429 Rate limit reached",
      error_type: "RateLimitError",
    },
  });
});

Deno.test("a synchronous function is traced too, and its exception rethrown unchanged", () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  const ok = tracer.traceModelCall((model: string) => `hi from ${model}`);
  assert.equal(ok("gpt-4o"), "hi from gpt-4o");
  const boom = new TypeError("bad");
  const bad = tracer.traceModelCall((_model: string) => {
    throw boom;
  });
  assert.throws(() => bad("gpt-4o"), (e) => e === boom);
  assert.deepEqual(writer.events().map((e) => e.type), [
    "session_start",
    "llm_request",
    "llm_response",
    "llm_request",
    "llm_error",
  ]);
});

Deno.test("a streamed OpenAI response records time to first token, the whole output and the final chunk's usage", async () => {
  const writer = new MemoryTraceWriter();
  const { clock, advance } = manualClock();
  const tracer = new Tracer({ writer, clock, endOnExit: false });
  async function* chunks() {
    advance(0.4);
    yield { model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: "Team " } }] };
    advance(0.6);
    yield {
      model: "gpt-4o-mini",
      choices: [{ index: 0, delta: { content: "Sports" }, finish_reason: "stop" }],
    };
    yield {
      model: "gpt-4o-mini",
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    };
  }
  const create = tracer.traceModelCall(async (_req: object) => chunks());
  const stream = await create({ model: "gpt-4o-mini", messages: [], stream: true });
  const seen: unknown[] = [];
  for await (const c of stream) seen.push(c);
  assert.equal(seen.length, 3, "the caller gets every chunk");
  const [, request, response] = writer.events() as any[];
  assert.equal(request.data.stream, true);
  assert.deepEqual(response.data, {
    request_id: response.data.request_id,
    duration_seconds: 1,
    success: true,
    model: "gpt-4o-mini",
    output: "Team Sports",
    usage: { input_tokens: 9, output_tokens: 2, total_tokens: 11 },
    ttft_seconds: 0.4,
    finish_reason: "stop",
    provider: "openai",
    stream: true,
  });
});

Deno.test("a stream of several choices (n = 2) records the first choice, as a response does", async () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  const delta = (index: number, content: string, finish: string | null = null) => ({
    index,
    delta: { content },
    finish_reason: finish,
  });
  async function* chunks() {
    // the API interleaves the choices' deltas, each chunk naming its choice's index
    yield { model: "gpt-4o-mini", choices: [delta(0, "Team ")] };
    yield { model: "gpt-4o-mini", choices: [delta(1, "Club ")] };
    yield { model: "gpt-4o-mini", choices: [delta(1, "Games", "length")] };
    yield { model: "gpt-4o-mini", choices: [delta(0, "Sports", "stop")] };
  }
  const create = tracer.traceModelCall(async (_req: object) => chunks());
  for await (const _ of await create({ model: "gpt-4o-mini", messages: [], n: 2 })) { /* read */ }
  const response = (writer.events() as any[])[2];
  assert.equal(response.data.output, "Team Sports");
  assert.equal(response.data.finish_reason, "stop");
});

Deno.test("a streamed Anthropic response (SDK-like object, not a generator) keeps its other methods", async () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  const events = [
    {
      type: "message_start",
      message: {
        model: "claude-3-5-haiku-20241022",
        usage: { input_tokens: 30, output_tokens: 1 },
      },
    },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "lo" } },
    { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 7 } },
  ];
  const sdkStream = {
    controller: "abort-me",
    async *[Symbol.asyncIterator]() {
      yield* events;
    },
  };
  const stream = await tracer.traceModelCall(async (_r: object) => sdkStream)({
    model: "claude-3-5-haiku-20241022",
  });
  assert.equal((stream as typeof sdkStream).controller, "abort-me");
  for await (const _ of stream) { /* consume */ }
  const response = writer.events()[2] as any;
  assert.equal(response.data.output, "Hello");
  assert.equal(response.data.finish_reason, "end_turn");
  assert.deepEqual(response.data.usage, { input_tokens: 30, output_tokens: 7, total_tokens: 37 });
  assert.equal(response.data.stream, true);
});

Deno.test("a stream that fails midway writes llm_error and rethrows", async () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  const cut = new Error("Connection reset");
  async function* chunks() {
    yield "partial";
    throw cut;
  }
  const stream = await tracer.traceModelCall(async (_m: string) => chunks())("gpt-4o");
  await assert.rejects(async () => {
    for await (const _ of stream) { /* consume */ }
  }, (e) => e === cut);
  assert.deepEqual(writer.events().map((e) => e.type), [
    "session_start",
    "llm_request",
    "llm_error",
  ]);
});

Deno.test("traceModelCall works as a TC39 method decorator and keeps `this`", async () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  class Planner {
    prefix = "taxonomy:";
    @tracer.traceModelCall
    // deno-lint-ignore no-unused-vars -- the tracer reads the model from the parameter named `model`
    async plan(model: string, prompt: string): Promise<string> {
      return `${this.prefix} ${prompt}`;
    }
    @tracer.traceModelCall({ provider: "azure" })
    async create(request: { model: string; messages: unknown[] }): Promise<unknown> {
      return {
        model: request.model,
        choices: [{ message: { content: "ok" }, finish_reason: "stop" }],
      };
    }
  }
  const p = new Planner();
  assert.equal(await p.plan("gpt-4", "Sports"), "taxonomy: Sports");
  await p.create({ model: "gpt-4o", messages: [] });
  const [, req1, res1, req2] = writer.events() as any[];
  assert.equal(req1.data.model, "gpt-4");
  assert.deepEqual(req1.data.messages, [{ role: "user", content: "Sports" }]);
  assert.equal(res1.data.output, "taxonomy: Sports");
  assert.equal(req2.data.provider, "azure");
});

Deno.test("logEvent() and logMetadata() write custom and session_metadata events; close() writes session_end once", () => {
  const dir = tempDir();
  const { clock, advance } = manualClock();
  const tracer = new Tracer({
    traceDir: dir,
    sessionId: "s",
    clock,
    endOnExit: false,
    metadata: { user: "researcher1" },
  });
  advance(1);
  tracer.logEvent("json_parsing_success", { category_count: 8, nested: { depth: 3 } });
  tracer.logMetadata({ project: "finance_taxonomy", version: "1.2.3" });
  advance(2.5);
  tracer.close();
  tracer.close();
  assert.deepEqual(readEvents(tracer.traceFile!), [
    { type: "session_start", timestamp: "2025-04-08T19:42:09", session_id: "s" },
    {
      type: "session_metadata",
      timestamp: "2025-04-08T19:42:09",
      session_id: "s",
      data: { user: "researcher1" },
    },
    {
      type: "json_parsing_success",
      timestamp: "2025-04-08T19:42:10",
      session_id: "s",
      data: { category_count: 8, nested: { depth: 3 } },
    },
    {
      type: "session_metadata",
      timestamp: "2025-04-08T19:42:10",
      session_id: "s",
      data: { project: "finance_taxonomy", version: "1.2.3" },
    },
    {
      type: "session_end",
      timestamp: "2025-04-08T19:42:12.500000",
      session_id: "s",
      duration_seconds: 3.5,
    },
  ]);
});

Deno.test("logEvent() refuses the event types the tracer writes itself", () => {
  const tracer = new Tracer({ writer: new MemoryTraceWriter(), endOnExit: false });
  assert.throws(() => tracer.logEvent("llm_response", {}), TypeError);
  assert.throws(() => tracer.logEvent("", {}), TypeError);
});

Deno.test("startCall() traces a call by hand, with retry_of", () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  const first = tracer.startCall({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
  first.fail(new Error("500 server error"));
  const retry = tracer.startCall({ model: "gpt-4o", retryOf: first.requestId });
  retry.succeed("fine");
  retry.succeed("ignored: a call ends once");
  const events = writer.events() as any[];
  assert.deepEqual(events.map((e) => e.type), [
    "session_start",
    "llm_request",
    "llm_error",
    "llm_request",
    "llm_response",
  ]);
  assert.equal(events[3].data.retry_of, first.requestId);
  assert.equal(events[4].data.retry_of, first.requestId);
});

Deno.test("a value that is not JSON (bigint, cycle, function) is written in a JSON-safe form", () => {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  const cyclic: Record<string, unknown> = { n: 1n, f: () => 1 };
  cyclic.self = cyclic;
  tracer.logEvent("odd", { cyclic });
  assert.deepEqual((writer.events()[1] as any).data, { cyclic: { n: "1", self: "[Circular]" } });
});

Deno.test("the trace folder is created when missing", () => {
  const dir = tempDir();
  const tracer = new Tracer({ traceDir: `${dir}/nested/deeper`, sessionId: "n", endOnExit: false });
  assert.ok(existsSync(`${dir}/nested/deeper/trace_n.jsonl`), "the folder is created");
  tracer.close();
});

Deno.test("an event longer than a trace line can be read (8 MiB) is written with its long strings cut", async () => {
  const dir = tempDir();
  const warnings: string[] = [];
  const tracer = new Tracer({ traceDir: dir, endOnExit: false, onWarn: (m) => warnings.push(m) });
  const big = "a".repeat(9 * 1024 * 1024); // 9 MiB: over the loader's 8 MiB line limit
  const vision = tracer.traceModelCall(async (req: { model: string; messages: unknown[] }) => ({
    model: req.model,
    choices: [{ message: { content: big }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 4 },
  }));
  const result = await vision({ model: "gpt-4o", messages: [{ role: "user", content: big }] });
  assert.equal(
    result.choices[0]!.message.content.length,
    big.length,
    "the caller's value is whole",
  );
  await tracer.close();

  const bytes = Deno.readTextFileSync(tracer.traceFile!).split("\n").map((l) => l.length);
  assert.ok(Math.max(...bytes) < 8 * 1024 * 1024, "every line can be read back");
  const events = readEvents(tracer.traceFile!); // every line strictly valid
  // 65,536 characters kept; 9 × 1,048,576 − 65,536 = 9,371,648 left out
  const cut = `${"a".repeat(65_536)}…[9371648 more characters not written]`;
  assert.equal(events[1]!.data.messages[0].content, cut);
  assert.equal(events[2]!.data.output, cut);
  assert.deepEqual(events[2]!.data.usage, { input_tokens: 3, output_tokens: 4, total_tokens: 7 });
  assert.equal(warnings.length, 2, "one warning per kind of event");
});
