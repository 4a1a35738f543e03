// deno-lint-ignore-file no-explicit-any require-await -- tests stub model calls with odd values
/**
 * The tracer changes nothing the caller sees: each test makes the same call
 * untraced and traced (or states the untraced behaviour) and compares.
 * @module
 */
import assert from "node:assert/strict";
import { MemoryTraceWriter, Tracer } from "../../src/tracing/mod.ts";

function setup(warnings: string[] = []) {
  const writer = new MemoryTraceWriter();
  const tracer = new Tracer({ writer, endOnExit: false, onWarn: (m) => warnings.push(m) });
  return { writer, tracer, events: () => writer.events() as any[] };
}

Deno.test("the traced call returns the very promise the call returned (identity)", async () => {
  const { tracer, events } = setup();
  const p = Promise.resolve("answer");
  const traced = tracer.traceModelCall((_model: string) => p);
  assert.equal(traced("gpt-4o"), p);
  assert.equal(await traced("gpt-4o"), "answer");
  const obj = { choices: [{ message: { content: "x" } }] };
  assert.equal(tracer.traceModelCall((_model: string) => obj)("gpt-4o"), obj);
  await tracer.close();
  assert.equal(events().filter((e) => e.type === "llm_response").length, 3);
});

Deno.test("a promise subclass keeps its class and its own methods (an SDK's APIPromise)", async () => {
  class APIPromiseLike<T> extends Promise<T> {
    withResponse() {
      return this.then((data) => ({ data, response: { status: 200 } }));
    }
  }
  const { tracer, events } = setup();
  const traced = tracer.traceModelCall((_model: string) =>
    new APIPromiseLike<string>((resolve) => resolve("hi"))
  );
  const result = traced("gpt-4o");
  assert.ok(result instanceof APIPromiseLike);
  assert.deepEqual(await result.withResponse(), { data: "hi", response: { status: 200 } });
  await tracer.close();
  assert.equal(events()[2].data.output, "hi");
});

Deno.test("a lazy thenable is not executed before the caller awaits it", async () => {
  const { tracer, events } = setup();
  let executed = 0;
  const lazy = {
    then(resolve: (v: string) => void) {
      executed++;
      resolve("ran");
    },
  };
  const traced = tracer.traceModelCall((_model: string) => lazy);
  const result = traced("gpt-4o");
  assert.equal(result, lazy);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(executed, 0, "the traced call did not run the thenable");
  assert.equal(await result, "ran");
  assert.equal(executed, 1);
  await tracer.close();
  assert.deepEqual(events().map((e) => e.type), [
    "session_start",
    "llm_request",
    "llm_response",
    "session_end",
  ]);
  assert.equal(events()[2].data.output, "ran");
});

Deno.test("the same thrown value comes back: a non-string message, a null-prototype object, a revoked proxy", async () => {
  const { tracer, events } = setup();
  const odd = new Error("placeholder");
  (odd as any).message = { code: 401, detail: "no" };
  const bare = Object.create(null);
  bare.reason = "bare";
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (const thrown of [odd, bare, proxy]) {
    const sync = tracer.traceModelCall((_model: string) => {
      throw thrown;
    });
    let caught: unknown = "nothing";
    try {
      sync("gpt-4o");
    } catch (e) {
      caught = e;
    }
    assert.ok(caught === thrown, "sync: the same value");
    const async_ = tracer.traceModelCall(async (_model: string) => {
      throw thrown;
    });
    caught = "nothing";
    try {
      await async_("gpt-4o");
    } catch (e) {
      caught = e;
    }
    assert.ok(caught === thrown, "async: the same value");
  }
  await tracer.close();
  const errors = events().filter((e) => e.type === "llm_error").map((e) => e.data.error);
  assert.deepEqual(errors, [
    '{"code":401,"detail":"no"}',
    '{"code":401,"detail":"no"}',
    '{"reason":"bare"}',
    '{"reason":"bare"}',
    "[Proxy]",
    "[Proxy]",
  ]);
});

Deno.test("recording never invokes a getter of the arguments or of the response", async () => {
  const { tracer, events } = setup();
  let reads = 0;
  const req = {
    model: "gpt-4o",
    get temperature() {
      reads++;
      return 0.5;
    },
  };
  const response = {
    model: "gpt-4o",
    get choices(): unknown {
      reads++;
      throw new Error("a getter that throws");
    },
  };
  const traced = tracer.traceModelCall(async (_req: object) => response);
  assert.equal(await traced(req), response);
  await tracer.close();
  assert.equal(reads, 0);
  assert.deepEqual(events()[1].data.params, { model: "gpt-4o" });
  assert.equal(events()[2].type, "llm_response");
});

Deno.test("stream chunks with a throwing getter reach the caller untouched; the loop goes on", async () => {
  const { tracer, events } = setup();
  const bad = {
    get choices(): unknown {
      throw new Error("getter");
    },
  };
  const chunks = [{ choices: [{ delta: { content: "a" } }] }, bad, {
    choices: [{ delta: { content: "b" }, finish_reason: "stop" }],
  }];
  const traced = tracer.traceModelCall(async function* (_model: string) {
    yield* chunks;
  });
  const seen: unknown[] = [];
  for await (const c of traced("gpt-4o")) seen.push(c);
  assert.deepEqual(seen.length, 3);
  assert.equal(seen[1], bad);
  await tracer.close();
  assert.equal(events()[2].data.output, "ab");
  assert.equal(events()[2].data.finish_reason, "stop");
});

Deno.test("an async generator keeps its return value and stays the same object", async () => {
  const { tracer, events } = setup();
  const traced = tracer.traceModelCall(async function* (_model: string) {
    yield "x";
    return "the end";
  });
  const gen = traced("gpt-4o");
  assert.equal(gen[Symbol.asyncIterator](), gen);
  assert.deepEqual(await gen.next(), { value: "x", done: false });
  assert.deepEqual(await gen.next(), { value: "the end", done: true });
  await tracer.close();
  assert.equal(events()[2].data.output, "x");
  assert.equal(events()[2].data.stream, true);
});

Deno.test("a sync call stays sync, and name and length are kept", async () => {
  const { tracer } = setup();
  function complete(model: string, prompt: string, _n = 1) {
    return `${model}:${prompt}`;
  }
  const traced = tracer.traceModelCall(complete);
  assert.equal(traced("m", "p"), "m:p"); // a string, not a promise
  assert.equal(traced.name, "complete");
  assert.equal(traced.length, complete.length); // 2: parameters before the one with a default
  assert.equal(traced.length, 2);
  await tracer.close();
});

Deno.test("usage too large for JSON (>= 2^53) is recorded as null with a warning; the call resolves", async () => {
  const warnings: string[] = [];
  const { tracer, events } = setup(warnings);
  const response = {
    model: "gpt-4o",
    choices: [{ message: { content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 2 ** 53, completion_tokens: 3 },
  };
  const traced = tracer.traceModelCall(async (_model: string) => response);
  assert.equal(await traced("gpt-4o"), response);
  await tracer.close();
  const data = events()[2].data;
  assert.equal(events()[2].type, "llm_response");
  assert.equal(data.usage.input_tokens, null);
  assert.equal(data.usage.output_tokens, 3);
  assert.deepEqual(warnings, [
    "A usage count (input_tokens = 9007199254740992) is too large to be exact in JSON; it is recorded as null.",
    "A usage count (total_tokens = 9007199254740996) is too large to be exact in JSON; it is recorded as null.",
  ]);
});

Deno.test("close() flushes every sink and can be awaited", async () => {
  const flushed: string[] = [];
  const sink = {
    calls: 0,
    onCall() {
      this.calls++;
    },
    async forceFlush() {
      await new Promise((r) => setTimeout(r, 5));
      flushed.push(`flushed after ${this.calls} call(s)`);
    },
  };
  const tracer = new Tracer({ writer: new MemoryTraceWriter(), sinks: [sink], endOnExit: false });
  await tracer.traceModelCall(async (_model: string) => "ok")("gpt-4o");
  await tracer.close();
  assert.deepEqual(flushed, ["flushed after 1 call(s)"]);
});

Deno.test("a traced class constructor called with new still constructs", async () => {
  const { tracer } = setup();
  class Completion {
    constructor(readonly model: string) {}
  }
  const Traced = tracer.traceModelCall(Completion as any);
  const made = new Traced("gpt-4o");
  assert.ok(made instanceof Completion);
  assert.equal(made.model, "gpt-4o");
  await tracer.close();
});

Deno.test("an outcome that cannot be recorded as given is written in its minimal form: the call never stays pending", async () => {
  const warnings: string[] = [];
  const { tracer, events } = setup(warnings);
  const call = tracer.startCall({ model: "gpt-4o", requestId: "r1" });
  call.succeed(undefined, { output: 42 as unknown as string, finishReason: "stop" });
  await tracer.close();
  assert.deepEqual(events()[2].data, {
    request_id: "r1",
    duration_seconds: events()[2].data.duration_seconds,
    success: true,
    output: null,
  });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^A "llm_response" event was written without its details because /);
});
