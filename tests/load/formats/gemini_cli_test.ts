import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inTempDir, realFixture } from "../../_helpers.ts";
import { detectFormat, fromTraceText, loadTraces, sampleFile } from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, rows } from "./_helpers.ts";

const figma = realFixture("gemini-cli/figma-eval-49bdd49a.stream-json.transcript.jsonl");
Deno.test({
  name:
    "gemini_cli_stream: the real figma-eval transcript (2 sessions: the first errored with stats, the second unfinished)",
  ignore: figma === undefined,
  async fn() {
    // independent reading: the init lines open sessions, the one result closes the first
    const lines = readFileSync(figma!, "utf8").split("\n").filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l));
    const inits = lines.filter((l) => l.type === "init");
    const results = lines.filter((l) => l.type === "result");
    assert.equal(inits.length, 2);
    assert.equal(results.length, 1);
    const stats = results[0].stats;
    assert.equal(stats.duration_ms, 0); // so the latency is result time − init time
    const latency = (Date.parse(results[0].timestamp) - Date.parse(inits[0].timestamp)) / 1000;
    assert.equal(latency, 1004.27); // 06:12:28.925 → 06:29:13.195

    const t = await loadTraces(figma!);
    assert.equal(t.formats?.[figma!], "gemini_cli_stream");
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(figures(t.calls, AGENT_LOG), {
      calls: 2, // one per session: single model calls are not delimited in stream-json
      ok: 0,
      errors: 1,
      pending: 1,
      models: { [inits[0].model]: 2 },
      input: stats.input_tokens, // 2330609 = input 553374 + cached 1777235
      // the candidates, 31442, and the thinking the total holds beyond them and the prompt:
      // 2372976 − 2330609 − 31442 = 10925
      output: stats.total_tokens - stats.input_tokens,
      cache_read: stats.cached,
      latency: { n: 1, p50: latency, max: latency },
    });
    assert.match(
      t.calls.getColumn("error").toArray()[0] as string,
      /^\[API Error: .*INVALID_ARGUMENT/s,
    );
    assert.deepEqual(t.sessions.sort("started_at").select("session_id", "complete").toRecords(), [
      { session_id: inits[0].session_id, complete: true },
      { session_id: inits[1].session_id, complete: false },
    ]);
    // every line is an event; the user message printed before each init joins that init's session
    assert.equal(t.events.height, lines.length);
    const bySession = t.events.groupBy("session_id").len().sort("session_id").toRecords();
    const firstResult = lines.findIndex((l) => l.type === "result");
    const expected = [
      { session_id: inits[0].session_id, len: firstResult + 1 },
      { session_id: inits[1].session_id, len: lines.length - firstResult - 1 },
    ].sort((a, b) => (a.session_id < b.session_id ? -1 : 1));
    assert.deepEqual(bySession, expected);
  },
});

Deno.test("gemini_cli_stream: a finished session with duration_ms, and one ended by a fatal error event", async () => {
  // tests/load/formats/fixtures/gemini_stream_small.jsonl: written from gemini-cli's
  // packages/core/src/output/types.ts (InitEvent, MessageEvent delta, ToolResultEvent, ErrorEvent, ResultEvent)
  const file = fixture("gemini_stream_small.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "gemini_cli_stream");
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2,
    ok: 1,
    errors: 1, // no result, but an error event of severity error (the warning one is not)
    pending: 0,
    models: { "gemini-2.5-flash": 1, "gemini-2.5-pro": 1 },
    input: 5000,
    output: 200, // 120 candidates + the 80 thinking tokens the total holds (5200 − 5000 − 120)
    cache_read: 4000,
    latency: { n: 1, p50: 2.95, max: 2.95 }, // stats.duration_ms 2950
  });
  assert.deepEqual(rows(t.calls, "session_id", "status", "error", "output_chars"), [
    { session_id: "s-ok", status: "ok", error: null, output_chars: "There are 3 files.".length },
    {
      session_id: "s-err",
      status: "error",
      error: "Quota exceeded for quota metric",
      output_chars: null,
    },
  ]);
  assert.deepEqual(t.sessions.sort("session_id").select("session_id", "complete").toRecords(), [
    { session_id: "s-err", complete: false },
    { session_id: "s-ok", complete: true },
  ]);
  assert.equal(t.events.height, 10);
});

Deno.test("gemini_cli_chat: a chat recording document (calls are gemini messages with tokens, thoughts inside output)", async () => {
  // tests/load/formats/fixtures/gemini_chat_session.json: written from gemini-cli's
  // chatRecordingService (ConversationRecord, MessageRecord, TokensSummary)
  const file = fixture("gemini_chat_session.json");
  assert.equal(detectFormat(sampleFile(file))?.name, "gemini_cli_chat");
  const text = readFileSync(file, "utf8");
  const lineOf = (id: string) => text.split("\n").findIndex((l) => l.includes(`"id": "${id}"`)) + 1;
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 3, // g1 and g3 (g2 has no tokens), and the API error message e1
    ok: 2,
    errors: 1,
    pending: 0,
    models: { "gemini-2.5-pro": 1, unknown: 1, "gemini-2.5-flash": 1 },
    input: 12000 + 13000,
    output: (150 + 400) + (30 + 0), // output + thoughts
    cache_read: 8000 + 0,
    // no tool calls: from the turn before (u1 08:00:01, g2 08:00:20) to their own timestamp
    // (08:00:09, 08:04:00): 8 s and 220 s
    latency: { n: 2, p50: (8 + 220) / 2, max: 220 },
  });
  assert.deepEqual(rows(t.calls, "line", "status", "error", "reasoning_tokens"), [
    { line: lineOf("g1"), status: "ok", error: null, reasoning_tokens: 400 },
    {
      line: lineOf("e1"),
      status: "error",
      error: "[API Error: You exceeded your current quota]",
      reasoning_tokens: null,
    },
    { line: lineOf("g3"), status: "ok", error: null, reasoning_tokens: 0 },
  ]);
  const s = t.sessions.toRecords()[0]!;
  assert.equal(s.session_id, "c0ffee00-1111-4222-8333-444455556666");
  assert.equal(s.duration_s, 300); // startTime 08:00:00 → lastUpdated 08:05:00
  assert.equal(t.events.height, 1 + 6); // the session and its 6 messages
});

Deno.test("gemini_cli_chat: a call starts at the message before it; it ends at its own timestamp only when it made no tool calls", async () => {
  // Real runs of Gemini CLI 0.10.0 and 0.61.0 (`-m gemini-2.5-flash --yolo -p "Run sleep 1; echo
  // done"`) against a local mock of the Gemini API that answered the first request with a
  // run_shell_command call (its stream ending 900 ms after the request) and the second with text
  // (ending 1,500 ms after it). The mock's log, request received → stream ended (UTC 08:37):
  //   0.10.0: 17.755 → 18.659, 19.734 → 21.236; 0.61.0: 37.718 → 38.622, 39.752 → 41.254.
  // A gemini message's timestamp is not its start: 0.10.0 stamps a message with tool calls when its
  // tools finished (19.728, the `sleep 1` after 18.659), 0.61.0 when its stream ended (38.683);
  // one without, when its stream ended (21.239, 41.258). The message before each request (the
  // user's prompt: 17.739, 37.706; the tool results: 0.10.0's tool-call message 19.728, 0.61.0's
  // user message 39.747) came 5–16 ms before it.
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  const timing = async (name: string) =>
    rows(
      (await loadTraces(fixture(name), { cache: false })).calls,
      "started_at",
      "ended_at",
      "duration_s",
    )
      .map((r) => ({ ...r, started_at: iso(r.started_at), ended_at: iso(r.ended_at) }));
  assert.deepEqual(await timing("gemini_cli_0.10.0_tool_timing_session.json"), [
    // the user's prompt; ended: unknown (19.728 is when its tools finished)
    { started_at: "2026-12-03T08:37:17.739Z", ended_at: null, duration_s: null },
    // the tool-call message before it; 21.239 − 19.728 (the request took 21.236 − 19.734 = 1.502)
    {
      started_at: "2026-12-03T08:37:19.728Z",
      ended_at: "2026-12-03T08:37:21.239Z",
      duration_s: 1.511,
    },
  ]);
  assert.deepEqual(await timing("gemini_cli_0.61.0_tool_timing_session.jsonl"), [
    { started_at: "2026-12-03T08:37:37.706Z", ended_at: null, duration_s: null },
    // the tool results (a user message); 41.258 − 39.747 (the request: 41.254 − 39.752 = 1.502)
    {
      started_at: "2026-12-03T08:37:39.747Z",
      ended_at: "2026-12-03T08:37:41.258Z",
      duration_s: 1.511,
    },
  ]);
});

Deno.test("gemini_cli_chat: a recording that ends on the user's message was never answered: its session is unfinished", () => {
  // Gemini CLI 0.61.0 against a mock answering 500: it records the prompt and nothing after it
  const head = {
    sessionId: "s",
    projectHash: "ab",
    startTime: "2026-12-02T10:42:16.188Z",
    lastUpdated: "2026-12-02T10:42:16.217Z",
    kind: "main",
  };
  const user = { id: "u1", timestamp: "2026-12-02T10:42:16.217Z", type: "user", content: "fail" };
  const answer = {
    id: "g1",
    timestamp: "2026-12-02T10:42:18.000Z",
    type: "gemini",
    content: "ok",
    model: "gemini-2.5-flash",
    tokens: { input: 10, output: 2, cached: 0, thoughts: 0, tool: 0, total: 12 },
  };
  const read = (...lines: unknown[]) =>
    fromTraceText(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", {
      file: "session.jsonl",
      format: "gemini_cli_chat",
    });
  const failed = read(head, user);
  assert.equal(failed.calls.height, 0);
  assert.deepEqual(rows(failed.sessions, "session_id", "complete"), [
    { session_id: "s", complete: false },
  ]);
  const answered = read(head, user, answer);
  assert.deepEqual(rows(answered.sessions, "session_id", "complete"), [
    { session_id: "s", complete: true },
  ]);
});

Deno.test("gemini_cli_chat: a recording that ends on tool calls whose results were sent and never answered (0.30.1) is unfinished", async () => {
  // Gemini CLI 0.30.1 (-p, --yolo) against a mock that answered the first request with a
  // list_directory call (1000 prompt tokens, 400 of them cached, 20 candidates, 30 thoughts) and
  // the second, carrying the tool's result, with a 400: the recording ends on the gemini message
  // whose tool call succeeded; the failed request is not recorded
  const t = await loadTraces(fixture("gemini_cli_0.30.1_tool_unanswered.json"), { cache: false });
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "input_tokens",
      "cache_read_tokens",
      "output_tokens",
      "reasoning_tokens",
    ),
    [{
      model: "gemini-2.5-pro",
      input_tokens: 1000,
      cache_read_tokens: 400,
      output_tokens: 50, // 20 + 30 thoughts
      reasoning_tokens: 30,
    }],
  );
  assert.deepEqual(rows(t.sessions, "complete", "calls"), [{ complete: false, calls: 1 }]);
  // the same recording with the tool call cancelled: nothing was sent, the session ended there
  const doc = JSON.parse(readFileSync(fixture("gemini_cli_0.30.1_tool_unanswered.json"), "utf8"));
  doc.messages[1].toolCalls[0].status = "cancelled";
  const cancelled = fromTraceText(JSON.stringify(doc, null, 2), { file: "session.json" });
  assert.deepEqual(rows(cancelled.sessions, "complete"), [{ complete: true }]);
});

Deno.test("gemini_cli_chat: the JSON Lines recording (a rewritten message counts once, with its last tokens)", async () => {
  // tests/load/formats/fixtures/gemini_chat_session.jsonl: the newer format of chatRecordingService
  // (metadata line, message records appended again when updated, $set and $rewindTo records)
  const file = fixture("gemini_chat_session.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "gemini_cli_chat");
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2, // g1 (written twice: first without tokens) and g2 (rewound away, but it was sent)
    ok: 2,
    errors: 0,
    pending: 0,
    models: { "gemini-3-pro-preview": 2 },
    input: 900 + 1000,
    output: (5 + 45) + (7 + 0),
    cache_read: 600,
    // u1 10:00:01 → g1 10:00:04, u2 10:00:30 → g2 10:00:35
    latency: { n: 2, p50: 4, max: 5 },
  });
  assert.deepEqual(t.calls.getColumn("line").toArray(), [3, 7]);
  const s = t.sessions.toRecords()[0]!;
  assert.equal(s.session_id, "abcd1234-0000-4000-8000-00000000beef");
  assert.equal(s.duration_s, 60); // startTime 10:00:00 → the last $set lastUpdated 10:01:00
  assert.equal(t.events.height, 8); // 9 lines, g1 twice
});

Deno.test("gemini_cli_chat: a public project's chat recording of Gemini 2.5 Pro (13 gemini messages with tokens)", async () => {
  const path = fixture("gemini_chat_vibecodingtracker.json");
  const t = await loadTraces(path, { cache: false });
  assert.equal(t.formats?.[path], "gemini_cli_chat");
  // independent reading: each gemini message with tokens is a call; output = output + thoughts
  type Tokens = { input: number; output: number; cached: number; thoughts: number };
  const doc = JSON.parse(readFileSync(path, "utf8")) as {
    sessionId: string;
    messages: { type: string; model?: string; tokens?: Tokens }[];
  };
  const calls = doc.messages.filter((m) => m.type === "gemini" && m.tokens);
  assert.equal(calls.length, 13);
  assert.deepEqual(
    rows(
      t.calls,
      "session_id",
      "model",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "reasoning_tokens",
    ),
    calls.map((m) => ({
      session_id: doc.sessionId,
      model: m.model,
      input_tokens: m.tokens!.input,
      output_tokens: m.tokens!.output + m.tokens!.thoughts,
      cache_read_tokens: m.tokens!.cached,
      reasoning_tokens: m.tokens!.thoughts,
    })),
  );
  // by hand: 176,179 in (121,305 of them cached), 2,397 out (1,546 of them thoughts)
  assert.equal(t.calls.getColumn("input_tokens").sum(), 176_179);
  assert.equal(t.calls.getColumn("output_tokens").sum(), 2_397);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("gemini_cli_stream: stats.models of later versions (0.35.3, auto routing): one call per model the requests named, not the init's setting", async () => {
  // sessions 1 and 2 are real (Gemini CLI 0.35.3 and a May 2026 run, copied from public notes);
  // session 3 is written by hand: a turn-limit error after two models answered
  const file = fixture("gemini_stream_models.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  const results = lines.filter((l) => l.type === "result");
  const t = await loadTraces(file, { cache: false });
  assert.equal(t.formats?.[file], "gemini_cli_stream");
  type Stat = { input_tokens: number; output_tokens: number; cached: number; total_tokens: number };
  // each model's share as the result line gives it; the run's models, in order
  const expected = results.flatMap((r, i) =>
    Object.entries(r.stats.models as Record<string, Stat>).map(([model, m]) => ({
      session_id: lines.filter((l) => l.type === "init")[i].session_id,
      model,
      status: "ok",
      input_tokens: m.input_tokens,
      // the candidates, and the thinking the total holds beyond them and the prompt
      output_tokens: Math.max(m.output_tokens, m.total_tokens - m.input_tokens),
      cache_read_tokens: m.cached,
      // several models share the session's duration_ms: no one model's latency; one model has it
      duration_s: Object.keys(r.stats.models).length === 1 ? r.stats.duration_ms / 1000 : null,
    }))
  );
  // the third run's error is not any one model's: a call of its own, model unknown
  expected.push({
    session_id: "hand-written-turn-limit",
    model: "unknown",
    status: "error",
    input_tokens: null as unknown as number,
    output_tokens: null as unknown as number,
    cache_read_tokens: null as unknown as number,
    duration_s: null,
  });
  const got = rows(
    t.calls,
    "session_id",
    "model",
    "status",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "duration_s",
  );
  assert.deepEqual(got, expected);
  // by hand: 4122 + 9168 + 10284 + 2000 + 28000 input tokens over the 5 model calls
  assert.equal(got.reduce((s, c) => s + ((c.input_tokens as number) ?? 0), 0), 53574);
  assert.deepEqual(
    rows(t.calls, "status", "error").filter((c) => c.status === "error").map((c) => c.error),
    [results[2].error.message],
  );
});

Deno.test(
  "gemini_cli_chat: a session recorded as .json and resumed by a later Gemini CLI into a .jsonl (every message copied) counts its calls once",
  inTempDir("gemini-resumed", async (dir) => {
    // Gemini CLI's ChatRecordingService.initialize (google-gemini/gemini-cli,
    // packages/core/src/services/chatRecordingService.ts): resuming a legacy `.json` session
    // writes on to `<same name>.jsonl`: a metadata line, every message of the old file as it
    // was (same ids), then `{"$set": {"sessionId"}}`; the `.json` stays beside it. Built here
    // from the real recording of gemini_chat_vibecodingtracker.json, plus one answer of the
    // resumed session written by hand.
    type Message = { id: string; type: string; tokens?: { input: number; [k: string]: number } };
    const legacy = JSON.parse(readFileSync(fixture("gemini_chat_vibecodingtracker.json"), "utf8"));
    const old = join(dir, "session-2025-10-11T13-00-2d9ea14f.json");
    writeFileSync(old, JSON.stringify(legacy, null, 2));
    const own: Message & Record<string, unknown> = {
      id: "f0000000-0000-4000-8000-000000000001",
      timestamp: "2025-10-12T09:00:00.000Z",
      type: "gemini",
      content: "Resumed.",
      model: "gemini-2.5-pro",
      tokens: { input: 1000, output: 10, cached: 0, thoughts: 0, tool: 0, total: 1010 },
    };
    const { sessionId, projectHash, startTime, lastUpdated } = legacy;
    const resumed = [
      { sessionId, projectHash, startTime, lastUpdated },
      ...legacy.messages,
      { $set: { sessionId } },
      own,
    ];
    writeFileSync(`${old}l`, resumed.map((r) => JSON.stringify(r)).join("\n") + "\n");

    const t = await loadTraces([old, `${old}l`], { cache: false });
    const legacyCalls = (legacy.messages as Message[]).filter((m) =>
      m.type === "gemini" && m.tokens
    );
    // 13 calls in the old file, its 13 copies in the new one, and the new one's own answer
    assert.equal(t.calls.height, legacyCalls.length + 1);
    assert.equal(
      t.calls.getColumn("input_tokens").sum(),
      legacyCalls.reduce((a, m) => a + m.tokens!.input, 0) + own.tokens!.input, // 176,179 + 1,000
    );
    // the copies are dropped from the new file (the old file's calls end first)
    assert.deepEqual(
      rows(t.calls, "file", "request_id").filter((r) => r.file === `${old}l`),
      [{ file: `${old}l`, request_id: own.id }],
    );
    const warnings = rows(t.diagnostics, "code", "count");
    assert.deepEqual(warnings, [{ code: "copied_calls", count: legacyCalls.length }]);
  }),
);

Deno.test("gemini_cli_stream: a model's call of stats.models has its own thinking, not the session's (0.45.2, auto routing)", async () => {
  // Gemini CLI 0.45.2 (-o stream-json, model auto) against a mock that served the router's
  // request to gemini-3.1-flash-lite (304 prompt + 7 candidates = 311 total: no thinking) and two
  // requests to gemini-3.1-pro-preview (prompt 1000 + 1200, candidates 20 + 50, thoughts 30 + 70,
  // tool-use prompt 0 + 100, totals 1050 + 1420 = 2470)
  const t = await loadTraces(fixture("gemini_cli_0.45.2_auto_stream.jsonl"), { cache: false });
  assert.deepEqual(
    rows(t.calls, "model", "input_tokens", "output_tokens", "reasoning_tokens", "total_tokens"),
    [
      // 311 − 304 − 7 = 0: none (it was the session's 200)
      {
        model: "gemini-3.1-flash-lite",
        input_tokens: 304,
        output_tokens: 7,
        reasoning_tokens: null,
        total_tokens: 311,
      },
      // 2470 − 2200 − 70 = 200: the 100 thoughts and the 100 tool-use prompt tokens, which the
      // stats give only inside the total (read as thinking: the file cannot tell them apart)
      {
        model: "gemini-3.1-pro-preview",
        input_tokens: 2200,
        output_tokens: 270,
        reasoning_tokens: 200,
        total_tokens: 2470,
      },
    ],
  );
});

Deno.test("gemini_cli_stream: models' stats without their cache reads (0.45): one model takes the session's, several say they cannot be split", () => {
  // the result of a Gemini CLI 0.45.0 stream-json run (the search tool's file id 57661982016):
  // the session's stats count `cached`, its stats.models entries do not
  const run = (models: Record<string, Record<string, number>>) =>
    [
      { type: "init", timestamp: "2026-05-01T10:00:00.000Z", session_id: "g45", model: "auto" },
      { type: "message", timestamp: "2026-05-01T10:00:00.100Z", role: "user", content: "hi" },
      {
        type: "result",
        timestamp: "2026-05-01T10:00:19.200Z",
        status: "success",
        stats: {
          total_tokens: 35682,
          input_tokens: 33651,
          output_tokens: 151,
          cached: 11879,
          input: 21772,
          duration_ms: 19200,
          tool_calls: 1,
          models,
        },
      },
    ].map((l) => JSON.stringify(l)).join("\n");
  const lite = { total_tokens: 4118, input_tokens: 3310, output_tokens: 40 };
  const flash = { total_tokens: 31564, input_tokens: 30341, output_tokens: 111 };
  const two = fromTraceText(
    run({ "gemini-3.1-flash-lite": lite, "gemini-3-flash-preview": flash }),
    {
      file: "run.jsonl",
    },
  );
  assert.deepEqual(rows(two.calls, "model", "input_tokens", "cache_read_tokens"), [
    { model: "gemini-3.1-flash-lite", input_tokens: 3310, cache_read_tokens: null },
    { model: "gemini-3-flash-preview", input_tokens: 30341, cache_read_tokens: null },
  ]);
  assert.deepEqual(rows(two.diagnostics, "code", "severity"), [
    { code: "cache_not_split", severity: "warning" },
  ]);
  assert.match(two.diagnostics.getColumn("message").get(0) as string, /count 11879 cached/);
  // one model: the session's cache reads are its own
  const one = fromTraceText(run({ "gemini-3-flash-preview": flash }), { file: "run.jsonl" });
  assert.deepEqual(rows(one.calls, "model", "cache_read_tokens"), [
    { model: "gemini-3-flash-preview", cache_read_tokens: 11879 },
  ]);
  assert.equal(one.diagnostics.height, 0);
});

Deno.test("gemini_cli_stream: a web search's tool-use prompt, which 0.18.4's stats sum into total_tokens with the thinking, is said to be possibly inside the reasoning", async () => {
  // a real 0.18.4 run against a local mock API (the user message line left out): gemini-2.5-pro
  // answered 1500 prompt tokens, 12 candidates, 20 thoughts (calling google_web_search); the
  // search's gemini-2.5-flash request 80 prompt tokens, 30 candidates, 350 tool-use prompt
  // tokens; gemini-2.5-pro again 1900 (1024 cached), 18 candidates, 25 thoughts. The stats:
  // total 3935, input 3480 (the prompts), output 60 (the candidates); no thoughts, tool or cache
  const file = fixture("gemini_cli_0.18.4_search_stream.jsonl");
  const t = await loadTraces(file, { cache: false });
  assert.deepEqual(
    rows(t.calls, "input_tokens", "output_tokens", "reasoning_tokens", "total_tokens"),
    // 395 = 20 + 25 thoughts + 350 tool-use prompt: the stats do not split them
    [{ input_tokens: 3480, output_tokens: 60 + 395, reasoning_tokens: 395, total_tokens: 3935 }],
  );
  const warnings = t.diagnostics.toRecords().filter((d) => d.code === "tool_prompt_not_split");
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.line, 2); // the tool_use line
  assert.match(String(warnings[0]!.message), /its 395 reasoning tokens may hold that prompt/);
  // the same session without the search: its thinking is thinking
  const text = readFileSync(file, "utf8").split("\n").filter((l) => !/"tool_use"/.test(l)).join(
    "\n",
  );
  const plain = fromTraceText(text, { format: "gemini_cli_stream" });
  assert.equal(
    plain.diagnostics.toRecords().filter((d) => d.code === "tool_prompt_not_split").length,
    0,
  );
});
