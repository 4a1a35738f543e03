/**
 * The texts of chosen calls read again from their files (`callTextReader`):
 * the values are written by hand into the trace below, and must be what a
 * `keepText` load gives for every call.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { allFixtures, STREAMED_SPAN_FORMATS } from "./formats/_helpers.ts";
import { join } from "node:path";
import pl from "nodejs-polars";
import { callTextReader, loadTraces } from "../../src/load/mod.ts";
import { UserError } from "../../src/log/mod.ts";
import { jaeger } from "../../src/load/formats/jaeger.ts";
import { fileSource } from "../../src/load/formats/source.ts";
import type { TraceSet } from "../../src/frames/columns.ts";

const line = (type: string, session: string, data?: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp: "2025-04-08T10:00:01", session_id: session, data });

const request = (session: string, id: string, content: string, params?: unknown) =>
  line("llm_request", session, {
    request_id: id,
    model: "m",
    messages: [{ role: "user", content }],
    ...(params ? { params } : {}),
  });
const response = (session: string, id: string, output: string) =>
  line("llm_response", session, { request_id: id, duration_seconds: 1, output });

/** 1.5 MiB of text: its line spans two of the reader's 1 MiB chunks. */
const LONG = "x".repeat(1536 * 1024);

/**
 * a.jsonl, line by line (BOM, CRLF line ends, a blank line):
 * 1 s1/r1 request "héllo 👋" with params {"t":0.5}   2 blank
 * 3 s1/r2 response "early" (before its request)     4 s1/r2 request "two"
 * 5 s1/r1 response "one"                            6 s1/r1 response "again" (a duplicate outcome)
 * 7 s1/r3 request "pending" (no outcome)            8 s1/r4 error
 * 9 s1/r4 request "failed"                          10 s1/r9 response "orphan" (no request)
 * 11 a cut fragment, then s1/r5 request "glued"     12 s1/r5 response LONG
 * 13 s2/r6 request "split" (its response is in b.jsonl)
 * b.jsonl: 1 s2/r6 response "across files"
 */
function writeTraces(dir: string): string[] {
  const a = [
    "\ufeff" + request("s1", "r1", "héllo 👋", { t: 0.5 }),
    "",
    response("s1", "r2", "early"),
    request("s1", "r2", "two"),
    response("s1", "r1", "one"),
    response("s1", "r1", "again"),
    request("s1", "r3", "pending"),
    line("llm_error", "s1", { request_id: "r4", duration_seconds: 2, error: "boom" }),
    request("s1", "r4", "failed"),
    response("s1", "r9", "orphan"),
    '{"type":"llm_req' + request("s1", "r5", "glued"),
    response("s1", "r5", LONG),
    request("s2", "r6", "split"),
  ].join("\r\n") + "\r\n";
  const b = response("s2", "r6", "across files") + "\n";
  const paths = [join(dir, "a.jsonl"), join(dir, "b.jsonl")];
  writeFileSync(paths[0]!, a);
  writeFileSync(paths[1]!, b);
  return paths;
}

const messages = (content: string) => JSON.stringify([{ role: "user", content }]);

/** Run `fn` on the traces of {@link writeTraces}, written to a folder removed afterwards, and loaded. */
async function withTraces(fn: (paths: string[], traces: TraceSet) => Promise<void> | void) {
  const dir = Deno.makeTempDirSync();
  try {
    const paths = writeTraces(dir);
    await fn(paths, await loadTraces(paths, { cache: false }));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("callTextReader() reads the shown calls' texts again: those a keepText load gives", async () => {
  await withTraces(async (paths, traces) => {
    const reader = callTextReader(traces);
    assert.ok(reader);
    const calls = traces.calls.select("request_id", "orphan", "line");
    // calls in line order of their request, or of their outcome when they have none
    assert.deepEqual(calls.getColumn("request_id").toArray(), [
      "r1", // a:1
      "r2", // a:4, its response at a:3
      "r1", // a:6: the second response of r1, a call of its own (an orphan)
      "r3", // a:7
      "r4", // a:9, its error at a:8
      "r9", // a:10: a response without a request
      "r5", // a:11 (glued)
      "r6", // a:13, its response in b.jsonl
    ]);
    assert.deepEqual(calls.getColumn("orphan").toArray(), [
      false,
      false,
      true,
      false,
      false,
      true,
      false,
      false,
    ]);
    const got = reader.withTexts(traces.calls);
    const column = (name: string) => got.getColumn(name).toArray();
    assert.deepEqual(column("messages"), [
      messages("héllo 👋"),
      messages("two"),
      null,
      messages("pending"),
      messages("failed"),
      null,
      messages("glued"),
      messages("split"),
    ]);
    assert.deepEqual(column("output"), [
      "one", // the first outcome of r1 pairs with it
      "early",
      "again",
      null, // pending
      null, // an error has no output
      "orphan",
      LONG,
      "across files",
    ]);
    assert.deepEqual(column("params"), ['{"t":0.5}', null, null, null, null, null, null, null]);
    // the same as every text of a keepText load
    const whole = await loadTraces(paths, { cache: false, keepText: true });
    for (const name of ["messages", "output", "params"]) {
      assert.deepEqual(column(name), whole.calls.getColumn(name).toArray(), name);
    }
    // some rows only, in any order: each gets its own texts
    const some = reader.withTexts(traces.calls.select(pl.all().gather([5, 0, 6])));
    assert.deepEqual(some.getColumn("output").toArray(), ["orphan", "one", LONG]);
    // a frame with its texts already is given back as it is
    assert.equal(reader.withTexts(whole.calls), whole.calls);
    // the same texts as arrays (what the report's Calls section reads): no frame made
    const columns = reader.textColumns(traces.calls.select(pl.all().gather([5, 0, 6])))!;
    assert.deepEqual(columns.output, ["orphan", "one", LONG]);
    assert.deepEqual(columns.messages, [null, messages("héllo 👋"), messages("glued")]);
    assert.deepEqual(columns.params, [null, '{"t":0.5}', null]);
    assert.equal(reader.textColumns(whole.calls), null); // it has them already
  });
});

Deno.test("callTextReader(): a file rewritten since the load is one clear error", async () => {
  await withTraces((paths, traces) => {
    const reader = callTextReader(traces)!;
    // b.jsonl's line 1 now holds another session's response
    writeFileSync(paths[1]!, response("s3", "r6", "other") + "\n");
    assert.throws(
      () => reader.withTexts(traces.calls),
      (e: unknown) =>
        e instanceof UserError &&
        e.message ===
          `${
            paths[1]
          } changed since it was loaded: line 1 is no longer the call's outcome; run the command again.`,
    );
  });
});

Deno.test("callTextReader(): a file gone since the load is one clear error", async () => {
  await withTraces((paths, traces) => {
    const reader = callTextReader(traces)!;
    Deno.removeSync(paths[0]!);
    assert.throws(
      () => reader.withTexts(traces.calls),
      (e: unknown) =>
        e instanceof UserError &&
        e.message === `${paths[0]} could not be read again for its calls' texts: it is gone.`,
    );
  });
});

Deno.test("callTextReader() is null where the texts cannot be read again: a gzip file", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "a.jsonl.gz");
    const { gzipSync } = await import("node:zlib");
    writeFileSync(path, gzipSync(request("s", "r", "hi") + "\n"));
    const gz = await loadTraces([path], { cache: false });
    assert.equal(gz.calls.height, 1);
    assert.equal(callTextReader(gz), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** The formats whose calls' texts callTextReader gives (parsed again; per-call logs: none to read). */
const READ_AGAIN = [
  "anthropic_batch",
  "gemini_batch",
  "generic",
  "openai_batch",
  ...STREAMED_SPAN_FORMATS,
].sort();

Deno.test("callTextReader() of batch and span files: each file parsed again gives the texts a keepText load gives, for any rows; null for the formats whose parse holds every text", async () => {
  const read = new Set<string>(), loaded = new Set<string>();
  for (const path of allFixtures().filter((p) => !/native/.test(p))) {
    let traces: TraceSet;
    try {
      traces = await loadTraces([path], { cache: false });
    } catch {
      continue; // not a trace (a fixture of detection only)
    }
    const format = traces.formats?.[path];
    if (traces.calls.height === 0 || format === undefined || format === "native") continue;
    const reader = callTextReader(traces);
    if (!READ_AGAIN.includes(format)) {
      assert.equal(reader, null, path);
      loaded.add(format);
      continue;
    }
    read.add(format);
    const whole = await loadTraces([path], { cache: false, keepText: true });
    const texts = ["messages", "output", "params"];
    assert.deepEqual(
      reader!.withTexts(traces.calls).select(...texts).toRecords(),
      whole.calls.select(...texts).toRecords(),
      path,
    );
    // every other row, from the end: each row its own texts
    assert.deepEqual(
      reader!.withTexts(traces.calls.reverse().gatherEvery(2)).select(...texts).toRecords(),
      whole.calls.reverse().gatherEvery(2).select(...texts).toRecords(),
      `${path}, some rows`,
    );
  }
  assert.deepEqual([...read].sort(), READ_AGAIN);
  for (const f of ["mlflow", "claude_code", "langfuse"]) {
    assert.ok(loaded.has(f), `${f} in ${[...loaded]}`);
  }
});

Deno.test("callTextReader() of another format: a file rewritten since the load is one clear error", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "out.batch_output.jsonl");
    const batchLine = (id: string, content: string) =>
      JSON.stringify({
        id: `batch_${id}`,
        custom_id: id,
        response: {
          status_code: 200,
          body: {
            model: "gpt-4o-mini",
            created: 1_700_000_000,
            choices: [{ message: { role: "assistant", content } }],
            usage: { prompt_tokens: 1, completion_tokens: 1 },
          },
        },
        error: null,
      });
    writeFileSync(path, batchLine("a", "first") + "\n" + batchLine("b", "second") + "\n");
    const traces = await loadTraces([path], { cache: false });
    const reader = callTextReader(traces)!;
    assert.deepEqual(reader.withTexts(traces.calls).getColumn("output").toArray(), [
      "first",
      "second",
    ]);
    writeFileSync(path, batchLine("c", "third") + "\n" + batchLine("b", "second") + "\n");
    assert.throws(
      () => reader.withTexts(traces.calls),
      (e: unknown) =>
        e instanceof UserError &&
        e.message ===
          `${path} changed since it was loaded: line 1 no longer holds the call; run the command again.`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("callTextReader() of a Jaeger answer on one line: the chosen calls' texts, each span read whole only for its own call", async () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "answer.json");
  const span = (trace: number, id: number, prompt: string, output: string) => ({
    traceID: `t${trace}`,
    spanID: `s${id}`,
    operationName: "chat",
    references: [],
    startTime: 1_700_000_000_000_000 + id * 1_000_000,
    duration: 1_000_000,
    tags: [
      { key: "gen_ai.operation.name", type: "string", value: "chat" },
      { key: "gen_ai.request.model", type: "string", value: "m" },
      { key: "input.value", type: "string", value: prompt },
      { key: "output.value", type: "string", value: output },
    ],
    processID: "p1",
  });
  // by hand: six calls in three traces, every one on line 1
  const data = [0, 1, 2].map((t) => ({
    traceID: `t${t}`,
    spans: [
      span(t, 2 * t, `ask ${2 * t}`, `answer ${2 * t}`),
      span(t, 2 * t + 1, `ask ${2 * t + 1}`, `answer ${2 * t + 1}`),
    ],
    processes: { p1: { serviceName: "app", tags: [] } },
  }));
  writeFileSync(path, JSON.stringify({ data, total: 0, limit: 0, offset: 0, errors: null }));
  const traces = await loadTraces(path, { cache: false });
  assert.equal(traces.formats?.[path], "jaeger");
  assert.deepEqual(traces.calls.getColumn("line").toArray(), [1, 1, 1, 1, 1, 1]);
  const reader = callTextReader(traces)!;
  assert.ok(reader);
  const chosen = traces.calls.sort("request_id").gatherEvery(2); // s0, s2, s4
  const shown = reader.withTexts(chosen);
  assert.deepEqual(
    shown.select("request_id", "messages", "output").toRecords(),
    [0, 2, 4].map((i) => ({ request_id: `s${i}`, messages: `ask ${i}`, output: `answer ${i}` })),
  );
  // the read for one call's texts makes that call only, from its span alone kept whole
  const again = jaeger.parse!(fileSource(path), path, {
    keepText: true,
    textsOf: (c) => c.request_id === "s3",
    textLines: new Set([1]),
    textIds: new Set(["s3"]),
  });
  assert.deepEqual(again.calls.map((c) => [c.request_id, c.messages, c.output]), [[
    "s3",
    "ask 3",
    "answer 3",
  ]]);
  assert.equal(again.events.length, 0);
});
