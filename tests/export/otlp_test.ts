import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { UserError } from "../../src/log/mod.ts";
import { exportTraces, OTLP_FILE } from "../../src/export/mod.ts";
import {
  type OtlpRequest,
  postOtlp,
  toOtlpRequest,
  tracesEndpoint,
} from "../../src/export/otlp.ts";

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const numbers = (df: pl.DataFrame, col: string, where?: pl.Expr) =>
  (where ? df.filter(where) : df).getColumn(col).toArray().filter((v) => v !== null).map(Number);

/** A loopback OTLP/HTTP receiver on 127.0.0.1 that keeps what it is sent. */
function receiver(answer: (n: number) => Response = () => Response.json({ partialSuccess: {} })) {
  const received: { path: string; type: string | null; body: OtlpRequest }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received.push({
      path: new URL(req.url).pathname,
      type: req.headers.get("content-type"),
      body: await req.json(),
    });
    return answer(received.length);
  });
  return { received, server, url: `http://127.0.0.1:${server.addr.port}` };
}

Deno.test("OTLP export: tracebook's loader reads traces.otlp.json back with the same calls, tokens and durations", async () => {
  const t = await loadTraces(join(ROOT, "traces"));
  const dir = mkdtempSync(join(tmpdir(), "tracebook-otlp-"));
  try {
    const result = await exportTraces(t, dir, { format: "otlp" });
    assert.deepEqual(result.files, [join(dir, OTLP_FILE)]);
    const back = await loadTraces(join(dir, OTLP_FILE));
    assert.equal(back.diagnostics.height, 0);
    // 90 calls in 6 sessions (traces/README.md): each session one trace.
    assert.equal(back.calls.height, 90);
    assert.equal(back.calls.getColumn("session_id").nUnique(), 6);
    for (const col of ["input_tokens", "output_tokens", "cache_read_tokens"]) {
      assert.deepEqual(sorted(numbers(back.calls, col)), sorted(numbers(t.calls, col)), col);
    }
    // 6 errors keep their status and message.
    const errors = (df: pl.DataFrame) =>
      df.filter(pl.col("status").eq(pl.lit("error"))).getColumn("error").toArray().sort();
    assert.deepEqual(errors(back.calls), errors(t.calls));
    assert.equal(errors(back.calls).length, 6);
    // Durations to the nanosecond: every finished call's duration_s comes back equal.
    const finished = pl.col("status").neq(pl.lit("pending"));
    assert.deepEqual(
      sorted(numbers(back.calls, "duration_s", pl.col("duration_s").gt(0))),
      sorted(numbers(t.calls, "duration_s", finished)),
    );
    // The pending call is a zero-length span marked tracebook.status = pending.
    const spans = (JSON.parse(readFileSync(result.files[0]!, "utf8")) as OtlpRequest)
      .resourceSpans[0]!.scopeSpans[0]!.spans;
    const pending = spans.filter((s) =>
      s.attributes.some((a) =>
        a.key === "tracebook.status" && "stringValue" in a.value &&
        a.value.stringValue === "pending"
      )
    );
    assert.equal(pending.length, 1);
    assert.equal(pending[0]!.startTimeUnixNano, pending[0]!.endTimeUnixNano);
    // Calls per model are kept.
    const perModel = (df: pl.DataFrame) =>
      (df.groupBy("model").agg(pl.len().alias("n")).sort("model").toRecords() as {
        model: string;
        n: number;
      }[]).map((r) => [r.model, Number(r.n)]);
    assert.deepEqual(perModel(back.calls), perModel(t.calls));
    const call = spans.find((s) => s.kind === 3)!;
    const keys = call.attributes.map((a) => a.key);
    for (
      const k of [
        "gen_ai.operation.name",
        "gen_ai.request.model",
        "gen_ai.provider.name",
        "gen_ai.conversation.id",
      ]
    ) assert.ok(keys.includes(k), k);
    // Ids are OTLP ids: 32 and 16 lowercase hex digits, every call under its session's root span.
    for (const s of spans) {
      assert.match(s.traceId, /^[0-9a-f]{32}$/);
      assert.match(s.spanId, /^[0-9a-f]{16}$/);
    }
    const roots = new Set(spans.filter((s) => s.kind === 1).map((s) => s.spanId));
    assert.equal(roots.size, 6);
    assert.ok(spans.filter((s) => s.kind === 3).every((s) => roots.has(s.parentSpanId!)));
    // Exporting twice gives the same ids.
    assert.deepEqual(toOtlpRequest(t), JSON.parse(readFileSync(result.files[0]!, "utf8")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("postOtlp() sends the spans to a loopback OTLP/HTTP receiver as JSON, whole traces per request", async () => {
  const t = await loadTraces(join(ROOT, "traces"));
  const request = toOtlpRequest(t);
  const total = request.resourceSpans[0]!.scopeSpans[0]!.spans.length; // 90 calls + 6 sessions
  assert.equal(total, 96);
  const r = receiver();
  try {
    const sent = await postOtlp(request, r.url, { batchSpans: 20 });
    assert.equal(sent.url, `${r.url}/v1/traces`);
    assert.equal(sent.spans, 96);
    assert.equal(sent.rejectedSpans, 0);
    assert.equal(sent.requests, r.received.length);
    assert.ok(r.received.length >= 4, `${r.received.length} requests`); // 96 spans, ≤ 20 + one trace each
    const got = r.received.flatMap((x) => x.body.resourceSpans[0]!.scopeSpans[0]!.spans);
    assert.deepEqual(got, request.resourceSpans[0]!.scopeSpans[0]!.spans);
    for (const x of r.received) {
      assert.equal(x.path, "/v1/traces");
      assert.equal(x.type, "application/json");
      // A trace never straddles two requests.
      const traces = new Set(x.body.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.traceId));
      for (const other of r.received.filter((o) => o !== x)) {
        for (const s of other.body.resourceSpans[0]!.scopeSpans[0]!.spans) {
          assert.ok(!traces.has(s.traceId));
        }
      }
    }
  } finally {
    await r.server.shutdown();
  }
});

Deno.test("postOtlp(): a refusing receiver, a closed port and a bad URL are one sentence each", async () => {
  const t = await loadTraces(join(ROOT, "traces"));
  const request = toOtlpRequest(t);
  const r = receiver(() => new Response("bad payload", { status: 400, statusText: "Bad Request" }));
  const url = r.url;
  try {
    await assert.rejects(
      postOtlp(request, `${url}/v1/traces`),
      (e: Error) =>
        e instanceof UserError &&
        e.message === `The OTLP endpoint ${url}/v1/traces answered 400 Bad Request: bad payload.`,
    );
  } finally {
    await r.server.shutdown();
  }
  await assert.rejects(
    postOtlp(request, url),
    (e: Error) =>
      e instanceof UserError && e.message.startsWith(`Cannot send the traces to ${url}/v1/traces:`),
  );
  assert.throws(() => tracesEndpoint("localhost:4318"), (e: Error) => e instanceof UserError);
  assert.equal(tracesEndpoint("http://h:4318/custom/path"), "http://h:4318/custom/path");
});

Deno.test("deno task export --format otlp --endpoint sends to the receiver and writes the file", async () => {
  const r = receiver();
  const dir = mkdtempSync(join(tmpdir(), "tracebook-otlp-cli-"));
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "src/cli/main.ts",
        "export",
        "traces/",
        "--to",
        dir,
        "--format",
        "otlp",
        "--endpoint",
        r.url,
        "--header",
        "x-api-key: k1",
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(
      stdout,
      /^Exported 90 calls, 6 sessions, 231 events and 0 diagnostics as otlp into /,
    );
    assert.match(stdout, new RegExp(`Sent 96 spans to ${r.url}/v1/traces in 1 request\\.`));
    assert.equal(r.received.length, 1);
    assert.deepEqual(r.received[0]!.body, JSON.parse(readFileSync(join(dir, OTLP_FILE), "utf8")));
  } finally {
    await r.server.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
