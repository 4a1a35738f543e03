import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { realFixture } from "../_helpers.ts";
import { tableEqual } from "../_table.ts";
import { fromTraceText, loadTraceGroups, loadTraces } from "../../src/load/mod.ts";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  type TraceSet,
} from "../../src/frames/columns.ts";
import { UserError } from "../../src/log/mod.ts";

/** A cache folder of this test file: `cold cache` writes it, `warm cache` then reads it. */
const CACHE_DIR = Deno.makeTempDirSync({ prefix: "tracebook-test-cache-" });
const cacheFor = (mode: string): string | false => (mode === "no cache" ? false : CACHE_DIR);

const line = (
  type: string,
  ts: string,
  data?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => JSON.stringify({ type, timestamp: ts, session_id: "s1", ...(data ? { data } : {}), ...extra });

/** A session with an ok call, an error call (model from the request), a pending call and metadata. */
const SESSION = [
  line("session_start", "2025-04-08T10:00:00"),
  line("session_metadata", "2025-04-08T10:00:00.5", { user: "ana", version: 3 }),
  line("llm_request", "2025-04-08T10:00:01", {
    request_id: "a",
    model: "gpt-4o",
    provider: "openai",
    messages: [{ role: "system", content: "Be brief." }, {
      role: "user",
      content: [{ type: "text", text: "héllo 😀" }],
    }],
  }),
  line("llm_response", "2025-04-08T10:00:03.5", {
    request_id: "a",
    duration_seconds: 2.5,
    model: "gpt-4o-2024-08-06",
    output: "Hi!",
    usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } },
    ttft_seconds: 0.4,
    finish_reason: "stop",
  }),
  line("llm_request", "2025-04-08T10:00:04", { request_id: "b", model: "claude-3-5-sonnet" }),
  line("llm_error", "2025-04-08T10:00:05", {
    request_id: "b",
    duration_seconds: 1,
    error: "RateLimitError",
  }),
  line("llm_request", "2025-04-08T10:00:06", { request_id: "c", model: "gpt-4o" }),
  line("llm_request", "2025-04-08T10:00:07", { request_id: "d" }),
  line("llm_response", "2025-04-08T10:00:09", {
    request_id: "d",
    duration_seconds: 2,
    model: "unknown",
  }),
  line("step_done", "2025-04-08T10:00:10", { step: 1, request_id: "d" }),
  line("session_metadata", "2025-04-08T10:00:11", { user: "bob", tags: ["x"] }),
  line("session_end", "2025-04-08T10:00:12", undefined, { duration_seconds: 12.25 }),
].join("\n") + "\n";

/** Column names and dtypes, with Utf8 and String spelled alike. */
function dtypes(frame: pl.DataFrame): Record<string, string> {
  return expected(frame.schema as Record<string, pl.DataType>);
}

function expected(columns: Record<string, pl.DataType>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(columns).map(([k, v]) => [k, String(v).replace("Utf8", "String")]),
  );
}

function withTemp(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync();
    try {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(dir, name, ".."), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

Deno.test(
  "loadTraces() returns exactly the contract's columns and dtypes",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    const t = await loadTraces(dir);
    assert.deepEqual(dtypes(t.calls), expected({ ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS }));
    assert.deepEqual(dtypes(t.sessions), {
      ...expected(SESSION_COLUMNS),
      user: "DataType(String)",
      version: "DataType(String)",
      tags: "DataType(String)",
    });
    assert.deepEqual(dtypes(t.events), expected(EVENT_COLUMNS));
    assert.deepEqual(dtypes(t.diagnostics), expected(DIAGNOSTIC_COLUMNS));
  }),
);

Deno.test(
  "loadTraces() pairs calls by request_id with the model rules of DESIGN.md",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    for (const reader of ["no cache", "cold cache", "warm cache"] as const) {
      const t = await loadTraces(dir, { cache: cacheFor(reader) });
      tableEqual(
        t.calls.select(
          "request_id",
          "model",
          "served_model",
          "status",
          "error",
          "duration_s",
          "line",
          "orphan",
        ),
        {
          request_id: ["a", "b", "c", "d"],
          // the model rule: the request's model groups (a); an llm_error names no model, so the
          // request's (b); no model anywhere, the response's is "unknown" (d)
          model: ["gpt-4o", "claude-3-5-sonnet", "gpt-4o", "unknown"],
          // the response's version is served_model; nothing was served for b and c
          served_model: ["gpt-4o-2024-08-06", null, null, null],
          status: ["ok", "error", "pending", "ok"],
          error: [null, "RateLimitError", null, null],
          duration_s: [2.5, 1, null, 2],
          line: [3, 5, 7, 8],
          orphan: [false, false, false, false],
        },
        `reader: ${reader}`,
      );
      // tokens normalized from OpenAI names; prompt_chars counts code points: "Be brief." (9) + "héllo 😀" (7)
      assert.deepEqual(
        t.calls.select(
          "input_tokens",
          "output_tokens",
          "total_tokens",
          "cache_read_tokens",
          "reasoning_tokens",
          "ttft_s",
          "prompt_chars",
          "output_chars",
        ).row(0),
        [12, 3, 15, 4, null, 0.4, 16, 3],
      );
      assert.deepEqual(t.calls.select("finish_reason", "cache_write_tokens", "group").row(0), [
        "stop",
        null,
        null,
      ]);
      // data.provider is taken as written (applyPrices may infer the others from the model)
      assert.equal(t.calls.getColumn("provider").toArray()[0], "openai");
      const a = t.calls.row(0);
      assert.equal((a[5] as Date).toISOString(), "2025-04-08T10:00:01.000Z");
      assert.equal((a[6] as Date).toISOString(), "2025-04-08T10:00:03.500Z");
      assert.equal(t.diagnostics.height, 0);
    }
  }),
);

Deno.test(
  "loadTraces() builds sessions with metadata columns (later values win, non-strings as JSON)",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    const t = await loadTraces(dir);
    const s = t.sessions.toRecords()[0]!;
    assert.equal((s.started_at as unknown as Date).toISOString(), "2025-04-08T10:00:00.000Z");
    assert.equal((s.ended_at as unknown as Date).toISOString(), "2025-04-08T10:00:12.000Z");
    assert.deepEqual(
      { ...s, started_at: undefined, ended_at: undefined },
      {
        session_id: "s1",
        file: join(dir, "a.jsonl"),
        started_at: undefined,
        ended_at: undefined,
        duration_s: 12.25,
        complete: true,
        calls: 4,
        errors: 1,
        user: "bob",
        version: "3",
        tags: `["x"]`,
      },
    );
  }),
);

Deno.test(
  "loadTraces() lists every valid event with the payload of custom and metadata events",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    const t = await loadTraces(dir);
    assert.equal(t.events.height, 12);
    const rows = t.events.select("line", "type", "request_id", "payload").toRecords();
    assert.deepEqual(rows[1], {
      line: 2,
      type: "session_metadata",
      request_id: null,
      payload: `{"user":"ana","version":3}`,
    });
    assert.deepEqual(rows[9], {
      line: 10,
      type: "step_done",
      request_id: "d",
      payload: `{"step":1,"request_id":"d"}`,
    });
    assert.deepEqual(rows[2], { line: 3, type: "llm_request", request_id: "a", payload: null });
  }),
);

Deno.test(
  "loadTraces() keeps the invariant the metrics rely on: ok == responses, error == errors, non-orphans == requests",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    const t = await loadTraces(dir);
    const types = t.events.getColumn("type").toArray();
    const status = t.calls.getColumn("status").toArray();
    const orphan = t.calls.getColumn("orphan").toArray();
    const n = (xs: unknown[], v: unknown) => xs.filter((x) => x === v).length;
    assert.equal(n(status, "ok"), n(types, "llm_response"));
    assert.equal(n(status, "error"), n(types, "llm_error"));
    assert.equal(n(orphan, false), n(types, "llm_request"));
  }),
);

Deno.test(
  "loadTraces({ keepText: true }) adds the messages (JSON), output and params (JSON) columns",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    const t = await loadTraces(dir, { keepText: true });
    assert.deepEqual(t.calls.columns.slice(-3), ["messages", "output", "params"]);
    // SESSION's first request has no params; a request with params keeps them as JSON
    assert.equal(t.calls.getColumn("params").get(0), null);
    const p = fromTraceText(
      '{"type":"llm_request","timestamp":"2025-04-08T10:00:01","session_id":"s","data":{"request_id":"r","model":"m","params":{"temperature":0.2}}}\n',
      { keepText: true },
    );
    assert.equal(p.calls.getColumn("params").get(0), '{"temperature":0.2}');
    assert.deepEqual(t.calls.select("output").row(0), ["Hi!"]);
    assert.equal(
      JSON.parse(t.calls.getColumn("messages").toArray()[0] as string)[0].content,
      "Be brief.",
    );
  }),
);

Deno.test(
  "loadTraces({ timezone }) reads naive timestamps in that zone",
  withTemp({ "a.jsonl": SESSION }, async (dir) => {
    const t = await loadTraces(dir, { timezone: "Asia/Tokyo" });
    assert.equal(
      (t.calls.getColumn("started_at").toArray()[0] as unknown as Date).toISOString(),
      "2025-04-08T01:00:01.000Z",
    );
    await assert.rejects(() => loadTraces(dir, { timezone: "Nowhere/City" }), UserError);
  }),
);

Deno.test(
  "loadTraces() takes files, directories (recursively), globs, several at once, de-duplicated and sorted",
  withTemp({
    "b.jsonl": SESSION.replaceAll('"s1"', '"sb"'),
    "sub/deeper/a.jsonl": SESSION.replaceAll('"s1"', '"sa"'),
    "sub/notes.txt": "not a trace",
  }, async (dir) => {
    const t = await loadTraces([join(dir, "b.jsonl"), dir, `${dir}/**/*.jsonl`]);
    assert.deepEqual(t.files, [join(dir, "b.jsonl"), join(dir, "sub/deeper/a.jsonl")]);
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), ["sb", "sa"]);
    assert.equal(t.calls.height, 8);
  }),
);

Deno.test(
  "loadTraces() names a missing input, and says when nothing was found",
  withTemp({ "notes.txt": "x" }, async (dir) => {
    await assert.rejects(() => loadTraces(join(dir, "nope.jsonl")), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, `Input "${join(dir, "nope.jsonl")}" does not exist.`);
      assert.equal(e.exitCode, 1);
      return true;
    });
    await assert.rejects(() => loadTraces(dir), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(
        e.message,
        `No trace files found in "${dir}" (looked for *.jsonl, *.json, *.ndjson and their .gz, .zst and .zstd forms, and Genkit's .genkit/traces/*).`,
      );
      return true;
    });
  }),
);

Deno.test(
  "loadTraces() reports progress in bytes, ending at the total",
  withTemp({ "a.jsonl": SESSION, "b.jsonl": SESSION }, async (dir) => {
    const seen: [number, number][] = [];
    await loadTraces(dir, { onProgress: (done, total) => seen.push([done, total]) });
    const total = new TextEncoder().encode(SESSION).length * 2;
    assert.deepEqual(seen[0], [0, total]);
    assert.deepEqual(seen.at(-1), [total, total]);
    assert.ok(seen.every(([d], i) => i === 0 || d >= seen[i - 1]![0]));
  }),
);

Deno.test(
  "loadTraceGroups() labels each group's calls and stacks the sets",
  withTemp({
    "v1/a.jsonl": SESSION,
    "v2/a.jsonl": SESSION.replaceAll('"s1"', '"s2"').replace(/"user"[^}]*/g, '"team":"x"'),
  }, async (dir) => {
    const t = await loadTraceGroups({ before: [join(dir, "v1")], after: [join(dir, "v2")] });
    assert.deepEqual(t.calls.getColumn("group").toArray(), [
      "before",
      "before",
      "before",
      "before",
      "after",
      "after",
      "after",
      "after",
    ]);
    assert.deepEqual(t.sessions.columns.slice(8), ["user", "version", "tags", "team"]);
    tableEqual(t.sessions.select("session_id", "user", "team"), {
      session_id: ["s1", "s2"],
      user: ["bob", null],
      team: [null, "x"],
    });
  }),
);

Deno.test("fromTraceText() builds a TraceSet from text", () => {
  const t = fromTraceText(SESSION, { file: "mem.jsonl" });
  assert.equal(t.calls.height, 4);
  assert.deepEqual(t.files, ["mem.jsonl"]);
});

const native = realFixture("native/");
Deno.test({
  name:
    "loadTraces() loads the real native traces with no error: 2 sessions, 1 complete, 1 call of model unknown",
  ignore: native === undefined,
  async fn() {
    for (const reader of ["no cache", "cold cache", "warm cache"] as const) {
      const t: TraceSet = await loadTraces(native!, { cache: cacheFor(reader) });
      assert.equal(t.diagnostics.height, 0);
      assert.equal(t.sessions.height, 2);
      assert.deepEqual(t.sessions.getColumn("complete").toArray(), [false, true]);
      assert.deepEqual(
        t.calls.select("model", "status", "duration_s", "prompt_chars").toRecords(),
        [
          { model: "unknown", status: "ok", duration_s: 24.989967823028564, prompt_chars: 0 },
        ],
      );
      // output_chars: the code points of the one response's `data.output`, read from the files here
      const responses = readdirSync(native!).flatMap((f) =>
        readFileSync(join(native!, f), "utf8").split("\n").filter((l) =>
          l.includes('"llm_response"')
        )
      ).map((l) => JSON.parse(l).data.output as string);
      assert.equal(responses.length, 1);
      assert.equal(t.calls.getColumn("output_chars").toArray()[0], [...responses[0]!].length);
      const custom = new Set(
        t.events.getColumn("payload").toArray().flatMap((p, i) =>
          p === null ? [] : [t.events.getColumn("type").toArray()[i]]
        ),
      );
      assert.deepEqual([...custom].sort(), [
        "json_block_extracted",
        "json_extraction_start",
        "json_parsing_success",
        "taxonomy_output",
      ]);
      assert.equal(t.sessions.getColumn("duration_s").toArray()[1], 24.997937);
    }
  },
});

Deno.test("a native response's writes to the 1-hour cache (Anthropic's usage, or our name) are their own column", () => {
  const line = (id: string, usage: Record<string, unknown>) =>
    JSON.stringify({
      type: "llm_response",
      timestamp: "2025-04-08T10:00:01",
      session_id: "s",
      data: { request_id: id, duration_seconds: 1, model: "claude-sonnet-4-20250514", usage },
    });
  const t = fromTraceText(
    [
      // as the Anthropic SDK returns it: 500 cache writes, 300 of them to the 1-hour cache
      line("a", {
        input_tokens: 3,
        output_tokens: 10,
        cache_creation_input_tokens: 500,
        cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 300 },
      }),
      line("b", {
        input_tokens: 3,
        output_tokens: 10,
        cache_write_tokens: 40,
        cache_write_1h_tokens: 40,
      }),
      line("c", { input_tokens: 3, output_tokens: 10 }),
    ].join("\n") + "\n",
  );
  assert.deepEqual(t.calls.getColumn("cache_write_tokens").toArray(), [500, 40, null]);
  assert.deepEqual(t.calls.getColumn("cache_write_1h_tokens").toArray(), [300, 40, null]);
  // valid lines (responses without their requests: warnings, not bad lines)
  assert.deepEqual(t.diagnostics.getColumn("severity").toArray(), [
    "warning",
    "warning",
    "warning",
  ]);
});
