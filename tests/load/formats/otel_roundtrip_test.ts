import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { fromTraceText } from "../../../src/load/mod.ts";
import { MemoryTraceWriter, Tracer } from "../../../src/tracing/mod.ts";
import { otelSink } from "../../../src/tracing/otel.ts";
import { manualClock } from "../../tracing/_util.ts";

Deno.test("calls exported by our own otelSink() import as the same calls as the native trace of the same run", async () => {
  const bodies: unknown[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (req.method === "POST" && new URL(req.url).pathname === "/v1/traces") {
      bodies.push(await req.json());
    }
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  try {
    const otel = otelSink({
      url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
      serviceName: "roundtrip",
    });
    const { clock, advance } = manualClock();
    const writer = new MemoryTraceWriter();
    const tracer = new Tracer({ writer, clock, sessionId: "s", sinks: [otel], endOnExit: false });
    // deno-lint-ignore require-await -- a stub of an async model call
    const create = tracer.traceModelCall(async (req: { model: string; messages: unknown[] }) => {
      advance(req.model === "gpt-4o" ? 1.25 : 0.5);
      if (req.model.startsWith("claude")) {
        throw Object.assign(new Error("529 Overloaded"), { name: "OverloadedError" });
      }
      return {
        model: `${req.model}-2024-08-06`,
        choices: [{ message: { content: "ok" }, finish_reason: "stop" }],
        usage: {
          prompt_tokens: 100,
          completion_tokens: 20,
          prompt_tokens_details: { cached_tokens: 64 },
        },
      };
    });
    await create({ model: "gpt-4o", messages: [] });
    await create({ model: "claude-3-5-sonnet-20241022", messages: [] }).catch(() => {});
    await create({ model: "gpt-4o", messages: [] });
    tracer.close();
    await otel.shutdown();

    const native = fromTraceText(writer.lines.join(""));
    const imported = fromTraceText(bodies.map((b) => JSON.stringify(b)).join("\n") + "\n", {
      file: "otel.jsonl",
    });
    assert.equal(imported.diagnostics.height, 0);
    const cols = [
      "model",
      "provider",
      "status",
      "duration_s",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "cost_usd",
    ];
    const calls = (t: typeof native) =>
      t.calls.select(...cols).sort(["model", "duration_s"]).toRecords();
    assert.equal(imported.calls.height, 3);
    assert.deepEqual(calls(imported), calls(native));
    assert.deepEqual(
      imported.calls.filter(pl.col("status").eq(pl.lit("error"))).select("error").toRecords(),
      [{ error: "529 Overloaded" }],
    );
  } finally {
    await server.shutdown();
  }
});
