/**
 * Detection over every real fixture (`../shared/fixtures/real/<folder>/`): each
 * file is detected as the format of its folder, so no adapter claims another
 * format's files; and the span formats' own fixtures, plus files that are not
 * traces, are told apart. Adapters add their folder to EXPECTED.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { missing, ROOT, SHARED } from "../../_helpers.ts";
import { detectFormat, FORMATS, sampleFile, sampleOfText } from "../../../src/load/mod.ts";
import { fixture } from "./_helpers.ts";

/** The format of each folder of real fixtures. */
const EXPECTED: Record<string, string> = {
  "anthropic-agent-events": "anthropic_agent_events",
  "anthropic-batch": "anthropic_batch",
  atif: "atif",
  "claude-code": "claude_code",
  "codex-cli": "codex",
  "gemini-cli": "gemini_cli_stream",
  "generic-jsonl": "generic",
  jaeger: "jaeger",
  langfuse: "langfuse",
  mlflow: "mlflow",
  native: "native",
  "openai-batch": "openai_batch",
  "otel-python": "otel_python",
  otlp: "otlp",
};

const SPAN_FORMATS = ["otlp", "otel_python", "otel_go", "otel_js", "jaeger", "zipkin"];
const registered = new Set(FORMATS.map((f) => f.name));
const detected = (path: string) => detectFormat(sampleFile(path))?.name ?? null;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

Deno.test("detectFormat(): every real fixture is detected as the format of its folder", () => {
  const real = `${SHARED}fixtures/real`;
  if (missing("../shared/fixtures/real", existsSync(real))) return;
  const folders = readdirSync(real).filter((n) => statSync(join(real, n)).isDirectory()).sort();
  // a new folder needs its format named here
  assert.deepEqual(folders.filter((f) => !(f in EXPECTED)), []);
  let checked = 0;
  for (const folder of folders) {
    const expected = EXPECTED[folder]!;
    for (const path of filesUnder(join(real, folder))) {
      const got = detected(path);
      if (registered.has(expected)) {
        assert.equal(got, expected, path);
        checked++;
      } else {
        // its adapter is not in the registry yet: no other specific format may claim it
        assert.ok(got === null || got === "generic", `${path} is claimed by ${got}`);
      }
    }
  }
  // the 7 files of the formats that were there first, and the 2 span fixtures, at least
  assert.ok(checked >= 9, `only ${checked} fixtures checked`);
});

Deno.test("detectFormat(): the span formats' hand-made fixtures, and files that are not spans", () => {
  const cases: [string, string][] = [
    ["otel_python_small.jsonl", "otel_python"],
    ["otel_python_small.array.json", "otel_python"],
    ["jaeger_small.json", "jaeger"],
    ["zipkin_small.json", "zipkin"],
    ["otel_js_console.txt", "otel_js"],
    ["otel_js_deno_console.txt", "otel_js"],
    ["otel_js_readable.json", "otel_js"],
    ["otel_js_v1.jsonl", "otel_js"],
    ["otel_go_1.1.0_pretty.txt", "otel_go"],
    ["otel_go_1.1.0.jsonl", "otel_go"],
    ["otlp_small.jsonl", "otlp"],
    ["batch_small.jsonl", "openai_batch"],
  ];
  for (const [name, format] of cases) assert.equal(detected(fixture(name)), format, name);
  // config JSON, a package manifest, CSV, a log: never a span format
  const notSpans = [
    detected(join(ROOT, "deno.json")),
    detectFormat(
      sampleOfText(
        '{"name": "app", "version": "1.0.0", "dependencies": {"id": "x"}}',
        "package.json",
      ),
    )?.name,
    detectFormat(sampleOfText("traceId,id,duration\n1,2,3\n", "spans.csv"))?.name,
    detectFormat(sampleOfText("{\n  level: 'info',\n  msg: 'started'\n}\n", "app.log"))?.name,
    detectFormat(sampleOfText('{"data": ["svc-a", "svc-b"], "total": 2}', "services.json"))?.name,
    detectFormat(sampleOfText('[{"id": "1", "traceId": "t", "attributes": {}}]', "x.json"))?.name,
  ];
  for (const got of notSpans) assert.ok(!SPAN_FORMATS.includes(got ?? ""), `claimed by ${got}`);
  // the shapes the span formats share a key with: each goes to its own adapter
  const shapes: [string, string][] = [
    ['{"traceID": "t", "spans": [], "processes": {}}', "jaeger"],
    [
      '[{"traceId": "t", "id": "s", "timestamp": 1, "localEndpoint": {"serviceName": "a"}}]',
      "zipkin",
    ],
    ['[[{"traceId": "t", "id": "s", "timestamp": 1, "duration": 2}]]', "zipkin"],
    [
      '{"traceId": "t", "id": "s", "timestamp": 1, "duration": 2, "attributes": {}, "status": {"code": 0}}',
      "otel_js",
    ],
    [
      '{"name": "s", "context": {"trace_id": "0x1", "span_id": "0x2"}, "parent_id": null}',
      "otel_python",
    ],
    // a Python SDK span of an OpenInference-instrumented app is still the Python SDK's JSON
    [
      '{"name": "ChatOpenAI", "context": {"trace_id": "0x1", "span_id": "0x2"}, "kind": "SpanKind.INTERNAL", "parent_id": null, "status": {"status_code": "ERROR"}, "attributes": {"openinference.span.kind": "LLM"}}',
      "otel_python",
    ],
  ];
  for (const [text, format] of shapes) {
    assert.equal(detectFormat(sampleOfText(text, "x.json"))?.name, format, text);
  }
});
