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

/** A Symphony-style bus: `subscribe` returns an id, `unsubscribe(id)`, handlers get `Event`s. */
class SymphonyBus {
  #next = 0;
  readonly handlers = new Map<string, { type: string; handler: (e: unknown) => void }>();
  subscribe(type: string, handler: (e: unknown) => void): string {
    const id = `sub-${++this.#next}`;
    this.handlers.set(id, { type, handler });
    return id;
  }
  unsubscribe(id: string): void {
    this.handlers.delete(id);
  }
  publish(type: string, data: Record<string, unknown>): void {
    const event = { type, data, timestamp: 1744141329, source: "planner" };
    for (const h of this.handlers.values()) if (h.type === type) h.handler(event);
  }
}

Deno.test("Symphony drop-in: Event objects with .data, the publisher's durations, orphans, and unsubscribe(id)", () => {
  const bus = new SymphonyBus();
  const writer = new MemoryTraceWriter();
  const { clock, advance } = manualClock();
  const tracer = new Tracer({ writer, clock, sessionId: "s", endOnExit: false });
  tracer.initialize(null, bus as unknown as EventBus);
  assert.equal(bus.handlers.size, 3);

  bus.publish("llm.request", { request_id: "r1", model: "gpt-4", messages: [] });
  advance(5); // the tracer's own clock says 5 s; the publisher measured 1.5 s
  bus.publish("llm.response", { request_id: "r1", output: "ok", duration_seconds: 1.5 });
  bus.publish("llm.request", { request_id: "r2", model: "gpt-4" });
  bus.publish("llm.error", { request_id: "r2", error: "timeout", duration_seconds: 0.25 });
  // responses and errors whose request was never seen are orphans, still recorded
  bus.publish("llm.response", {
    request_id: "ghost",
    model: "claude-3-haiku",
    output: "late",
    duration_seconds: 2,
  });
  bus.publish("llm.error", { request_id: "ghost-2", error: new Error("503 Service Unavailable") });
  tracer.cleanup();
  assert.equal(bus.handlers.size, 0, "cleanup() unsubscribed by id");

  const events = writer.events() as any[];
  assert.deepEqual(events.map((e) => [e.type, e.data?.request_id]), [
    ["session_start", undefined],
    ["llm_request", "r1"],
    ["llm_response", "r1"],
    ["llm_request", "r2"],
    ["llm_error", "r2"],
    ["llm_response", "ghost"],
    ["llm_error", "ghost-2"],
    ["session_end", undefined],
  ]);
  assert.equal(events[2].data.duration_seconds, 1.5);
  assert.equal(events[2].data.output, "ok");
  assert.equal(events[4].data.duration_seconds, 0.25);
  assert.equal(events[4].data.error, "timeout");
  assert.deepEqual(events[5].data, {
    request_id: "ghost",
    duration_seconds: 2,
    success: true,
    model: "claude-3-haiku",
    output: "late",
    provider: "anthropic",
  });
  assert.equal(events[6].data.error, "503 Service Unavailable");
  assert.equal(events[6].data.duration_seconds, 0, "an orphan error with no duration: 0");
});
