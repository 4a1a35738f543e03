/**
 * Bad input, lenient by default: every non-blank line is an event or exactly one
 * error diagnostic, with and without the cache (the second load reads it) alike.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { UserError } from "../../src/log/mod.ts";
import type { TraceSet } from "../../src/frames/columns.ts";

/** A cache folder of this test file: `cold cache` writes it, `warm cache` then reads it. */
const CACHE_DIR = Deno.makeTempDirSync({ prefix: "tracebook-test-cache-" });
const cacheFor = (mode: string): string | false => (mode === "no cache" ? false : CACHE_DIR);

const BAD = join(ROOT, "tests/fixtures/bad");
const UNUSUAL = join(ROOT, "tests/fixtures/unusual");

function nonBlankLines(path: string): number {
  return readFileSync(path, "utf8").replace(/^\uFEFF/, "").split("\n").filter((l) =>
    l.trim() !== ""
  ).length;
}

function diagnostics(t: TraceSet): string[] {
  return t.diagnostics.toRecords().map((d) => `${d.line} ${d.severity} ${d.code}`);
}

function errorCount(t: TraceSet): number {
  return t.diagnostics.getColumn("severity").toArray().filter((s) => s === "error").length;
}

for (const name of readdirSync(BAD).sort()) {
  Deno.test(`loadTraces() accounts for every line of bad/${name}: events + error diagnostics == non-blank lines`, async () => {
    const path = join(BAD, name);
    for (const reader of ["no cache", "cold cache", "warm cache"] as const) {
      const t = await loadTraces(path, { cache: cacheFor(reader) });
      assert.equal(t.events.height + errorCount(t), nonBlankLines(path), `reader: ${reader}`);
    }
  });
  Deno.test(`loadTraces() gives the same frames for bad/${name} with and without the cache (the second load reads it)`, async () => {
    const path = join(BAD, name);
    const [a, b] = [
      await loadTraces(path, { cache: false }),
      (await loadTraces(path, { cache: CACHE_DIR }), await loadTraces(path, { cache: CACHE_DIR })),
    ];
    for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
      assert.deepEqual(a[k].toRecords(), b[k].toRecords(), k);
    }
  });
}

Deno.test("loadTraces() reports invalid JSON with its line", async () => {
  const t = await loadTraces(join(BAD, "invalid_json.jsonl"));
  assert.deepEqual(diagnostics(t), ["2 error invalid_json"]);
  assert.match(t.diagnostics.getColumn("message").get(0), /^line is not valid JSON \(/);
  assert.equal(t.events.height, 2);
});

Deno.test("loadTraces() reports a JSON value that is not an object", async () => {
  const t = await loadTraces(join(BAD, "not_an_object.jsonl"));
  assert.deepEqual(diagnostics(t), [
    "2 error not_an_object",
    "3 error not_an_object",
    "4 error not_an_object",
    "5 error not_an_object",
  ]);
  assert.deepEqual(t.diagnostics.getColumn("message").toArray(), [
    "line is an array, not a JSON object",
    "line is a number, not a JSON object",
    "line is a string, not a JSON object",
    "line is null, not a JSON object",
  ]);
});

Deno.test("loadTraces() reports a missing or non-string type", async () => {
  const t = await loadTraces(join(BAD, "bad_type.jsonl"));
  assert.deepEqual(diagnostics(t), [
    "1 error missing_type",
    "2 error bad_type",
    "3 error bad_type",
  ]);
  assert.equal(
    t.diagnostics.getColumn("message").get(1),
    `"type" must be a non-empty string, got number 42`,
  );
});

Deno.test("loadTraces() reports a missing or unparseable timestamp", async () => {
  const t = await loadTraces(join(BAD, "bad_timestamp.jsonl"));
  assert.deepEqual(diagnostics(t), [
    "1 error missing_timestamp",
    "2 error bad_timestamp",
    "3 error bad_timestamp",
    "4 error bad_timestamp",
  ]);
  assert.equal(
    t.diagnostics.getColumn("message").get(2),
    `"timestamp" is not an ISO 8601 date-time: "2025-13-01T00:00:00"`,
  );
  assert.equal(t.events.height, 1);
});

Deno.test("loadTraces() reports wrong field types with the zod path, even where Polars would coerce", async () => {
  const t = await loadTraces(join(BAD, "wrong_types.jsonl"));
  assert.deepEqual(diagnostics(t), [
    "2 error invalid_field",
    "3 error invalid_field",
    "4 error invalid_field",
    "5 error invalid_field",
    "6 error invalid_field",
    "7 error invalid_field",
    "8 error invalid_field",
    "9 error invalid_field",
    "10 error invalid_field",
  ]);
  assert.deepEqual(t.diagnostics.getColumn("message").toArray(), [
    `"data.duration_seconds" must be a number, got string`,
    `"session_id" must be a string, got number`,
    `"data.request_id" must be a string, got number`,
    `"data.model" must be a string, got null`,
    `"data.usage.input_tokens" must be an integer, got 2.5`,
    `"data.error" is missing`,
    `"duration_seconds" must be at least 0, got -1`,
    `"data.messages" must be an array, got string`,
    `"data" must be an object, got string`,
  ]);
  // the one valid request stays pending: its response and error lines were bad
  assert.deepEqual(t.calls.select("request_id", "status").toRecords(), [{
    request_id: "r1",
    status: "pending",
  }]);
});

Deno.test("loadTraces() reports a truncated last line as truncated_line", async () => {
  const t = await loadTraces(join(BAD, "truncated_last_line.jsonl"));
  assert.deepEqual(diagnostics(t), ["3 error truncated_line"]);
  assert.deepEqual(t.calls.select("request_id", "status").toRecords(), [{
    request_id: "r1",
    status: "pending",
  }]);
});

Deno.test("loadTraces() keeps duplicate request ids as separate calls with a warning, and keeps the invariant", async () => {
  const t = await loadTraces(join(BAD, "duplicate_request_id.jsonl"));
  assert.deepEqual(diagnostics(t), [
    "2 warning duplicate_request_id",
    "5 warning duplicate_outcome",
  ]);
  assert.deepEqual(t.calls.select("line", "model", "status", "duration_s", "orphan").toRecords(), [
    { line: 1, model: "gpt-4o", status: "ok", duration_s: 2.0, orphan: false },
    { line: 2, model: "gpt-4o-mini", status: "ok", duration_s: 2.5, orphan: false },
    { line: 5, model: "unknown", status: "ok", duration_s: 3.0, orphan: true },
  ]);
  // ok calls == llm_response events (3); non-orphan calls == llm_request events (2)
  assert.equal(t.calls.getColumn("orphan").toArray().filter((o) => !o).length, 2);
});

Deno.test("loadTraces() counts a response or error without a request as an orphan call with a warning", async () => {
  const t = await loadTraces(join(BAD, "orphan_response.jsonl"));
  assert.deepEqual(diagnostics(t), ["1 warning orphan_response", "2 warning orphan_response"]);
  assert.deepEqual(
    t.calls.select("request_id", "model", "status", "error", "orphan", "duration_s").toRecords(),
    [
      {
        request_id: "ghost",
        model: "gpt-4o",
        status: "ok",
        error: null,
        orphan: true,
        duration_s: 2.0,
      },
      {
        request_id: "ghost2",
        model: "unknown",
        status: "error",
        error: "timeout",
        orphan: true,
        duration_s: 0.5,
      },
    ],
  );
  // an orphan's start is derived from its end and duration
  assert.equal(
    (t.calls.getColumn("started_at").toArray()[0] as unknown as Date).toISOString(),
    "2025-04-08T19:42:09.000Z",
  );
});

Deno.test("loadTraces() reports a 10 MB line as line_too_long and loads the rest", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "big_line.jsonl");
    const big = JSON.stringify({
      type: "llm_response",
      timestamp: "2025-04-08T19:42:11",
      session_id: "s1",
      data: { request_id: "r1", duration_seconds: 1, output: "x".repeat(10_000_000) },
    });
    writeFileSync(
      path,
      [
        `{"type": "llm_request", "timestamp": "2025-04-08T19:42:09", "session_id": "s1", "data": {"request_id": "r1"}}`,
        big,
        `{"type": "session_end", "timestamp": "2025-04-08T19:42:12", "session_id": "s1", "duration_seconds": 3}`,
        "",
      ].join("\n"),
    );
    for (const reader of ["no cache", "cold cache", "warm cache"] as const) {
      const t = await loadTraces(path, { cache: cacheFor(reader) });
      assert.deepEqual(diagnostics(t), ["2 error line_too_long"]);
      assert.equal(
        t.diagnostics.getColumn("message").get(0),
        "line is 10.0 MB, over the 8.4 MB limit (option maxLineBytes)",
      );
      assert.equal(t.events.height, 2);
    }
    const t = await loadTraces(path, { maxLineBytes: Infinity });
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(t.calls.select("status", "output_chars").toRecords(), [{
      status: "ok",
      output_chars: 10_000_000,
    }]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadTraces({ strict: true }) throws one UserError listing the first bad lines as file:line: reason", async () => {
  const path = join(BAD, "bad_type.jsonl");
  await assert.rejects(() => loadTraces(path, { strict: true }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.exitCode, 1);
    assert.equal(
      e.message,
      `Found 3 bad lines in strict mode: ${path}:1: "type" is missing; ` +
        `${path}:2: "type" must be a non-empty string, got number 42; ` +
        `${path}:3: "type" must be a non-empty string, got string "".`,
    );
    return true;
  });
  // warnings do not fail strict mode
  const t = await loadTraces(join(BAD, "orphan_response.jsonl"), { strict: true });
  assert.equal(t.calls.height, 2);
});

Deno.test("loadTraces() loads an empty file with no diagnostic", async () => {
  const t = await loadTraces(join(UNUSUAL, "empty.jsonl"));
  assert.deepEqual([t.events.height, t.calls.height, t.sessions.height, t.diagnostics.height], [
    0,
    0,
    0,
    0,
  ]);
});

Deno.test("loadTraces() loads a BOM, CRLF, blank lines, unknown fields and unknown types with no diagnostic and right lines", async () => {
  for (const reader of ["no cache", "cold cache", "warm cache"] as const) {
    const t = await loadTraces(join(UNUSUAL, "bom_crlf_blank.jsonl"), { cache: cacheFor(reader) });
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(t.events.select("line", "type", "payload").toRecords(), [
      { line: 1, type: "session_start", payload: null },
      { line: 3, type: "llm_request", payload: null },
      { line: 5, type: "my_custom_step", payload: `{"step":3}` },
      { line: 6, type: "llm_response", payload: null },
    ]);
    assert.deepEqual(
      t.calls.select("line", "model", "served_model", "status", "duration_s", "output_chars")
        .toRecords(),
      [
        {
          line: 3,
          model: "gpt-4o",
          served_model: "gpt-4o-2024-08-06",
          status: "ok",
          duration_s: 1.25,
          output_chars: 2,
        },
      ],
    );
    assert.equal(
      (t.events.getColumn("timestamp").toArray()[2] as unknown as Date).toISOString(),
      "2025-04-08T19:42:10.123Z",
    );
  }
});

Deno.test("loadTraces() gives the same frames for the bundled traces/ with and without the cache (the second load reads it)", async () => {
  // Regression: Polars 0.25 aborted the process on one of these files (String vs UInt32 in lst.eval).
  const traces = join(ROOT, "traces");
  for (const name of readdirSync(traces).filter((f) => f.endsWith(".jsonl")).sort()) {
    const path = join(traces, name);
    const [a, b] = [
      await loadTraces(path, { cache: false }),
      (await loadTraces(path, { cache: CACHE_DIR }), await loadTraces(path, { cache: CACHE_DIR })),
    ];
    assert.deepEqual(a.calls.toRecords(), b.calls.toRecords(), name);
    assert.deepEqual(a.events.toRecords(), b.events.toRecords(), name);
  }
});
