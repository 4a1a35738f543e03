// deno-lint-ignore-file no-explicit-any -- tests read parsed JSON
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import {
  type EventBus,
  fromEventEmitter,
  MemoryTraceWriter,
  Tracer,
} from "../../src/tracing/mod.ts";
import { manualClock } from "./_util.ts";

Deno.test("initialize(container, eventBus) logs llm.request, llm.response and llm.error from a Node EventEmitter", () => {
  const emitter = new EventEmitter();
  const writer = new MemoryTraceWriter();
  const { clock, advance } = manualClock();
  const registered: [string, unknown][] = [];
  const container = { register: (name: string, value: unknown) => registered.push([name, value]) };
  const tracer = new Tracer({ writer, clock, sessionId: "s", endOnExit: false });
  tracer.initialize(container, fromEventEmitter(emitter));
  assert.deepEqual(registered, [["llm_tracer", tracer]]);

  emitter.emit("llm.request", {
    request_id: "a",
    model: "gpt-4",
    params: { temperature: 0 },
    messages: [{ role: "user", content: "Sports" }],
  });
  emitter.emit("llm.request", { request_id: "b", model: "o1-mini", messages: [] });
  advance(2);
  emitter.emit("llm.response", {
    request_id: "a",
    response: {
      model: "gpt-4-0613",
      choices: [{ message: { content: "{}" }, finish_reason: "stop" }],
    },
  });
  advance(1);
  emitter.emit("llm.error", { request_id: "b", error: new Error("429 Too Many Requests") });
  tracer.cleanup();
  emitter.emit("llm.request", { request_id: "c", model: "gpt-4" }); // after cleanup: not logged

  const events = writer.events() as any[];
  assert.deepEqual(events.map((e) => e.type), [
    "session_start",
    "llm_request",
    "llm_request",
    "llm_response",
    "llm_error",
    "session_end",
  ]);
  assert.deepEqual(events[3].data, {
    request_id: "a",
    duration_seconds: 2,
    success: true,
    model: "gpt-4-0613",
    output: "{}",
    finish_reason: "stop",
    provider: "openai",
  });
  assert.deepEqual(events[4].data, {
    request_id: "b",
    duration_seconds: 3,
    success: false,
    error: "429 Too Many Requests",
    error_type: "Error",
    provider: "openai",
  });
  assert.equal(events[5].duration_seconds, 3);
  assert.equal(emitter.listenerCount("llm.request"), 0, "cleanup() unsubscribed");
});

Deno.test("a bus whose subscribe returns nothing is unsubscribed through unsubscribe()", () => {
  const handlers = new Map<string, Set<(p: unknown) => void>>();
  const bus: EventBus = {
    subscribe(event, handler) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event)!.add(handler);
    },
    unsubscribe(event, handler) {
      handlers.get(event)?.delete(handler);
    },
  };
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false });
  tracer.initialize(null, bus);
  assert.deepEqual([...handlers.keys()], ["llm.request", "llm.response", "llm.error"]);
  for (const h of handlers.get("llm.request")!) h({ request_id: "x", model: "gpt-4o" });
  for (const h of handlers.get("llm.response")!) {
    h({ request_id: "x", output: "done", usage: { prompt_tokens: 3, completion_tokens: 1 } });
  }
  tracer.cleanup();
  assert.equal([...handlers.values()].reduce((n, s) => n + s.size, 0), 0);
  const response = writer.events()[2] as any;
  assert.equal(response.data.output, "done");
  assert.deepEqual(response.data.usage, { input_tokens: 3, output_tokens: 1, total_tokens: 4 });
});
