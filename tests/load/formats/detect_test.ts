import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { loadTraces } from "../../../src/load/mod.ts";
import { detectFormat, sampleFile, sampleOfText } from "../../../src/load/mod.ts";
import { firstObjectKeys } from "../../../src/load/formats/_first_keys.ts";
import { fixture } from "./_helpers.ts";

const detectTraceFormatOfText = (text: string) =>
  detectFormat(sampleOfText(text, "x"))?.name ?? null;
const detectTraceFormat = (file: string) => detectFormat(sampleFile(file))?.name ?? null;

Deno.test("detectFormat() tells the formats apart by the keys of the first object", () => {
  const cases: [string, string | null][] = [
    ['{"type":"session_start","timestamp":"2025-04-08T19:42:09","session_id":"s"}\n', "native"],
    ['{"resourceSpans":[]}', "otlp"],
    ['{\n  "resource": {\n    "attributes": []\n  },\n  "scopeSpans": []\n}', "otlp"],
    ['[{"resourceSpans":[]}]', "otlp"],
    ['\uFEFF{"id":"batch_req_1","custom_id":"r1","response":{"status_code":200}}', "openai_batch"],
    ['{"custom_id":"r1","error":{"code":"x"},"response":null}', "openai_batch"],
    // a native event that happens to carry custom_id is still native
    ['{"type":"llm_request","custom_id":"r1","response":1}', "native"],
    // an empty file is an empty native trace; text of no known format is no format
    ["", "native"],
    ["not json at all", null],
    ['{"resource": {"attributes": [', null],
    ['{"name": "my-app", "version": "1.0", "dependencies": {}}', null],
    // custom events name their session: native; another tool's `type` and `timestamp` alone
    // (a hand-written summary of a Codex session) would be nothing but bad lines: no format
    ['{"type":"step","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{}}\n', "native"],
    [
      '{"type":"session_meta","timestamp":"2025-04-08T19:42:09"}\n{"type":"message","timestamp":"2025-04-08T19:42:10","role":"user"}\n',
      null,
    ],
  ];
  for (const [text, format] of cases) assert.equal(detectTraceFormatOfText(text), format, text);
  assert.deepEqual(firstObjectKeys('{"a": {"b": 1}, "c\\"d": [1, {"e": 2}], "f'), {
    keys: ["a", 'c"d'],
    closed: false,
  });
});

Deno.test("detectFormat(sampleFile()) reads the head of files, not their names", () => {
  assert.equal(detectTraceFormat(fixture("otlp_small.jsonl")), "otlp");
  assert.equal(detectTraceFormat(fixture("batch_small.jsonl")), "openai_batch");
  assert.equal(
    detectTraceFormat("traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl"),
    "native",
  );
  const dir = Deno.makeTempDirSync();
  try {
    // a pretty-printed ResourceSpans whose resource block is longer than the first 64 KiB read
    const big = {
      resource: { attributes: [{ key: "big", value: { stringValue: "x".repeat(100_000) } }] },
      scopeSpans: [],
    };
    writeFileSync(join(dir, "big.json"), JSON.stringify(big, null, 2));
    assert.equal(detectTraceFormat(join(dir, "big.json")), "otlp");
    writeFileSync(join(dir, "empty.jsonl"), "");
    assert.equal(detectTraceFormat(join(dir, "empty.jsonl")), "native");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadTraces() reads native, OTLP and Batch files of one folder into the same frames, in file order", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    copyFileSync(fixture("batch_small.jsonl"), join(dir, "a_batch.jsonl"));
    copyFileSync(
      "traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl",
      join(dir, "b_native.jsonl"),
    );
    copyFileSync(fixture("otlp_small.jsonl"), join(dir, "c_otlp.jsonl"));
    const native = await loadTraces(join(dir, "b_native.jsonl"));
    const t = await loadTraces(dir);
    const perFile = (df: pl.DataFrame) =>
      df.groupBy("file").len().sort("file").toRecords().map((
        r,
      ) => [String(r.file).slice(dir.length + 1), r.len]);
    assert.deepEqual(perFile(t.calls), [["a_batch.jsonl", 4], [
      "b_native.jsonl",
      native.calls.height,
    ], ["c_otlp.jsonl", 3]]);
    assert.deepEqual(perFile(t.diagnostics), [["a_batch.jsonl", 5], ["c_otlp.jsonl", 5]]);
    assert.equal(t.sessions.height, 1 + native.sessions.height + 2);
    assert.equal(t.events.height, 4 + native.events.height + 5);
    // rows in file then line order; the native rows as loading that file alone gives them
    const order = t.calls.select("file", "line").toRecords().map((r) =>
      `${r.file}:${String(r.line).padStart(6, "0")}`
    );
    assert.deepEqual(order, [...order].sort());
    assert.deepEqual(
      t.calls.filter(pl.col("file").str.endsWith("b_native.jsonl")).select(
        "request_id",
        "model",
        "duration_s",
      ).toRecords(),
      native.calls.select("request_id", "model", "duration_s").toRecords(),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sampleOfText() gives the values of JSON Lines and of any other layout alike", () => {
  // one object per line (the line-by-line path), blank lines and CRLF aside
  assert.deepEqual(sampleOfText('{"a":1}\r\n\n{"b":2}\n', "f").values, [{ a: 1 }, { b: 2 }]);
  // a line that is not one object sends the text to the general scan: a number is stray text,
  // two objects on a line are two values, a pretty-printed object is one value
  assert.deepEqual(sampleOfText('{"a":1}\n5\n{"b":2}\n', "f").values, [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(sampleOfText('{"a":1} {"b":2}\n{"c":3}\n', "f").values, [{ a: 1 }, { b: 2 }, {
    c: 3,
  }]);
  assert.deepEqual(sampleOfText('{\n  "a": 1\n}\n{"b":2}\n', "f").values, [{ a: 1 }, { b: 2 }]);
  // a last line cut short is not a value, but a whole object before the cut on it is
  assert.deepEqual(sampleOfText('{"a":1}\n{"b":', "f").values, [{ a: 1 }]);
  assert.deepEqual(sampleOfText('{"a":1}\n{"b":2}{"c":', "f").values, [{ a: 1 }, { b: 2 }]);
  // at most 50 values: the 51st line is not read
  const many = Array.from({ length: 60 }, (_, i) => `{"i":${i}}`).join("\n");
  const values = sampleOfText(many, "f").values as { i: number }[];
  assert.equal(values.length, 50);
  assert.equal(values.at(-1)!.i, 49);
});

Deno.test("a first line longer than the sample (2 MiB: a long prompt) is read whole for detection", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-longline-" });
  try {
    const path = join(dir, "calls.jsonl");
    const row = (prompt: string, n: number) =>
      JSON.stringify({
        timestamp: `2025-01-01T00:00:0${n}Z`,
        model: "gpt-4o",
        input_tokens: n,
        output_tokens: 2,
        prompt,
      });
    // the first row's prompt alone is 2 MiB, twice the sample
    writeFileSync(path, [row("x".repeat(2 * 1024 * 1024), 1), row("short", 2)].join("\n") + "\n");
    const t = await loadTraces(path, { cache: false });
    assert.equal(t.formats?.[path], "generic");
    assert.deepEqual(t.calls.getColumn("input_tokens").toArray(), [1, 2]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
