import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import { realFixture } from "../../_helpers.ts";
import { loadTraces } from "../../../src/load/mod.ts";
import { callTextReader } from "../../../src/load/call_texts.ts";
import { detectFormat, fromTraceText, parseOtlpText, sampleOfText } from "../../../src/load/mod.ts";
import { CALL_COLUMNS, EVENT_COLUMNS, SESSION_COLUMNS } from "../../../src/frames/columns.ts";
import { fixture, loadAs, rows, TOKENS } from "./_helpers.ts";

const SMALL = fileURLToPath(new URL("./fixtures/otlp_small.jsonl", import.meta.url));
const us = (seconds: number) => new Date(Math.round(seconds * 1000));

/** Column names and dtypes of the contract, with Utf8 and String spelled alike, found in `frame`. */
function assertColumns(frame: pl.DataFrame, columns: Record<string, pl.DataType>) {
  const spell = (d: unknown) => String(d).replace("Utf8", "String");
  for (const [name, dtype] of Object.entries(columns)) {
    assert.equal(spell(frame.schema[name]), spell(dtype), name);
  }
}

Deno.test("loadTraces() imports OTLP/JSON call spans (chat, text_completion, generate_content) as calls", async () => {
  const t = await loadTraces(SMALL);
  assert.deepEqual(
    rows(
      t.calls,
      "session_id",
      "request_id",
      "model",
      "served_model",
      "provider",
      "status",
      "error",
      "line",
    ),
    [
      {
        session_id: "trace-1",
        request_id: "span-a",
        // the model rule: the requested model groups, the served version is detail
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        provider: "openai",
        status: "ok",
        error: null,
        line: 1,
      },
      {
        session_id: "trace-2",
        request_id: "span-b",
        model: "claude-3-5-haiku-20241022",
        served_model: null, // only gen_ai.request.model on this span
        provider: "anthropic",
        status: "error",
        error: "rate limited",
        line: 2,
      },
      {
        session_id: "trace-2",
        request_id: "span-c",
        model: "unknown",
        served_model: null,
        provider: null,
        status: "ok",
        error: null,
        line: 6,
      },
    ],
  );
  // tokens from the call spans only: the invoke_agent span repeats them and is not counted
  assert.deepEqual(
    rows(t.calls, ...TOKENS),
    [
      {
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 120,
        cache_read_tokens: 40,
        reasoning_tokens: null,
      },
      {
        input_tokens: 7,
        output_tokens: 0,
        total_tokens: 7,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      {
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
    ],
  );
  assert.deepEqual(
    rows(
      t.calls,
      "started_at",
      "ended_at",
      "duration_s",
      "ttft_s",
      "finish_reason",
      "prompt_chars",
      "output_chars",
    ),
    [
      {
        started_at: us(1700000000),
        ended_at: us(1700000001.5),
        duration_s: 1.5,
        ttft_s: 0.25,
        finish_reason: "stop",
        prompt_chars: 9,
        output_chars: 3,
      },
      {
        started_at: us(1700000005),
        ended_at: us(1700000005.25),
        duration_s: 0.25,
        ttft_s: null,
        finish_reason: null,
        prompt_chars: null,
        output_chars: null,
      },
      {
        started_at: us(1700000006),
        ended_at: us(1700000006.1),
        duration_s: 0.1,
        ttft_s: null,
        finish_reason: null,
        prompt_chars: null,
        output_chars: null,
      },
    ],
  );
  // gpt-4o-2024-08-06: 60 uncached input at $2.50/M, 40 cached at $1.25/M, 20 output at $10/M
  assert.ok(Math.abs((t.calls.getColumn("cost_usd").get(0) as number) - 0.0004) < 1e-12);
  assertColumns(t.calls, CALL_COLUMNS);
});

Deno.test("otlp: GenAI events logged beside the spans (resourceLogs) give the call's prompt and output texts", () => {
  const path = fixture("otlp_adk_log_events.json");
  // deno-lint-ignore no-explicit-any
  type J = any;
  const doc = JSON.parse(readFileSync(path, "utf8")) as J;
  // the recording's ADK call_llm span records the same texts: taken out here, the log records are
  // all that hold them
  for (const span of doc.resourceSpans[0].scopeSpans[0].spans) {
    span.attributes = (span.attributes ?? []).filter((a: J) =>
      !["gcp.vertex.agent.llm_request", "gcp.vertex.agent.llm_response"].includes(a.key)
    );
  }
  // independent reading: the log records naming the call's span, their bodies' texts
  const value = (v: J): J =>
    v.stringValue ?? (v.kvlistValue
      ? Object.fromEntries(
        v.kvlistValue.values.map((e: J) => [e.key, e.value ? value(e.value) : null]),
      )
      : v.arrayValue
      ? v.arrayValue.values.map(value)
      : v.intValue ?? null);
  const records: J[] = doc.resourceLogs[0].scopeLogs[0].logRecords;
  const text = (content: J): string =>
    typeof content === "string" ? content : content.parts.map((p: J) => p.text ?? "").join("");
  const byName = Object.fromEntries(records.map((r) => [r.eventName, value(r.body)]));
  const prompt = text(byName["gen_ai.system.message"].content) +
    text(byName["gen_ai.user.message"].content);
  const output = text(byName["gen_ai.choice"].content);
  assert.equal(output, "I am a helpful assistant built with ADK.");
  assert.equal(new Set(records.map((r) => r.spanId)).size, 1);
  const t = fromTraceText(JSON.stringify(doc), { file: "adk.json", keepText: true });
  assert.equal(t.formats?.["adk.json"], "otlp");
  assert.deepEqual(
    rows(t.calls, "span_id", "prompt_chars", "output_chars", "messages", "output"),
    [{
      span_id: records[0].spanId,
      prompt_chars: [...prompt].length, // 82 + 19
      output_chars: [...output].length, // 40
      messages: prompt,
      output,
    }],
  );
  // the log records in a request of their own (the Collector's file exporter writes one a line)
  const logsOnly = JSON.stringify({ resourceLogs: doc.resourceLogs });
  const spans = JSON.stringify({ resourceSpans: doc.resourceSpans });
  const both = fromTraceText(`${spans}\n${logsOnly}\n`, { file: "x.jsonl", format: "otlp" });
  assert.equal(both.diagnostics.height, 0);
  assert.deepEqual(rows(both.calls, "prompt_chars", "output_chars"), [
    { prompt_chars: [...prompt].length, output_chars: [...output].length },
  ]);
  // the log records' batch flushed first: the file's first request is of logs, still OTLP
  const logsFirst = fromTraceText(`${logsOnly}\n${spans}\n`, { file: "y.jsonl" });
  assert.equal(logsFirst.formats?.["y.jsonl"], "otlp");
  assert.deepEqual(rows(logsFirst.calls, "prompt_chars", "output_chars"), [
    { prompt_chars: [...prompt].length, output_chars: [...output].length },
  ]);
});

Deno.test("otlp: Google ADK's call_llm span gives its texts and served model to the one generate_content call below it", async () => {
  // a recorded ADK 2.10 run (google-genai's instrumentation below ADK's call_llm); its log
  // records hold "<elided>" (texts not captured), which is no text
  const path = fixture("otlp_adk_call_llm.json");
  // deno-lint-ignore no-explicit-any
  type J = any;
  const doc = JSON.parse(readFileSync(path, "utf8")) as J;
  const spans: J[] = doc.resourceSpans.flatMap((r: J) => r.scopeSpans.flatMap((s: J) => s.spans));
  const attr = (span: J, key: string) =>
    span.attributes?.find((a: J) => a.key === key)?.value.stringValue;
  const wrapper = spans.find((s) => s.name === "call_llm")!;
  const call = spans.find((s) => s.name.startsWith("generate_content"))!;
  assert.equal(call.parentSpanId, wrapper.spanId);
  const request = JSON.parse(attr(wrapper, "gcp.vertex.agent.llm_request"));
  const response = JSON.parse(attr(wrapper, "gcp.vertex.agent.llm_response"));
  const prompt = request.config.system_instruction +
    request.contents.map((c: J) => c.parts.map((p: J) => p.text).join("")).join("");
  const output = response.content.parts.map((p: J) => p.text).join("");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "otlp");
  assert.deepEqual(rows(t.calls, "span_id", "served_model", "prompt_chars", "output_chars"), [{
    span_id: call.spanId,
    served_model: response.model_version, // gemini-2.5-flash-001
    prompt_chars: [...prompt].length,
    output_chars: [...output].length,
  }]);
  assert.ok(prompt.length > 0 && output.length > 0);
});

Deno.test("loadTraces() gives one event per OTLP span and one complete session per trace", async () => {
  const t = await loadTraces(SMALL);
  assert.deepEqual(rows(t.events, "line", "type", "session_id", "request_id"), [
    { line: 1, type: "otel.chat", session_id: "trace-1", request_id: "span-a" },
    { line: 1, type: "otel.invoke_agent", session_id: "trace-1", request_id: "span-agent" },
    { line: 1, type: "otel.execute_tool", session_id: "trace-1", request_id: "span-tool" },
    { line: 2, type: "otel.text_completion", session_id: "trace-2", request_id: "span-b" },
    { line: 6, type: "otel.generate_content", session_id: "trace-2", request_id: "span-c" },
  ]);
  const tool = JSON.parse(t.events.getColumn("payload").get(2) as string);
  assert.equal(tool.status, "error");
  assert.equal(tool.status_message, "boom");
  assert.equal(tool.parent_span_id, "span-agent");
  assertColumns(t.events, EVENT_COLUMNS);

  assert.deepEqual(
    rows(
      t.sessions,
      "session_id",
      "started_at",
      "ended_at",
      "duration_s",
      "complete",
      "calls",
      "errors",
      "service_name",
    ),
    [
      {
        session_id: "trace-1",
        started_at: us(1699999999.9),
        ended_at: us(1700000002),
        duration_s: 2.1,
        complete: true,
        calls: 1,
        errors: 0,
        service_name: "demo-app",
      },
      {
        session_id: "trace-2",
        started_at: us(1700000005),
        ended_at: us(1700000006.1),
        duration_s: 1.1,
        complete: true,
        calls: 2,
        errors: 1,
        service_name: "demo-app",
      },
    ],
  );
  assertColumns(t.sessions, SESSION_COLUMNS);
});

Deno.test("loadTraces() reports every bad OTLP object as a diagnostic and loads the rest", async () => {
  const t = await loadTraces(SMALL);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 3, code: "stray_text", severity: "error" },
    { line: 4, code: "otlp_bad_object", severity: "error" },
    { line: 5, code: "otlp_not_spans", severity: "error" },
    { line: 6, code: "otlp_bad_span", severity: "error" },
    { line: 7, code: "truncated_object", severity: "error" },
  ]);
  assert.deepEqual(t.diagnostics.getColumn("message").toArray(), [
    'text outside any JSON object: "garbage here"',
    "resourceSpans must be an array, got a string",
    'OTLP/JSON object has neither "resourceSpans" nor "scopeSpans" (got an object {"hello":1})',
    'span resourceSpans[0].scopeSpans[0].spans[0] is not loaded: "startTimeUnixNano" is not an integer of nanoseconds',
    "JSON object never ends (truncated file, or the next object starts before this one closed)",
  ]);
  await assert.rejects(
    () => loadTraces(SMALL, { strict: true }),
    /Found 5 bad lines in strict mode/,
  );
});

Deno.test("parseOtlpText() reads concatenated pretty-printed ResourceSpans with the line each starts on", () => {
  const resourceSpans = (spanId: string, start: string) => ({
    resource: { attributes: [] },
    scopeSpans: [{
      spans: [{
        traceId: "t",
        spanId,
        name: "chat",
        startTimeUnixNano: start,
        endTimeUnixNano: "1700000002000000001",
        attributes: [{ key: "gen_ai.operation.name", value: { stringValue: "chat" } }],
        status: {},
      }],
    }],
  });
  const first = JSON.stringify(resourceSpans("s1", "1700000001000000000"), null, 2);
  const text = `${first}\n${JSON.stringify(resourceSpans("s2", "1700000000999999999"), null, 2)}\n`;
  const r = parseOtlpText(text, "pretty.jsonl");
  const secondLine = first.split("\n").length + 1;
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.calls.map((c) => [c.request_id, c.line, c.started_at, c.duration_s]), [
    ["s1", 1, 1700000001000000, 1.000000001],
    ["s2", secondLine, 1700000000999999, 1.000000002],
  ]);
});

Deno.test("parseOtlpText() recovers after an object cut off in the middle of a line-delimited file", () => {
  const ok = (spanId: string) =>
    JSON.stringify({
      resourceSpans: [{
        scopeSpans: [{
          spans: [{ traceId: "t", spanId, startTimeUnixNano: "1", endTimeUnixNano: "2" }],
        }],
      }],
    });
  const r = parseOtlpText(
    `${ok("a")}\n{"resourceSpans": [{"scopeSpans": [{"sp\n${ok("b")}\n[1, }\n${ok("b")}\n`,
    "cut.jsonl",
  );
  // the repeat of span "b" on line 5 is the same span: one event, with a warning
  assert.deepEqual(r.events.map((e) => [e.line, e.type]), [[1, "otel.span"], [3, "otel.span"]]);
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.code, d.severity]), [
    // spans with no attributes: none is a model call, which is said once
    [1, "no_model_call", "warning"],
    [2, "truncated_object", "error"],
    [4, "invalid_json", "error"],
    [5, "duplicate_span", "warning"],
  ]);
  assert.equal(r.calls.length, 0);
});

Deno.test("fromTraceText() builds a TraceSet from OTLP text and detects the format", () => {
  const text = JSON.stringify({
    resourceSpans: [{
      scopeSpans: [{
        spans: [{
          traceId: "t",
          spanId: "s",
          startTimeUnixNano: 1700000000000000000,
          endTimeUnixNano: "1700000000500000000",
          attributes: [
            { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
            { key: "gen_ai.request.model", value: { stringValue: "my-model" } },
          ],
        }],
      }],
    }],
  });
  const t = fromTraceText(text, { file: "x.json" });
  assert.deepEqual(rows(t.calls, "model", "duration_s", "cost_usd", "file"), [
    { model: "my-model", duration_s: 0.5, cost_usd: null, file: "x.json" },
  ]);
  // text of no known format is one sentence, not an empty trace
  assert.throws(
    () => fromTraceText("a,b\n1,2\n", { file: "x.csv" }),
    /x\.csv is not a trace file tracebook can read \(it looks like CSV\)/,
  );
});

const copilot = realFixture("otlp/copilot-cli.otel-raw.jsonl");
Deno.test({
  name:
    "loadTraces() imports the real Copilot CLI OTLP file: 62 chat calls, 2 models, tokens of chat spans only",
  ignore: copilot === undefined,
  async fn() {
    const t = await loadTraces(copilot!);
    // figures computed independently with python3 (json.JSONDecoder.raw_decode over the file)
    assert.equal(t.diagnostics.height, 0);
    assert.equal(t.calls.height, 62);
    assert.deepEqual(
      t.calls.groupBy("status").len().toRecords(),
      [{ status: "ok", len: 62 }],
    );
    assert.deepEqual(
      t.calls.groupBy("model").agg(pl.len().alias("n")).sort("model").toRecords(),
      [{ model: "claude-haiku-4.5", n: 2 }, { model: "claude-opus-4.6-1m", n: 60 }],
    );
    const sum = (c: string) => t.calls.getColumn(c).sum();
    assert.equal(sum("input_tokens"), 6225557); // every span summed: 12451114
    assert.equal(sum("output_tokens"), 24709);
    assert.equal(sum("total_tokens"), 6250266);
    assert.equal(sum("cache_read_tokens"), 5894173);
    assert.equal(t.calls.getColumn("cache_read_tokens").nullCount(), 2);
    // the input messages' text parts (1,996 characters) and the tool results given back to the
    // model as tool_call_response parts (173,318, in 57 of the calls), read apart with a script
    assert.equal(sum("prompt_chars"), 1996 + 173318);
    assert.equal(t.calls.getColumn("prompt_chars").nullCount(), 5);
    assert.equal(sum("output_chars"), 21242);
    assert.ok(Math.abs(sum("duration_s") - 1412.2223794) < 1e-6);
    assert.equal(t.calls.getColumn("duration_s").max(), 300.1660857);
    assert.equal(t.calls.getColumn("duration_s").min(), 2.8844049);
    assert.deepEqual(t.calls.getColumn("provider").unique().toArray(), ["github"]);
    assert.deepEqual(t.calls.getColumn("finish_reason").unique().toArray(), ["stop"]);
    assert.deepEqual(
      rows(t.calls.filter(pl.col("model").eq(pl.lit("claude-haiku-4.5"))), "line", "request_id"),
      [{ line: 5688, request_id: "f5218713159efdff" }, {
        line: 17459,
        request_id: "6a9ad7d6347bd9d8",
      }],
    );
    assert.equal(t.calls.getColumn("cost_usd").nullCount(), 0);

    assert.equal(t.events.height, 281);
    assert.deepEqual(t.events.groupBy("type").len().sort("type").toRecords(), [
      { type: "otel.chat", len: 62 },
      { type: "otel.execute_tool", len: 113 },
      { type: "otel.invoke_agent", len: 7 },
      { type: "otel.permission", len: 99 },
    ]);
    // the one error of the file is on a tool span: an event, not a call
    const failed = t.events.filter(pl.col("payload").str.contains(`"status":"error"`, true));
    assert.deepEqual(rows(failed, "line", "type", "request_id"), [
      { line: 1362, type: "otel.execute_tool", request_id: "84efe58b840ede7e" },
    ]);

    assert.deepEqual(
      rows(t.sessions, "session_id", "duration_s", "complete", "calls", "errors", "service_name"),
      // the 5 traces are one Copilot CLI conversation (gen_ai.conversation.id on every chat span):
      // one session from the first span's start to the last span's end (python3: 1861.2370899 s)
      [{
        session_id: "f397d418-a232-4c0e-b08e-34009ac14369",
        duration_s: 1861.237089,
        complete: true,
        calls: 62,
        errors: 0,
        service_name: "github-copilot",
      }],
    );
    assert.deepEqual(rows(t.sessions.head(1), "started_at"), [{
      started_at: new Date(1774459417705),
    }]);
  },
});

Deno.test("a span marked tracebook.status=pending (tracebook's own OTLP export of an unended call) reads back as pending", () => {
  const span = (id: string, status: string) => ({
    traceId: "t",
    spanId: id,
    name: "chat",
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000000000000",
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
      { key: "tracebook.status", value: { stringValue: status } },
    ],
  });
  const t = fromTraceText(
    JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [span("a", "pending"), span("b", "ok")] }] }],
    }),
  );
  assert.deepEqual(rows(t.calls, "request_id", "status", "duration_s"), [
    { request_id: "a", status: "pending", duration_s: null },
    { request_id: "b", status: "ok", duration_s: 0 },
  ]);
  assert.deepEqual(rows(t.sessions, "complete"), [{ complete: false }]);
  // the spans' events too: the pending one has no end
  assert.deepEqual(
    rows(t.events, "payload").map((r) => {
      const p = JSON.parse(r.payload as string);
      return [p.ended_at, p.duration_s];
    }),
    [[null, null], ["2023-11-14T22:13:20.000Z", 0]],
  );
});

Deno.test("otlp: with keepText and textsOf, only the named calls keep their texts (the others' are null)", () => {
  const span = (id: string, prompt: string, answer: string) => ({
    traceId: "t1",
    spanId: id,
    name: "chat gpt-4o",
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000001000000000",
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
      { key: "input.value", value: { stringValue: prompt } },
      { key: "output.value", value: { stringValue: answer } },
    ],
  });
  const text = JSON.stringify({
    resourceSpans: [{
      scopeSpans: [{ spans: [span("a", "hi", "hello"), span("b", "bye", "ciao")] }],
    }],
  });
  const all = parseOtlpText(text, "f.json", { keepText: true });
  const some = parseOtlpText(text, "f.json", {
    keepText: true,
    textsOf: (c) => c.request_id === "b",
  });
  const texts = (r: typeof all) =>
    r.calls.map((c) => [c.request_id, c.messages ?? null, c.output ?? null]);
  assert.deepEqual(texts(some), [["a", null, null], texts(all)[1]]);
  assert.equal(texts(all)[1]![2], "ciao");
  // the counts are the same either way
  assert.deepEqual(
    some.calls.map((c) => [c.prompt_chars, c.output_chars]),
    [[2, 5], [3, 4]],
  );
});

Deno.test("otlp: an attribute of 50,000 nested arrays is read (deep levels as …), not a stack overflow", () => {
  const depth = 50_000;
  const deep = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' +
    "]}}".repeat(depth);
  const span =
    '{"traceId":"t","spanId":"s","name":"chat","startTimeUnixNano":"1700000000000000000",' +
    '"endTimeUnixNano":"1700000001000000000","attributes":[' +
    '{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},' +
    '{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},' +
    `{"key":"deep","value":${deep}}]}`;
  const r = parseOtlpText(`{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`, "f.jsonl");
  assert.deepEqual(r.calls.map((c) => [c.model, c.duration_s]), [["gpt-4o", 1]]);
  // the payload cuts what is nested past 6 levels: payload > attributes > deep > 4 arrays
  const payload = JSON.parse(r.events[0]!.payload!);
  assert.deepEqual(payload.attributes.deep, [[[[["…"]]]]]);
});

Deno.test("otlp: one call captured from the Vercel AI SDK, Braintrust and OpenInference (genai-interlingua's test data): their own usage, cache, first-chunk and message keys", async () => {
  type Attr = { key: string; value: Record<string, unknown> };
  type OtlpSpan = { name: string; attributes: Attr[] };
  /** Each span's attributes as plain values (read here, not by tracebook). */
  const spansOf = (path: string) =>
    (JSON.parse(Deno.readTextFileSync(path)) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).map((s) => ({
      name: s.name,
      a: Object.fromEntries(s.attributes.map((x) => [x.key, Object.values(x.value)[0]])),
    }));
  const chars = (s: string) => [...s].length;
  const text = (messages: { content: string | { text?: string }[] }[]) =>
    messages.map((m) =>
      typeof m.content === "string" ? m.content : m.content.map((p) => p.text ?? "").join("")
    ).join("");
  const load = async (name: string) => {
    const path = fileURLToPath(
      new URL(`./fixtures/otlp_interlingua_${name}.json`, import.meta.url),
    );
    return { path, t: await loadTraces(path, { cache: false }) };
  };
  const COLS = ["input_tokens", "output_tokens", "cache_read_tokens", "ttft_s", "prompt_chars"];

  // the Vercel AI SDK: the doGenerate span is the call (ai.generateText repeats its usage)
  const vercel = await load("vercel");
  const gen = spansOf(vercel.path).find((s) => s.name === "ai.generateText.doGenerate")!.a;
  assert.deepEqual(rows(vercel.t.calls, ...COLS), [{
    input_tokens: Number(gen["gen_ai.usage.input_tokens"]), // 412
    output_tokens: Number(gen["gen_ai.usage.output_tokens"]), // 27
    // ai.response.providerMetadata {"openai":{"cachedPromptTokens":384}}
    cache_read_tokens: JSON.parse(gen["ai.response.providerMetadata"] as string).openai
      .cachedPromptTokens,
    ttft_s: Number(gen["ai.response.msToFirstChunk"]) / 1000, // 412.5 ms
    prompt_chars: chars(text(JSON.parse(gen["ai.prompt.messages"] as string))),
  }]);

  // Braintrust: its usage in braintrust.metrics, its messages in braintrust.input_json
  const bt = await load("braintrust");
  const call = spansOf(bt.path).find((s) =>
    s.a["braintrust.metrics"] !== undefined &&
    s.a["gen_ai.request.model"] !== undefined
  )!.a;
  const metrics = JSON.parse(call["braintrust.metrics"] as string);
  assert.deepEqual(
    rows(bt.t.calls, "input_tokens", "output_tokens", "total_tokens", "prompt_chars"),
    [{
      input_tokens: metrics.prompt_tokens, // 412
      output_tokens: metrics.completion_tokens, // 27
      total_tokens: metrics.tokens, // 439
      prompt_chars: chars(text(JSON.parse(call["braintrust.input_json"] as string))),
    }],
  );

  // OpenInference: an answer that only calls a tool has no text (not output.value's 670
  // characters of the raw response)
  const oi = await load("openinference");
  const llm = spansOf(oi.path).find((s) => s.a["openinference.span.kind"] === "LLM")!.a;
  assert.ok(Object.keys(llm).some((k) => k.startsWith("llm.output_messages.0.message.tool_calls")));
  assert.ok(
    !Object.keys(llm).some((k) => k.startsWith("llm.output_messages.") && k.endsWith(".content")),
  );
  assert.deepEqual(rows(oi.t.calls, "output_chars", "cache_read_tokens", "reasoning_tokens"), [{
    output_chars: 0,
    cache_read_tokens: Number(llm["llm.token_count.prompt_details.cache_read"]), // 256
    reasoning_tokens: Number(llm["llm.token_count.completion_details.reasoning"]), // 8
  }]);
});

Deno.test("OTLP/JSON written with the protobuf field names (resource_spans, string_value, start_time_unix_nano) reads as the lowerCamelCase spelling", () => {
  const text = Deno.readTextFileSync(
    fileURLToPath(new URL("./fixtures/otlp_interlingua_vercel.json", import.meta.url)),
  );
  // every object key to snake_case (protobuf's JSON printers with the proto names kept)
  const snake = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(snake) : v && typeof v === "object"
      ? Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
          snake(x),
        ]),
      )
      : v;
  const snaked = JSON.stringify(snake(JSON.parse(text)));
  assert.ok(snaked.includes('"resource_spans"') && snaked.includes('"start_time_unix_nano"'));
  const camel = fromTraceText(text, { file: "t.json" });
  const proto = fromTraceText(snaked, { file: "t.json" });
  assert.equal(proto.formats?.["t.json"], "otlp");
  assert.ok(camel.calls.height > 0);
  assert.deepEqual(proto.calls.toRecords(), camel.calls.toRecords());
  assert.deepEqual(proto.diagnostics.toRecords(), camel.diagnostics.toRecords());
});

Deno.test("otlp: oteltest's file (OpenLIT 1.33.0 under LangChain): the OTLP requests in trace_requests[].pbreq are read, each LangChain span wrapping its OpenAI call", async () => {
  type Attr = { key: string; value: Record<string, unknown> };
  type OtlpSpan = {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    startTimeUnixNano: string;
    endTimeUnixNano: string;
    attributes: Attr[];
  };
  const path = fixture("otlp_oteltest_openlit.excerpt.json");
  // read here, not by tracebook: every span of every request
  const doc = JSON.parse(Deno.readTextFileSync(path)) as {
    trace_requests: { pbreq: { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] } }[];
  };
  const spans = doc.trace_requests.flatMap((r) =>
    r.pbreq.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans))
  );
  const attrs = (s: OtlpSpan) =>
    Object.fromEntries(s.attributes.map((x) => [x.key, Object.values(x.value)[0]]));
  // the LangChain spans (gen_ai.system "langchain", their own token estimates) are the parents
  // of the OpenAI spans: the calls are the spans no span names as its parent
  const parents = new Set(spans.map((s) => s.parentSpanId));
  const calls = spans.filter((s) => !parents.has(s.spanId));
  assert.equal(calls.length, 2);
  assert.ok(calls.every((s) => attrs(s)["gen_ai.system"] === "openai"));
  const t = await loadAs(path, "otlp");
  // protobuf's JSON printer writes the ids' bytes in base64 (OTLP/JSON writes them in hex): they
  // are the W3C ids in hex, as every other format gives them
  const hex = (base64: string) =>
    [...atob(base64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "parent_span_id",
      "model",
      "status",
      "input_tokens",
      "output_tokens",
      "duration_s",
      "ttft_s",
    ),
    calls.map((s) => ({
      request_id: hex(s.spanId), // "K1hO3xWK4TI=" is 2b584edf158ae132
      session_id: hex(s.traceId),
      parent_span_id: hex(s.parentSpanId!),
      model: attrs(s)["gen_ai.request.model"], // gpt-3.5-turbo
      status: "ok",
      input_tokens: Number(attrs(s)["gen_ai.usage.input_tokens"]), // 39, 38
      output_tokens: Number(attrs(s)["gen_ai.usage.output_tokens"]), // 7, 110
      duration_s: Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e9,
      ttft_s: attrs(s)["gen_ai.server.time_to_first_token"],
    })),
  );
  // every span is an event, the wrappers too
  assert.equal(t.events.height, spans.length);
});

Deno.test("otlp: oteltest's metric_requests are not read, said once as an OTLP metric export's are", () => {
  // the OpenLIT excerpt (its metric_requests left empty) with two metric requests, as oteltest
  // writes each OTLP/HTTP request it received: {pbreq, headers}
  const doc = JSON.parse(
    Deno.readTextFileSync(fixture("otlp_oteltest_openlit.excerpt.json")),
  ) as { metric_requests: unknown[] };
  const metrics = {
    resourceMetrics: [{
      resource: { attributes: [] },
      scopeMetrics: [{
        scope: { name: "openlit" },
        metrics: [{ name: "gen_ai.client.token.usage" }],
      }],
    }],
  };
  doc.metric_requests = [1, 2].map(() => ({ pbreq: metrics, headers: {} }));
  const t = fromTraceText(JSON.stringify(doc), { file: "oteltest.json" });
  assert.equal(t.formats?.["oteltest.json"], "otlp");
  assert.equal(t.calls.height, 2); // the spans are read as before
  assert.deepEqual(rows(t.diagnostics, "line", "code", "message", "severity"), [{
    line: 1,
    code: "otlp_metrics",
    message:
      "2 metric exports are not read (metrics sum what the spans and events give call by call)",
    severity: "warning",
  }]);
});

Deno.test("otlp: Grafana Tempo's trace ({batches}: its API and Grafana's 'Download traces'; {trace: {resourceSpans}}: its API v2) reads as the OTLP request it wraps", () => {
  // real spans (OpenLIT's, from oteltest's file) as the plain OTLP request and in Tempo's envelopes
  const doc = JSON.parse(
    Deno.readTextFileSync(fixture("otlp_oteltest_openlit.excerpt.json")),
  ) as { trace_requests: { pbreq: { resourceSpans: Record<string, unknown>[] } }[] };
  const resourceSpans = doc.trace_requests[0]!.pbreq.resourceSpans;
  const plain = fromTraceText(JSON.stringify({ resourceSpans }, null, 2), { file: "t.json" });
  assert.equal(plain.calls.height, 2);
  // Tempo before 2.0 and older collectors: the scope spans under their first name
  const older = resourceSpans.map(({ scopeSpans, ...rest }) => ({
    ...rest,
    instrumentationLibrarySpans: scopeSpans,
  }));
  const envelopes = [
    { batches: resourceSpans },
    { batches: older },
    { trace: { resourceSpans }, metrics: { inspectedBytes: "1024" } },
  ];
  for (const envelope of envelopes) {
    const text = JSON.stringify(envelope, null, 2);
    const t = fromTraceText(text, { file: "t.json" });
    assert.equal(t.formats?.["t.json"], "otlp", text.slice(0, 40));
    assert.deepEqual(t.calls.toRecords(), plain.calls.toRecords());
    assert.deepEqual(t.events.height, plain.events.height);
    assert.equal(t.diagnostics.height, 0);
    // a file whose first object is longer than the sample: detected by its key and what the
    // sample shows of it
    assert.equal(detectFormat(sampleOfText(text.slice(0, 2000), "t.json"))?.name, "otlp");
  }
  // other objects with these keys are not OTLP
  for (const text of ['{"batches": [{"id": 1, "rows": 3}]}', '{"trace": {"id": "t1"}}']) {
    assert.notEqual(detectFormat(sampleOfText(text, "x.json"))?.name, "otlp", text);
  }
});

Deno.test("otlp: Phoenix's 'Download Traces OTLP JSON' (snake_case spans whose values write every field of the oneof, the unset ones null) reads the set field", async () => {
  type Value = Record<string, unknown>;
  type PhoenixSpan = {
    span_id: string;
    trace_id: string;
    status: { code: number };
    attributes: { key: string; value: Value }[];
  };
  const path = fixture("otlp_phoenix_download.json");
  const doc = JSON.parse(Deno.readTextFileSync(path)) as {
    resource_spans: { scope_spans: { spans: PhoenixSpan[] }[] }[];
  };
  const spans = doc.resource_spans.flatMap((r) => r.scope_spans.flatMap((s) => s.spans));
  // read here: each value is the one field that is not null
  const attrs = (s: PhoenixSpan) =>
    Object.fromEntries(
      s.attributes.map((a) => [a.key, Object.values(a.value).find((x) => x !== null)]),
    );
  assert.ok(
    spans.every((s) => s.attributes.every((a) => Object.values(a.value).includes(null))),
  );
  const llm = spans.filter((s) => attrs(s)["openinference.span.kind"] === "LLM");
  const t = await loadAs(path, "otlp");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "model",
      "status",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
    ),
    llm.map((s) => ({
      request_id: s.span_id,
      session_id: s.trace_id,
      model: JSON.parse(attrs(s)["llm.invocation_parameters"] as string).model, // gpt-4o-mini
      status: s.status.code === 2 ? "error" : "ok",
      // 412 / 18 (256 cache reads), 451 / 9, and none for the failed call
      input_tokens: attrs(s)["llm.token_count.prompt"] ?? null,
      output_tokens: attrs(s)["llm.token_count.completion"] ?? null,
      cache_read_tokens: attrs(s)["llm.token_count.prompt_details.cache_read"] ?? null,
    })),
  );
});

Deno.test("otlp: a page of Phoenix's REST API of OTLP spans ({data: [span], next_cursor}: the spans its 'Download Traces OTLP JSON' wraps) reads as that download", () => {
  const text = Deno.readTextFileSync(fixture("otlp_phoenix_download.json"));
  const doc = JSON.parse(text) as { resource_spans: { scope_spans: { spans: unknown[] }[] }[] };
  const spans = doc.resource_spans.flatMap((r) => r.scope_spans.flatMap((s) => s.spans));
  const download = fromTraceText(text, { file: "t.json" });
  assert.equal(download.calls.height, 3);
  for (const nextCursor of [null, "U3BhbjoxMjM="]) {
    const page = JSON.stringify({ data: spans, next_cursor: nextCursor }, null, 2);
    const t = fromTraceText(page, { file: "t.json" });
    assert.equal(t.formats?.["t.json"], "otlp");
    assert.deepEqual(t.calls.toRecords(), download.calls.toRecords());
    assert.equal(t.events.height, spans.length);
    assert.equal(detectFormat(sampleOfText(page.slice(0, 2000), "t.json"))?.name, "otlp");
  }
  // Phoenix's own span pages stay openinference's, and pages of something else are no spans
  assert.equal(
    detectFormat(
      sampleOfText(
        '{"data": [{"name": "llm", "context": {"trace_id": "t", "span_id": "s"}, "span_kind": "LLM", "start_time": "2024-01-01T12:00:00Z"}], "next_cursor": null}',
        "x.json",
      ),
    )?.name,
    "openinference",
  );
  assert.notEqual(
    detectFormat(sampleOfText('{"data": [{"id": 1}], "next_cursor": null}', "x.json"))?.name,
    "otlp",
  );
});

Deno.test("otlp: a LiteLLM span (its call type in llm.request.type: acompletion) is a call; its aembedding span is not", async () => {
  type Attr = { key: string; value: Record<string, unknown> };
  type OtlpSpan = {
    spanId: string;
    startTimeUnixNano: string;
    endTimeUnixNano: string;
    attributes: Attr[];
  };
  const path = fixture("otlp_litellm_acompletion.json");
  const text = Deno.readTextFileSync(path);
  const span = (JSON.parse(text) as {
    resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
  }).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  const a = Object.fromEntries(span.attributes.map((x) => [x.key, Object.values(x.value)[0]]));
  assert.equal(a["llm.request.type"], "acompletion");
  const t = await loadAs(path, "otlp");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "provider",
      "status",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "duration_s",
    ),
    [{
      request_id: "cb5620bf9758d233", // its spanId "y1Ygv5dY0jM=", base64, in hex
      model: a["gen_ai.request.model"], // gemini-2.5-pro-exp-03-25
      provider: a["gen_ai.system"], // vertex_ai
      status: "ok",
      input_tokens: Number(a["gen_ai.usage.prompt_tokens"]), // 1
      output_tokens: Number(a["gen_ai.usage.completion_tokens"]), // 10
      total_tokens: Number(a["llm.usage.total_tokens"]), // 574, as LiteLLM wrote it
      duration_s: Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e9,
    }],
  );
  // the same span of an embeddings request is an event, no call
  const embedding = fromTraceText(text.replace('"acompletion"', '"aembedding"'), {
    file: "e.json",
  });
  assert.equal(embedding.calls.height, 0);
  assert.equal(embedding.events.height, 1);
});

Deno.test("OpenLLMetry's association properties name the session: session_id, else LangGraph's thread_id", () => {
  const span = (trace: string, id: string, key?: string, value?: string) => ({
    traceId: trace,
    spanId: id,
    name: "openai.chat",
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000001000000000",
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
      ...(key ? [{ key, value: { stringValue: value } }] : []),
    ],
  });
  const request = {
    resourceSpans: [{
      scopeSpans: [{
        spans: [
          span("t1", "a", "traceloop.association.properties.session_id", "chat-42"),
          span("t2", "b", "traceloop.association.properties.thread_id", "thread-7"),
          span("t3", "c"),
        ],
      }],
    }],
  };
  const t = fromTraceText(JSON.stringify(request) + "\n");
  // by hand: the attribute's value, else the trace
  assert.deepEqual(t.calls.getColumn("session_id").toArray(), ["chat-42", "thread-7", "t3"]);
});

Deno.test("otlp: OpenInference's LangChain.js spans: an answer recorded as its role alone has the text of LangChain's result in output.value", async () => {
  // three calls of @arizeai/openinference-instrumentation-langchain 4.1.1 (@langchain/openai
  // 1.5.8 with useResponsesApi, @langchain/anthropic 1.5.11) against a local mock server
  const path = fixture("otlp_openinference_langchain_js.json");
  const t = await loadTraces(path, { cache: false, keepText: true });
  assert.deepEqual(rows(t.calls, "span_id", "output_chars"), [
    // the Responses API's answer, content blocks: llm.output_messages.0 holds its role alone;
    // "It is sunny in Paris." is 2+1+2+1+5+1+2+1+6 = 21 characters
    { span_id: "a440475e939392e5", output_chars: 21 },
    // a tool call alone: its generation's text is "" (not output.value, the raw result)
    { span_id: "00e9fdaec8917de7", output_chars: 0 },
    // a string content is the message's content: "Hello from the mock." is 20 characters
    { span_id: "626afa72fe0affa4", output_chars: 20 },
  ]);
  assert.equal(t.calls.getColumn("output").toArray()[0], "It is sunny in Paris.");
});

Deno.test("otlp: OpenInference's LangChain.js spans: the served model is the one LangChain's result names, not llm.model_name (the requested one)", async () => {
  const t = await loadTraces(fixture("otlp_openinference_langchain_js.json"), { cache: false });
  assert.deepEqual(rows(t.calls, "model", "served_model"), [
    // llm.model_name and llm.invocation_parameters' model: gpt-4o-mini; output.value's
    // generations[0][0].message.kwargs.response_metadata.model_name: the dated model
    { model: "gpt-4o-mini", served_model: "gpt-4o-mini-2024-07-18" },
    { model: "gpt-4o-mini", served_model: "gpt-4o-mini-2024-07-18" },
    // Anthropic's: response_metadata.model (and llmOutput.model)
    { model: "claude-sonnet-4-5", served_model: "claude-sonnet-4-5-20250929" },
  ]);
});

Deno.test("otlp: OpenInference's LangChain.js spans: cache writes (and reads) from LangChain's usage_metadata in output.value, when the attributes give none", async () => {
  const t = await loadTraces(fixture("otlp_openinference_langchain_js.json"), { cache: false });
  const claude = t.calls.filter(pl.col("span_id").eq(pl.lit("626afa72fe0affa4")));
  // ChatAnthropic's span: llm.token_count.prompt 6000 (Anthropic's 5,000 + 800 read + 200 written),
  // llm.token_count.prompt_details.cache_read 800, no cache write; its result's
  // usage_metadata.input_token_details: {cache_creation: 200, cache_read: 800}. At
  // claude-sonnet-4-5's list prices ($3 input, $3.75 5-minute write, $0.30 read, $15 output per
  // million): 5000 × 3 + 200 × 3.75 + 800 × 0.3 + 20 × 15 = 16,290 → 0.01629 USD
  const [row] = rows(claude, "input_tokens", "cache_read_tokens", "cache_write_tokens", "cost_usd");
  assert.deepEqual({ ...row, cost_usd: Number((row!.cost_usd as number).toFixed(8)) }, {
    input_tokens: 6000,
    cache_read_tokens: 800,
    cache_write_tokens: 200,
    cost_usd: 0.01629,
  });
});

Deno.test("otlp: Mastra's mastra.completion_start_time (when the first chunk came) less its chat span's start is the time to first token", async () => {
  // an agent's streamed answer, exported by @mastra/otel-exporter 1.4.0 (@mastra/core 1.71.0)
  const t = await loadAs(fixture("otlp_mastra_1.4.json"), "otlp");
  // the chat span (865a0d28ed60c4fd) starts at 1796213272862000000 ns = 12:07:52.862Z; its
  // mastra.completion_start_time is 2026-12-02T12:07:53.174Z: 53.174 - 52.862 = 0.312 s
  assert.deepEqual(rows(t.calls, "span_id", "ttft_s"), [
    { span_id: "865a0d28ed60c4fd", ttft_s: 0.312 },
  ]);
});

Deno.test("otlp: Mastra 1.x's gen_ai.provider.name, named with its API as the AI SDK's ids are (openai.chat), is the provider", async () => {
  // @mastra/otel-exporter 1.4.0's chat span: gen_ai.provider.name = "openai.chat" (the AI SDK's
  // provider id of @ai-sdk/openai's chat model)
  const t = await loadAs(fixture("otlp_mastra_1.4.json"), "otlp");
  assert.deepEqual(rows(t.calls, "span_id", "provider"), [
    { span_id: "865a0d28ed60c4fd", provider: "openai" },
  ]);
});

Deno.test("otlp: Mastra 1.x's chat span takes its prompt from the model step above it (mastra.model_step.input)", async () => {
  // @mastra/otel-exporter 1.4.0: the chat span records the answer alone; its parent agent_step
  // span (8c1a946c5ae3e06e) the request, mastra.model_step.input = the system message
  // "Be brief." (9 characters) and the user's "Say hello." (10): 19; the answer "Hello from the
  // mock." is 20
  const path = fixture("otlp_mastra_1.4.json");
  const t = await loadAs(path, "otlp");
  assert.deepEqual(rows(t.calls, "span_id", "parent_span_id", "prompt_chars", "output_chars"), [
    {
      span_id: "865a0d28ed60c4fd",
      parent_span_id: "8c1a946c5ae3e06e",
      prompt_chars: 19,
      output_chars: 20,
    },
  ]);
  const kept = await loadTraces(path, { cache: false, keepText: true });
  assert.deepEqual(
    JSON.parse(String(kept.calls.getColumn("messages").get(0))).map((m: { content: string }) =>
      m.content
    ),
    ["Be brief.", "Say hello."],
  );
  // read again for the shown calls alone (the report's way): the step is kept whole for them
  const shown = callTextReader(t)!.withTexts(t.calls);
  assert.equal(shown.getColumn("messages").get(0), kept.calls.getColumn("messages").get(0));
});

Deno.test("otlp: OpenLLMetry JS's Anthropic instrumentation (its scope) counts the cache reads and writes it records beside its input, in the input and the total", async () => {
  // @traceloop/instrumentation-anthropic 0.27.0 over @anthropic-ai/sdk 0.80.0, against a local
  // mock whose usage is {input_tokens: 5000, output_tokens: 20, cache_read_input_tokens: 800,
  // cache_creation_input_tokens: 200}: the span writes input_tokens 5000 and total_tokens 5020
  const path = fixture("otlp_openllmetry_anthropic_js.json");
  const t = await loadAs(path, "otlp");
  assert.deepEqual(rows(t.calls, ...TOKENS, "cache_write_tokens"), [{
    input_tokens: 5000 + 800 + 200, // 6000 sent
    output_tokens: 20,
    total_tokens: 5020 + 800 + 200,
    cache_read_tokens: 800,
    reasoning_tokens: null,
    cache_write_tokens: 200,
  }]);
  // another instrumentation's span (OpenLLMetry's Python one counts the cache in its input) is
  // read as written
  const other = readFileSync(path, "utf8").replace(
    '"name":"@traceloop/instrumentation-anthropic"',
    '"name":"opentelemetry.instrumentation.anthropic"',
  );
  assert.notEqual(other, readFileSync(path, "utf8"));
  const py = fromTraceText(other, { file: "py.json" });
  assert.deepEqual(rows(py.calls, "input_tokens", "total_tokens"), [
    { input_tokens: 5000, total_tokens: 5020 },
  ]);
});

Deno.test("otlp: the Vercel AI SDK 5's Bedrock providers leave the cache out of their input: added to it and to the total", async () => {
  // two OTLP/JSON requests (@opentelemetry/exporter-trace-otlp-http 0.200.0) of ai 5.0.277's spans
  // under Node 20, against a local mock: @ai-sdk/amazon-bedrock 3.0.137's Converse provider
  // streaming (ConverseStream's metadata: usage {inputTokens: 80, cacheReadInputTokens: 3500,
  // cacheWriteInputTokens: 100, outputTokens: 130}) and its Anthropic provider
  // (`bedrock.anthropic.messages`, InvokeModel: {input_tokens: 30, cache_read_input_tokens: 1500,
  // cache_creation_input_tokens: 700, output_tokens: 60}). The spans give Bedrock's inputTokens and
  // Anthropic's input_tokens as the input (ai.usage.inputTokens 80, 30), the Converse cache writes
  // only in the provider metadata's bedrock.usage
  const t = await loadAs(fixture("otlp_ai_sdk5_bedrock.jsonl"), "otlp");
  assert.deepEqual(rows(t.calls, "provider", ...TOKENS, "cache_write_tokens"), [
    {
      provider: "amazon-bedrock",
      input_tokens: 80 + 3500 + 100,
      output_tokens: 130,
      total_tokens: 80 + 3500 + 100 + 130,
      cache_read_tokens: 3500,
      reasoning_tokens: null,
      cache_write_tokens: 100,
    },
    {
      provider: "bedrock.anthropic.messages",
      input_tokens: 30 + 1500 + 700,
      output_tokens: 60,
      total_tokens: 30 + 1500 + 700 + 60,
      cache_read_tokens: 1500,
      reasoning_tokens: null,
      cache_write_tokens: 700,
    },
  ]);
  // its generateText span over Converse (the same run: {70, 2500, 300, 110}) records the writes
  // and not the reads (no ai.usage.cachedInputTokens): the writes are added; AI SDK 6's, which
  // counts the cache in its input with its usage details beside it, is read as written
  const span = (attributes: Record<string, unknown>) =>
    JSON.stringify({
      resourceSpans: [{
        scopeSpans: [{
          scope: { name: "ai" },
          spans: [{
            traceId: "0af7651916cd43dd8448eb211c80319c",
            spanId: "b7ad6b7169203331",
            name: "ai.generateText.doGenerate",
            startTimeUnixNano: "1700000000000000000",
            endTimeUnixNano: "1700000000300000000",
            attributes: Object.entries({
              "ai.model.provider": "amazon-bedrock",
              "ai.model.id": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
              "gen_ai.request.model": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
              ...attributes,
            }).map(([key, v]) => ({
              key,
              value: typeof v === "number" ? { intValue: v } : { stringValue: v },
            })),
          }],
        }],
      }],
    });
  const v5 = fromTraceText(
    span({
      "ai.response.providerMetadata":
        '{"bedrock":{"usage":{"cacheWriteInputTokens":300},"stopSequence":null}}',
      "ai.usage.promptTokens": 70,
      "ai.usage.completionTokens": 110,
      "gen_ai.usage.input_tokens": 70,
      "gen_ai.usage.output_tokens": 110,
    }),
    { file: "ai5.json" },
  );
  assert.deepEqual(rows(v5.calls, "input_tokens", "total_tokens", "cache_write_tokens"), [
    { input_tokens: 70 + 300, total_tokens: 70 + 300 + 110, cache_write_tokens: 300 },
  ]);
  const v6 = fromTraceText(
    span({
      "ai.response.providerMetadata":
        '{"bedrock":{"usage":{"cacheWriteInputTokens":300},"stopSequence":null}}',
      "ai.usage.inputTokens": 2870,
      "ai.usage.inputTokenDetails.noCacheTokens": 70,
      "ai.usage.inputTokenDetails.cacheReadTokens": 2500,
      "ai.usage.inputTokenDetails.cacheWriteTokens": 300,
      "ai.usage.outputTokens": 110,
      "ai.usage.totalTokens": 2980,
      "gen_ai.usage.input_tokens": 2870,
      "gen_ai.usage.output_tokens": 110,
    }),
    { file: "ai6.json" },
  );
  assert.deepEqual(rows(v6.calls, "input_tokens", "total_tokens", "cache_read_tokens"), [
    { input_tokens: 70 + 2500 + 300, total_tokens: 70 + 2500 + 300 + 110, cache_read_tokens: 2500 },
  ]);
});

Deno.test("otlp: an OpenInference LLM span with no token counts: the Anthropic message it records in output.value, its input_tokens with the cache added", () => {
  // @arizeai/openinference-instrumentation-anthropic 0.2.8 (a run against a mock, usage
  // {input_tokens: 40, cache_creation_input_tokens: 500, cache_read_input_tokens: 2000,
  // output_tokens: 90}) writes llm.token_count.prompt 2540, the cache counted: read as it is. The
  // same span without its token counts is read from the message in output.value, whose
  // input_tokens leave out the cache
  const message = {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [{ type: "text", text: "Bonjour!" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 40,
      cache_creation_input_tokens: 500,
      cache_read_input_tokens: 2000,
      output_tokens: 90,
    },
  };
  const span = (counts: Record<string, number>) =>
    JSON.stringify({
      resourceSpans: [{
        scopeSpans: [{
          scope: { name: "@arizeai/openinference-instrumentation-anthropic", version: "0.2.8" },
          spans: [{
            traceId: "0af7651916cd43dd8448eb211c80319c",
            spanId: "b7ad6b7169203331",
            name: "Anthropic Messages",
            startTimeUnixNano: "1700000000000000000",
            endTimeUnixNano: "1700000000300000000",
            attributes: Object.entries({
              "openinference.span.kind": "LLM",
              "llm.provider": "anthropic",
              "llm.model_name": "claude-sonnet-4-5-20250929",
              "output.value": JSON.stringify(message),
              ...counts,
            }).map(([key, v]) => ({
              key,
              value: typeof v === "number" ? { intValue: v } : { stringValue: v },
            })),
          }],
        }],
      }],
    });
  const cols = ["input_tokens", "output_tokens", "total_tokens", "cache_read_tokens"];
  const expected = [{
    input_tokens: 40 + 2000 + 500,
    output_tokens: 90,
    total_tokens: 40 + 2000 + 500 + 90,
    cache_read_tokens: 2000,
  }];
  const counted = span({
    "llm.token_count.prompt": 2540,
    "llm.token_count.completion": 90,
    "llm.token_count.total": 2630,
    "llm.token_count.prompt_details.cache_write": 500,
    "llm.token_count.prompt_details.cache_read": 2000,
  });
  assert.deepEqual(rows(fromTraceText(counted, { file: "oi.json" }).calls, ...cols), expected);
  assert.deepEqual(rows(fromTraceText(span({}), { file: "oi.json" }).calls, ...cols), expected);
});

Deno.test("otlp: OpenLLMetry JS's @google/genai instrumentation (its scope) counts Gemini's thinking in the output and its tools' prompt in the input", async () => {
  // the OTLP/JSON request (@opentelemetry/exporter-trace-otlp-http 0.223) of the spans
  // @traceloop/instrumentation-google-generativeai 0.27.0 made under Node 20 for @google/genai
  // 1.52.0 against a local mock: generateContent answering usageMetadata {promptTokenCount: 1200,
  // cachedContentTokenCount: 1000, candidatesTokenCount: 40, thoughtsTokenCount: 100,
  // toolUsePromptTokenCount: 60, totalTokenCount: 1400}; generateContentStream whose last chunk
  // has {promptTokenCount: 30, candidatesTokenCount: 15, thoughtsTokenCount: 200,
  // totalTokenCount: 245}; a 429. The spans write the candidates alone as the output tokens, the
  // thoughts as gen_ai.usage.reasoning_tokens, the prompt (no tool-use count) as the input
  const t = await loadAs(fixture("otlp_openllmetry_google_genai_js.json"), "otlp");
  assert.deepEqual(rows(t.calls, ...TOKENS, "cost_usd"), [
    {
      input_tokens: 1200 + 60, // the prompt and the tools' prompt: both billed as input
      output_tokens: 40 + 100, // the answer and the thinking: both billed as output
      total_tokens: 1400,
      cache_read_tokens: 1000,
      reasoning_tokens: 100,
      // Gemini 2.5 Flash: $0.30/M input, $0.03/M cached input, $2.50/M output:
      // 260 × 0.3 + 1000 × 0.03 + 140 × 2.5 = 78 + 30 + 350 = 458 per million
      cost_usd: 0.000458,
    },
    {
      input_tokens: 30,
      output_tokens: 15 + 200,
      total_tokens: 245,
      cache_read_tokens: null,
      reasoning_tokens: 200,
      // Gemini 2.5 Pro: $1.25/M input, $10/M output: 30 × 1.25 + 215 × 10 = 2187.5 per million
      cost_usd: 0.0021875,
    },
    {
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cache_read_tokens: null,
      reasoning_tokens: null,
      cost_usd: null,
    },
  ]);
});

Deno.test("otlp: OpenInference's JS OpenAI instrumentation before 4.x names no cache reads, reasoning or finish reason: those of the response it records in output.value", async () => {
  // the OTLP/JSON request @opentelemetry/exporter-trace-otlp-http 0.52.1 sent for
  // @arizeai/openinference-instrumentation-openai 2.0.2 (openai 4.70.0, a local mock answering
  // usage {prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: {cached_tokens:
  // 1000}, completion_tokens_details: {reasoning_tokens: 100}} and finish_reason "stop"): the span
  // has llm.token_count.prompt / completion / total alone
  const t = await loadAs(fixture("otlp_openinference_openai_2.0.json"), "otlp");
  assert.deepEqual(rows(t.calls, ...TOKENS, "finish_reason", "output_chars"), [
    {
      input_tokens: 1200,
      output_tokens: 300,
      total_tokens: 1500,
      cache_read_tokens: 1000,
      reasoning_tokens: 100,
      finish_reason: "stop",
      output_chars: "Hello from mock.".length, // 16
    },
  ]);
});

Deno.test("otlp: Claude Code's OpenTelemetry events (a Collector's file of its log records and metrics) are its calls: claude_code.api_request, and api_error as an error", async () => {
  // Claude Code 2.1.332 (CLAUDE_CODE_ENABLE_TELEMETRY=1, OTEL_LOGS_EXPORTER=otlp, http/json) run
  // twice against a local mock: `claude -p` with a Bash round trip (the mock's usage: 120 input,
  // 1000 cache reads, 200 cache writes, 30 output; then 150, 1200, 0, 12), and a prompt the mock
  // refused with a 400 ("mock: prompt refused"); each OTLP request one line, as a Collector's file
  // exporter writes them (an excerpt: other events and metrics left out)
  const t = await loadAs(fixture("otlp_claude_code_2.1.332_events.jsonl"), "otlp");
  const ok = "a796e7ef-f309-47b8-a10b-8ae78c121286",
    failed = "e640edb1-dcd6-40ea-8a35-e3add12a7e82";
  assert.deepEqual(
    rows(
      t.calls,
      "session_id",
      "request_id",
      "model",
      "provider",
      "status",
      "error",
      "duration_s",
      "ttft_s",
    ),
    [
      // duration_ms and ttft_ms of each event
      {
        session_id: ok,
        request_id: "req_mock_2",
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        status: "ok",
        error: null,
        duration_s: 0.615,
        ttft_s: 0.407,
      },
      {
        session_id: ok,
        request_id: "req_mock_3",
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        status: "ok",
        error: null,
        duration_s: 0.304,
        ttft_s: 0.282,
      },
      {
        session_id: failed,
        request_id: "req_fail",
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        status: "error",
        error: "mock: prompt refused (status 400)",
        duration_s: 0.035,
        ttft_s: null,
      },
    ],
  );
  assert.deepEqual(rows(t.calls, ...TOKENS, "cache_write_tokens"), [
    // the whole prompt: Anthropic's input (without the cache) + cache reads + cache writes
    {
      input_tokens: 120 + 1000 + 200,
      output_tokens: 30,
      total_tokens: 1320 + 30,
      cache_read_tokens: 1000,
      reasoning_tokens: null,
      cache_write_tokens: 200,
    },
    {
      input_tokens: 150 + 1200 + 0,
      output_tokens: 12,
      total_tokens: 1350 + 12,
      cache_read_tokens: 1200,
      reasoning_tokens: null,
      cache_write_tokens: 0,
    },
    {
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cache_read_tokens: null,
      reasoning_tokens: null,
      cache_write_tokens: null,
    },
  ]);
  // the event is written when the response ended (event.timestamp 15:10:23.288Z): it started
  // duration_ms before
  assert.deepEqual(rows(t.calls, "started_at", "ended_at")[0], {
    started_at: new Date("2026-12-02T15:10:22.673Z"),
    ended_at: new Date("2026-12-02T15:10:23.288Z"),
  });
  // claude-sonnet-4-5 at $3 / $15 per million, cache reads $0.30, 5-minute writes $3.75:
  // 120×3 + 1000×0.3 + 200×3.75 + 30×15 = 1860 µ$; 150×3 + 1200×0.3 + 12×15 = 990 µ$ (the
  // cost_usd Claude Code wrote beside them, 0.00186 and 0.00099)
  const costs = t.calls.getColumn("cost_usd").toArray() as (number | null)[];
  assert.deepEqual(costs.map((c) => c === null ? null : Math.round(c * 1e6)), [1860, 990, null]);
  assert.deepEqual(rows(t.sessions, "session_id", "calls", "errors"), [
    { session_id: ok, calls: 2, errors: 0 },
    { session_id: failed, calls: 1, errors: 1 },
  ]);
  // every log record is an event of its name; the metric export is one warning, not an error
  assert.deepEqual(t.events.getColumn("type").toArray(), [
    "claude_code.user_prompt",
    "claude_code.api_request",
    "claude_code.tool_result",
    "claude_code.api_request",
    "claude_code.user_prompt",
    "claude_code.api_error",
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "otlp_metrics", severity: "warning" }, // the excerpt's first line
  ]);
});

Deno.test("otlp: Claude Code's beta tracing (its llm_request spans beside its api_request events): each request is one call, the span's, with the event's time to first token", async () => {
  // the same Bash round trip with CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1 and OTEL_TRACES_EXPORTER:
  // two claude_code.llm_request spans under the claude_code.interaction span, and the two
  // api_request events (which name the interaction span, not the request's)
  const t = await loadAs(fixture("otlp_claude_code_2.1.332_beta_tracing.jsonl"), "otlp");
  assert.deepEqual(
    rows(t.calls, "request_id", "parent_span_id", "input_tokens", "cache_write_tokens", "ttft_s"),
    [
      // the spans' gen_ai.usage.input_tokens count the cache in: 120 + 1000 + 200, 150 + 1200
      {
        request_id: "aef1e18ceaddc79a",
        parent_span_id: "707406e084b559c6",
        input_tokens: 1320,
        cache_write_tokens: 200,
        ttft_s: 0.337,
      },
      {
        request_id: "92c84a909b60f92d",
        parent_span_id: "707406e084b559c6",
        input_tokens: 1350,
        cache_write_tokens: 0,
        ttft_s: 0.346,
      },
    ],
  );
  const costs = t.calls.getColumn("cost_usd").toArray() as number[];
  assert.deepEqual(costs.map((c) => Math.round(c * 1e6)), [1860, 990]);
});

Deno.test("otlp: a model named only as the span's resource names it (kagent's Claude Code tool spans) makes no call; a span that names its own operation or counts tokens still does", async () => {
  // an excerpt of kagent's recording of a Claude Code 2.1.285 agent (agentevals-dev/agentevals,
  // tests/fixtures/otlp/kagent/v1.0.0-alpha9/claude_recipe_2turn.json @ 6c3880aa): kagent puts
  // gen_ai.request.model=claude-haiku-4-5 and gen_ai.provider.name=anthropic in the resource, and
  // Claude Code repeats its resource attributes on every span, its tool spans too. Of the 7 spans
  // one is a model request (claude_code.llm_request, chat); the two claude_code.tool spans are
  // execute_tool, and their claude_code.tool.blocked_on_user and claude_code.tool.execution spans
  // (one failed: "Shell command failed") name no operation: they were read as 4 calls of
  // claude-haiku-4-5 with no tokens, one of them an error
  const t = await loadAs(fixture("otlp_kagent_claude_code_tools.excerpt.json"), "otlp");
  assert.deepEqual(
    rows(t.calls, "request_id", "model", "status", "input_tokens", "cache_write_tokens"),
    // the span's gen_ai.usage.input_tokens, 10 + 0 cache reads + 23030 cache writes
    [{
      request_id: "6f3b4b2c669e6be7",
      model: "claude-haiku-4-5",
      status: "ok",
      input_tokens: 23040,
      cache_write_tokens: 23030,
    }],
  );
  // the tool spans are events of the trace, the failed execution among them
  assert.equal(t.events.height, 7);
  const same = { "gen_ai.request.model": "m", "gen_ai.operation.name": undefined };
  const span = (attributes: Record<string, unknown>, resource: Record<string, unknown>) => ({
    trace_id: "t",
    span_id: "s",
    parent_span_id: null,
    name: "step",
    start_us: 0,
    end_us: 1_000_000,
    status: "ok" as const,
    line: 1,
    attributes,
    resource,
  });
  const { spansToRecords } = await import("../../../src/load/formats/_spans.ts");
  const calls = (a: Record<string, unknown>, r: Record<string, unknown>) =>
    spansToRecords([span(a, r)], "f.json").calls.length;
  assert.equal(calls(same, { "gen_ai.request.model": "m" }), 0);
  // another model than the resource's, tokens counted, or an operation named: a call
  assert.equal(calls(same, { "gen_ai.request.model": "other" }), 1);
  assert.equal(
    calls({ ...same, "gen_ai.usage.input_tokens": 5 }, { "gen_ai.request.model": "m" }),
    1,
  );
  assert.equal(
    calls({ ...same, "gen_ai.operation.name": "chat" }, { "gen_ai.request.model": "m" }),
    1,
  );
});

Deno.test("otlp: Claude Code's llm_request span without the GenAI keys (2.1.285) is one call, read with Anthropic's counts as its api_request events are; its tool spans are not calls", async () => {
  // an excerpt of kagent's recording of Claude Code 2.1.285's own spans, no Collector transform
  // (agentevals-dev/agentevals, tests/fixtures/otlp/kagent/v1.0.0-alpha9/claude_native_2turn.json
  // @ 6c3880aa): its claude_code.llm_request names no operation and writes no gen_ai.usage.*,
  // only span.type llm_request, model, input_tokens 10, output_tokens 219, cache_read_tokens
  // 23030, cache_creation_tokens 827, ttft_ms 489; kagent's resource (gen_ai.request.model) is
  // repeated on it and on the Bash tool's three spans (its execution failed). They were read as 3
  // calls, the request's with no tokens, the failed tool's an error call
  const t = await loadAs(fixture("otlp_kagent_claude_code_native.excerpt.json"), "otlp");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "provider",
      "status",
      ...TOKENS,
      "cache_write_tokens",
      "ttft_s",
    ),
    [{
      request_id: "88aaa98df34e2467",
      model: "claude-haiku-4-5",
      provider: "anthropic",
      status: "ok",
      input_tokens: 23867, // 10 + 23030 + 827: Anthropic's input leaves the cache out
      output_tokens: 219,
      total_tokens: 24086,
      cache_read_tokens: 23030,
      reasoning_tokens: null,
      cache_write_tokens: 827,
      ttft_s: 0.489,
    }],
  );
  assert.equal(t.events.height, 4);
});

Deno.test("otlp: LangSmith's OpenTelemetry export keeps a chat model's LangChain input and result: its prompt, answer, served model and finish reason are read from them", async () => {
  // an excerpt of json/ott-langsmith.json of pmcollins/otel-llm-bakeoff @ d575cdc4 (oteltest's
  // file of a LangChain app run with LANGSMITH_OTEL_ENABLED, langsmith 0.3.x, gpt-3.5-turbo): the
  // ChatOpenAI span (langsmith.span.kind llm, gen_ai.operation.name "chain") records LangChain's
  // input in gen_ai.prompt ({"messages": [[HumanMessage serialized as {lc, type, id, kwargs}]]})
  // and its LLMResult in gen_ai.completion ({generations: [[{text, generation_info, message}]],
  // llm_output}); its ChatPromptTemplate (named chat) and RunnableSequence spans are events
  const t = await loadAs(fixture("otlp_oteltest_langsmith.excerpt.json"), "otlp");
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "served_model",
      "input_tokens",
      "output_tokens",
      "finish_reason",
      "prompt_chars",
      "output_chars",
    ),
    [{
      model: "gpt-3.5-turbo",
      served_model: "gpt-3.5-turbo-0125", // the result's llm_output.model_name
      input_tokens: 39,
      output_tokens: 7,
      finish_reason: "stop", // its generation_info
      // the human message: "\n" + 4 spaces + 68 ("You are … answers.") + "\n\n" + 4 + 40
      // ("Question: What is the capital of France?") + "\n\n" + 4 + 32 ("Please provide a
      // helpful answer:") + "\n" + 4 = 162
      prompt_chars: 162,
      output_chars: 31, // "The capital of France is Paris."
    }],
  );
  assert.equal(t.events.height, 3);
});

Deno.test("otlp: Codex CLI's OpenTelemetry events are its calls: each codex.sse_event response.completed with its tokens, started by the codex.api_request before it; failed requests and streams are error calls", async () => {
  // Codex 0.171.0 (`[otel]` exporter otlp-http, protocol json) run three times with `codex exec`
  // against a local mock of the Responses API: a shell round trip (the mock's usage: input_tokens
  // 3000 with cached_tokens 2500, output_tokens 80 with reasoning_tokens 30, total 3080; then
  // 3300 / 2900, 25 / 5, 3325), a prompt the mock answered with 500s (Codex tried 6 times; it
  // exited before exporting the last attempt's record, so 5 are in the file) and one whose stream
  // the mock ended with response.failed ("mock: stream failed"); each OTLP request one line, as a
  // Collector's file exporter writes them (an excerpt: the other records and attributes left out)
  const t = await loadAs(fixture("otlp_codex_0.171.0_events.jsonl"), "otlp");
  const ok = "01a2376b-056d-7db0-8f6a-d7e2d9906f7d",
    failed = "01a2376b-7954-73a3-9f1c-d6b3f7cb7bed",
    stream = "01a2376c-0646-74a0-bfdc-d888c1211aa4";
  assert.deepEqual(rows(t.calls, ...TOKENS, "cache_write_tokens"), [
    // OpenAI's counts as the mock sent them: the input holds the cached tokens, the output the
    // reasoning
    {
      input_tokens: 3000,
      output_tokens: 80,
      total_tokens: 3080,
      cache_read_tokens: 2500,
      reasoning_tokens: 30,
      cache_write_tokens: 0,
    },
    {
      input_tokens: 3300,
      output_tokens: 25,
      total_tokens: 3325,
      cache_read_tokens: 2900,
      reasoning_tokens: 5,
      cache_write_tokens: 0,
    },
    ...Array(6).fill({
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cache_read_tokens: null,
      reasoning_tokens: null,
      cache_write_tokens: null,
    }),
  ]);
  // a response started when its api_request was sent (the request's event.timestamp, when the
  // headers came, less its duration_ms) and ended at its response.completed: 31.025 − 0.390 =
  // 30.635 to 31.126; 32.360 − 0.301 = 32.059 to 32.462; a failed attempt lasted its duration_ms
  const at = (s: string) => new Date(`2026-12-02T15:${s}Z`);
  assert.deepEqual(
    rows(t.calls, "session_id", "model", "provider", "status", "error", "started_at", "duration_s"),
    [
      [ok, "ok", null, "41:30.635", 0.491],
      [ok, "ok", null, "41:32.059", 0.403],
      [failed, "error", "http 500", "42:00.241", 0.064],
      [failed, "error", "http 500", "42:00.515", 0.003],
      [failed, "error", "http 500", "42:00.930", 0.004],
      [failed, "error", "http 500", "42:01.156", 0.05],
      [failed, "error", "http 500", "42:01.389", 0.003],
      // 36.616 − 0.219 = 36.397 to the response.completed that says the stream failed, 36.716
      [
        stream,
        "error",
        "stream disconnected before completion: mock: stream failed",
        "42:36.397",
        0.319,
      ],
    ].map(([session_id, status, error, start, duration_s]) => ({
      session_id,
      model: "gpt-5-codex",
      // the provider of the conversation's codex.conversation_starts (the config's "Mock"), else
      // openai (the failing runs' conversation_starts are left out of the excerpt)
      provider: session_id === ok ? "mock" : "openai",
      status,
      error,
      started_at: at(start as string),
      duration_s,
    })),
  );
  // gpt-5-codex at $1.25 / $10 per million, cached input $0.125: (3000 − 2500)×1.25 + 2500×0.125
  // + 80×10 = 1737.5 µ$; 400×1.25 + 2900×0.125 + 25×10 = 1112.5 µ$ (in tenths of a µ$)
  const costs = t.calls.getColumn("cost_usd").toArray() as (number | null)[];
  assert.deepEqual(costs.slice(0, 2).map((c) => c === null ? null : Math.round(c * 1e7)), [
    17375,
    11125,
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "calls", "errors"), [
    { session_id: ok, calls: 2, errors: 0 },
    { session_id: failed, calls: 5, errors: 5 },
    { session_id: stream, calls: 1, errors: 1 },
  ]);
  // every record is an event of its name, in the conversation
  assert.deepEqual(t.events.getColumn("type").toArray(), [
    "codex.conversation_starts",
    "codex.user_prompt",
    "codex.api_request",
    "codex.sse_event",
    "codex.tool_result",
    "codex.api_request",
    "codex.sse_event",
    ...Array(5).fill("codex.api_request"),
    "codex.api_request",
    "codex.sse_event",
    "codex.sse_event",
  ]);
  assert.deepEqual(t.events.getColumn("session_id").toArray(), [
    ...Array(7).fill(ok),
    ...Array(5).fill(failed),
    ...Array(3).fill(stream),
  ]);
  assert.deepEqual(rows(t.diagnostics, "code"), []);
});

Deno.test("otlp: a log record's timeUnixNano of 0 is unset: an agent CLI's event without its own event.timestamp takes the observed time", () => {
  // Codex writes timeUnixNano "0" and the observed time (here 2026-12-02T15:41:30.620Z)
  const record = {
    timeUnixNano: "0",
    observedTimeUnixNano: "1796226090620000000",
    attributes: [
      { key: "event.name", value: { stringValue: "codex.user_prompt" } },
      { key: "conversation.id", value: { stringValue: "c1" } },
    ],
  };
  const text = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] });
  const r = parseOtlpText(text, "f.jsonl");
  assert.deepEqual(r.events.map((e) => [e.type, e.session_id, e.ts]), [
    ["codex.user_prompt", "c1", 1796226090620000],
  ]);
});

Deno.test("otlp: Gemini CLI's telemetry sent over OTLP/HTTP: its llm_call spans are its calls, with the tokens, served model and errors of its api_response and api_error records", async () => {
  // Gemini CLI 0.61.0 (settings.json telemetry {enabled, otlpEndpoint, otlpProtocol: "http"}) run
  // twice with `gemini -p` against a local mock of streamGenerateContent: a list_directory round
  // trip (the mock's usageMetadata {promptTokenCount: 1400, cachedContentTokenCount: 700,
  // candidatesTokenCount: 45, thoughtsTokenCount: 35, toolUsePromptTokenCount: 10,
  // totalTokenCount: 1490}, then {1600, 1100, 22, 8, 0, 1630}, modelVersion gemini-2.5-flash-001),
  // and the same prompt whose first request the mock answered with a 503; each OTLP request one
  // line, as a Collector's file exporter writes them (an excerpt: the llm_call spans, the
  // api_response and api_error records, one metric)
  const t = await loadAs(fixture("otlp_gemini_cli_0.61.0.jsonl"), "otlp");
  const first = "00bfc2db-971e-47c0-babe-f10e5cb9bee2",
    second = "3e780d8a-5fe4-4956-9e73-d9d5b9030543";
  // input: the prompt, cache included, + the tool-use prompt; output: the answer + the thinking
  const round = [
    {
      input_tokens: 1400 + 10,
      output_tokens: 45 + 35,
      total_tokens: 1490,
      cache_read_tokens: 700,
      reasoning_tokens: 35,
    },
    {
      input_tokens: 1600,
      output_tokens: 22 + 8,
      total_tokens: 1630,
      cache_read_tokens: 1100,
      reasoning_tokens: 8,
    },
  ];
  const none = {
    input_tokens: null,
    output_tokens: null,
    total_tokens: null,
    cache_read_tokens: null,
    reasoning_tokens: null,
  };
  assert.deepEqual(rows(t.calls, ...TOKENS), [...round, none, ...round]);
  const overloaded = '{"error":{"code":503,"message":"mock: overloaded","status":"UNAVAILABLE"}}';
  assert.deepEqual(
    rows(t.calls, "session_id", "model", "served_model", "status", "error", "finish_reason"),
    [
      [first, "gemini-2.5-flash-001", null],
      [first, "gemini-2.5-flash-001", null],
      [second, null, overloaded],
      [second, "gemini-2.5-flash-001", null],
      [second, "gemini-2.5-flash-001", null],
    ].map(([session_id, served_model, error]) => ({
      session_id,
      model: "gemini-2.5-flash",
      served_model,
      status: error === null ? "ok" : "error",
      error,
      finish_reason: error === null ? "stop" : null,
    })),
  );
  // each call is its llm_call span's time: endTimeUnixNano − startTimeUnixNano
  assert.deepEqual(t.calls.getColumn("duration_s").toArray(), [
    1.170145821, // 1796226944881145821 − 1796226943711000000
    0.405873846,
    0.400778494,
    0.678633213,
    0.343115356,
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "calls", "errors"), [
    { session_id: first, calls: 2, errors: 0 },
    { session_id: second, calls: 3, errors: 1 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 3, code: "otlp_metrics", severity: "warning" },
  ]);
});

Deno.test("otlp: a call's inference.operation.details events each hold its whole prompt: a later one replaces an earlier one, not added to it", () => {
  // Gemini CLI 0.61.0 writes two such events for a request that failed (the request's and the
  // error's), each with the same system instructions and prompt
  const attr = (key: string, value: unknown) => ({
    key,
    value: { stringValue: typeof value === "string" ? value : JSON.stringify(value) },
  });
  const system = "You are terse.", user = "Hi there";
  const details = (extra: object[]) => ({
    timeUnixNano: "1700000001000000000",
    eventName: "gen_ai.client.inference.operation.details",
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    attributes: [
      attr("gen_ai.system_instructions", [{ type: "text", content: system }]),
      attr("gen_ai.input.messages", [{ role: "user", parts: [{ type: "text", content: user }] }]),
      ...extra,
    ],
  });
  const span = {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    name: "llm_call",
    kind: 3,
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000001000000000",
    attributes: [
      attr("gen_ai.operation.name", "generate_content"),
      attr("gen_ai.request.model", "gemini-2.5-flash"),
    ],
    status: { code: 2, message: "503" },
  };
  const text = [
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
    JSON.stringify({
      resourceLogs: [{
        scopeLogs: [{
          logRecords: [details([]), details([attr("error.type", "503")])],
        }],
      }],
    }),
  ].join("\n");
  const t = fromTraceText(text, { file: "g.jsonl", format: "otlp" });
  assert.deepEqual(rows(t.calls, "status", "prompt_chars", "output_chars"), [
    { status: "error", prompt_chars: system.length + user.length, output_chars: null }, // 14 + 8
  ]);
});

Deno.test("otlp: the compaction and advisor iterations of an Anthropic message a span keeps are calls of their own below it", () => {
  // the OpenInference span of the test above, its message's usage with the iterations a real
  // Claude Code 2.1.332 run wrote (claude_code_2.1.332_iterations.jsonl): a compaction (180000
  // in, 3500 out), a claude-opus-4-5 advisor (5000 in, 300 out) and the message (the top-level's)
  const usage = {
    input_tokens: 40,
    output_tokens: 90,
    iterations: [
      { type: "compaction", input_tokens: 180000, output_tokens: 3500 },
      { type: "advisor_message", model: "claude-opus-4-5", input_tokens: 5000, output_tokens: 300 },
      { type: "message", input_tokens: 40, output_tokens: 90 },
      { type: "fallback_message", model: "claude-haiku-4-5", input_tokens: 7, output_tokens: 1 },
    ],
  };
  const message = { id: "msg_1", type: "message", role: "assistant", content: [], usage };
  const text = JSON.stringify({
    resourceSpans: [{
      scopeSpans: [{
        scope: { name: "@arizeai/openinference-instrumentation-anthropic", version: "0.2.8" },
        spans: [{
          traceId: "0af7651916cd43dd8448eb211c80319c",
          spanId: "b7ad6b7169203331",
          name: "Anthropic Messages",
          startTimeUnixNano: "1700000000000000000",
          endTimeUnixNano: "1700000000300000000",
          attributes: Object.entries({
            "openinference.span.kind": "LLM",
            "llm.provider": "anthropic",
            "llm.model_name": "claude-sonnet-4-5-20250929",
            "output.value": JSON.stringify(message),
          }).map(([key, v]) => ({ key, value: { stringValue: v } })),
        }],
      }],
    }],
  });
  const t = fromTraceText(text, { file: "oi.json" });
  assert.deepEqual(
    rows(t.calls, "model", "input_tokens", "output_tokens", "span_id", "parent_span_id"),
    [
      {
        model: "claude-sonnet-4-5-20250929",
        input_tokens: 40,
        output_tokens: 90,
        span_id: "b7ad6b7169203331",
        parent_span_id: null,
      },
      {
        model: "claude-sonnet-4-5-20250929",
        input_tokens: 180000,
        output_tokens: 3500,
        span_id: null,
        parent_span_id: "b7ad6b7169203331",
      },
      {
        model: "claude-opus-4-5",
        input_tokens: 5000,
        output_tokens: 300,
        span_id: null,
        parent_span_id: "b7ad6b7169203331",
      },
    ],
  );
  // the fallback_message iteration (7 + 1 tokens) is not read: one warning
  assert.deepEqual(rows(t.diagnostics, "code", "message"), [{
    code: "iterations_not_counted",
    message:
      "1 response holds usage.iterations of type fallback_message whose usage (8 tokens) is not counted",
  }]);
});
