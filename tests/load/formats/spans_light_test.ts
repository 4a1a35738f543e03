/**
 * Span files read without texts: each span is lightened as it is read (`SpanList`:
 * its call fields read at once, its event's payload made, its attributes
 * dropped), and the records are those of a read that keeps every text, but the
 * texts themselves.
 * @module
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { textSource } from "../../../src/load/formats/source.ts";
import { openinference } from "../../../src/load/formats/openinference.ts";
import { otlp } from "../../../src/load/formats/otlp.ts";
import type { ImportedRecords } from "../../../src/load/formats/_records.ts";
import { detectFormat, sampleFile } from "../../../src/load/mod.ts";
import { allFixtures, STREAMED_SPAN_FORMATS } from "./_helpers.ts";

/** Records of a read with texts, the texts taken out of its calls. */
function withoutTexts(r: ImportedRecords): ImportedRecords {
  return {
    ...r,
    calls: r.calls.map(({ messages: _m, output: _o, ...call }) => call),
  };
}

Deno.test("span files: the records read without texts are those read with them, but the texts", () => {
  const files = allFixtures().filter((p) =>
    STREAMED_SPAN_FORMATS.includes(detectFormat(sampleFile(p))?.name ?? "")
  );
  let clipped = 0;
  for (const path of files) {
    const adapter = detectFormat(sampleFile(path))!;
    const text = readFileSync(path, "utf8");
    const light = adapter.parse!(textSource(text, "f"), "f", { keepText: false });
    const whole = adapter.parse!(textSource(text, "f"), "f", { keepText: true });
    assert.deepEqual(light, withoutTexts(whole), basename(path));
    if (light.events.some((e) => e.payload?.includes(" characters)"))) clipped++;
  }
  // a fixture of every such format, and strings long enough to be clipped
  assert.deepEqual(
    [...new Set(files.map((p) => detectFormat(sampleFile(p))!.name))].sort(),
    STREAMED_SPAN_FORMATS,
  );
  assert.ok(clipped >= 1, `${clipped} files clipped`);
});

const TRACE = "0af7651916cd43dd8448eb211c80319c";

/** One Phoenix span, one line. */
function phoenix(fields: Record<string, unknown>): string {
  return JSON.stringify({
    context: { trace_id: TRACE },
    parent_id: null,
    start_time: 1700000000000,
    status_code: "OK",
    ...fields,
  });
}

Deno.test("span files read without texts: the call's fields, session and error read whole, its payload clipped", () => {
  const text = [
    phoenix({
      name: "ChatCompletion",
      span_kind: "LLM",
      "context.span_id": "b",
      end_time: 1700000002500,
      status_code: "ERROR",
      "attributes.llm.model_name": "gpt-4o-mini",
      "attributes.llm.token_count.prompt": 12,
      "attributes.input.value": "ab".repeat(500),
      "attributes.output.value": "é".repeat(400),
      "attributes.session.id": "s".repeat(350),
      "attributes.error.type": "E".repeat(400),
      "attributes.tags": ["t".repeat(301), "short"],
    }),
    "",
  ].join("\n");
  const r = openinference.parse!(textSource(text, "f"), "f", {});
  assert.equal(r.calls.length, 1);
  const call = r.calls[0]!;
  assert.equal(call.session_id, "s".repeat(350));
  assert.equal(call.status, "error");
  assert.equal(call.error, "E".repeat(400));
  assert.equal(call.model, "gpt-4o-mini");
  assert.equal(call.input_tokens, 12);
  assert.equal(call.duration_s, 2.5);
  assert.equal(call.prompt_chars, 1000);
  assert.equal(call.output_chars, 400);
  assert.equal(call.messages, undefined);
  const payload = JSON.parse(r.events[0]!.payload!);
  assert.equal(payload.attributes["input.value"], "ab".repeat(150) + "… (1000 characters)");
  assert.equal(payload.attributes["output.value"], "é".repeat(300) + "… (400 characters)");
  assert.equal(payload.attributes["session.id"], "s".repeat(300) + "… (350 characters)");
  assert.deepEqual(payload.attributes["tags"], ["t".repeat(300) + "… (301 characters)", "short"]);
  assert.equal(payload.status, "error");
});

const PROMPT = JSON.stringify([{ role: "user", content: "p".repeat(700) }]);

Deno.test("span files read without texts: two records of one span merge whole, as with texts", () => {
  // a start record with the prompt, then the end record with the usage (OTLP, one request a line)
  const request = (span: Record<string, unknown>) =>
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  const base = {
    traceId: TRACE,
    spanId: "c",
    name: "chat",
    startTimeUnixNano: "1700000000000000000",
  };
  const text = [
    request({
      ...base,
      attributes: [
        { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
        { key: "gen_ai.prompt", value: { stringValue: PROMPT } },
      ],
    }),
    request({
      ...base,
      endTimeUnixNano: "1700000001250000000",
      attributes: [
        { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
        { key: "gen_ai.usage.input_tokens", value: { intValue: "30" } },
      ],
    }),
    "",
  ].join("\n");
  const light = otlp.parse!(textSource(text, "f"), "f", {});
  assert.equal(light.calls.length, 1);
  const call = light.calls[0]!;
  assert.equal(call.model, "gpt-4o");
  assert.equal(call.input_tokens, 30);
  assert.equal(call.prompt_chars, 700);
  assert.equal(call.duration_s, 1.25);
  assert.deepEqual(light.diagnostics.map((d) => [d.line, d.code]), [[2, "duplicate_span"]]);
  const whole = otlp.parse!(textSource(text, "f"), "f", { keepText: true });
  assert.equal(whole.calls[0]!.messages, PROMPT);
  assert.deepEqual(light, withoutTexts(whole));
});

Deno.test("span files read without texts: a Phoenix span on two lines merges whole, as with texts", () => {
  const text = [
    phoenix({
      name: "ChatCompletion",
      span_kind: "LLM",
      "context.span_id": "b",
      "attributes.input.value": "q".repeat(600),
    }),
    phoenix({
      name: "ChatCompletion",
      span_kind: "LLM",
      "context.span_id": "b",
      end_time: 1700000000750,
      "attributes.llm.model_name": "gpt-4o-mini",
    }),
    "",
  ].join("\n");
  const light = openinference.parse!(textSource(text, "f"), "f", {});
  assert.deepEqual(
    light.calls.map((c) => [c.model, c.prompt_chars, c.duration_s]),
    [["gpt-4o-mini", 600, 0.75]],
  );
  const whole = openinference.parse!(textSource(text, "f"), "f", { keepText: true });
  assert.deepEqual(light, withoutTexts(whole));
});

/** A random attribute value for `key`: a count, a short or long text, JSON of messages or of a request. */
function randomValue(key: string, rand: () => number): unknown {
  const text = (n: number) => "w".repeat(n) + (rand() < 0.3 ? 'é😀\n"' : "");
  const long = () => Math.floor(rand() * 900);
  if (/tokens|token_count|\.prompt$|completion$|total$/.test(key) && rand() < 0.8) {
    return Math.floor(rand() * 500);
  }
  if (/messages|prompt|completion/.test(key)) {
    return JSON.stringify([{ role: "user", content: text(long()) }, {
      role: "assistant",
      parts: [{ type: "text", content: text(long()) }],
    }]);
  }
  if (/spanInputs|spanOutputs|invocation|inputs/.test(key)) {
    return JSON.stringify({
      model: rand() < 0.5 ? "m-json" : undefined,
      usage: { prompt_tokens: 7, completion_tokens: 3 },
      messages: [{ role: "user", content: text(long()) }],
      choices: [{ message: { role: "assistant", content: text(long()) }, finish_reason: "stop" }],
    });
  }
  if (key === "mlflow.spanType") return rand() < 0.5 ? '"CHAT_MODEL"' : "LLM";
  if (key === "gen_ai.operation.name") {
    return ["chat", "invoke_agent", "execute_tool", "text_completion"][Math.floor(rand() * 4)];
  }
  if (key === "openinference.span.kind") return ["LLM", "CHAIN", "TOOL"][Math.floor(rand() * 3)];
  if (/model/.test(key)) return ["gpt-4o", "claude", "m".repeat(350)][Math.floor(rand() * 3)];
  if (key === "tracebook.status") return rand() < 0.5 ? "pending" : "ok";
  return text(rand() < 0.5 ? 20 : long());
}

/** The attribute keys the call rules read (`callFieldsOf`, `callConvention`, sessions, errors). */
const KEYS = [
  "gen_ai.operation.name",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "gen_ai.system",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.conversation.id",
  "gen_ai.response.finish_reasons",
  "openinference.span.kind",
  "llm.model_name",
  "llm.token_count.prompt",
  "llm.token_count.completion",
  "llm.input_messages.0.message.content",
  "llm.output_messages.0.message.content",
  "llm.invocation_parameters",
  "input.value",
  "output.value",
  "mlflow.spanType",
  "mlflow.spanInputs",
  "mlflow.spanOutputs",
  "mlflow.chat.messages",
  "session.id",
  "error.type",
  "tracebook.status",
  "span_type",
  "inputs",
];

Deno.test("span files read without texts: random OTLP spans over the attributes the rules read give the records read with texts, but the texts", async () => {
  const { seeded } = await import("../../_helpers.ts");
  const rand = seeded(13);
  let calls = 0, duplicates = 0;
  for (let file = 0; file < 60; file++) {
    const lines: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      // now and then a span already read (its records merge), a parent among the spans before
      const id = ids.length && rand() < 0.08 ? ids[Math.floor(rand() * ids.length)]! : `s${i}`;
      ids.push(id);
      const keys = KEYS.filter(() => rand() < 0.3);
      const attributes = keys.map((key) => {
        const v = randomValue(key, rand);
        return { key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } };
      });
      const span = {
        traceId: `t${Math.floor(rand() * 3)}`,
        spanId: id,
        parentSpanId: i > 0 && rand() < 0.6 ? `s${Math.floor(rand() * i)}` : undefined,
        name: "span",
        startTimeUnixNano: String(1700000000000000000n + BigInt(i) * 1000000n),
        endTimeUnixNano: rand() < 0.9
          ? String(1700000001000000000n + BigInt(i) * 1000000n)
          : undefined,
        status: rand() < 0.2 ? { code: 2, message: "x".repeat(rand() < 0.5 ? 5 : 400) } : {},
        events: rand() < 0.1
          ? [{
            name: "exception",
            timeUnixNano: "1700000000500000000",
            attributes: [{ key: "exception.message", value: { stringValue: "boom ".repeat(100) } }],
          }]
          : [],
        attributes,
      };
      lines.push(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }));
    }
    const text = lines.join("\n") + "\n";
    const light = otlp.parse!(textSource(text, "f"), "f", {});
    const whole = otlp.parse!(textSource(text, "f"), "f", { keepText: true });
    assert.deepEqual(light, withoutTexts(whole), `file ${file}`);
    calls += light.calls.length;
    if (light.diagnostics.some((d) => d.code === "duplicate_span")) duplicates++;
  }
  // the draws reach calls and merged spans
  assert.ok(calls > 100 && duplicates > 5, `${calls} calls, ${duplicates} files with duplicates`);
});
