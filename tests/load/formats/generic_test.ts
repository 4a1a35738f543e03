import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import pl from "nodejs-polars";
import { calcPrice } from "@pydantic/genai-prices";
import { realFixture } from "../../_helpers.ts";
import {
  detectFormat,
  fromTraceText,
  loadTraces,
  sampleFile,
  sampleOfText,
} from "../../../src/load/mod.ts";
import { parseFieldMap, readFieldMap } from "../../../src/load/formats/generic.ts";
import { summarize } from "../../../src/metrics/mod.ts";
import { UserError } from "../../../src/log/mod.ts";
import { fixture, rows } from "./_helpers.ts";

const detect = (text: string, file = "x.jsonl") =>
  detectFormat(sampleOfText(text, file))?.name ?? null;
const date = (iso: string) => new Date(iso);

Deno.test("generic: detection claims rows with a model and token or timing fields, nothing else", () => {
  assert.equal(
    detect('{"model": "gpt-4o", "prompt_tokens": 3, "completion_tokens": 1}\n'),
    "generic",
  );
  assert.equal(detect('{"llm_model": "gpt-4o", "latency_ms": 300}\n'), "generic");
  assert.equal(detect('{"engine": "gpt-4o", "ts": 1700000000}\n'), "generic");
  assert.equal(detect('[{"model_name": "m", "usage": {"input_tokens": 4}}]'), "generic");
  // a wrapper object with one array of rows
  assert.equal(detect('{"calls": [{"model": "m", "duration_s": 1}], "version": 2}'), "generic");
  // a header row before the calls
  assert.equal(
    detect(
      '{"app": "x", "version": 3}\n{"model": "m", "latency_ms": 3}\n{"model": "m", "latency_ms": 4}\n',
    ),
    "generic",
  );
  assert.equal(detect("model,input_tokens,output_tokens\ngpt-4o,1,2\n", "calls.csv"), "generic");
  assert.equal(detect("ts;model_name;latency_ms\n1;m;2\n", "calls.csv"), "generic");
  // configs, package.json, CSV of other data: not claimed
  assert.equal(detect('{"name": "my-app", "version": "1.0", "dependencies": {}}'), null);
  assert.equal(detect('{"model": "gpt-4o", "temperature": 0.2, "max_tokens": 100}'), null);
  assert.equal(detect('{"model": {"input_tokens": 1}}'), null);
  // a mapping file is not a log
  assert.equal(
    detect(
      '{"model": "engine", "input_tokens": "usage.prompt", "duration_ms": "elapsed", "ts": "t0"}',
    ),
    null,
  );
  assert.equal(detect("a,b\n1,2\n", "data.csv"), null);
  assert.equal(detect("city,population\nParis,2100000\n", "data.csv"), null);
  assert.equal(detect("model: gpt-4o\ntimeout_ms: 100\n", "config.yaml"), null);
});

Deno.test("generic: OpenAI chat completion responses logged one per line are calls", () => {
  const row = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1700000000,
    model: "gpt-4o-mini-2024-07-18",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "hi" } }],
    usage: {
      prompt_tokens: 9,
      completion_tokens: 2,
      total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 4 },
    },
  };
  const t = fromTraceText(JSON.stringify(row) + "\n", { file: "responses.jsonl" });
  assert.equal(t.formats?.["responses.jsonl"], "generic");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "status",
      "started_at",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
    ),
    [{
      request_id: "chatcmpl-1",
      model: "gpt-4o-mini-2024-07-18",
      status: "ok",
      started_at: new Date(1700000000000), // created, epoch seconds
      input_tokens: 9,
      output_tokens: 2,
      total_tokens: 11,
      cache_read_tokens: 4,
    }],
  );
});

Deno.test("generic: DeepSeek's cache hits logged as cacheHitTokens (inside promptTokens) are cache reads, priced as such", () => {
  // two rows of reasonix's usage.jsonl (epoch ms): promptTokens = cacheHitTokens + cacheMissTokens
  const text = [
    '{"ts":1779677995040,"session":"s","model":"deepseek-chat","promptTokens":24171,"completionTokens":210,"cacheHitTokens":0,"cacheMissTokens":24171}',
    '{"ts":1779677999923,"session":"s","model":"deepseek-chat","promptTokens":24497,"completionTokens":212,"cacheHitTokens":24320,"cacheMissTokens":177}',
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "usage.jsonl" });
  assert.equal(t.formats?.["usage.jsonl"], "generic");
  assert.deepEqual(rows(t.calls, "input_tokens", "cache_read_tokens", "output_tokens"), [
    { input_tokens: 24171, cache_read_tokens: 0, output_tokens: 210 },
    { input_tokens: 24497, cache_read_tokens: 24320, output_tokens: 212 },
  ]);
  // the costs genai-prices' own calcPrice gives for that usage (the hits at the cache-read rate)
  const cost = t.calls.getColumn("cost_usd").toArray() as number[];
  const want = [[24171, 210, 0, 1779677995040], [24497, 212, 24320, 1779677999923]].map((
    [input_tokens, output_tokens, cache_read_tokens, ms],
  ) =>
    calcPrice({ input_tokens, output_tokens, cache_read_tokens }, "deepseek-chat", {
      timestamp: new Date(ms!),
    })!.total_price
  );
  cost.forEach((c, i) => assert.ok(Math.abs(c - want[i]!) < 1e-12, `${c} against ${want[i]}`));
  assert.ok(want[1]! < want[0]! / 2); // the hits make the second call cheaper
});

Deno.test("generic: headers in other spellings (Title Case, camelCase) and a duration without a unit", () => {
  const csv = [
    "Request ID,Created At,Model,Prompt Tokens,Completion Tokens,Latency,Status",
    "r1,2025-05-01 12:00:00,gpt-4o,100,20,1500,200",
    "r2,2025-05-01 12:00:10,gpt-4o,50,0,900,429",
    "r3,2025-05-01 12:00:20,gpt-4o-mini,70,10,300,200",
  ].join("\r\n");
  const t = fromTraceText(csv, { file: "export.csv" });
  assert.equal(t.formats?.["export.csv"], "generic");
  // Latency values 300, 900, 1500: median 900 ≥ 100, so milliseconds
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "status",
      "error",
      "started_at",
      "duration_s",
      "input_tokens",
      "output_tokens",
    ),
    [
      {
        request_id: "r1",
        model: "gpt-4o",
        status: "ok",
        error: null,
        started_at: date("2025-05-01T12:00:00Z"),
        duration_s: 1.5,
        input_tokens: 100,
        output_tokens: 20,
      },
      {
        request_id: "r2",
        model: "gpt-4o",
        status: "error",
        error: "HTTP status 429",
        started_at: date("2025-05-01T12:00:10Z"),
        duration_s: 0.9,
        input_tokens: 50,
        output_tokens: 0,
      },
      {
        request_id: "r3",
        model: "gpt-4o-mini",
        status: "ok",
        error: null,
        started_at: date("2025-05-01T12:00:20Z"),
        duration_s: 0.3,
        input_tokens: 70,
        output_tokens: 10,
      },
    ],
  );
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 2, code: "duration_unit_guessed", severity: "warning" },
  ]);
  assert.match(
    t.diagnostics.getColumn("message").get(0),
    /"Latency" has no unit in its name: read as milliseconds \(median 900\)/,
  );
  // camelCase keys and a latency in seconds (median 1.2 < 100)
  const jsonl = [
    { modelName: "m", promptTokens: 3, completionTokens: 1, latency: 1.2, startTime: 1700000000 },
    { modelName: "m", promptTokens: 4, completionTokens: 2, latency: 3.4, startTime: 1700000010 },
  ].map((l) => JSON.stringify(l)).join("\n");
  const j = fromTraceText(jsonl, { file: "camel.jsonl" });
  assert.deepEqual(rows(j.calls, "model", "duration_s", "input_tokens", "output_tokens"), [
    { model: "m", duration_s: 1.2, input_tokens: 3, output_tokens: 1 },
    { model: "m", duration_s: 3.4, input_tokens: 4, output_tokens: 2 },
  ]);
  assert.match(j.diagnostics.getColumn("message").get(0), /read as seconds \(median 1.2\)/);
});

Deno.test("generic: a CSV per-call log under the common names", async () => {
  const file = fixture("generic_calls.csv");
  assert.equal(detectFormat(sampleFile(file))?.name, "generic");
  const t = await loadTraces(file);
  assert.equal(t.formats?.[file], "generic");
  assert.deepEqual(
    rows(
      t.calls,
      "line",
      "session_id",
      "model",
      "status",
      "error",
      "started_at",
      "ended_at",
      "duration_s",
    ),
    [
      {
        line: 2,
        session_id: "c1",
        model: "gpt-4o-mini",
        status: "ok",
        error: null,
        started_at: date("2025-03-01T10:00:00Z"),
        ended_at: date("2025-03-01T10:00:00.850Z"), // + latency_ms 850
        duration_s: 0.85,
      },
      {
        line: 3,
        session_id: "c1",
        model: "gpt-4o-mini",
        status: "error",
        error: 'status is "timeout"',
        started_at: date("2025-03-01T10:00:05.250Z"),
        ended_at: date("2025-03-01T10:00:35.250Z"), // + 30000 ms
        duration_s: 30,
      },
      {
        line: 4,
        session_id: "c2",
        model: "claude-3-5-haiku-20241022",
        status: "error", // an error text wins over status ok
        error: "rate limited, retried",
        started_at: date("2025-03-01T10:01:00Z"),
        ended_at: date("2025-03-01T10:01:01.234Z"), // 1234.5 ms → µs 1_234_500, shown to the ms
        duration_s: 1.2345,
      },
      {
        line: 5,
        session_id: "c2",
        model: "claude-3-5-haiku-20241022",
        status: "pending", // status running
        error: null,
        started_at: date("2025-03-01T10:02:00Z"),
        ended_at: null,
        duration_s: null,
      },
    ],
  );
  assert.deepEqual(
    rows(t.calls, "input_tokens", "output_tokens", "total_tokens", "cache_read_tokens"),
    [
      { input_tokens: 1200, output_tokens: 300, total_tokens: 1500, cache_read_tokens: 1000 },
      { input_tokens: 1500, output_tokens: 0, total_tokens: 1500, cache_read_tokens: null },
      { input_tokens: 800, output_tokens: 120, total_tokens: 920, cache_read_tokens: null },
      // "not-a-number" is no count
      { input_tokens: null, output_tokens: 50, total_tokens: null, cache_read_tokens: null },
    ],
  );
  assert.deepEqual(rows(t.sessions, "session_id", "calls", "errors", "complete"), [
    { session_id: "c1", calls: 2, errors: 1, complete: true },
    { session_id: "c2", calls: 2, errors: 1, complete: false },
  ]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("generic: --map names the fields (paths, units in the column name, error_when) and reads a file detection does not claim", async () => {
  const file = fixture("generic_mapped.jsonl");
  assert.equal(detectFormat(sampleFile(file)), null);
  await assert.rejects(loadTraces(file), /is not a trace file tracebook can read/);
  const map = readFieldMap(fixture("generic_mapping.json"));
  assert.equal(map.error_when, "outcome:gave_up|crashed");
  const spec = parseFieldMap(
    "model=brain,started_at_ms=t0_ms,duration_ms=elapsed,input_tokens=usage.prompt,output_tokens=usage.completion,session_id=thread,error_when=outcome:gave_up|crashed",
  );
  assert.deepEqual(spec, map);
  const t = await loadTraces(file, { format: "generic", map });
  assert.deepEqual(
    rows(
      t.calls,
      "line",
      "session_id",
      "model",
      "status",
      "error",
      "started_at",
      "duration_s",
      "input_tokens",
      "output_tokens",
    ),
    [
      {
        line: 1,
        session_id: "th-1",
        model: "gpt-4o",
        status: "ok",
        error: null,
        started_at: new Date(1740823200000),
        duration_s: 2.5,
        input_tokens: 100,
        output_tokens: 20,
      },
      {
        line: 2,
        session_id: "th-1",
        model: "gpt-4o",
        status: "error",
        error: 'outcome is "gave_up"',
        started_at: new Date(1740823260000),
        duration_s: 120,
        input_tokens: 50,
        output_tokens: 0,
      },
      {
        line: 4,
        session_id: "th-2",
        model: "o3-mini",
        status: "ok",
        error: null,
        started_at: new Date(1740823300000),
        duration_s: 0.4,
        input_tokens: 10,
        output_tokens: 5,
      },
    ],
  );
  // the heartbeat row is an event, in the file's session
  assert.deepEqual(rows(t.events, "line", "type", "session_id", "timestamp"), [
    { line: 3, type: "generic.row", session_id: file, timestamp: new Date(1740823270000) },
  ]);
});

Deno.test("generic: mapping errors are one sentence and exit 2", () => {
  const usage = (f: () => unknown, pattern: RegExp) =>
    assert.throws(
      f,
      (e: unknown) => e instanceof UserError && e.exitCode === 2 && pattern.test(e.message),
    );
  usage(() => parseFieldMap("modle=engine"), /"modle", which is not a column tracebook maps/);
  usage(() => parseFieldMap("model"), /must look like COLUMN=FIELD/);
  usage(
    () => readFieldMap("missing_mapping.json"),
    /mapping file missing_mapping.json does not exist/,
  );
  usage(
    () =>
      fromTraceText('{"model": "m", "x": 1}\n', {
        format: "generic",
        map: { error_when: "nocolon" },
      }),
    /error_when="nocolon" must look like FIELD:VALUE/,
  );
});

Deno.test("generic: a forced file with no call-like row is one error diagnostic, not a flood", () => {
  const text = '{"a": 1}\n{"a": 2}\n{"a": 3}\n';
  const t = fromTraceText(text, { format: "generic", file: "x.jsonl" });
  assert.equal(t.calls.height, 0);
  assert.equal(t.events.height, 3);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "no_calls", severity: "error" },
  ]);
});

Deno.test("generic: a record's time named at is the call's start", () => {
  const text = [
    '{"at": "2025-06-01T10:00:00Z", "model": "gpt-4o", "latency_ms": 1500}',
    '{"at": 1748772000, "model": "gpt-4o", "input_tokens": 3}',
  ].join("\n") + "\n";
  // a model and a time alone make a row a call, as with ts
  assert.equal(detect('{"at": "2025-06-01T10:00:00Z", "model": "gpt-4o"}\n'), "generic");
  const t = fromTraceText(text, { file: "calls.jsonl" });
  assert.equal(t.formats?.["calls.jsonl"], "generic");
  assert.deepEqual(rows(t.calls, "started_at", "ended_at", "duration_s"), [
    // 10:00:00 + 1500 ms
    {
      started_at: date("2025-06-01T10:00:00Z"),
      ended_at: date("2025-06-01T10:00:01.500Z"),
      duration_s: 1.5,
    },
    // epoch seconds 1748772000 = 2025-06-01T10:00:00Z (20240 days × 86400 + 36000); no duration
    { started_at: date("2025-06-01T10:00:00Z"), ended_at: null, duration_s: null },
  ]);
});

Deno.test("generic: a time named as the call's end is its end: the start is it less the latency, the latency it less a start", () => {
  const text = [
    '{"end_time": "2025-06-01T10:00:05Z", "model": "gpt-4o", "latency_ms": 1500}',
    '{"finishedAt": "2025-06-01T10:00:05Z", "model": "gpt-4o", "duration_s": 2.25}',
    // an OpenAI Responses object: created_at and completed_at in epoch seconds, no latency
    '{"object": "response", "created_at": 1748772000, "completed_at": 1748772004, "model": "gpt-4o", "usage": {"input_tokens": 36}}',
    '{"ended_at": "2025-06-01T10:00:05Z", "model": "gpt-4o", "input_tokens": 3}',
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "calls.jsonl" });
  assert.equal(t.formats?.["calls.jsonl"], "generic");
  assert.deepEqual(rows(t.calls, "started_at", "ended_at", "duration_s"), [
    // 10:00:05 − 1500 ms
    {
      started_at: date("2025-06-01T10:00:03.500Z"),
      ended_at: date("2025-06-01T10:00:05Z"),
      duration_s: 1.5,
    },
    // 10:00:05 − 2.25 s
    {
      started_at: date("2025-06-01T10:00:02.750Z"),
      ended_at: date("2025-06-01T10:00:05Z"),
      duration_s: 2.25,
    },
    // 1748772000 s = 2025-06-01T10:00:00Z (20240 days × 86400 + 36000); 1748772004 − 1748772000
    {
      started_at: date("2025-06-01T10:00:00Z"),
      ended_at: date("2025-06-01T10:00:04Z"),
      duration_s: 4,
    },
    // an end and no latency: no start
    { started_at: null, ended_at: date("2025-06-01T10:00:05Z"), duration_s: null },
  ]);
});

Deno.test("generic: --map ended_at names a common time name as the end, and the start is not read from it too", () => {
  const text = [
    '{"ts": "2025-06-01T10:00:05Z", "model": "gpt-4o", "latency_ms": 1500}',
    '{"ts": "2025-06-01T10:00:09Z", "model": "gpt-4o", "latency_ms": 250}',
  ].join("\n") + "\n";
  const want = [
    // 10:00:05 − 1500 ms, 10:00:09 − 250 ms (before: ts was the start as well, 0 s from the end)
    {
      started_at: date("2025-06-01T10:00:03.500Z"),
      ended_at: date("2025-06-01T10:00:05Z"),
      duration_s: 1.5,
    },
    {
      started_at: date("2025-06-01T10:00:08.750Z"),
      ended_at: date("2025-06-01T10:00:09Z"),
      duration_s: 0.25,
    },
  ];
  // the common name in another spelling (Timestamp for timestamp) is the mapped field too
  for (const [key, log] of [["ts", text], ["Timestamp", text.replaceAll('"ts"', '"Timestamp"')]]) {
    const t = fromTraceText(log!, { file: "calls.jsonl", map: { ended_at: key! } });
    assert.deepEqual(rows(t.calls, "started_at", "ended_at", "duration_s"), want, key);
  }
  // a field mapped to the input is not read as the total by its common name (tokens)
  const t = fromTraceText('{"model": "m", "tokens": 10, "completion_tokens": 4}\n', {
    file: "calls.jsonl",
    map: { input_tokens: "tokens" },
  });
  // total = input + output = 10 + 4 (before: 10, the mapped input read again as the total)
  assert.deepEqual(rows(t.calls, "input_tokens", "output_tokens", "total_tokens"), [
    { input_tokens: 10, output_tokens: 4, total_tokens: 14 },
  ]);
});

Deno.test("generic: status, success, ok, is_error and HTTP status fields say failure", () => {
  const lines = [
    { model: "m", input_tokens: 1, success: false },
    { model: "m", input_tokens: 1, ok: "false" },
    { model: "m", input_tokens: 1, is_error: true },
    { model: "m", input_tokens: 1, status_code: 503 },
    { model: "m", input_tokens: 1, status: "FAILED" },
    { model: "m", input_tokens: 1, status: 429 },
    { model: "m", input_tokens: 1, status: "success", mode: "stub-fallback" },
    { model: "m", input_tokens: 1, level: "ERROR", time: 2.5 },
    { model: "m", input_tokens: 1, state: "fallback" },
    { model: "m", input_tokens: 1, error: { message: "boom" } },
    { model: "m", input_tokens: 1, error: "", status: "success", status_code: 200 },
    { model: "m", input_tokens: 1, error: null, success: true },
    // a failed call with no tokens, duration or time is still a call
    { model: "m", error: "quota exceeded" },
  ].map((l) => JSON.stringify(l)).join("\n");
  const t = fromTraceText(lines, { file: "s.jsonl" });
  assert.equal(t.formats?.["s.jsonl"], "generic");
  // "time": 2.5 is no date (before 1973): no start time
  assert.equal(t.calls.getColumn("started_at").nullCount(), t.calls.height);
  assert.deepEqual(t.calls.getColumn("status").toArray(), [
    "error",
    "error",
    "error",
    "error",
    "error",
    "error",
    "error",
    "error",
    "error",
    "error",
    "ok",
    "ok",
    "error",
  ]);
  assert.deepEqual(t.calls.getColumn("error").toArray(), [
    "success is false",
    'ok is "false"',
    "is_error is true",
    "HTTP status 503",
    'status is "FAILED"',
    "HTTP status 429",
    'mode is "stub-fallback"',
    'level is "ERROR"',
    'state is "fallback"',
    "boom",
    null,
    null,
    "quota exceeded",
  ]);
});

interface NexusRow {
  ts: number;
  model: string;
  mode: string;
  input_tokens: number;
  output_tokens: number;
  duration_sec: number;
}

const nexus = realFixture("generic-jsonl/nexuscore.llm_calls.jsonl");
Deno.test({
  name:
    "generic: the real NexusCore llm_calls.jsonl (90 calls; mode stub-fallback = the real call failed)",
  ignore: nexus === undefined,
  async fn() {
    // independent reading: plain JSON.parse of each line
    const lines = readFileSync(nexus!, "utf8").split("\n").filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as NexusRow);
    const failed = lines.filter((l) => l.mode === "stub-fallback");
    const ok = lines.filter((l) => l.mode !== "stub-fallback");
    assert.equal(lines.length, 90);
    assert.equal(failed.length, 16);
    const sum = (k: "input_tokens" | "output_tokens") => lines.reduce((a, l) => a + l[k], 0);
    const perModel = new Map<string, number>();
    for (const l of lines) perModel.set(l.model, (perModel.get(l.model) ?? 0) + 1);
    // latency: ok calls with duration > 0, percentiles by linear interpolation
    const durations = ok.map((l) => l.duration_sec).filter((d) => d > 0).sort((a, b) => a - b);
    const p50i = (durations.length - 1) * 0.5;
    const p50 = durations[Math.floor(p50i)]! +
      (durations[Math.ceil(p50i)]! - durations[Math.floor(p50i)]!) * (p50i - Math.floor(p50i));

    for (const map of [undefined, { error_when: "mode:stub-fallback" }]) {
      // the default (a status-like field ending in "fallback") and the explicit rule agree
      const t = await loadTraces(nexus!, map ? { format: "generic", map } : {});
      assert.equal(t.formats?.[nexus!], "generic");
      assert.equal(t.diagnostics.height, 0);
      assert.equal(t.calls.height, 90);
      const byStatus = Object.fromEntries(
        t.calls.groupBy("status").len().toRecords().map((r) => [r.status, r.len]),
      );
      assert.deepEqual(byStatus, { ok: 74, error: 16 });
      assert.deepEqual(
        Object.fromEntries(t.calls.groupBy("model").len().toRecords().map((r) => [r.model, r.len])),
        Object.fromEntries(perModel),
      );
      assert.equal(t.calls.getColumn("input_tokens").sum(), sum("input_tokens"));
      assert.equal(t.calls.getColumn("output_tokens").sum(), sum("output_tokens"));
      assert.equal(t.calls.getColumn("cache_read_tokens").nullCount(), 90);
      assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [nexus]);
      // ts (epoch seconds, float) is the start, to the µs
      assert.equal(
        t.calls.getColumn("started_at").cast(pl.Int64).cast(pl.Float64).toArray()[0],
        Math.round(lines[0]!.ts * 1e6),
      );
      const s = summarize(t);
      assert.equal(s.request_count, 90);
      assert.equal(s.error_count, 16);
      assert.equal(s.response_time.count, durations.length);
      assert.equal(s.response_time.max, durations.at(-1));
      assert.ok(Math.abs(s.response_time.p50! - p50) < 1e-12, `${s.response_time.p50} vs ${p50}`);
    }
  },
});

Deno.test("generic: Gemini's thinking tokens (thoughts_tokens, counted apart from the answer) are added to the output and read as the reasoning", async () => {
  // 27 rows of a public project's token log of Gemini 2.5 Pro (prompt, completion = Gemini's
  // candidates count, thoughts, cached)
  const path = fixture("generic_gemini_token_usage.csv");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  // independent reading: the four counts open each line (the description may hold a quoted comma)
  const counts = readFileSync(path, "utf8").trim().split("\n").slice(1).map((l) => {
    const m = /^(\d+),([\d.]+),(\d+),(\d+),/.exec(l)!;
    return { prompt: Number(m[1]), completion: Number(m[2]), thoughts: Number(m[3]) };
  });
  assert.equal(counts.length, 27);
  const sum = (f: (c: (typeof counts)[number]) => number) => counts.reduce((s, c) => s + f(c), 0);
  assert.deepEqual(
    rows(t.calls, "input_tokens", "output_tokens", "reasoning_tokens", "total_tokens"),
    counts.map((c) => ({
      input_tokens: c.prompt,
      output_tokens: c.completion + c.thoughts,
      reasoning_tokens: c.thoughts,
      total_tokens: c.prompt + c.completion + c.thoughts,
    })),
  );
  // by hand (python csv over the file): 121,817 in, 14,658 + 21,785 = 36,443 out, 158,260 in all
  assert.equal(sum((c) => c.prompt), 121_817);
  assert.equal(sum((c) => c.completion + c.thoughts), 36_443);
  assert.equal(t.calls.getColumn("output_tokens").sum(), 36_443);
  // Gemini's own usage_metadata names, and a reasoning count (OpenAI's: inside the output) as it is
  const g = fromTraceText(
    '{"ts": "2025-06-01T00:00:00Z", "model": "gemini-2.5-pro", "usage_metadata": {"prompt_token_count": 100, "candidates_token_count": 10, "thoughts_token_count": 500, "total_token_count": 610}}\n' +
      '{"ts": "2025-06-01T00:00:01Z", "model": "o3", "prompt_tokens": 10, "completion_tokens": 50, "reasoning_tokens": 40}\n' +
      '{"ts": "2025-06-01T00:00:02Z", "model": "gemini-2.5-flash", "usage": {"prompt_token_count": 7, "candidates_token_count": 3, "thoughts_token_count": 20, "total_token_count": 30}}\n',
    { file: "usage.jsonl" },
  );
  assert.deepEqual(rows(g.calls, "output_tokens", "reasoning_tokens", "total_tokens"), [
    { output_tokens: 510, reasoning_tokens: 500, total_tokens: 610 },
    { output_tokens: 50, reasoning_tokens: 40, total_tokens: 60 },
    // Gemini's names under `usage`: 3 + 20 out, 7 + 3 + 20 = 30 in all
    { output_tokens: 23, reasoning_tokens: 20, total_tokens: 30 },
  ]);
});

Deno.test("generic: a CSV read line by line through csv-parse's incremental parser (BOM, CRLF, `;`, a cell over two lines), in pieces of any size", async () => {
  const text = "\ufefftimestamp;model;latency_ms;prompt_tokens;note\r\n" +
    // as Excel writes them: CRLF between records, LF inside a cell
    '2025-01-01T00:00:00Z;gpt-4o;1500;10;"two\nlines; quoted"\r\n' +
    "\r\n" +
    "2025-01-01T00:00:02Z;gpt-4o;500;20;plain\r\n";
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/calls.csv`;
  Deno.writeTextFileSync(path, text);
  // by hand: two calls; a record's line is the line it ends on (3, then 5 past the blank line)
  const expected = [
    { line: 3, model: "gpt-4o", duration_s: 1.5, input_tokens: 10 },
    { line: 5, model: "gpt-4o", duration_s: 0.5, input_tokens: 20 },
  ];
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  assert.deepEqual(rows(t.calls, "line", "model", "duration_s", "input_tokens"), expected);
  assert.equal(t.diagnostics.height, 0);
  const { fileSource } = await import("../../../src/load/formats/source.ts");
  const { generic } = await import("../../../src/load/formats/generic.ts");
  for (const pieceBytes of [1, 7, 64]) {
    const r = generic.parse!(fileSource(path, path, { pieceBytes }), path, {});
    assert.deepEqual(
      r.calls.map((c) => ({
        line: c.line,
        model: c.model,
        duration_s: c.duration_s,
        input_tokens: c.input_tokens,
      })),
      expected,
      `pieces of ${pieceBytes}`,
    );
  }
});

Deno.test("generic: a CSV with a duration column of no unit beside an empty one in ms: the first read finds the unit (ms, with its warning)", () => {
  // by hand: latency_ms is empty on these rows, latency (no unit) holds 850 and 1200: their
  // median (1025) is 100 or more, so they are milliseconds
  const text = "timestamp,model,latency_ms,latency\n" +
    "2025-01-01T00:00:00Z,gpt-4o,,850\n" +
    "2025-01-01T00:00:02Z,gpt-4o,,1200\n";
  const t = fromTraceText(text, { file: "mixed.csv" });
  assert.deepEqual(rows(t.calls, "duration_s"), [{ duration_s: 0.85 }, { duration_s: 1.2 }]);
  assert.deepEqual(rows(t.diagnostics, "code"), [{ code: "duration_unit_guessed" }]);
});

Deno.test("generic: LiteLLM's StandardLoggingPayload (from LiteLLM's own tests): the time to the first token from completionStartTime", async () => {
  const path = fixture("generic_litellm_payload.json");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  const row = JSON.parse(readFileSync(path, "utf8")) as Record<string, string | number>;
  // its times are naive ("2025-01-24 09:20:46.847371"): seconds and microseconds read here
  const secs = (v: unknown) => {
    const [, hms] = String(v).split(" ");
    const [h, m, s] = hms!.split(":").map(Number);
    return h! * 3600 + m! * 60 + s!;
  };
  const ttft = Math.round((secs(row.completionStartTime) - secs(row.startTime)) * 1e6) / 1e6;
  assert.equal(ttft, 0.004583); // 46.851954 − 46.847371
  assert.deepEqual(rows(t.calls, "model", "input_tokens", "output_tokens", "status"), [{
    model: row.model,
    input_tokens: row.prompt_tokens,
    output_tokens: row.completion_tokens,
    status: "ok",
  }]);
  assert.equal(Math.round((t.calls.getColumn("ttft_s").get(0) as number) * 1e6) / 1e6, ttft);
});

Deno.test("generic: OpenRouter's activity export (CSV) is detected: model_permaslug, cached and reasoning tokens, generation time, a cancelled generation", async () => {
  const path = fixture("generic_openrouter_activity.csv");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  // independent reading: no cell of this file is quoted or holds a comma
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const names = head!.split(",");
  const csv = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i]!, v])));
  const sum = (k: string) => csv.reduce((s, r) => s + Number(r[k]), 0);
  assert.deepEqual(rows(t.calls, "request_id", "model", "provider", "status", "finish_reason"), [
    ...csv.map((r) => ({
      request_id: r.generation_id,
      model: r.model_permaslug,
      provider: r.provider_name,
      // the third generation was cancelled (`cancelled` true): a failed call
      status: r.cancelled === "true" ? "error" : "ok",
      finish_reason: r.finish_reason_normalized || null,
    })),
  ]);
  assert.deepEqual(rows(t.calls, "status").map((r) => r.status), ["ok", "ok", "error"]);
  // cached tokens are inside tokens_prompt and reasoning inside tokens_completion (OpenAI's way)
  assert.equal(t.calls.getColumn("input_tokens").sum(), sum("tokens_prompt")); // 10389+8214+4096
  assert.equal(t.calls.getColumn("output_tokens").sum(), sum("tokens_completion")); // 137+512+0
  assert.equal(t.calls.getColumn("cache_read_tokens").sum(), sum("tokens_cached")); // 6144
  assert.equal(t.calls.getColumn("reasoning_tokens").sum(), sum("tokens_reasoning")); // 384
  // durations: generation_time_ms (2810, 9120, 1530 ms); time to first token where given
  assert.deepEqual(
    rows(t.calls, "duration_s", "ttft_s"),
    csv.map((r) => ({
      duration_s: Number(r.generation_time_ms) / 1000,
      ttft_s: r.time_to_first_token_ms === "" ? null : Number(r.time_to_first_token_ms) / 1000,
    })),
  );
  // created_at is naive UTC: 2026-06-28 03:46:57.713
  assert.deepEqual(rows(t.calls, "started_at")[0], {
    started_at: new Date(Date.UTC(2026, 5, 28, 3, 46, 57, 713)),
  });
});

Deno.test("generic: LangSmith runs: an llm run is a call, a chain or tool run (its usage the sum of the runs below it) an event", async () => {
  type Run = Record<string, unknown> & {
    run_type: string;
    prompt_tokens?: number;
    completion_tokens?: number;
    token_usage?: { prompt_tokens: number; completion_tokens: number };
  };
  // langsmith-fetch's flat runs ({runs: [...]}, the run format of LangSmith's API): the chain
  // runs sum their children (650000 and 320000 prompt tokens), the llm run has 180000
  const flat = fixture("generic_langsmith_runs_flat.json");
  const { runs } = JSON.parse(readFileSync(flat, "utf8")) as { runs: Run[] };
  const llm = runs.filter((r) => r.run_type === "llm");
  const t = await loadTraces(flat, { cache: false });
  assert.equal(t.formats?.[flat], "generic");
  assert.deepEqual(
    rows(t.calls, "request_id", "model", "input_tokens", "output_tokens", "duration_s", "ttft_s"),
    [{
      request_id: llm[0]!.id,
      model: "claude-sonnet-4-20250514", // extra.metadata.ls_model_name
      input_tokens: llm[0]!.prompt_tokens,
      output_tokens: llm[0]!.completion_tokens,
      duration_s: 85, // 12:00:05 → 12:01:30
      ttft_s: 1, // first_token_time 12:00:06
    }],
  );
  assert.equal(
    t.events.filter(pl.col("type").eq(pl.lit("generic.row"))).height,
    runs.length - llm.length,
  );
  // a LangSmith CLI's `runs list --include-metadata` (captured from LangSmith's API): the
  // LangGraph node's chain run repeats its llm run's token_usage (516 / 61); the session is the
  // trace, not the tracing project
  const cli = fixture("generic_langsmith_cli_runs.json");
  const list = JSON.parse(readFileSync(cli, "utf8")) as Run[];
  const calls = list.filter((r) => r.run_type === "llm");
  const c = await loadTraces(cli, { cache: false });
  assert.equal(c.formats?.[cli], "generic");
  assert.deepEqual(
    rows(c.calls, "model", "provider", "input_tokens", "output_tokens", "session_id"),
    [
      ...calls.map((r) => ({
        model: "claude-3-5-haiku-20241022",
        provider: "anthropic",
        input_tokens: r.token_usage!.prompt_tokens,
        output_tokens: r.token_usage!.completion_tokens,
        session_id: r.trace_id,
      })),
    ],
  );
  assert.equal(c.calls.getColumn("input_tokens").sum(), 516);
});

Deno.test("generic: Helicone's request export (rows of its HeliconeRequest schema): times, HTTP status, cache tokens, the requested model, the session property", async () => {
  const path = fixture("generic_helicone_requests.jsonl");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) =>
    JSON.parse(l) as Record<string, unknown> & { properties: Record<string, string> }
  );
  const ms = (v: unknown) => Date.parse(String(v));
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "served_model",
      "status",
      "cache_read_tokens",
      "session_id",
    ),
    lines.map((l) => ({
      request_id: l.request_id,
      model: l.request_model, // the requested model (`model` is Helicone's resolved one)
      served_model: l.response_model,
      status: Number(l.response_status) >= 400 ? "error" : "ok", // the second: HTTP 429
      cache_read_tokens: l.prompt_cache_read_tokens,
      session_id: l.properties["Helicone-Session-Id"] ?? path,
    })),
  );
  assert.deepEqual(rows(t.calls, "status").map((r) => r.status), ["ok", "error", "ok"]);
  // latency: response_created_at − request_created_at (1.722 s, 0.138 s, 4.25 s)
  assert.deepEqual(
    rows(t.calls, "duration_s").map((r) => Math.round((r.duration_s as number) * 1000)),
    lines.map((l) => ms(l.response_created_at) - ms(l.request_created_at)),
  );
  assert.deepEqual(rows(t.calls, "started_at")[0], {
    started_at: new Date(ms(lines[0]!.request_created_at)),
  });
  // time_to_first_token is in ms (Helicone's worker: firstChunkTimeUnix − startTime.getTime()):
  // 415 ms, none (a call not streamed), 610 ms
  assert.deepEqual(
    rows(t.calls, "ttft_s").map((r) => r.ttft_s),
    lines.map((l) => l.time_to_first_token === null ? null : Number(l.time_to_first_token) / 1000),
  );
});

Deno.test("generic: Helicone's JSON export (a comma after its last row, as @helicone/export writes it) is read row by row", () => {
  // Helicone's export tool (examples/export/typescript/index.ts) writes "[\n", then each row as
  // JSON.stringify(row, null, 2) followed by ",\n" (unless a --limit is reached), then "]\n": a
  // trailing comma, so the text is no valid JSON array (it had been one invalid_json error, 0 calls)
  const lines = readFileSync(fixture("generic_helicone_requests.jsonl"), "utf8").trim().split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const pretty = lines.map((l) => JSON.stringify(l, null, 2));
  const text = "[\n" + pretty.map((p) => p + ",\n").join("") + "]\n";
  const t = fromTraceText(text, { file: "output.json" });
  assert.equal(t.diagnostics.height, 0);
  // each row starts on its own line: 2, then after each row's own lines
  const starts = pretty.map((_, i) =>
    2 + pretty.slice(0, i).reduce((n, p) => n + p.split("\n").length, 0)
  );
  assert.deepEqual(
    rows(t.calls, "request_id", "line", "input_tokens"),
    lines.map((l, i) => ({
      request_id: l.request_id,
      line: starts[i],
      input_tokens: l.prompt_tokens,
    })),
  );
});

Deno.test("generic: OpenRouter's generation (GET /api/v1/generation, its `data` envelope): the provider's native token counts, cached and reasoning, a cancelled generation", async () => {
  const path = fixture("generic_openrouter_generation.json");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic"); // it had been no trace at all (the envelope)
  const g = JSON.parse(readFileSync(path, "utf8")).data;
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "provider",
      "status",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "reasoning_tokens",
      "duration_s",
    ),
    [{
      request_id: g.id,
      model: g.model,
      provider: g.provider_name,
      status: "ok",
      input_tokens: g.native_tokens_prompt, // 10
      output_tokens: g.native_tokens_completion, // 25
      cache_read_tokens: g.native_tokens_cached, // 3 (it had not been read)
      reasoning_tokens: g.native_tokens_reasoning, // 5 (it had not been read)
      duration_s: g.latency / 1000, // 1250 ms: moderation (50) + generation (1200)
    }],
  );
  // the answer recorded for a cancelled generation in a public project's test: still billed, its
  // native counts known (310 prompt with 100 cached, 24 completion), one envelope per line
  const cancelled = {
    data: {
      id: "gen-c1",
      model: "example/model",
      streamed: true,
      cancelled: true,
      total_cost: 0.00042,
      native_tokens_prompt: 310,
      native_tokens_completion: 24,
      native_tokens_reasoning: 0,
      native_tokens_cached: 100,
    },
  };
  const c = fromTraceText(JSON.stringify(cancelled) + "\n", { file: "generations.jsonl" });
  assert.deepEqual(
    rows(c.calls, "status", "input_tokens", "output_tokens", "cache_read_tokens"),
    [{ status: "error", input_tokens: 310, output_tokens: 24, cache_read_tokens: 100 }],
  );
});

Deno.test("generic: Portkey's log export: ai_model, ai_org, req_units / res_units, response_status_code, JavaScript date texts; its config's mode is no outcome", async () => {
  const path = fixture("generic_portkey_export.jsonl");
  const t = await loadTraces(path, { cache: false });
  // it had not been detected (no model, no token field under a known name)
  assert.equal(t.formats?.[path], "generic");
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "provider",
      "status",
      "error",
      "input_tokens",
      "output_tokens",
      "session_id",
    ),
    lines.map((l) => ({
      request_id: l.id,
      model: l.ai_model,
      provider: l.ai_org,
      // by its HTTP status only: `mode: "fallback"` is the config's strategy (the first call,
      // answered with 200, had been an error by it)
      status: l.response_status_code >= 400 ? "error" : "ok",
      error: l.response.error?.message ?? null,
      input_tokens: l.req_units,
      output_tokens: l.res_units,
      session_id: l.trace_id,
    })),
  );
  // JavaScript's Date.toString() texts: 12:00:00 GMT+0000, 14:00:05 GMT+0200 (= 12:00:05 UTC)
  assert.deepEqual(rows(t.calls, "started_at").map((r) => (r.started_at as Date).toISOString()), [
    "2026-08-10T12:00:00.000Z",
    "2026-08-10T12:00:05.000Z",
    "2026-08-10T12:01:00.000Z",
  ]);
  assert.equal(t.diagnostics.filter(pl.col("code").eq(pl.lit("bad_time"))).height, 0);
});

Deno.test("generic: OpenPipe's export ({input, output, tags}) and a logged response's usage: the request's model, the response's usage and error", async () => {
  const path = fixture("generic_openpipe_export.jsonl");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic"); // it had not been detected
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(
    rows(t.calls, "request_id", "model", "served_model", "status", "error", "input_tokens"),
    lines.map((l) => ({
      request_id: l.output.id ?? null,
      model: l.input.model,
      served_model: l.output.model ?? null,
      status: l.output.error ? "error" : "ok",
      error: l.output.error?.message ?? null,
      input_tokens: l.output.usage?.prompt_tokens ?? null, // 47, none
    })),
  );
  assert.deepEqual(rows(t.calls, "output_tokens", "total_tokens", "started_at")[0], {
    output_tokens: lines[0].output.usage.completion_tokens, // 59
    total_tokens: lines[0].output.usage.total_tokens, // 106
    started_at: new Date(lines[0].output.created * 1000),
  });
  // a per-call log keeping the provider's whole response (Anthropic's usage names)
  const row = {
    ts: "2025-06-01T10:00:00Z",
    request: { model: "claude-3-5-haiku-20241022" },
    response: {
      model: "claude-3-5-haiku-20241022",
      usage: { input_tokens: 30, output_tokens: 7, cache_read_input_tokens: 1024 },
    },
  };
  const c = fromTraceText(JSON.stringify(row) + "\n", { file: "calls.jsonl" });
  // Anthropic's input_tokens leave the cache out: the whole prompt is 30 + 1024
  assert.deepEqual(rows(c.calls, "input_tokens", "output_tokens", "cache_read_tokens"), [{
    input_tokens: 30 + 1024,
    output_tokens: 7,
    cache_read_tokens: 1024,
  }]);
});

Deno.test("generic: the input is the whole prompt: Anthropic's usage adds its cache, OpenAI's holds it, a cache larger than the input was left out of it", () => {
  const head = { ts: "2025-06-01T10:00:00Z", model: "claude-sonnet-4-20250514" };
  const row = (usage: Record<string, number>) => JSON.stringify({ ...head, usage });
  const c = fromTraceText(
    [
      // Anthropic's usage as the API gives it: 5,000 new tokens, 2,000 read from the cache
      row({ input_tokens: 5000, output_tokens: 100, cache_read_input_tokens: 2000 }),
      // OpenAI's names: prompt_tokens hold the cached ones
      row({ prompt_tokens: 5000, completion_tokens: 100, cache_read_input_tokens: 2000 }),
      // a proxy's own names (model-proxy-linux's token_usage.jsonl: inputTokens 61 beside
      // cacheReadTokens 38528, its cost reckoned on 61 new tokens): the cache was left out
      JSON.stringify({ ...head, inputTokens: 61, outputTokens: 7, cacheReadTokens: 38528 }),
    ].join("\n") + "\n",
    { file: "calls.jsonl" },
  );
  assert.deepEqual(rows(c.calls, "input_tokens", "cache_read_tokens", "cost_usd"), [
    // Claude Sonnet 4 per million: $3 input, $0.30 cache read, $15 output
    {
      input_tokens: 7000,
      cache_read_tokens: 2000,
      cost_usd: (5000 * 3 + 2000 * 0.3 + 100 * 15) / 1e6,
    },
    {
      input_tokens: 5000,
      cache_read_tokens: 2000,
      cost_usd: (3000 * 3 + 2000 * 0.3 + 100 * 15) / 1e6,
    },
    {
      input_tokens: 61 + 38528,
      cache_read_tokens: 38528,
      cost_usd: (61 * 3 + 38528 * 0.3 + 7 * 15) / 1e6,
    },
  ]);
});

Deno.test("generic: a JSON array of rows cut before its `]` keeps its rows and says the file is cut", () => {
  // two whole rows, then the file ends (no closing bracket): 2 calls, one error at the `[`
  const text = '[\n{"model": "gpt-4o-mini", "input_tokens": 10, "output_tokens": 5},\n' +
    '{"model": "gpt-4o-mini", "input_tokens": 20, "output_tokens": 7},\n';
  const t = fromTraceText(text, { file: "cut.json" });
  assert.deepEqual(rows(t.calls, "line", "input_tokens"), [
    { line: 2, input_tokens: 10 },
    { line: 3, input_tokens: 20 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "truncated_object", severity: "error" },
  ]);
});

Deno.test("generic: cache writes to the 1-hour cache (the calls table's cache_write_1h_tokens, Anthropic's usage.cache_creation) are priced at their own rate", async () => {
  // row 1 as `export` writes a Claude Code call of claude-sonnet-4-6 (all its writes 1-hour ones);
  // row 2 a logged Anthropic response whose 1,000 writes are 400 5-minute and 600 1-hour ones
  const text = [
    {
      session_id: "s",
      model: "claude-sonnet-4-6",
      provider: "anthropic",
      started_at: "2026-05-03T10:57:32Z",
      input_tokens: 3,
      output_tokens: 188,
      cache_read_tokens: 10580,
      cache_write_tokens: 10526,
      cache_write_1h_tokens: 10526,
    },
    {
      session_id: "s",
      model: "claude-sonnet-4-6",
      timestamp: "2026-05-03T10:58:00Z",
      response: {
        id: "msg_1",
        usage: {
          input_tokens: 10,
          output_tokens: 100,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 1000,
          cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
        },
      },
    },
  ].map((r) => JSON.stringify(r)).join("\n") + "\n";
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/calls.jsonl`, text);
    const t = await loadTraces(`${dir}/calls.jsonl`, { cache: false });
    assert.deepEqual(rows(t.calls, "cache_write_tokens", "cache_write_1h_tokens"), [
      { cache_write_tokens: 10526, cache_write_1h_tokens: 10526 },
      { cache_write_tokens: 1000, cache_write_1h_tokens: 600 },
    ]);
    // Anthropic's prices of claude-sonnet-4-6 per million: input $3, output $15, cache read
    // $0.30, a 5-minute write $3.75 (1.25x input), a 1-hour write $6 (2x input)
    // row 1: 3*3 + 188*15 + 10580*0.3 + 10526*6 = 9 + 2820 + 3174 + 63156 = 69159 -> $0.069159
    //   (its writes priced as 5-minute ones, as before: 10526*3.75 = 39472.5 -> $0.0454755)
    // row 2: 10*3 + 100*15 + 400*3.75 + 600*6 = 30 + 1500 + 1500 + 3600 = 6630 -> $0.00663
    const cost = t.calls.getColumn("cost_usd").toArray() as number[];
    assert.ok(Math.abs(cost[0]! - 0.069159) < 1e-12, `${cost[0]}`);
    assert.ok(Math.abs(cost[1]! - 0.00663) < 1e-12, `${cost[1]}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generic: a name is found under each of the ways a row can hold it (a dotted key whole, a spelling, an object, JSON text)", () => {
  // the same usage, 10 in / 5 out, held four ways: keys flattened with dots (pandas'
  // json_normalize), a key in another spelling holding an object, an object under a dotted key,
  // and an object kept as JSON text (a database column)
  const lines = [
    { model: "gpt-4o-mini", "usage.prompt_tokens": 10, "usage.completion_tokens": 5 },
    { model: "gpt-4o-mini", Response: { usage: { prompt_tokens: 10, completion_tokens: 5 } } },
    { model: "gpt-4o-mini", "response.usage": { prompt_tokens: 10, completion_tokens: 5 } },
    { model: "gpt-4o-mini", response: '{"usage": {"prompt_tokens": 10, "completion_tokens": 5}}' },
  ];
  const t = fromTraceText(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", {
    file: "held.jsonl",
  });
  assert.deepEqual(
    rows(t.calls, "line", "input_tokens", "output_tokens"),
    [1, 2, 3, 4].map((line) => ({ line, input_tokens: 10, output_tokens: 5 })),
  );
});

Deno.test("generic: LiteLLM's SpendLogs table as CSV (real rows of a proxy's database): provider, failures, times, the time to the first token", async () => {
  const path = fixture("generic_litellm_spendlogs.csv");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  // independent reading: the cells holding commas are quoted JSON, which `csv` parses in the test
  const [head, ...records] = parseCsvLines(readFileSync(path, "utf8"));
  const csv = records.map((r) => Object.fromEntries(r.map((v, i) => [head![i]!, v])));
  const secs = (v: string) => Date.parse(v.replace(" ", "T") + "Z") / 1000;
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "served_model",
      "provider",
      "status",
      "input_tokens",
      "output_tokens",
    ),
    csv.map((r) => ({
      request_id: r.request_id,
      // the model asked for is the proxy's model group (`ollama/openchat:7b-v3.5-1210`), the one
      // that answered its deployment's `model` (`openchat:7b-v3.5-1210`); the two failed requests
      // named neither
      model: r.model_group || r.model || "unknown",
      served_model: r.model || null,
      provider: r.custom_llm_provider || null,
      status: r.status === "failure" ? "error" : "ok",
      input_tokens: Number(r.prompt_tokens),
      output_tokens: Number(r.completion_tokens),
    })),
  );
  // latency of the successes: endTime − startTime (49.383, 66.223, 51.481, 33.928, 16.236 s)
  const ok = csv.filter((r) => r.status === "success");
  assert.deepEqual(
    rows(t.calls.filter(pl.col("status").eq(pl.lit("ok"))), "duration_s", "ttft_s").map((r) => ({
      duration_s: Math.round((r.duration_s as number) * 1000),
      ttft_s: Math.round((r.ttft_s as number) * 1000),
    })),
    ok.map((r) => ({
      duration_s: Math.round((secs(r.endTime!) - secs(r.startTime!)) * 1000),
      ttft_s: Math.round((secs(r.completionStartTime!) - secs(r.startTime!)) * 1000),
    })),
  );
});

Deno.test("generic: LiteLLM's SpendLogs `metadata` (JSON kept as text, real rows): a failure's error message, the usage's reasoning", async () => {
  const path = fixture("generic_litellm_spendlogs_metadata.csv");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "generic");
  // independent reading: the cells are parsed by the test's CSV reader, the metadata by JSON.parse
  const [head, ...records] = parseCsvLines(readFileSync(path, "utf8"));
  const csv = records.map((r) => Object.fromEntries(r.map((v, i) => [head![i]!, v])));
  const meta = csv.map((r) => JSON.parse(r.metadata!));
  assert.deepEqual(
    rows(t.calls, "status", "error", "reasoning_tokens"),
    meta.map((m) => ({
      status: m.status === "failure" ? "error" : "ok",
      // "No api key passed in.", "400: {'error': … model=None …}" (had been "status is failure")
      error: m.error_information?.error_message ?? null,
      // 0 for the Ollama call (had been null: the usage is only in the metadata)
      reasoning_tokens: m.usage_object?.completion_tokens_details?.reasoning_tokens ?? null,
    })),
  );
  assert.deepEqual(rows(t.calls, "status").map((r) => r.status), ["error", "error", "ok"]);
  // the cached tokens of an OpenAI call's usage there (a row written by hand in LiteLLM's shape)
  const row = {
    request_id: "c1",
    model: "gpt-4o",
    custom_llm_provider: "openai",
    status: "success",
    prompt_tokens: 2000,
    completion_tokens: 50,
    metadata: JSON.stringify({
      usage_object: { prompt_tokens: 2000, prompt_tokens_details: { cached_tokens: 1536 } },
    }),
  };
  const c = fromTraceText(JSON.stringify(row) + "\n", { file: "spend.jsonl" });
  assert.deepEqual(rows(c.calls, "input_tokens", "cache_read_tokens"), [{
    input_tokens: 2000,
    cache_read_tokens: 1536,
  }]);
});

Deno.test("generic: a CSV cell holding a JSON object is reached by a dotted path (Helicone's export: request_properties)", () => {
  // the columns Helicone's export tool writes to CSV (examples/export/typescript/index.ts): its
  // request_properties cell is the properties object as JSON text
  const text = "response_id,response_created_at,response_status,request_created_at," +
    "request_properties,model,prompt_tokens,completion_tokens\n" +
    '"r1","2025-06-03T14:02:11.842Z","200","2025-06-03T14:02:10.120Z",' +
    '"{""Helicone-Session-Id"":""s-1""}","gpt-4o-mini","1408","136"\n' +
    '"r2","2025-06-03T14:02:14.009Z","200","2025-06-03T14:02:13.871Z","{}","gpt-4o-mini","10","2"\n';
  const t = fromTraceText(text, { file: "output.csv" });
  // the session property (had been the file for both)
  assert.deepEqual(rows(t.calls, "session_id"), [{ session_id: "s-1" }, {
    session_id: "output.csv",
  }]);
});

Deno.test("generic: a LiteLLM row answered from LiteLLM's response cache (cache_hit) is no call, an event", () => {
  // the payload's keys (LiteLLM's StandardLoggingPayload specification: cache_hit "whether cache
  // was hit", saved_cache_cost); the SpendLogs table writes the flag as the text "True"
  const hit = {
    id: "c2",
    call_type: "acompletion",
    model: "gpt-4o",
    model_group: "gpt-4o",
    custom_llm_provider: "openai",
    status: "success",
    cache_hit: true,
    saved_cache_cost: 0.000225,
    response_cost: 0,
    startTime: 1735689600.0,
    endTime: 1735689600.004,
    prompt_tokens: 10,
    completion_tokens: 20,
  };
  const spendRow = { ...hit, id: "c3", cache_hit: "True" };
  const asked = { ...hit, id: "c4", cache_hit: "False", endTime: 1735689601.5 };
  const text = [hit, spendRow, asked].map((r) => JSON.stringify(r)).join("\n") + "\n";
  const t = fromTraceText(text, { file: "payloads.jsonl" });
  // one model request (c4); the two cache hits (c2, c3) had been calls of 4 ms priced in full
  assert.deepEqual(rows(t.calls, "request_id", "duration_s"), [{
    request_id: "c4",
    duration_s: 1.5,
  }]);
  assert.equal(t.events.filter(pl.col("type").eq(pl.lit("generic.cache_hit"))).height, 2);
});

Deno.test("generic: a LiteLLM StandardLoggingPayload that failed is an error with its error_str", () => {
  // the keys of LiteLLM's failure payload (litellm/types/utils.py StandardLoggingPayload)
  const row = {
    id: "c1",
    model: "gpt-4o",
    custom_llm_provider: "openai",
    status: "failure",
    startTime: 1735689600.0,
    endTime: 1735689601.5,
    prompt_tokens: 0,
    completion_tokens: 0,
    error_str: "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached",
    error_information: { error_code: "429", error_class: "RateLimitError" },
  };
  const t = fromTraceText(JSON.stringify(row) + "\n", { file: "payloads.jsonl" });
  assert.deepEqual(rows(t.calls, "status", "error", "provider", "duration_s"), [{
    status: "error",
    error: row.error_str,
    provider: "openai",
    duration_s: 1.5,
  }]);
});

Deno.test("generic: timestamp_start / timestamp_end are the times of a row (a real agent-run log)", async () => {
  const path = fixture("generic_timestamp_start_end.excerpt.jsonl");
  const t = await loadTraces(path, { cache: false });
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const runs = lines.filter((l) => "model" in l); // the first line is a schema header: an event
  assert.deepEqual(
    rows(t.calls, "started_at", "ended_at", "duration_s"),
    runs.map((r) => ({
      started_at: new Date(r.timestamp_start), // "2026-08-26T00:19:00+02:00"
      ended_at: new Date(r.timestamp_end),
      duration_s: r.duration_seconds, // the log's own duration wins over end − start
    })),
  );
});

Deno.test("generic: a usage report's buckets (OpenAI's completions_usage CSV: num_model_requests per minute) are no calls", async () => {
  const path = fixture("generic_openai_usage_buckets.csv");
  const text = readFileSync(path, "utf8");
  // before: each bucket was one call of 60 s (end_time − start_time), 5 calls standing for
  // 4 + 3 + 3 + 25 + 1 = 36 requests
  assert.equal(detect(text, "completions_usage.csv"), null);
  const t = await loadTraces(path, { cache: false, format: "generic" });
  assert.equal(t.calls.height, 0);
  assert.equal(t.events.filter(pl.col("type").eq(pl.lit("generic.row"))).height, 5);
  assert.deepEqual(rows(t.diagnostics, "code"), [{ code: "no_calls" }]);
});

/** The records of a small CSV text (quoted cells with `""` escapes; no newline inside a cell). */
function parseCsvLines(text: string): string[][] {
  return text.trim().split(/\r?\n/).map((line) => {
    const cells: string[] = [];
    let cell = "", quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted && c === '"' && line[i + 1] === '"') (cell += '"', i++);
      else if (c === '"') quoted = !quoted;
      else if (c === "," && !quoted) (cells.push(cell), cell = "");
      else cell += c;
    }
    cells.push(cell);
    return cells;
  });
}

Deno.test("generic: a --map field that no row has is one map_field_missing warning each, not silence", async () => {
  const { parseGenericText } = await import("../../../src/load/formats/generic.ts");
  const text = [
    JSON.stringify({ llm: "gpt-4o", took: 1.5, usage: { prompt: 10 } }),
    JSON.stringify({ llm: "gpt-4o", took: 2.5, usage: { prompt: 12 } }),
  ].join("\n");
  // `lm` and `usage.prompt_typo` are in no row; `took` is
  const typo = parseGenericText(text, "log.jsonl", {
    map: { model: "lm", duration_s: "took", input_tokens: "usage.prompt_typo" },
  });
  assert.deepEqual(
    typo.diagnostics.map((d) => [d.code, d.line, d.severity, d.message]),
    [
      [
        "map_field_missing",
        1,
        "warning",
        '--map "model=lm": no row has the field "lm" (a typo?), so model is empty',
      ],
      [
        "map_field_missing",
        1,
        "warning",
        '--map "input_tokens=usage.prompt_typo": no row has the field "usage.prompt_typo" (a typo?), so input_tokens is empty',
      ],
    ],
  );
  const right = parseGenericText(text, "log.jsonl", {
    map: { model: "llm", duration_s: "took", input_tokens: "usage.prompt" },
  });
  assert.deepEqual(right.diagnostics, []);
  assert.deepEqual(right.calls.map((c) => [c.model, c.duration_s, c.input_tokens]), [
    ["gpt-4o", 1.5, 10],
    ["gpt-4o", 2.5, 12],
  ]);
});

Deno.test("generic: a model_group outside LiteLLM's rows (no custom_llm_provider, call_type or api_base) is not the model", () => {
  // an application's own log whose model_group is a family of its models, not a proxy's group
  const row = { model: "gpt-4o", model_group: "werewolf", input_tokens: 12, output_tokens: 3 };
  const t = fromTraceText(JSON.stringify(row) + "\n", { file: "game.jsonl" });
  assert.deepEqual(rows(t.calls, "model", "served_model"), [{
    model: "gpt-4o",
    served_model: null,
  }]);
});

Deno.test("generic: a calendar date alone (a per-day usage log's `date`) is its midnight, in the time zone given", () => {
  // the shape of bappi3/llm-cost's usage.jsonl: {model, input_tokens, output_tokens, date}
  const text = [
    { model: "claude-opus-4-8", input_tokens: 1200, output_tokens: 800, date: "2026-07-08" },
    { model: "claude-opus-4-8", input_tokens: 900, output_tokens: 300, date: "2026-07-09" },
  ].map((r) => JSON.stringify(r)).join("\n");
  const utc = fromTraceText(text, { file: "usage.jsonl" });
  assert.equal(utc.formats?.["usage.jsonl"], "generic");
  assert.equal(utc.diagnostics.height, 0);
  const times = (t: typeof utc) =>
    t.calls.getColumn("started_at").toArray().map((d) => (d as unknown as Date).toISOString());
  assert.deepEqual(times(utc), ["2026-07-08T00:00:00.000Z", "2026-07-09T00:00:00.000Z"]);
  // Paris is two hours ahead of UTC in July
  const paris = fromTraceText(text, { file: "usage.jsonl", timezone: "Europe/Paris" });
  assert.deepEqual(times(paris), ["2026-07-07T22:00:00.000Z", "2026-07-08T22:00:00.000Z"]);
  // a day no calendar has is still not a time, with its warning
  const bad = fromTraceText(JSON.stringify({ model: "m", input_tokens: 1, date: "2026-02-30" }), {
    file: "usage.jsonl",
  });
  assert.deepEqual(rows(bad.diagnostics, "code"), [{ code: "bad_time" }]);
});
