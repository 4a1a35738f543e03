/**
 * The span tree rules of `spansToRecords` on deep and looping trees: wrappers
 * (call-like spans with a call-like span below) and the model a call takes
 * from its nearest wrapper, each span's ancestors walked once.
 * @module
 */
import assert from "node:assert/strict";
import { type Span, spansToRecords } from "../../../src/load/formats/_spans.ts";

const span = (id: string, parent: string | null, attributes: Record<string, unknown>): Span => ({
  trace_id: "t",
  span_id: id,
  parent_span_id: parent,
  name: "chat",
  start_us: 0,
  end_us: 1_000_000,
  status: "ok",
  line: 1,
  attributes,
});
const chat = { "gen_ai.operation.name": "chat" };

Deno.test("a chain of 20,000 call-like spans: the deepest is the call, with the root's model; the others are wrappers", () => {
  const n = 20_000;
  const spans = Array.from({ length: n }, (_, i) =>
    span(
      `s${i}`,
      i === 0 ? null : `s${i - 1}`,
      i === 0 ? { ...chat, "gen_ai.request.model": "root-model" } : chat,
    ));
  const r = spansToRecords(spans, "f.json");
  assert.deepEqual(r.calls.map((c) => [c.span_id, c.model]), [[`s${n - 1}`, "root-model"]]);
  assert.equal(r.events.length, n);
});

Deno.test("several calls under one chain of plain spans take the model of the wrapper above it", () => {
  // w (names the model) > 3,000 plain spans > calls a, b, c (none names one); d has its own
  const plain = Array.from(
    { length: 3000 },
    (_, i) => span(`p${i}`, i === 0 ? "w" : `p${i - 1}`, {}),
  );
  const spans = [
    span("w", null, { ...chat, "gen_ai.request.model": "wrapper-model" }),
    ...plain,
    span("a", "p2999", chat),
    span("b", "p2999", chat),
    span("c", "p1500", chat),
    span("d", "p10", { ...chat, "gen_ai.request.model": "own" }),
  ];
  const r = spansToRecords(spans, "f.json");
  assert.deepEqual(r.calls.map((c) => [c.span_id, c.model]), [
    ["a", "wrapper-model"],
    ["b", "wrapper-model"],
    ["c", "wrapper-model"],
    ["d", "own"],
  ]);
});

Deno.test("a loop of parents ends: call-like spans on it are wrappers, a call below it names no model", () => {
  const r = spansToRecords([
    span("x", "y", chat),
    span("y", "x", chat),
    // a call whose parents loop through plain spans that never name a model
    span("m", "n", {}),
    span("n", "m", {}),
    span("c", "m", chat),
  ], "f.json");
  assert.deepEqual(r.calls.map((c) => [c.span_id, c.model]), [["c", "unknown"]]);
});

Deno.test("a span read three times merges its events in order, the records given left as they were", () => {
  const rec = (events: Span["events"]) => ({ ...span("c", null, chat), events });
  const first = rec([{ name: "start", ts: 1, attributes: {} }]);
  const spans = [
    first,
    rec([{ name: "exception", ts: 2, attributes: { "exception.message": "boom" } }]),
    rec([{ name: "exception", ts: 3, attributes: { "exception.message": "later" } }]),
  ];
  const r = spansToRecords(spans, "f.json");
  // the first exception event, in file order, is the call's error
  assert.deepEqual(r.calls.map((c) => [c.status, c.error]), [["error", "boom"]]);
  // one warning standing for the two repeats, naming the first
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.count, d.line]), [["duplicate_span", 2, 1]]);
  // every record on line 1: the line named once
  assert.equal(
    r.diagnostics[0]!.message,
    '2 records repeat a span already read (each read as one span with it); the first: span "c" of trace "t" was read twice on line 1',
  );
  assert.deepEqual(first.events!.map((e) => e.name), ["start"]);
});

Deno.test("an agent's span that counts tokens is one call for its run only in a trace with no model call", () => {
  const agent = (tokens: number) => ({
    "openinference.span.kind": "AGENT",
    "llm.model_name": "claude-sonnet-4-6",
    "llm.token_count.prompt": tokens,
    "llm.token_count.completion": 7,
  });
  const tool = { "openinference.span.kind": "TOOL" };
  const inTrace = (trace: string, s: Span): Span => ({ ...s, trace_id: trace });
  const spans = [
    // t1: the run's usage only (OpenInference's Claude Agent SDK spans): the agent is the call
    inTrace("t1", span("q", null, agent(4))),
    inTrace("t1", span("bash", "q", tool)),
    // t2: an agent with usage beside its own chat call (siblings, as Microsoft Agent Framework
    // writes them): the chat is the call, the agent an event
    inTrace("t2", span("run", null, {})),
    inTrace(
      "t2",
      span("a2", "run", {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.usage.input_tokens": 30,
      }),
    ),
    inTrace("t2", span("c2", "run", { ...chat, "gen_ai.usage.input_tokens": 30 })),
    // t3: two nested runs with usage (the outer's the inner's sum): the inner is the call
    inTrace("t3", span("outer", null, agent(50))),
    inTrace("t3", span("inner", "outer", agent(50))),
    // t4: an agent that counts no tokens: no call
    inTrace("t4", span("idle", null, { "openinference.span.kind": "AGENT" })),
  ];
  const r = spansToRecords(spans, "f.json");
  assert.deepEqual(r.calls.map((c) => [c.span_id, c.input_tokens]), [["q", 4], ["c2", 30], [
    "inner",
    50,
  ]]);
  assert.equal(r.events.length, spans.length);
  // one warning for the two runs read as calls, at the first
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.count]), [["agent_run_as_call", 2]]);
  assert.match(
    r.diagnostics[0]!.message,
    /^2 agent spans count tokens in a trace with no model call: .* span "q"/,
  );
});

Deno.test("a call's finish reason from OpenLLMetry's indexed completion, else from its GenAI output messages", () => {
  const spans = [
    // OpenLLMetry 0.48 (Grace/genai-interlingua's openllmetry-legacy capture): only indexed
    span("a", null, {
      "llm.request.type": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.completion.0.finish_reason": "tool_calls",
    }),
    // LiteLLM's callback (its genai-interlingua capture): only inside gen_ai.output.messages
    span("b", null, {
      ...chat,
      "gen_ai.request.model": "claude-3-5-sonnet",
      "gen_ai.output.messages": JSON.stringify([
        { role: "assistant", parts: [{ type: "text", content: "ok" }], finish_reason: "tool_use" },
      ]),
    }),
    // the spec's list wins over both
    span("c", null, {
      ...chat,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.completion.0.finish_reason": "length",
    }),
  ].map((s, i) => ({ ...s, trace_id: `t${i}` }));
  const r = spansToRecords(spans, "f.json");
  assert.deepEqual(r.calls.map((c) => [c.span_id, c.finish_reason]), [
    ["a", "tool_calls"],
    ["b", "tool_use"],
    ["c", "stop"],
  ]);
});

Deno.test("a call's prompt characters count the tool results given back as GenAI tool_call_response parts", () => {
  const result = { temperature: 23, sky: "stormy" };
  const messages = [
    { role: "user", parts: [{ type: "text", content: "Weather in Tokyo?" }] },
    { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: {} }] },
    { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: result }] },
    { role: "tool", parts: [{ type: "tool_call_response", id: "c2", response: "no data" }] },
  ];
  const r = spansToRecords([
    span("a", null, {
      ...chat,
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.input.messages": JSON.stringify(messages),
    }),
  ], "f.json");
  // the text part, the object result as its JSON text, the string result as it is
  const expected = "Weather in Tokyo?".length + JSON.stringify(result).length + "no data".length;
  assert.deepEqual(r.calls.map((c) => c.prompt_chars), [expected]);
});

Deno.test("a call's prompt characters count the system prompt the GenAI conventions keep in gen_ai.system_instructions", () => {
  // Grace/genai-interlingua's langchain out.v1.41.0.json: the system prompt apart from the messages
  const system = "You are a support agent. Use the tools you are given.";
  const user = "Where is order A-1187?";
  const r = spansToRecords([
    span("a", null, {
      ...chat,
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: system }]),
      "gen_ai.input.messages": JSON.stringify([
        { role: "user", parts: [{ type: "text", content: user }] },
      ]),
    }),
    // the instructions alone (no messages recorded)
    {
      ...span("b", null, {
        ...chat,
        "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: system }]),
      }),
      trace_id: "t2",
    },
  ], "f.json");
  assert.deepEqual(r.calls.map((c) => c.prompt_chars), [
    system.length + user.length,
    system.length,
  ]); // 75, 53
});

Deno.test("spans with no model call among them say so once: their keys are none a convention uses", () => {
  // Grace/genai-interlingua's raw-folk input: a model and tokens under home-made keys
  const r = spansToRecords([
    span("a", null, { model: "gpt-4o", prompt_tokens: 12, "tokens.in": 12 }),
    span("b", "a", { "tool.name": "search" }),
  ], "f.json");
  assert.equal(r.calls.length, 0);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [["no_model_call", "warning"]]);
  assert.match(r.diagnostics[0]!.message, /^none of the 2 spans is a model call by the attributes/);
  // one call among them: nothing to say
  const one = spansToRecords(
    [span("c", null, { ...chat, "gen_ai.request.model": "gpt-4o" })],
    "f.json",
  );
  assert.deepEqual(one.diagnostics, []);
});
