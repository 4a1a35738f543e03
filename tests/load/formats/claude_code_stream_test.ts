/**
 * Claude Code headless output (`claude -p --output-format stream-json --verbose` and
 * `--output-format json`). One real output (an excerpt, the Bedrock test last); the other fixtures in
 * tests/load/formats/fixtures/ are written from the shapes that Anthropic's headless / Agent
 * SDK documentation and public captures show (uspark-hq/uspark `spec/claude-code-output.md`
 * @ 40726eb1, a real execution of Claude Code with claude-opus-4-1: init with `apiKeySource`,
 * one assistant line per content block with the same `message.id` and usage, result with
 * `total_cost_usd`; jordanmnunez/hyperyolo `docs/research/cli-verification/claude.md`: the
 * invalid-API-key result `{"is_error":true,"result":"Invalid API key · …","modelUsage":{}}`).
 * Expected values are read from the fixtures with plain JSON.parse below, or counted by hand.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import pl from "nodejs-polars";
import { fromTraceText, loadTraces } from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, loadAs, rows } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
type Line = any;
const jsonLines = (name: string): Line[] =>
  readFileSync(fixture(name), "utf8").split("\n").filter((l) => l.trim() !== "").flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return []; // the cut-off last line of the errors fixture
    }
  });

/** A stream-json answer of claude-sonnet-4-5 in session `session` (message `msg_<session>`). */
const answer = (session: string, usage: Record<string, number>) => ({
  type: "assistant",
  session_id: session,
  parent_tool_use_id: null,
  message: {
    id: `msg_${session}`,
    model: "claude-sonnet-4-5",
    content: [{ type: "text", text: "ok" }],
    usage,
  },
});

/** Per message.id, the largest value of each usage field (an independent reading). */
function usageByMessage(lines: Line[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const l of lines) {
    if (l.type !== "assistant" || l.message.model === "<synthetic>") continue;
    const u = out.get(l.message.id) ?? {};
    for (const [k, v] of Object.entries(l.message.usage)) {
      if (typeof v === "number") u[k] = Math.max(u[k] ?? 0, v);
    }
    out.set(l.message.id, u);
  }
  return out;
}

Deno.test("claude_code_stream: a stream-json run is one call per message.id, usage once, the result line no call", async () => {
  const name = "claude_code_stream_run.jsonl";
  const lines = jsonLines(name);
  const usage = usageByMessage(lines);
  const sum = (k: string) => [...usage.values()].reduce((a, u) => a + (u[k] ?? 0), 0);
  // 6 assistant lines, 4 responses: msg_01A (2 lines), msg_01B (2), msg_01S (subagent), msg_01C
  assert.equal(lines.filter((l) => l.type === "assistant").length, 6);
  assert.equal(usage.size, 4);

  const t = await loadAs(fixture(name), "claude_code_stream");
  assert.equal(t.diagnostics.height, 0);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 4,
    ok: 4,
    errors: 0,
    pending: 0,
    models: { "claude-3-5-haiku-20241022": 1, "claude-opus-4-1-20250805": 3 },
    // the whole prompt: Anthropic's input_tokens (4 + 7 + 1200 + 6 = 1217) leave the cache out
    input: sum("input_tokens") + sum("cache_read_input_tokens") +
      sum("cache_creation_input_tokens"), // 1217 + 44766 + 5979
    output: sum("output_tokens"), // 2 + 96 (msg_01B's larger count, once) + 35 + 41 = 174
    cache_read: sum("cache_read_input_tokens"), // 11292 + 16647 + 0 + 16827 = 44766
    latency: { n: 0, p50: null, max: null }, // stream-json lines have no times
  });
  assert.equal(sum("input_tokens"), 1217);
  assert.equal(sum("output_tokens"), 174);
  assert.equal(t.calls.getColumn("cache_write_tokens").sum(), 5355 + 412 + 0 + 212);
  // the result line's usage (output 5) is not another call: 174, not 179
  assert.deepEqual(t.calls.getColumn("request_id").toArray(), [
    "msg_01A",
    "msg_01B",
    "msg_01S",
    "msg_01C",
  ]);
  assert.equal(t.calls.getColumn("started_at").nullCount(), 4);
  // every line is an event; one session, complete, with the result's figures
  assert.equal(t.events.height, lines.length);
  const result = lines.at(-1);
  assert.deepEqual(
    rows(
      t.sessions,
      "session_id",
      "complete",
      "calls",
      "errors",
      "reported_cost_usd",
      "num_turns",
      "duration_ms",
      "duration_api_ms",
      "result_subtype",
    ),
    [{
      session_id: result.session_id,
      complete: true,
      calls: 4,
      errors: 0,
      reported_cost_usd: String(result.total_cost_usd),
      num_turns: "4",
      duration_ms: "18319",
      duration_api_ms: "21018",
      result_subtype: "success",
    }],
  );
  assert.ok(t.events.getColumn("type").toArray().includes("claude_code_stream.system.init"));
});

Deno.test("claude_code_stream: API errors, an is_error result, error_max_turns, a run cut off", async () => {
  const t = await loadAs(fixture("claude_code_stream_errors.jsonl"), "claude_code_stream");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 4, // run-b's API error (once), run-c's response, run-d's failed request, run-e's response
    ok: 2,
    errors: 2,
    pending: 0,
    models: { "claude-sonnet-4-20250514": 4 }, // error calls take the init line's model
    input: (3 + 2000 + 1000) + 10, // input, cache reads and writes (Anthropic's input leaves them out)
    output: 50 + 7,
    cache_read: 2000,
    latency: { n: 0, p50: null, max: null },
  });
  assert.deepEqual(rows(t.calls, "session_id", "line", "status", "error"), [
    {
      session_id: "run-b",
      line: 2,
      status: "error",
      error:
        'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    },
    { session_id: "run-c", line: 5, status: "ok", error: null },
    {
      session_id: "run-d",
      line: 9,
      status: "error",
      error: "Invalid API key · Fix external API key",
    },
    { session_id: "run-e", line: 11, status: "ok", error: null },
  ]);
  // error_max_turns ends the run, not a request: the session says so; run-e has no result
  assert.deepEqual(rows(t.sessions, "session_id", "complete", "errors", "result_subtype"), [
    { session_id: "run-b", complete: true, errors: 1, result_subtype: "success" },
    { session_id: "run-c", complete: true, errors: 0, result_subtype: "error_max_turns" },
    { session_id: "run-d", complete: true, errors: 1, result_subtype: "success" },
    { session_id: "run-e", complete: false, errors: 0, result_subtype: null },
  ]);
  // 11 readable lines are events; the cut-off line 12 is one diagnostic
  assert.equal(t.events.height, 11);
  assert.deepEqual(rows(t.diagnostics, "line", "severity"), [{ line: 12, severity: "error" }]);
});

Deno.test("claude_code_stream: the --output-format json object is one call standing for the session", async () => {
  const file = fixture("claude_code_result.json");
  const r = JSON.parse(readFileSync(file, "utf8"));
  const t = await loadAs(file, "claude_code_stream");
  assert.equal(t.diagnostics.height, 0);
  // an older version's result: no modelUsage, so the model is unknown; its usage as written
  assert.deepEqual(
    rows(
      t.calls,
      "session_id",
      "model",
      "status",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "duration_s",
    ),
    [{
      session_id: r.session_id,
      model: "unknown",
      status: "ok",
      // the whole prompt: Anthropic's input_tokens (8) leave the cache reads and writes out
      input_tokens: r.usage.input_tokens + r.usage.cache_read_input_tokens +
        r.usage.cache_creation_input_tokens, // 8 + 17004 + 192
      output_tokens: r.usage.output_tokens, // 32
      cache_read_tokens: r.usage.cache_read_input_tokens, // 17004
      cache_write_tokens: r.usage.cache_creation_input_tokens, // 192
      duration_s: r.duration_api_ms / 1000, // 15.987
    }],
  );
  assert.deepEqual(rows(t.sessions, "num_turns", "reported_cost_usd"), [{
    num_turns: "8",
    reported_cost_usd: String(r.total_cost_usd),
  }]);
});

Deno.test("claude_code_stream: json results one per line: a call per modelUsage model, a failed request", async () => {
  const file = fixture("claude_code_results.jsonl");
  const runs = jsonLines("claude_code_results.jsonl");
  const t = await loadAs(file, "claude_code_stream");
  assert.equal(t.diagnostics.height, 0);
  const r1 = runs[0].modelUsage["claude-sonnet-4-6"];
  const r2 = runs[1].modelUsage;
  // a model's whole prompt: Claude Code's inputTokens leave the cache reads and writes out
  const prompt = (u: Record<string, number>) =>
    u.inputTokens! + u.cacheReadInputTokens! + u.cacheCreationInputTokens!;
  assert.deepEqual(
    rows(t.calls, "session_id", "model", "status", "input_tokens", "output_tokens", "duration_s"),
    [
      // one model: its tokens and the session's API time
      {
        session_id: "r1",
        model: "claude-sonnet-4-6",
        status: "ok",
        input_tokens: prompt(r1), // 26 + 39828 + 20835
        output_tokens: r1.outputTokens,
        duration_s: 26.359,
      },
      // two models: a call each; the API time is not split by model, so no duration
      {
        session_id: "r2",
        model: "claude-sonnet-4-5-20250929",
        status: "ok",
        input_tokens: prompt(r2["claude-sonnet-4-5-20250929"]), // 2409 + 1617801 + 29104
        output_tokens: r2["claude-sonnet-4-5-20250929"].outputTokens,
        duration_s: null,
      },
      {
        session_id: "r2",
        model: "claude-haiku-4-5-20251001",
        status: "ok",
        input_tokens: 812, // no cache
        output_tokens: 100,
        duration_s: null,
      },
      // invalid API key: no model ran (modelUsage {}), one failed request of unknown model
      {
        session_id: "r3",
        model: "unknown",
        status: "error",
        input_tokens: null,
        output_tokens: null,
        duration_s: null,
      },
    ],
  );
  assert.equal(t.calls.getColumn("error").toArray()[3], "Invalid API key · Fix external API key");
  assert.deepEqual(t.sessions.getColumn("result_subtype").toArray(), [
    "success",
    "error_max_turns",
    "success",
  ]);
});

Deno.test("claude_code_stream: told apart from a transcript, which keeps its own adapter", () => {
  const transcript = JSON.stringify({
    type: "assistant",
    sessionId: "s",
    uuid: "u1",
    parentUuid: null,
    timestamp: "2026-01-01T00:00:00.000Z",
    message: { id: "m", model: "claude-opus-4-6", usage: { input_tokens: 1, output_tokens: 2 } },
  });
  assert.equal(fromTraceText(transcript, { file: "t.jsonl" }).formats?.["t.jsonl"], "claude_code");
  const stream = JSON.stringify({
    type: "assistant",
    session_id: "s",
    parent_tool_use_id: null,
    uuid: "u1",
    message: { id: "m", model: "claude-opus-4-6", usage: { input_tokens: 1, output_tokens: 2 } },
  });
  const t = fromTraceText(stream, { file: "s.jsonl" });
  assert.equal(t.formats?.["s.jsonl"], "claude_code_stream");
  assert.equal(t.calls.getColumn("output_tokens").sum(), 2);
});

Deno.test("claude_code_stream: stream_event lines are no calls; modelUsage beyond the stream is one warning; jq -s arrays", () => {
  const lines = [
    { type: "system", subtype: "init", session_id: "p", model: "claude-sonnet-4-5", tools: [] },
    {
      type: "stream_event",
      session_id: "p",
      parent_tool_use_id: null,
      event: {
        type: "message_start",
        message: { id: "msg_p", usage: { input_tokens: 10, output_tokens: 1 } },
      },
    },
    answer("p", { input_tokens: 10, output_tokens: 20 }),
    {
      type: "result",
      subtype: "success",
      is_error: false,
      session_id: "p",
      modelUsage: {
        "claude-sonnet-4-5": { inputTokens: 10, outputTokens: 20 },
        // a request made outside the stream (e.g. a title): in the totals, not a line
        "claude-haiku-4-5": { inputTokens: 300, outputTokens: 12 },
      },
    },
  ];
  for (
    const [file, text] of [
      ["p.jsonl", lines.map((l) => JSON.stringify(l)).join("\n")],
      ["p.json", JSON.stringify(lines, null, 2)], // jq -s
    ]
  ) {
    const t = fromTraceText(text!, { file: file! });
    assert.equal(t.formats?.[file!], "claude_code_stream");
    assert.deepEqual(rows(t.calls, "model", "input_tokens", "output_tokens"), [
      { model: "claude-sonnet-4-5", input_tokens: 10, output_tokens: 20 },
    ]);
    assert.equal(t.events.height, 4);
    assert.deepEqual(rows(t.diagnostics, "code", "severity"), [
      { code: "usage_not_in_stream", severity: "warning" },
    ]);
    // haiku: 0 of 300 + 12 = 312 tokens in the stream
    assert.match(
      String(t.diagnostics.getColumn("message").toArray()[0]),
      /claude-haiku-4-5: 0 of 312/,
    );
  }
});

Deno.test("claude_code_stream: the json output of Claude Code before results had a type (a real one): a session with its cost and times, no call", async () => {
  // rosssaunders/ccrxt claude_output.json: {role: "system", cost_usd, duration_ms, duration_api_ms, result, session_id}
  const path = fixture("claude_code_result_v0.json");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "claude_code_stream");
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  // no model and no tokens: no call is made up
  assert.equal(t.calls.height, 0);
  assert.deepEqual(
    rows(t.sessions, "session_id", "complete", "reported_cost_usd", "duration_api_ms"),
    [{
      session_id: raw.session_id,
      complete: true,
      reported_cost_usd: String(raw.cost_usd), // 0.29800404999999996
      duration_api_ms: String(raw.duration_api_ms), // 42066
    }],
  );
});

Deno.test("claude_code_stream: API retries (system api_retry lines) are one warning counting them, not calls", () => {
  const session = "s-retry";
  const lines = [
    { type: "system", subtype: "init", session_id: session, model: "claude-sonnet-4-5" },
    // as Claude Code 2 writes them: HTTP 429 twice before the answer
    {
      type: "system",
      subtype: "api_retry",
      attempt: 1,
      error_status: 429,
      error: "rate_limit",
      session_id: session,
    },
    {
      type: "system",
      subtype: "api_retry",
      attempt: 2,
      error_status: 429,
      error: "rate_limit",
      session_id: session,
    },
    {
      type: "assistant",
      session_id: session,
      parent_tool_use_id: null,
      message: {
        id: "msg_1",
        model: "claude-sonnet-4-5",
        usage: { input_tokens: 10, output_tokens: 5 },
        content: [],
      },
    },
  ].map((l) => JSON.stringify(l)).join("\n") + "\n";
  const t = fromTraceText(lines, { file: "retry.jsonl" });
  // by hand: one answer, one call; the two refused attempts are one warning counting 2
  assert.deepEqual(rows(t.calls, "request_id", "status", "input_tokens"), [
    { request_id: "msg_1", status: "ok", input_tokens: 10 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "count"), [
    { line: 2, code: "api_retries", count: 2 },
  ]);
  assert.match(t.diagnostics.getColumn("message").get(0) as string, /2 times \(rate_limit 429\)/);
});

Deno.test("claude_code_stream: a real run on Amazon Bedrock (its modelUsage names the Bedrock ids, its lines the models)", async () => {
  // tests/load/formats/fixtures/claude_code_stream_bedrock.excerpt.jsonl: the first 7 and the last
  // 4 lines of a real Harbor run of Claude Code 2.1.19 on Bedrock (benchflow-ai/skillsbench-
  // trajectories, SPAN_FIXTURES.md). init and modelUsage name us.anthropic.claude-sonnet-4-5-
  // 20250929-v1:0; the assistant lines name claude-sonnet-4-5-20250929, one line per content
  // block repeating the usage, with the output count as the response started (1 or 6).
  const lines = jsonLines("claude_code_stream_bedrock.excerpt.jsonl");
  const usage = new Map<string, Record<string, number>>();
  for (const l of lines.filter((l) => l.type === "assistant")) {
    usage.set(l.message.id, l.message.usage);
  }
  const calls = [...usage.values()];
  const sum = (k: string) => calls.reduce((a, u) => a + u[k]!, 0);
  const tokens = sum("input_tokens") + sum("output_tokens") + sum("cache_read_input_tokens") +
    sum("cache_creation_input_tokens"); // 18273 + 18842 + 29364 + 29922 = 96401
  const result = lines.at(-1);
  const sonnet = result.modelUsage["us.anthropic.claude-sonnet-4-5-20250929-v1:0"];
  const reported = sonnet.inputTokens + sonnet.outputTokens + sonnet.cacheReadInputTokens +
    sonnet.cacheCreationInputTokens; // 84 + 6510 + 359097 + 48182 = 413873

  const t = await loadTraces(fixture("claude_code_stream_bedrock.excerpt.jsonl"));
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 4, // four message ids
    ok: 4,
    errors: 0,
    pending: 0,
    models: { "claude-sonnet-4-5-20250929": 4 },
    // the whole prompt: Anthropic's input_tokens (1 + 5 + 5 + 5) leave the cache out
    input: sum("input_tokens") + sum("cache_read_input_tokens") +
      sum("cache_creation_input_tokens"),
    output: sum("output_tokens"), // 6 + 1 + 6 + 1
    cache_read: sum("cache_read_input_tokens"), // 0 + 0 + 28787 + 29627
    latency: { n: 0, p50: null, max: null },
  });
  // the warning compares the Bedrock id's count with the calls of the model it names
  const warning = t.diagnostics.toRecords() as { code: string; message: string }[];
  assert.deepEqual(warning.map((d) => d.code), ["usage_not_in_stream"]);
  assert.ok(
    warning[0]!.message.includes(
      `us.anthropic.claude-sonnet-4-5-20250929-v1:0: ${tokens} of ${reported}`,
    ),
    warning[0]!.message,
  );
});

Deno.test("claude_code_stream: on Bedrock, an error call names its model as the answers do, so errors and answers share one model row", () => {
  // the real Bedrock run's init line and first answer, then an API error line
  const lines = jsonLines("claude_code_stream_bedrock.excerpt.jsonl").slice(0, 2);
  const init = lines[0] as { model: string; session_id: string };
  assert.equal(init.model.startsWith("us.anthropic."), true); // the Bedrock id
  const error = {
    type: "assistant",
    session_id: init.session_id,
    isApiErrorMessage: true,
    message: {
      model: "<synthetic>",
      id: "msg_err",
      role: "assistant",
      content: [{ type: "text", text: "API Error: 529 overloaded" }],
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  };
  const text = [...lines, error].map((l) => JSON.stringify(l)).join("\n");
  const t = fromTraceText(text, { file: "bedrock.jsonl", format: "claude_code_stream" });
  const models = t.calls.select("model", "status").toRecords();
  // "us.anthropic.claude-sonnet-4-5-20250929-v1:0" is "claude-sonnet-4-5-20250929", the answer's
  assert.deepEqual(models.map((m) => m.model), [
    "claude-sonnet-4-5-20250929",
    "claude-sonnet-4-5-20250929",
  ]);
  assert.deepEqual(models.map((m) => m.status).sort(), ["error", "ok"]);
});

Deno.test("claude_code_stream: a model run with a 1M context window ('claude-opus-5[1m]' in init and modelUsage) is the model its answers name", async () => {
  // tests/load/formats/fixtures/claude_code_stream_1m.jsonl: two real captures of Claude Code
  // (README): a 2.1.259 run whose init line and modelUsage name "claude-opus-5[1m]" and whose
  // assistant lines name "claude-opus-5", then a 2.1.247 run that failed to log in (init
  // "claude-opus-5[1m]", one API error line, a result of 0 tokens)
  const name = "claude_code_stream_1m.jsonl";
  const lines = jsonLines(name);
  const usage = usageByMessage(lines.filter((l) => !l.is_api_error_message));
  const answers = [...usage.values()];
  assert.deepEqual(
    lines.filter((l) => l.type === "system").map((l) => l.model),
    ["claude-opus-5[1m]", "claude-opus-5[1m]"],
  );
  assert.deepEqual(
    new Set(
      lines.filter((l) => l.type === "assistant" && !l.is_api_error_message)
        .map((l) => l.message.model),
    ),
    new Set(["claude-opus-5"]),
  );
  const sum = (k: string) => answers.reduce((a, u) => a + (u[k] ?? 0), 0);

  const t = await loadAs(fixture(name), "claude_code_stream");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 3, // two answers and the error
    ok: 2,
    errors: 1,
    pending: 0,
    // one model row: the error call is named as the answers are
    models: { "claude-opus-5": 3 },
    // the whole prompt: Anthropic's input_tokens (2 + 2) leave the cache out
    input: sum("input_tokens") + sum("cache_read_input_tokens") +
      sum("cache_creation_input_tokens"),
    output: sum("output_tokens"), // 14 + 2
    cache_read: sum("cache_read_input_tokens"), // 10126 + 16577
    latency: { n: 0, p50: null, max: null },
  });
  // the warning compares "claude-opus-5[1m]"'s count with the calls of claude-opus-5
  const result = lines.find((l) => l.type === "result" && l.total_cost_usd > 0);
  const opus = result.modelUsage["claude-opus-5[1m]"];
  const reported = opus.inputTokens + opus.outputTokens + opus.cacheReadInputTokens +
    opus.cacheCreationInputTokens; // 4 + 263 + 26703 + 6792 = 33762
  const seen = sum("input_tokens") + sum("output_tokens") + sum("cache_read_input_tokens") +
    sum("cache_creation_input_tokens"); // 4 + 16 + 26703 + 6792 = 33515
  const warning = t.diagnostics.toRecords() as { code: string; message: string }[];
  assert.deepEqual(warning.map((d) => d.code), ["usage_not_in_stream"]);
  // named as the calls are, without the context window's tag
  assert.ok(warning[0]!.message.includes(`; claude-opus-5: ${seen} of ${reported})`));
  assert.ok(!warning[0]!.message.includes("[1m]"), warning[0]!.message);
});

Deno.test("claude_code_stream: a session whose lines give one time has no duration; one with several lasts from the first to the last", async () => {
  // claude_code_stream_1m.jsonl: the 2.1.259 run's user and assistant lines carry a timestamp
  // (lines 3 to 6), the 2.1.247 run's only its API error line (line 9)
  const name = "claude_code_stream_1m.jsonl";
  const lines = jsonLines(name);
  const times = (session: string) =>
    lines.filter((l) => l.session_id === session && l.timestamp).map((l) =>
      Date.parse(l.timestamp)
    );
  const [first, second] = [...new Set(lines.map((l) => l.session_id as string))];
  assert.equal(times(second!).length, 1);
  const t = await loadAs(fixture(name), "claude_code_stream");
  const span = (ms: number[]) => (Math.max(...ms) - Math.min(...ms)) / 1000;
  assert.deepEqual(rows(t.sessions, "session_id", "duration_s"), [
    { session_id: first, duration_s: span(times(first!)) }, // 06:45:50.968 − 06:45:44.564 = 6.404 s
    { session_id: second, duration_s: null }, // one time (20:09:10.926): no span known
  ]);
});

Deno.test("claude_code_stream: json results whose modelUsage names 'claude-opus-4-7[1m]' are calls of claude-opus-4-7", async () => {
  // tests/load/formats/fixtures/claude_code_results_1m.jsonl: four real --output-format json
  // results (error_max_turns), one per line, each with claude-haiku-4-5-20251001 and
  // claude-opus-4-7[1m] in modelUsage
  const results = jsonLines("claude_code_results_1m.jsonl");
  const byModel: Record<string, { calls: number; output: number }> = {};
  for (const r of results) {
    for (const [model, u] of Object.entries(r.modelUsage as Record<string, Line>)) {
      const name = model.replace("[1m]", "");
      byModel[name] ??= { calls: 0, output: 0 };
      byModel[name].calls++;
      byModel[name].output += u.outputTokens;
    }
  }
  const t = await loadAs(fixture("claude_code_results_1m.jsonl"), "claude_code_stream");
  const calls = t.calls.select("model", "served_model", "output_tokens").toRecords() as {
    model: string;
    served_model: string;
    output_tokens: number;
  }[];
  const got: Record<string, { calls: number; output: number }> = {};
  for (const c of calls) {
    assert.equal(c.served_model, c.model);
    got[c.model] ??= { calls: 0, output: 0 };
    got[c.model]!.calls++;
    got[c.model]!.output += c.output_tokens;
  }
  // claude-opus-4-7: 4 calls, 17055 + 6647 + 7404 + 25596 = 56702 output tokens
  assert.deepEqual(got, byModel);
  assert.deepEqual(Object.keys(got).sort(), ["claude-haiku-4-5-20251001", "claude-opus-4-7"]);
  // the result's usage splits opus's cache writes: all to the 1-hour cache (51421, 87039, 33598,
  // 173852, each opus's cacheCreationInputTokens; haiku writes none), priced apart
  const opus = t.calls.filter(pl.col("model").eq(pl.lit("claude-opus-4-7")));
  assert.deepEqual(
    opus.getColumn("cache_write_1h_tokens").toArray(),
    results.map((r) => r.usage.cache_creation.ephemeral_1h_input_tokens),
  );
  assert.deepEqual(
    opus.getColumn("cache_write_1h_tokens").toArray(),
    results.map((r) => r.modelUsage["claude-opus-4-7[1m]"].cacheCreationInputTokens),
  );
});

Deno.test("claude_code_stream: json results: the 1-hour cache writes go to the one model that writes, else are not split", () => {
  const result = (modelUsage: Record<string, unknown>, hour: number, fiveMinutes: number) =>
    JSON.stringify({
      type: "result",
      subtype: "success",
      is_error: false,
      session_id: `s${hour}`,
      usage: {
        input_tokens: 5,
        output_tokens: 7,
        cache_creation: { ephemeral_1h_input_tokens: hour, ephemeral_5m_input_tokens: fiveMinutes },
      },
      modelUsage,
    });
  const text = [
    // one model writes 100, 40 of them to the 1-hour cache: 40
    result(
      {
        "claude-sonnet-4-5": { inputTokens: 5, outputTokens: 7, cacheCreationInputTokens: 100 },
        "claude-haiku-4-5": { inputTokens: 9, outputTokens: 1 },
      },
      40,
      60,
    ),
    // two models write (100 and 50), 60 to the 1-hour cache: whose is not known
    result(
      {
        "claude-sonnet-4-5": { inputTokens: 5, outputTokens: 7, cacheCreationInputTokens: 100 },
        "claude-haiku-4-5": { inputTokens: 9, outputTokens: 1, cacheCreationInputTokens: 50 },
      },
      60,
      90,
    ),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "results.jsonl" });
  assert.equal(t.formats?.["results.jsonl"], "claude_code_stream");
  assert.deepEqual(rows(t.calls, "model", "cache_write_tokens", "cache_write_1h_tokens"), [
    { model: "claude-sonnet-4-5", cache_write_tokens: 100, cache_write_1h_tokens: 40 },
    { model: "claude-haiku-4-5", cache_write_tokens: null, cache_write_1h_tokens: null },
    { model: "claude-sonnet-4-5", cache_write_tokens: 100, cache_write_1h_tokens: null },
    { model: "claude-haiku-4-5", cache_write_tokens: 50, cache_write_1h_tokens: null },
  ]);
});

Deno.test("claude_code_stream: a model's one call in the stream takes its final output count from the result's modelUsage", () => {
  // Claude Code 2.1.197 against a mock that sent 11 output tokens: the assistant line, written
  // before the last count, says 1; the result's modelUsage says 11, and its input and cache
  // counts are the call's own, so the call is all of the model's requests
  const usage = {
    input_tokens: 101,
    cache_read_input_tokens: 1001,
    cache_creation_input_tokens: 201,
  };
  const run = (session: string, calls: number) =>
    [
      {
        type: "system",
        subtype: "init",
        session_id: session,
        model: "claude-sonnet-4-5",
        tools: [],
      },
      ...Array.from({ length: calls }, () => answer(session, { ...usage, output_tokens: 1 })).map((
        l,
        i,
      ) => ({ ...l, message: { ...l.message, id: `msg_${session}_${i}` } })),
      {
        type: "result",
        subtype: "success",
        is_error: false,
        session_id: session,
        modelUsage: {
          "claude-sonnet-4-5": {
            inputTokens: 101 * calls,
            outputTokens: 11 * calls,
            cacheReadInputTokens: 1001 * calls,
            cacheCreationInputTokens: 201 * calls,
          },
        },
      },
    ].map((l) => JSON.stringify(l));
  const t = fromTraceText([...run("one", 1), ...run("two", 2)].join("\n") + "\n", {
    file: "r.jsonl",
  });
  assert.deepEqual(rows(t.calls, "session_id", "output_tokens"), [
    { session_id: "one", output_tokens: 11 },
    // two calls: how the 22 split between them is not written; their counts stay, with a warning
    { session_id: "two", output_tokens: 1 },
    { session_id: "two", output_tokens: 1 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "code"), [{ code: "usage_not_in_stream" }]);
  assert.match(
    String(t.diagnostics.getColumn("message").toArray()[0]),
    /claude-sonnet-4-5: 2608 of 2628/, // 2 × (101 + 1 + 1001 + 201) of 2 × (101 + 11 + 1001 + 201)
  );
});

Deno.test("claude_code_stream: a 1.0.x result whose usage doubles the stream's is a result_usage_doubled warning, not requests outside the stream", async () => {
  // a real Claude Code 1.0.59 run, `claude -p --output-format stream-json --verbose`, against a
  // mock whose one answer started with 1234 input, 700 cache reads, 80 cache writes and 1 output
  // token and whose message_delta repeated them with 56 output: the assistant line holds
  // 1234 + 700 + 80 + 56 = 2070 tokens, the result 2468 + 1400 + 160 + 57 = 4085 (each input and
  // cache count twice, the output 56 + 1), as 1.0.x adds message_delta's usage to message_start's
  const file = fixture("claude_code_1.0.59_stream_doubled.jsonl");
  const t = await loadAs(file, "claude_code_stream");
  assert.deepEqual(rows(t.calls, "input_tokens", "cache_read_tokens", "output_tokens"), [
    { input_tokens: 2014, cache_read_tokens: 700, output_tokens: 56 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "code", "line"), [{
    code: "result_usage_doubled",
    line: 3,
  }]);
  const message = String(t.diagnostics.getColumn("message").toArray()[0]);
  assert.match(message, /usage \(4085 tokens\) is the session's assistant lines' \(2070\)/);
  assert.doesNotMatch(message, /outside the stream \(/);
  // one more input token than twice the stream's (a request outside it would add input): the
  // warning is usage_not_in_stream, as before
  const text = readFileSync(file, "utf8").replace('"input_tokens":2468', '"input_tokens":2469');
  const other = fromTraceText(text, { file: "s.jsonl" });
  assert.deepEqual(rows(other.diagnostics, "code"), [{ code: "usage_not_in_stream" }]);
  assert.match(String(other.diagnostics.getColumn("message").toArray()[0]), /\(2070 of 4086\)/);
});

Deno.test("claude_code_stream: a model's thinking tokens in the result's modelUsage (thinkingTokens) are its one call's reasoning_tokens", async () => {
  // a real Claude Code 2.1.332 stream-json output (its init line left out) against a mock whose
  // message_delta gave 56 output tokens, 20 of them thinking: the assistant line, written as the
  // answer started, says 1 output token and no thinking; the result's modelUsage gives the
  // model's 56 and thinkingTokens 20, which its one call takes
  const t = await loadAs(
    fixture("claude_code_2.1.332_thinking_stream.jsonl"),
    "claude_code_stream",
  );
  assert.deepEqual(rows(t.calls, "output_tokens", "reasoning_tokens"), [
    { output_tokens: 56, reasoning_tokens: 20 },
  ]);
});

Deno.test("claude_code_stream: a result with an empty modelUsage is checked against its usage: one usage_not_in_stream warning", () => {
  const lines = [
    { type: "system", subtype: "init", session_id: "q", model: "claude-sonnet-4-5", tools: [] },
    answer("q", { input_tokens: 3, output_tokens: 4 }),
    {
      type: "result",
      subtype: "error_max_turns",
      is_error: false,
      session_id: "q",
      usage: { input_tokens: 3, output_tokens: 410 },
      modelUsage: {},
    },
  ];
  const t = fromTraceText(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", {
    file: "q.jsonl",
  });
  assert.deepEqual(rows(t.calls, "input_tokens", "output_tokens"), [
    { input_tokens: 3, output_tokens: 4 },
  ]);
  assert.deepEqual(rows(t.diagnostics, "code", "line"), [{ code: "usage_not_in_stream", line: 3 }]);
  // the stream holds 3 + 4 of the usage's 3 + 410 tokens
  assert.match(
    String(t.diagnostics.getColumn("message").toArray()[0]),
    /usage counts .*\(7 of 413\)/,
  );
});

Deno.test("claude_code_stream: a one-shot run of Claude Code 2.1.2xx (init, answer, rate_limit_event, result) is this format", () => {
  // Claude Code 2.1.259 writes one rate_limit_event line per turn; a run answered without a tool
  // is init, assistant, rate_limit_event, result (the order a public probe of 2.1.259 measured).
  // The lines are the real 2.1.259 session of claude_code_stream_1m.jsonl without its tool call
  // and tool result.
  const session = jsonLines("claude_code_stream_1m.jsonl")
    .filter((l) => l.session_id === "8129eebb-0f2f-4067-af9c-d189154b6617");
  const init = session.find((l) => l.type === "system");
  const rateLimit = session.find((l) => l.type === "rate_limit_event");
  const answer = session.find((l) =>
    l.type === "assistant" && l.message.content[0].type === "text"
  );
  const result = session.find((l) => l.type === "result");
  const text = [init, answer, rateLimit, result].map((l) => JSON.stringify(l)).join("\n") + "\n";
  const t = fromTraceText(text, { file: "one-shot.jsonl" });
  assert.deepEqual(t.calls.select("model", "status", "output_tokens").toRecords(), [
    { model: "claude-opus-5", status: "ok", output_tokens: answer.message.usage.output_tokens },
  ]);
  assert.deepEqual(
    (t.events.select("type").toRecords() as { type: string }[]).map((e) => e.type),
    [
      "claude_code_stream.system.init",
      "claude_code_stream.assistant",
      "claude_code_stream.rate_limit_event",
      "claude_code_stream.result.success",
    ],
  );
});

Deno.test("claude_code_stream: with --include-partial-messages, each response's message_delta gives its final usage (the assistant lines carry the count it started with)", () => {
  // The real 2.1.259 session of claude_code_stream_1m.jsonl, its two responses streamed as
  // --include-partial-messages writes them (the order a public probe of 2.1.259 measured:
  // message_start, the blocks with the assistant lines, then message_delta and message_stop;
  // the events are the API's own, as Anthropic's streaming documentation gives them). The final
  // usage is the real run's: its result's `iterations` holds the last response's (145 output
  // tokens), and its `usage` the session's (263 = 118 + 145).
  const session = jsonLines("claude_code_stream_1m.jsonl")
    .filter((l) => l.session_id === "8129eebb-0f2f-4067-af9c-d189154b6617");
  const result = session.find((l) => l.type === "result");
  const [tool, text] = session.filter((l) => l.type === "assistant");
  const last = result.usage.iterations[0];
  assert.equal(last.cache_read_input_tokens, text.message.usage.cache_read_input_tokens);
  const finals = [result.usage.output_tokens - last.output_tokens, last.output_tokens]; // 118, 145
  const event = (e: Line) => ({
    type: "stream_event",
    event: e,
    session_id: tool.session_id,
    parent_tool_use_id: null,
  });
  const streamed = (a: Line, output: number, stop: string) => [
    event({
      type: "message_start",
      message: { ...a.message, content: [], usage: a.message.usage },
    }),
    a,
    event({ type: "content_block_stop", index: 0 }),
    event({
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: output },
    }),
    event({ type: "message_stop" }),
  ];
  const lines = [
    session.find((l) => l.type === "system"),
    ...streamed(tool, finals[0]!, "tool_use"),
    session.find((l) =>
      l.type === "user" && Array.isArray(l.message.content) &&
      l.message.content[0].type === "tool_result"
    ),
    ...streamed(text, finals[1]!, "end_turn"),
    result,
  ];
  const t = fromTraceText(lines.map((l) => JSON.stringify(l)).join("\n"), {
    file: "partial.jsonl",
  });
  assert.deepEqual(rows(t.calls, "output_tokens", "finish_reason"), [
    { output_tokens: 118, finish_reason: "tool_use" },
    { output_tokens: 145, finish_reason: "end_turn" },
  ]);
  assert.equal(t.calls.getColumn("output_tokens").sum(), result.usage.output_tokens); // 263
  // the stream now holds all of claude-opus-5[1m]'s tokens: the warning names only haiku's
  const warning = t.diagnostics.toRecords() as { code: string; message: string }[];
  assert.deepEqual(warning.map((d) => d.code), ["usage_not_in_stream"]);
  assert.ok(!warning[0]!.message.includes("claude-opus-5"), warning[0]!.message);
  assert.ok(warning[0]!.message.includes("claude-haiku-4-5-20251001: 0 of 937"));
});

Deno.test("claude_code_stream: a process fed two prompts writes a result per prompt: the turns and wall time add up, the running totals are the last's", () => {
  // the shape of foksa/open-claude-agent-sdk's tests/snapshots/multi-turn.jsonl (Claude Code 2.1.29):
  // num_turns and duration_ms per prompt, total_cost_usd and duration_api_ms running on
  const usage = { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 23631 };
  const line = (o: Record<string, unknown>) => JSON.stringify({ session_id: "s-mt", ...o });
  const text = [
    line({ type: "system", subtype: "init", model: "claude-sonnet-4-5", tools: [] }),
    line({
      type: "assistant",
      message: { id: "m1", model: "claude-sonnet-4-5", content: [], usage },
    }),
    line({
      type: "result",
      subtype: "success",
      is_error: false,
      num_turns: 1,
      duration_ms: 3705,
      duration_api_ms: 3079,
      total_cost_usd: 0.00769,
    }),
    line({
      type: "assistant",
      message: { id: "m2", model: "claude-sonnet-4-5", content: [], usage },
    }),
    line({
      type: "result",
      subtype: "success",
      is_error: false,
      num_turns: 1,
      duration_ms: 1692,
      duration_api_ms: 4756,
      total_cost_usd: 0.0148858,
    }),
  ].join("\n");
  const t = fromTraceText(text, { file: "multi-turn.jsonl" });
  assert.equal(t.calls.height, 2);
  assert.deepEqual(
    rows(t.sessions, "num_turns", "duration_ms", "duration_api_ms", "reported_cost_usd"),
    [{
      num_turns: String(1 + 1),
      duration_ms: String(3705 + 1692), // 5397
      duration_api_ms: "4756", // the last result's running total
      reported_cost_usd: "0.0148858",
    }],
  );
});

Deno.test("claude_code_stream: a Claude Code 1.0.59 json result's usage is read as written, doubled by its writer; beside its transcript the transcript's call counts", async () => {
  // a real 1.0.59 `claude -p --output-format json` run against a local mock whose one answer gave
  // 1234 input, 80 cache writes, 700 cache reads and 56 output tokens, repeating them (as the API
  // does) in its message_delta after message_start's (whose output count was 1): 1.0.59 added the
  // two, 2468, 160, 1400 and 1 + 56 = 57 (its total_cost_usd, 0.009279, prices those). The file
  // cannot tell whether the API repeated them (then the doubling is exact) or not: kept as written
  const result = fixture("claude_code_1.0.59_json_doubled.json");
  const alone = await loadAs(result, "claude_code_stream");
  const tokens = ["input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"];
  assert.deepEqual(rows(alone.calls, ...tokens), [
    // the whole prompt: Anthropic's input count leaves the cache out (2468 + 1400 + 160)
    {
      input_tokens: 2468 + 1400 + 160,
      cache_read_tokens: 1400,
      cache_write_tokens: 160,
      output_tokens: 57,
    },
  ]);
  // its transcript's assistant line holds message_start's usage with the final output count
  const session = fixture("claude_code_1.0.59_json_doubled_session.jsonl");
  const both = await loadTraces([result, session], { cache: false });
  assert.deepEqual(rows(both.calls, ...tokens), [
    {
      input_tokens: 1234 + 700 + 80,
      cache_read_tokens: 700,
      cache_write_tokens: 80,
      output_tokens: 56,
    },
  ]);
});

Deno.test("claude_code_stream: a model_fallback line is the failed request of its original_model, as in a transcript", async () => {
  // a real Claude Code 2.1.332 stream-json run (--fallback-model claude-haiku-4-5-20251001, init
  // line left out) against a mock that refused Sonnet 529 three times, then answered Haiku: two
  // api_retry lines (1, 2: the first two 529s, retried), the model_fallback line (3: the third,
  // no line of its own), Haiku's answer (4) and the result (5). The mock's log: 4 requests, 3 of
  // Sonnet refused. The transcript of the same run names its model_fallback line by the same
  // uuid, so a load of both counts that call once
  const t = await loadAs(
    fixture("claude_code_2.1.332_fallback_stream.jsonl"),
    "claude_code_stream",
  );
  assert.deepEqual(rows(t.calls, "model", "status", "request_id", "line"), [
    {
      model: "claude-sonnet-4-5-20250929",
      status: "error",
      request_id: "7c09f3e2-24cc-404e-a0ef-bd75249c7a8d",
      line: 3,
    },
    { model: "claude-haiku-4-5-20251001", status: "ok", request_id: "req_mock_4", line: 4 },
  ]);
  assert.equal(
    t.calls.getColumn("error").get(0),
    "failed, sent again to claude-haiku-4-5-20251001 (overloaded: Switched to Haiku 4.5 due to high demand for Sonnet 4.5)",
  );
  // the two retried 529s stay the api_retries warning, not calls
  assert.deepEqual(rows(t.diagnostics, "code", "count"), [{ code: "api_retries", count: 2 }]);
  // the same run with the mock refusing Haiku's request with 400 (not retried): its error line
  // (4, model <synthetic>, request req_mock_4) is Haiku's, the model in force after the fallback
  const refused = await loadAs(
    fixture("claude_code_2.1.332_fallback_400_stream.jsonl"),
    "claude_code_stream",
  );
  assert.deepEqual(rows(refused.calls, "model", "status", "request_id", "line"), [
    {
      model: "claude-sonnet-4-5-20250929",
      status: "error",
      request_id: "fa7243e2-22c1-4866-8d6e-9672f599b93d",
      line: 3,
    },
    { model: "claude-haiku-4-5-20251001", status: "error", request_id: "req_mock_4", line: 4 },
  ]);
});
