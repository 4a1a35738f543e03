import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realFixture } from "../../_helpers.ts";
import { calcPrice } from "@pydantic/genai-prices";
import { loadTraces } from "../../../src/load/mod.ts";
import { detectFormat, fromTraceText, sampleFile } from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, loadAs, rows } from "./_helpers.ts";

const flux = realFixture("claude-code/flux.claude-session.jsonl");
Deno.test({
  name:
    "claude_code: the real Flux session (21 assistant lines = 12 API responses, usage counted once)",
  ignore: flux === undefined,
  async fn() {
    // independent reading: plain JSON.parse of each line, first usage of each requestId
    const lines = readFileSync(flux!, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) =>
      JSON.parse(l)
    );
    const assistant = lines.filter((l) => l.type === "assistant");
    assert.equal(assistant.length, 21);
    const usage = new Map<string, Record<string, number>>();
    for (const l of assistant) if (!usage.has(l.requestId)) usage.set(l.requestId, l.message.usage);
    const total = (k: string) => [...usage.values()].reduce((a, u) => a + u[k]!, 0);
    assert.equal(usage.size, 12);

    const t = await loadTraces(flux!);
    assert.equal(t.formats?.[flux!], "claude_code");
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(figures(t.calls, AGENT_LOG), {
      calls: 12,
      ok: 12,
      errors: 0,
      pending: 0,
      models: { "claude-sonnet-4-6": 12 },
      // the whole prompt: Anthropic's input_tokens (18) leave out the cache reads and writes
      input: total("input_tokens") + total("cache_read_input_tokens") +
        total("cache_creation_input_tokens"), // 18 + 335455 + 32451
      output: total("output_tokens"), // 5288 (summing all 21 lines would give more)
      cache_read: total("cache_read_input_tokens"), // 335455
      latency: { n: 0, p50: null, max: null }, // Claude Code records no per-request latency
    });
    assert.equal(
      t.calls.getColumn("cache_write_tokens").sum(),
      total("cache_creation_input_tokens"),
    );
    // every line is an event; the one sessionId is the one session
    assert.equal(t.events.height, lines.length);
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [
      lines.find((l) => l.sessionId).sessionId,
    ]);
    // started_at = the first line of each response
    const firstTimes = [...new Set(assistant.map((l) => l.requestId))].map((id) =>
      Date.parse(assistant.find((l) => l.requestId === id).timestamp) * 1000
    );
    assert.deepEqual(
      t.calls.getColumn("started_at").toArray().map((d) => (d as unknown as Date).getTime() * 1000),
      firstTimes,
    );
    // snapshot lines have no timestamp: events with a null time
    const untimed = lines.filter((l) => l.timestamp === undefined).length;
    assert.equal(t.events.getColumn("timestamp").nullCount(), untimed);
    // the transcript's last turn line is a tool's result the model never answered: unfinished
    const turns = lines.filter((l) => l.type === "user" || l.type === "assistant");
    const last = turns.at(-1);
    assert.equal(last.type, "user");
    assert.equal(last.message.content[0].type, "tool_result");
    assert.deepEqual(t.sessions.getColumn("complete").toArray(), [false]);
  },
});

Deno.test("claude_code: a session whose last turn line answered is complete; one left waiting on a tool is not", () => {
  const line = (session: string, type: string, message: Record<string, unknown>, i: number) =>
    JSON.stringify({
      type,
      sessionId: session,
      uuid: `${session}-${i}`,
      timestamp: `2026-05-03T11:06:0${i}.000Z`,
      ...(type === "assistant" ? { requestId: `req_${session}_${i}` } : {}),
      message,
    });
  const answer = (stop: string) => ({
    id: "msg",
    model: "claude-sonnet-4-6",
    role: "assistant",
    stop_reason: stop,
    content: [{ type: "text", text: "ok" }],
    usage: { input_tokens: 3, output_tokens: 4 },
  });
  const result = {
    role: "user",
    content: [{ type: "tool_result", tool_use_id: "t", content: "x" }],
  };
  const text = [
    line("done", "user", { role: "user", content: "hi" }, 1),
    line("done", "assistant", answer("tool_use"), 2),
    line("done", "user", result, 3),
    line("done", "assistant", answer("end_turn"), 4),
    line("tool", "user", { role: "user", content: "hi" }, 1),
    line("tool", "assistant", answer("tool_use"), 2),
    line("asked", "user", { role: "user", content: "hi" }, 1),
    line("asked", "assistant", answer("tool_use"), 2),
    line("asked", "user", result, 3),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "s.jsonl", format: "claude_code" });
  assert.deepEqual(rows(t.sessions.sort("session_id"), "session_id", "complete"), [
    { session_id: "asked", complete: false }, // a tool's result, never answered
    { session_id: "done", complete: true }, // answered
    { session_id: "tool", complete: false }, // an answer that asked for a tool
  ]);
});

Deno.test({
  name:
    "claude_code: the real Flux session's cost is genai-prices' own for each response, its 1-hour cache writes at their rate",
  ignore: flux === undefined,
  async fn() {
    // independent reading: each response's usage (each field at its largest over its lines), priced
    // by genai-prices' calcPrice with the usage as it counts it (input including the cache)
    const responses = new Map<string, { model: string; ts: string; u: Record<string, number> }>();
    for (const l of readFileSync(flux!, "utf8").split("\n")) {
      if (!l.trim()) continue;
      const o = JSON.parse(l);
      if (o.type !== "assistant") continue;
      const u = o.message.usage,
        r = responses.get(o.requestId) ??
          { model: o.message.model, ts: o.timestamp, u: {} as Record<string, number> };
      const fields: Record<string, number> = {
        in: u.input_tokens,
        out: u.output_tokens,
        cr: u.cache_read_input_tokens,
        cw: u.cache_creation_input_tokens,
        cw1h: u.cache_creation?.ephemeral_1h_input_tokens ?? 0,
      };
      for (const [k, v] of Object.entries(fields)) r.u[k] = Math.max(r.u[k] ?? 0, v);
      responses.set(o.requestId, r);
    }
    let expected = 0, hour = 0;
    for (const { model, ts, u } of responses.values()) {
      hour += u.cw1h!;
      expected += calcPrice(
        {
          input_tokens: u.in! + u.cr! + u.cw!,
          cache_read_tokens: u.cr,
          cache_write_tokens: u.cw,
          cache_write_1h_tokens: u.cw1h,
          output_tokens: u.out,
        } as never,
        model,
        { providerId: "anthropic", timestamp: new Date(ts) },
      )!.total_price;
    }
    // every cache write of this session went to the 1-hour cache (Python: per requestId, the largest)
    assert.equal(hour, 32_451); // and so are all 32,451 of its cache writes
    const t = await loadTraces(flux!, { cache: false });
    assert.equal(t.calls.getColumn("cache_write_1h_tokens").sum(), hour);
    const cost = t.calls.getColumn("cost_usd").sum() as number;
    assert.ok(Math.abs(cost - expected) < 1e-12, `${cost} != ${expected}`);
  },
});

Deno.test("claude_code: api_error lines and API error messages are errors; synthetic lines are not calls; message.id groups lines", async () => {
  // tests/load/formats/fixtures/claude_code_errors.jsonl is written from the shapes that
  // Claude Code's documentation and public transcripts show (api_error retries, isApiErrorMessage)
  const file = fixture("claude_code_errors.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "claude_code");
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 5, // 2 api_error lines + 1 API error message + msg_A (2 lines) + req_B
    ok: 2,
    errors: 3,
    pending: 0,
    // the 3 errors name no model and have no call before them in the main chain: the model in
    // force is that of the main chain's next call, msg_A's (req_B is a sidechain's)
    models: { "claude-opus-4-6": 1 + 3, "claude-haiku-4-5-20251001": 1 },
    input: (10 + 100) + 7, // msg_A's input leaves out its 100 cache reads (Anthropic's count)
    output: 40 + 3, // msg_A streamed 5 then 40 output tokens: its last count, once
    cache_read: 100,
    latency: { n: 0, p50: null, max: null },
  });
  assert.deepEqual(rows(t.calls, "line", "status", "error", "request_id"), [
    {
      line: 3,
      status: "error",
      error: "HTTP 529: Overloaded (attempt 1 of 10, retried)",
      request_id: "req_err1",
    },
    { line: 4, status: "error", error: "ECONNRESET (attempt 2 of 10, retried)", request_id: "u3" },
    { line: 5, status: "error", error: "API Error: 429 rate limited", request_id: "m-err" },
    { line: 7, status: "ok", error: null, request_id: "msg_A" },
    { line: 9, status: "ok", error: null, request_id: "req_B" },
  ]);
  assert.equal(t.calls.getColumn("finish_reason").toArray()[3], "end_turn");
  // 10 readable lines are 10 events; the cut-off last line is one diagnostic
  assert.equal(t.events.height, 10);
  assert.deepEqual(rows(t.diagnostics, "line", "severity"), [{
    line: 11,
    severity: "error",
  }]);
  // the summary line has no sessionId: it joins the file's session; the sidechain stays in it
  assert.deepEqual(t.sessions.getColumn("session_id").toArray(), ["s-cc"]);
  assert.ok(t.events.getColumn("type").toArray().includes("claude_code.system.turn_duration"));
});

Deno.test("claude_code: Claude Code 2.1.332's api_error lines name the refused request (error.requestId) and give the API's error inside the SDK's message", () => {
  // two real api_error lines of Claude Code 2.1.332 (claude -p against a mock API that answered
  // 529 overloaded_error, then 500 api_error, then the answer; its cwd shortened): the mock sent
  // each refusal with its request-id header, req_errv2_1_332-stream-2_1 and _2
  const lines = [
    {
      "parentUuid": "41fb76b9-ae75-4247-bea0-97af0bfce39a",
      "isSidechain": false,
      "type": "system",
      "subtype": "api_error",
      "level": "error",
      "error": {
        "message":
          '529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
        "status": 529,
        "requestId": "req_errv2_1_332-stream-2_1",
        "formatted": "529 Overloaded",
        "connection": null,
        "isNetworkDown": false,
        "rateLimits": null,
        "noResponse": null,
      },
      "retryInMs": 609,
      "retryAttempt": 1,
      "maxRetries": 10,
      "source": "request_retry",
      "timestamp": "2026-12-02T15:07:56.697Z",
      "uuid": "d6e02e72-2cb5-4c9c-8c47-68e41e305311",
      "userType": "external",
      "entrypoint": "sdk-cli",
      "cwd": "/work",
      "sessionId": "d7c5966c-1f55-4f8a-8057-1f6e8d35b6c6",
      "version": "2.1.332",
      "gitBranch": "HEAD",
    },
    {
      "parentUuid": "d6e02e72-2cb5-4c9c-8c47-68e41e305311",
      "isSidechain": false,
      "type": "system",
      "subtype": "api_error",
      "level": "error",
      "error": {
        "message":
          '500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
        "status": 500,
        "requestId": "req_errv2_1_332-stream-2_2",
        "formatted": "500 Internal server error",
        "connection": null,
        "isNetworkDown": false,
        "rateLimits": null,
        "noResponse": null,
      },
      "retryInMs": 1071,
      "retryAttempt": 2,
      "maxRetries": 10,
      "source": "request_retry",
      "timestamp": "2026-12-02T15:07:57.324Z",
      "uuid": "7814c49e-fa77-4dbd-b7cc-da4f4f129a24",
      "userType": "external",
      "entrypoint": "sdk-cli",
      "cwd": "/work",
      "sessionId": "d7c5966c-1f55-4f8a-8057-1f6e8d35b6c6",
      "version": "2.1.332",
      "gitBranch": "HEAD",
    },
  ];
  const t = fromTraceText(lines.map((l) => JSON.stringify(l)).join("\n"), { file: "s.jsonl" });
  assert.equal(t.formats?.["s.jsonl"], "claude_code");
  assert.deepEqual(rows(t.calls, "status", "request_id", "error"), [
    {
      status: "error",
      request_id: "req_errv2_1_332-stream-2_1",
      error: "HTTP 529: Overloaded (attempt 1 of 10, retried)",
    },
    {
      status: "error",
      request_id: "req_errv2_1_332-stream-2_2",
      error: "HTTP 500: Internal server error (attempt 2 of 10, retried)",
    },
  ]);
});

Deno.test("claude_code: a failed request takes the model it asked for: its api-request line (2.1.307+), the model an unknown-model error names, else the model in force", async () => {
  // excerpts of real transcripts, `claude -p --model claude-sonnet-4-5-20250929` against a local
  // mock of the Messages API (its cwd shortened; the mock's answers: 1234 input, 56 output, 700
  // cache reads, 80 cache writes to Sonnet; 11 and 2 to Haiku)
  const models = async (name: string) =>
    rows(
      (await loadAs(fixture(name), "claude_code")).calls,
      "line",
      "model",
      "served_model",
      "status",
    );
  const sonnet = "claude-sonnet-4-5-20250929", haiku = "claude-haiku-4-5-20251001";
  // 2.1.332 with --fallback-model haiku, the mock answering Sonnet 529 three times: api-request
  // lines 2, 4, 6 ask for Sonnet, two api_error lines (3, 5) follow the first two, then a
  // model_fallback line (8) and Haiku's answer (9), whose api-request is line 7. The errors are of
  // the api-request each follows, not of the answer that came after them; the third 529 (the
  // request of line 6, which no error line follows) is the model_fallback line's
  assert.deepEqual(await models("claude_code_2.1.332_fallback.jsonl"), [
    { line: 3, model: sonnet, served_model: null, status: "error" },
    { line: 5, model: sonnet, served_model: null, status: "error" },
    { line: 8, model: sonnet, served_model: null, status: "error" },
    { line: 9, model: haiku, served_model: haiku, status: "ok" },
  ]);
  // 2.1.282, the same run: no api-request line. The api_error lines (2, 3) come before the
  // model_fallback line (4), whose originalModel they asked for, and which is the third 529; the
  // call after it is Haiku's
  assert.deepEqual(await models("claude_code_2.1.282_fallback.jsonl"), [
    { line: 2, model: sonnet, served_model: null, status: "error" },
    { line: 3, model: sonnet, served_model: null, status: "error" },
    { line: 4, model: sonnet, served_model: null, status: "error" },
    { line: 5, model: haiku, served_model: haiku, status: "ok" },
  ]);
  // 1.0.59, the mock answering 404 not_found_error "model: claude-sonnet-4-5-20250929" (twice):
  // the one line is the API Error message, which names the model
  assert.deepEqual(await models("claude_code_1.0.59_404.jsonl"), [
    { line: 2, model: sonnet, served_model: null, status: "error" },
  ]);
  // 1.0.59, two prompts in one process (--input-format stream-json), the second refused with 400
  // (twice): its API Error message (5) names no model; the model in force is the call before it.
  assert.deepEqual(await models("claude_code_1.0.59_second_prompt_400.jsonl"), [
    { line: 2, model: sonnet, served_model: sonnet, status: "ok" },
    { line: 5, model: sonnet, served_model: null, status: "error" },
  ]);
});

Deno.test("claude_code: a model_fallback line is the failed request of its originalModel that no api_error line records", () => {
  const sonnet = "claude-sonnet-4-5-20250929", haiku = "claude-haiku-4-5-20251001";
  const calls = (text: string) =>
    rows(
      fromTraceText(text, { file: "s.jsonl" }).calls,
      "line",
      "model",
      "status",
      "started_at",
      "error",
    );
  // a real 2.1.332 run (--fallback-model haiku) against a mock that answered Sonnet's first
  // request 500 and Haiku's first 500 too (mock log: Sonnet 500, Haiku 500, Haiku 200): the
  // model_fallback line (4, trigger server_error) is Sonnet's request of line 2, which no error
  // line follows; the api_error line (5) is Haiku's request of line 3; line 7 Haiku's answer
  const text = readFileSync(fixture("claude_code_2.1.332_fallback_500.jsonl"), "utf8");
  const fallback = {
    line: 4,
    model: sonnet,
    status: "error",
    started_at: new Date("2026-12-03T08:30:46.610Z"), // the line's timestamp
    error: `failed, sent again to ${haiku} (server_error: Switched to Haiku 4.5 due to high ` +
      "demand for Sonnet 4.5)",
  };
  const [first, second, third] = calls(text);
  assert.deepEqual(first, fallback);
  assert.deepEqual([second?.line, second?.model, second?.status], [5, haiku, "error"]);
  assert.deepEqual([third?.line, third?.model, third?.status], [7, haiku, "ok"]);
  assert.equal(calls(text).length, 3);
  // were a version to write an api_error line for Sonnet's request before the fallback, that
  // line would be the request's call and the model_fallback line none (the lines moved: 1 user,
  // 2 Sonnet's api-request, 3 the api_error, 4 Haiku's api-request, 5 model_fallback, …)
  const lines = text.split("\n");
  const error = JSON.parse(lines[4]!);
  error.error.requestId = "req_mock_1";
  error.uuid = "e0";
  const recorded = [lines[0], lines[1], JSON.stringify(error), ...lines.slice(2)].join("\n");
  assert.deepEqual(
    calls(recorded).map((c) => [c.line, c.model, c.status]),
    [[3, sonnet, "error"], [6, haiku, "error"], [8, haiku, "ok"]],
  );
});

Deno.test("claude_code: the thinking share of an answer's output (usage.output_tokens_details.thinking_tokens) is its reasoning_tokens", async () => {
  // a real Claude Code 2.1.332 run against a mock whose message_delta gave 56 output tokens and
  // output_tokens_details {thinking_tokens: 20}: the api-request line and the answer, whose usage
  // Claude Code wrote with them; a run whose API gives none writes thinking_tokens 0 (its own
  // default, as the fallback excerpts show): no count, null
  const calls = (name: string) =>
    loadAs(fixture(name), "claude_code").then((t) =>
      rows(t.calls, "output_tokens", "reasoning_tokens")
    );
  assert.deepEqual(await calls("claude_code_2.1.332_thinking.jsonl"), [
    { output_tokens: 56, reasoning_tokens: 20 },
  ]);
  assert.deepEqual((await calls("claude_code_2.1.332_fallback.jsonl")).at(-1), {
    output_tokens: 2,
    reasoning_tokens: null,
  });
});

Deno.test("claude_code: an answer Claude Code 1.0.59 writes again without its requestId (the history of a second prompt) is one call", async () => {
  // a real 1.0.59 run, two prompts in one `claude -p --input-format stream-json` process against
  // a mock whose first answer gave 1234 input, 56 output, 700 cache reads, 80 cache writes and the
  // text "Hello from the mock." (20 characters): line 2 is that answer (req_mock_1, msg_mock_1),
  // line 3 the same message again with no requestId, line 5 the second prompt's API error
  const t = await loadAs(fixture("claude_code_1.0.59_second_prompt_400.jsonl"), "claude_code");
  assert.deepEqual(
    rows(
      t.calls,
      "line",
      "request_id",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "output_chars",
    ),
    [
      {
        line: 2,
        request_id: "req_mock_1",
        input_tokens: 1234 + 700 + 80, // the whole prompt: Anthropic's input leaves the cache out
        output_tokens: 56,
        cache_read_tokens: 700,
        output_chars: 20,
      },
      {
        line: 5,
        request_id: "768f46ce-54dd-46b6-b853-5702602be610",
        input_tokens: null,
        output_tokens: null,
        cache_read_tokens: null,
        output_chars: null,
      },
    ],
  );
});

Deno.test("claude_code: a response copied again into the file (a resumed session) is one call", () => {
  const usage = { input_tokens: 4, output_tokens: 9, cache_read_input_tokens: 50 };
  const line = (session: string, uuid: string) =>
    JSON.stringify({
      type: "assistant",
      sessionId: session,
      uuid,
      parentUuid: null,
      timestamp: "2026-02-01T00:00:00.000Z",
      requestId: "req_same",
      message: {
        id: "msg_same",
        model: "claude-opus-4-6",
        content: [{ type: "text", text: "x" }],
        usage,
      },
    });
  const t = fromTraceText([line("old", "u1"), line("new", "u2")].join("\n"), {
    file: "resumed.jsonl",
  });
  assert.equal(t.formats?.["resumed.jsonl"], "claude_code");
  assert.equal(t.calls.height, 1);
  assert.equal(t.calls.getColumn("output_tokens").sum(), 9);
  assert.equal(t.events.height, 2);
});

Deno.test("claude_code: an early transcript's durationMs on the assistant line is the call's duration", () => {
  // early Claude Code versions wrote costUSD and durationMs on each assistant line
  const text = JSON.stringify({
    type: "assistant",
    sessionId: "early",
    uuid: "u1",
    parentUuid: null,
    version: "0.2.93",
    timestamp: "2025-03-01T00:00:05.000Z",
    costUSD: 0.0215,
    durationMs: 5421,
    message: {
      id: "msg_1",
      model: "claude-3-7-sonnet-20250219",
      content: [{ type: "text", text: "ok" }],
      usage: { input_tokens: 4, output_tokens: 60 },
    },
  });
  const t = fromTraceText(text, { file: "early.jsonl" });
  assert.deepEqual(rows(t.calls, "duration_s", "output_tokens"), [{
    duration_s: 5.421,
    output_tokens: 60,
  }]);
});

Deno.test("claude_code: a real session of Claude Code 2.1.112 with no requestId (a proxy's message ids): one call per message.id", async () => {
  // from a public repository (Kartikvyas1604/ShieldVault, claude-session.jsonl)
  const path = fixture("claude_code_no_request_id.jsonl");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "claude_code");
  // independent reading: the assistant lines, grouped by message.id (no line has a requestId),
  // each group's usage once
  type Line = {
    type: string;
    requestId?: string;
    message?: { id: string; model: string; usage: { input_tokens: number; output_tokens: number } };
  };
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
  const assistant = lines.filter((l) => l.type === "assistant");
  assert.ok(assistant.every((l) => l.requestId === undefined));
  const byId = new Map(assistant.map((l) => [l.message!.id, l.message!]));
  assert.equal(assistant.length, 4);
  assert.equal(byId.size, 2);
  assert.deepEqual(
    rows(t.calls, "model", "input_tokens", "output_tokens", "status"),
    [...byId.values()].map((m) => ({
      model: m.model,
      input_tokens: m.usage.input_tokens, // 31,740 then 34,948
      output_tokens: m.usage.output_tokens, // 20 then 28
      status: "ok",
    })),
  );
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("claude_code: Claude Code 2.1.332's api-request lines start each call, which ends at its answer's last line", async () => {
  // an excerpt of a real 2.1.332 session (claude -p against a mock API that sent the first byte
  // 400 ms after each request and ended the answer 300 ms later, its blocks ending then too; the
  // mock logged 706 and 703 ms between a request's arrival and its last byte): lines 2 and 6 are
  // the requests, stamped 15:48:03.262 and 15:48:04.502; lines 3-4 (req_…_01, blocks ending
  // 03.949 and 03.972) and 7 (req_…_02, 05.216) the answers that name them by requestRef
  const path = fixture("claude_code_2.1.332_session.jsonl");
  const t = await loadAs(path, "claude_code");
  const at = (iso: string) => new Date(iso);
  assert.deepEqual(rows(t.calls, "request_id", "started_at", "ended_at", "duration_s", "ttft_s"), [
    {
      request_id: "req_v2_1_332-served_01",
      started_at: at("2026-12-02T15:48:03.262Z"),
      ended_at: at("2026-12-02T15:48:03.972Z"),
      duration_s: 0.71, // 03.972 - 03.262
      ttft_s: null, // the first line is stamped as the first block ends, not at its first token
    },
    {
      request_id: "req_v2_1_332-served_02",
      started_at: at("2026-12-02T15:48:04.502Z"),
      ended_at: at("2026-12-02T15:48:05.216Z"),
      duration_s: 0.714, // 05.216 - 04.502
      ttft_s: null,
    },
  ]);
});

Deno.test("claude_code: a call's model is the one its request asked for (requestedModel), its served model the one the answer names", async () => {
  // the same real 2.1.332 excerpt: `--model sonnet`, which Claude Code sent as claude-sonnet-5-5
  // (the api-request lines' params.model and the answers' requestedModel), and the mock API
  // answered naming claude-sonnet-5-5-20990101 (message.model), as the API names a dated model
  const path = fixture("claude_code_2.1.332_session.jsonl");
  const t = await loadAs(path, "claude_code");
  const call = { model: "claude-sonnet-5-5", served_model: "claude-sonnet-5-5-20990101" };
  assert.deepEqual(rows(t.calls, "model", "served_model"), [call, call]);
});

Deno.test("claude_code: the cost-state line's totals are the session's reported cost and API time, as a result line's", async () => {
  // the same real 2.1.332 excerpt: its last line, cost-state, says totalCostUSD 0.001452 and
  // totalAPIDuration 1802; the run's stream-json result said total_cost_usd 0.001452 and
  // duration_api_ms 1802, which claude_code_stream keeps in the same two columns
  const path = fixture("claude_code_2.1.332_session.jsonl");
  const t = await loadAs(path, "claude_code");
  assert.deepEqual(
    rows(t.sessions, "session_id", "complete", "reported_cost_usd", "duration_api_ms"),
    [{
      session_id: "a10f578b-d958-44f3-a0ec-807706f8ce75",
      complete: true,
      reported_cost_usd: "0.001452",
      duration_api_ms: "1802",
    }],
  );
});

Deno.test("claude_code: a response's compaction and advisor iterations (usage.iterations) are calls of their own", async () => {
  // a real Claude Code 2.1.332 run against a mock whose answer's usage (1234 input, 56 output,
  // 700 cache reads, 80 cache writes) had usage.iterations: a compaction (180000 in, 3500 out),
  // an advisor_message of claude-opus-4-5 (5000 in, 300 out) and the message itself (its usage
  // the top-level's): the api-request line, the answer and Claude Code's cost-state line, which
  // lists Opus as a second model and totals 0.037552 USD (Sonnet's 0.005052 and Opus's 0.0325;
  // it leaves the compaction out, which the API bills, run by the request's model)
  const t = await loadAs(fixture("claude_code_2.1.332_iterations.jsonl"), "claude_code");
  assert.deepEqual(
    rows(t.calls, "model", "request_id", "input_tokens", "output_tokens", "cache_read_tokens"),
    [
      {
        model: "claude-sonnet-4-5-20250929",
        request_id: "req_mock_1",
        input_tokens: 2014, // 1234 + 700 + 80
        output_tokens: 56,
        cache_read_tokens: 700,
      },
      {
        model: "claude-sonnet-4-5-20250929",
        request_id: "req_mock_1",
        input_tokens: 180000,
        output_tokens: 3500,
        cache_read_tokens: 0,
      },
      {
        model: "claude-opus-4-5",
        request_id: "req_mock_1",
        input_tokens: 5000,
        output_tokens: 300,
        cache_read_tokens: 0,
      },
    ],
  );
  // by hand from genai-prices: Sonnet 4.5 $3 in, $15 out, $0.30 cache read, $3.75 cache write
  // per million: 1234×3 + 56×15 + 700×0.3 + 80×3.75 = 5052 µ$ (Claude Code's 0.005052), the
  // compaction 180000×3 + 3500×15 = 592500 µ$; Opus 4.5 $5 in, $25 out: 5000×5 + 300×25 = 32500 µ$
  const cost = t.calls.getColumn("cost_usd").toArray() as number[];
  assert.deepEqual(cost.map((c) => Math.round(c * 1e6)), [5052, 592500, 32500]);
  assert.equal(t.diagnostics.height, 0);
});
