// deno-lint-ignore-file no-explicit-any require-await -- tests read parsed JSON and stub model calls
import assert from "node:assert/strict";
import { MemoryTraceWriter, Tracer } from "../../src/tracing/mod.ts";
import { otelSink } from "../../src/tracing/otel.ts";
import { manualClock } from "./_util.ts";

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
};

function value(v: OtlpValue): unknown {
  if (v.arrayValue) return v.arrayValue.values.map(value);
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
    v.doubleValue ?? v.boolValue;
}

Deno.test("otelSink() exports the same calls as OTLP spans with GenAI attributes to a collector on 127.0.0.1", async () => {
  const bodies: any[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname === "/v1/traces") bodies.push(await req.json());
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  try {
    const otel = otelSink({
      url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
      serviceName: "taxonomy-planner",
    });
    const { clock, advance } = manualClock();
    const writer = new MemoryTraceWriter();
    const tracer = new Tracer({
      writer,
      clock,
      sessionId: "s-otel",
      sinks: [otel],
      endOnExit: false,
    });
    const create = tracer.traceModelCall(
      async (req: { model: string; messages: unknown[]; temperature: number }) => {
        advance(1.25);
        if (req.model.startsWith("claude")) {
          throw Object.assign(new Error("529 Overloaded"), { name: "OverloadedError" });
        }
        return {
          model: "gpt-4o-2024-08-06",
          choices: [{ message: { content: "ok" }, finish_reason: "stop" }],
          usage: {
            prompt_tokens: 100,
            completion_tokens: 20,
            prompt_tokens_details: { cached_tokens: 64 },
          },
        };
      },
    );
    await create({ model: "gpt-4o", messages: [], temperature: 0.2 });
    await create({ model: "claude-3-5-sonnet-20241022", messages: [], temperature: 0 }).catch(
      () => {},
    );
    tracer.close();
    await otel.shutdown();

    const spans = bodies.flatMap((b) =>
      b.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans))
    );
    assert.equal(spans.length, 2);
    const resource = bodies[0].resourceSpans[0].resource.attributes.find((a: any) =>
      a.key === "service.name"
    );
    assert.equal(value(resource.value), "taxonomy-planner");
    const attrs = (span: any) =>
      Object.fromEntries(span.attributes.map((a: any) => [a.key, value(a.value)]));
    const [failed, ok] = spans.sort((a: any, b: any) => a.name.localeCompare(b.name));
    const request = writer.events()[1] as any;
    assert.equal(ok.name, "chat gpt-4o");
    assert.equal(ok.kind, 3, "SPAN_KIND_CLIENT");
    assert.deepEqual(attrs(ok), {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.response.model": "gpt-4o-2024-08-06",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.usage.input_tokens": 100,
      "gen_ai.usage.output_tokens": 20,
      "gen_ai.usage.cache_read.input_tokens": 64,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.conversation.id": "s-otel",
      "tracebook.request_id": request.data.request_id,
    });
    const start = BigInt(Date.UTC(2025, 3, 8, 19, 42, 9)) * 1_000_000n;
    assert.equal(BigInt(ok.startTimeUnixNano), start);
    assert.equal(
      BigInt(ok.endTimeUnixNano),
      start + 1_250_000_000n,
      "the span lasts as long as the traced call",
    );
    assert.equal(failed.name, "chat claude-3-5-sonnet-20241022");
    assert.equal(attrs(failed)["error.type"], "OverloadedError");
    assert.equal(attrs(failed)["gen_ai.provider.name"], "anthropic");
    assert.equal(failed.status.code, 2, "STATUS_CODE_ERROR");
    assert.equal(failed.status.message, "529 Overloaded");
  } finally {
    await server.shutdown();
  }
});

Deno.test("the README's otelSink example: `await tracer.close()` alone exports the spans", async () => {
  const bodies: any[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.json());
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  try {
    const otel = otelSink({ url: `http://127.0.0.1:${server.addr.port}/v1/traces` });
    const tracer = new Tracer({ writer: new MemoryTraceWriter(), sinks: [otel], endOnExit: false });
    const chat = tracer.traceModelCall(async (req: { model: string }) => ({
      model: req.model,
      choices: [{ message: { content: "ok" }, finish_reason: "stop" }],
    }));
    await chat({ model: "gpt-4o-mini" });
    await tracer.close(); // no otel.shutdown(): close() flushes every sink
    const spans = bodies.flatMap((b) =>
      b.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans))
    );
    assert.deepEqual(spans.map((s: any) => s.name), ["chat gpt-4o-mini"]);
    await otel.shutdown();
  } finally {
    await server.shutdown();
  }
});
