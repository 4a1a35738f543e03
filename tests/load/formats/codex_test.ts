import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realFixture } from "../../_helpers.ts";
import {
  detectFormat,
  fromTraceText,
  loadTraces,
  sampleFile,
  sampleOfText,
} from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, rows } from "./_helpers.ts";
import { parseCodexText } from "../../../src/load/formats/codex.ts";

const x402 = realFixture("codex-cli/privacy-x402.codex-session.jsonl");
Deno.test({
  name: "codex: the real privacy-x402 rollout (9 token_count events, 3 model calls)",
  ignore: x402 === undefined,
  async fn() {
    // independent reading: a call is a token_count whose total_token_usage changed
    const lines = readFileSync(x402!, "utf8").split("\n").filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l));
    const counts = lines.filter((l) => l.type === "event_msg" && l.payload.type === "token_count");
    assert.equal(counts.length, 9);
    const calls: Record<string, number>[] = [];
    let previous = "";
    for (const c of counts) {
      if (c.payload.info === null) continue;
      const total = JSON.stringify(c.payload.info.total_token_usage);
      if (total !== previous) calls.push(c.payload.info.last_token_usage);
      previous = total;
    }
    const sum = (k: string) => calls.reduce((a, u) => a + u[k]!, 0);
    assert.equal(calls.length, 3);
    const models = lines.filter((l) => l.type === "turn_context").map((l) => l.payload.model);
    assert.deepEqual([...new Set(models)], ["gpt-5.3-codex"]);

    const t = await loadTraces(x402!);
    assert.equal(t.formats?.[x402!], "codex");
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(figures(t.calls, AGENT_LOG), {
      calls: 3,
      ok: 3,
      errors: 0,
      pending: 0,
      models: { "gpt-5.3-codex": 3 },
      input: sum("input_tokens"), // 32355, cached included (SOURCES.md)
      output: sum("output_tokens"), // 2026, reasoning included
      cache_read: sum("cached_input_tokens"), // 27904
      latency: { n: 0, p50: null, max: null }, // no per-call latency in rollouts
    });
    assert.equal(sum("input_tokens"), 32355);
    assert.equal(sum("cached_input_tokens"), 27904);
    assert.equal(t.calls.getColumn("reasoning_tokens").sum(), 1555);
    assert.deepEqual(t.calls.getColumn("provider").toArray(), ["openai", "openai", "openai"]);
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [lines[0].payload.id]);
    assert.deepEqual(t.sessions.getColumn("complete").toArray(), [true]);
    assert.equal(t.events.height, lines.length);
    // the assistant message before each count is that call's output (one each here)
    const said = lines.filter((l) =>
      l.type === "response_item" && l.payload.type === "message" && l.payload.role === "assistant"
    ).map((l) => [...l.payload.content[0].text].length);
    assert.deepEqual(t.calls.getColumn("output_chars").toArray(), said);
  },
});

Deno.test("codex: a turn of one call is timed by its task_complete (duration_ms, time_to_first_token_ms); a turn of two is not", () => {
  const line = (ts: string, type: string, payload: Record<string, unknown>) =>
    JSON.stringify({ timestamp: ts, type, payload });
  const count = (ts: string, input: number, output: number, totalIn: number, totalOut: number) =>
    line(ts, "event_msg", {
      type: "token_count",
      info: {
        total_token_usage: { input_tokens: totalIn, output_tokens: totalOut },
        last_token_usage: { input_tokens: input, output_tokens: output },
      },
    });
  const text = [
    line("2026-05-08T09:23:47.797Z", "session_meta", { id: "x", cli_version: "0.129.0" }),
    line("2026-05-08T09:23:47.800Z", "event_msg", { type: "task_started", turn_id: "t1" }),
    line("2026-05-08T09:23:47.800Z", "turn_context", { turn_id: "t1", model: "gpt-5.5" }),
    count("2026-05-08T09:24:01.807Z", 33020, 492, 33020, 492),
    line("2026-05-08T09:24:01.811Z", "event_msg", {
      type: "task_complete",
      turn_id: "t1",
      duration_ms: 14148,
      time_to_first_token_ms: 4676,
    }),
    line("2026-05-08T09:30:00.000Z", "event_msg", { type: "task_started", turn_id: "t2" }),
    count("2026-05-08T09:30:05.000Z", 100, 10, 33120, 502),
    count("2026-05-08T09:30:09.000Z", 200, 20, 33320, 522),
    line("2026-05-08T09:30:09.100Z", "event_msg", {
      type: "task_complete",
      turn_id: "t2",
      duration_ms: 9100,
      time_to_first_token_ms: 900,
    }),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "rollout.jsonl" });
  assert.equal(t.formats?.["rollout.jsonl"], "codex");
  assert.deepEqual(rows(t.calls, "started_at", "ended_at", "duration_s", "ttft_s"), [
    // the turn's start, and its 14.148 s
    {
      started_at: new Date("2026-05-08T09:23:47.800Z"),
      ended_at: new Date("2026-05-08T09:24:01.948Z"),
      duration_s: 14.148,
      ttft_s: 4.676,
    },
    // two calls in the turn: each at its token count, untimed
    {
      started_at: new Date("2026-05-08T09:30:05.000Z"),
      ended_at: null,
      duration_s: null,
      ttft_s: null,
    },
    {
      started_at: new Date("2026-05-08T09:30:09.000Z"),
      ended_at: null,
      duration_s: null,
      ttft_s: null,
    },
  ]);
});

Deno.test("codex: a turn that failed says so in its task_complete only (Codex 0.17x): one error call, no no_token_usage warning", () => {
  const line = (type: string, payload: Record<string, unknown>) =>
    JSON.stringify({ timestamp: "2026-12-02T10:41:17.000Z", type, payload });
  const failed = {
    type: "task_complete",
    turn_id: "t1",
    last_agent_message: null,
    error: {
      message: "We’re currently experiencing high demand, which may cause temporary errors.",
      codex_error_info: "internal_server_error",
    },
    duration_ms: 3495,
  };
  const text = [
    line("session_meta", { id: "f", cli_version: "0.171.0" }),
    line("event_msg", { type: "task_started", turn_id: "t1" }),
    line("turn_context", { turn_id: "t1", model: "gpt-5" }),
    line("event_msg", failed),
    // a turn whose error event made its error call already: its task_complete adds none
    line("event_msg", { type: "task_started", turn_id: "t2" }),
    line("turn_context", { turn_id: "t2", model: "gpt-5" }),
    line("event_msg", { type: "error", message: "stream disconnected" }),
    line("event_msg", { ...failed, turn_id: "t2" }),
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "rollout.jsonl" });
  assert.equal(t.formats?.["rollout.jsonl"], "codex");
  assert.deepEqual(rows(t.calls, "line", "model", "status", "error"), [
    {
      line: 4,
      model: "gpt-5",
      status: "error",
      error:
        "We’re currently experiencing high demand, which may cause temporary errors. (internal_server_error)",
    },
    { line: 7, model: "gpt-5", status: "error", error: "stream disconnected" },
  ]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("codex: an error event whose message is inside an error object keeps it, with its kind", () => {
  const text = [
    '{"timestamp":"2025-10-31T17:00:00.000Z","type":"session_meta","payload":{"id":"rl","timestamp":"2025-10-31T17:00:00.000Z","cwd":"/tmp","originator":"codex_cli_rs","cli_version":"0.53.0"}}',
    '{"timestamp":"2025-10-31T17:00:15.000Z","type":"event_msg","payload":{"type":"error","error":{"kind":"rate_limit","message":"Rate limit exceeded"}}}',
  ].join("\n") + "\n";
  const t = fromTraceText(text, { file: "rollout.jsonl" });
  assert.equal(t.formats?.["rollout.jsonl"], "codex");
  assert.deepEqual(rows(t.calls, "line", "status", "error"), [
    { line: 2, status: "error", error: "Rate limit exceeded (rate_limit)" },
  ]);
});

Deno.test("codex: error and stream_error events are errors, repeated counts are not calls, the model follows turn_context", async () => {
  // tests/load/formats/fixtures/codex_errors.jsonl is written from codex-rs's protocol (EventMsg
  // Error {message, codex_error_info}, StreamError, TokenCount, TurnAborted)
  const file = fixture("codex_errors.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "codex");
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 4, // stream_error, 2 changed counts (one repeat skipped, info null skipped), 1 error
    ok: 2,
    errors: 2, // the sandbox_error is no model call
    pending: 0,
    models: { "gpt-5-codex": 2, "gpt-5": 2 },
    input: 1000 + (2500 - 1000), // the second count has no last_token_usage: totals' difference
    output: 50 + (90 - 50),
    cache_read: 200 + (1200 - 200),
    latency: { n: 0, p50: null, max: null },
  });
  assert.deepEqual(rows(t.calls, "line", "model", "status", "error"), [
    {
      line: 5,
      model: "gpt-5-codex",
      status: "error",
      error: "stream disconnected before completion: error sending request (retried)",
    },
    { line: 6, model: "gpt-5-codex", status: "ok", error: null },
    { line: 10, model: "gpt-5", status: "ok", error: null },
    {
      line: 11,
      model: "gpt-5",
      status: "error",
      error: "You've hit your usage limit. (usage_limit_exceeded)",
    },
  ]);
  assert.equal(t.calls.getColumn("reasoning_tokens").sum(), 20 + 10);
  // the last turn started and never ended: the session is unfinished
  assert.deepEqual(rows(t.sessions, "session_id", "complete"), [
    { session_id: "sess-cx", complete: false },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code"), [
    { line: 15, code: "not_an_object" },
  ]);
  assert.equal(t.events.height, 14);
});

Deno.test("codex: an older rollout (no token usage) is events and one warning, no calls", async () => {
  // tests/load/formats/fixtures/codex_old_rollout.jsonl: the pre-2025-09 shape (first line
  // {id, timestamp, instructions, git}, then bare response items), written from codex-rs's rollout code
  const file = fixture("codex_old_rollout.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "codex");
  const t = await loadTraces(file);
  assert.equal(t.calls.height, 0);
  assert.equal(t.events.height, 5);
  assert.deepEqual(rows(t.diagnostics, "code", "severity"), [
    { code: "no_token_usage", severity: "warning" },
  ]);
  assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [
    "0f1e2d3c-0000-4000-8000-000000000001",
  ]);
});

Deno.test("codex: no_token_usage counts the turns the model answered, once each: a retried stream (0.47.0) or an interrupted turn sent again (0.120.0) is one", () => {
  // real rollouts of Codex CLI 0.47.0 and 0.120.0 (codex exec) against a local mock of the
  // Responses API whose response.completed gave no usage (its cwd shortened, the environment and
  // instructions messages left out). 0.47.0: one turn ("say hello", user_message on line 3) whose
  // first stream the mock closed before response.completed ("Re-connecting... 1/3"): Codex wrote
  // a second turn_context (line 7) for the retry, and answered (agent_message lines 6 and 9).
  // 0.120.0: a turn interrupted (SIGINT) while the mock waited, turn_aborted on line 7 with no
  // answer, then `codex exec resume --last` with the same prompt, answered on line 13 (its task_started on line 8). Each file's
  // token_count events all have `info: null`: no usage anywhere, one answered turn each.
  const expected = [
    { file: "codex_0.47.0_retried_no_usage.jsonl", line: 3 }, // the turn's user_message
    { file: "codex_0.120.0_aborted_no_usage.jsonl", line: 8 }, // the answered turn's task_started
  ];
  for (const { file, line } of expected) {
    const text = readFileSync(fixture(file), "utf8");
    for (
      const variant of [
        text,
        // without its token_count lines, as a writer that wrote none for a provider without usage
        text.split("\n").filter((l) => !l.includes('"token_count"')).join("\n"),
      ]
    ) {
      const r = parseCodexText(variant, file);
      assert.equal(r.calls.length, 0);
      assert.deepEqual(
        r.diagnostics.map(({ line, code, message }) => ({ line, code, message })),
        [{
          line,
          code: "no_token_usage",
          message:
            "this Codex rollout has 1 turn answered by the model but no token usage (no token_count event carries any): its model calls are not counted",
        }],
        file,
      );
    }
  }
});

Deno.test("codex: a rollout with turns and no token_count counts no call and says so", () => {
  // the shape of a rollout written without usage (Codex 0.77's sample in
  // simonw/claude-code-transcripts): session_meta, two turns with an answer each, no token_count
  const at = (s: number) => `2026-01-02T03:04:${String(s).padStart(2, "0")}.000Z`;
  const line = (s: number, type: string, payload: Record<string, unknown>) =>
    JSON.stringify({ timestamp: at(s), type, payload });
  const answer = {
    type: "message",
    role: "assistant",
    content: [{ type: "output_text", text: "ok" }],
  };
  const text = [
    line(1, "session_meta", { id: "no-usage", model_provider: "openai" }),
    line(2, "turn_context", { model: "gpt-5-codex" }),
    line(3, "response_item", answer),
    line(4, "turn_context", { model: "gpt-5-codex" }),
    line(5, "response_item", answer),
  ].join("\n");
  const r = parseCodexText(text, "rollout.jsonl");
  assert.equal(r.calls.length, 0);
  assert.equal(r.events.length, 5);
  assert.deepEqual(r.diagnostics.map(({ line, code, severity }) => ({ line, code, severity })), [
    { line: 2, code: "no_token_usage", severity: "warning" },
  ]);
  assert.match(r.diagnostics[0]!.message, /has 2 turns answered by the model but no token usage/);
  // one token_count anywhere: the usage is recorded, no warning
  const counted = text + "\n" + line(6, "event_msg", {
    type: "token_count",
    info: {
      total_token_usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6 },
      last_token_usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6 },
    },
  });
  const withCount = parseCodexText(counted, "rollout.jsonl");
  assert.equal(withCount.calls.length, 1);
  assert.deepEqual(withCount.diagnostics, []);
});

Deno.test("codex: an older token_count with the usage flat in the event is one call each", () => {
  // the TokenCount(TokenUsage) event of older codex-rs versions: {type, input_tokens, cached_input_tokens, …}
  const lines = [
    {
      timestamp: "2025-08-01T10:00:00Z",
      type: "session_meta",
      payload: { id: "old-flat", model_provider: "openai" },
    },
    {
      timestamp: "2025-08-01T10:00:01Z",
      type: "turn_context",
      payload: { model: "codex-mini-latest" },
    },
    {
      timestamp: "2025-08-01T10:00:04Z",
      type: "event_msg",
      payload: {
        type: "token_count",
        input_tokens: 300,
        cached_input_tokens: 100,
        output_tokens: 20,
        reasoning_output_tokens: 5,
        total_tokens: 320,
      },
    },
    {
      timestamp: "2025-08-01T10:00:09Z",
      type: "event_msg",
      payload: {
        type: "token_count",
        input_tokens: 350,
        cached_input_tokens: 300,
        output_tokens: 10,
        reasoning_output_tokens: 0,
        total_tokens: 360,
      },
    },
  ];
  const t = fromTraceText(lines.map((l) => JSON.stringify(l)).join("\n"), {
    file: "rollout-old.jsonl",
  });
  assert.equal(t.formats?.["rollout-old.jsonl"], "codex");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2,
    ok: 2,
    errors: 0,
    pending: 0,
    models: { "codex-mini-latest": 2 },
    input: 300 + 350,
    output: 20 + 10,
    cache_read: 100 + 300,
    latency: { n: 0, p50: null, max: null },
  });
});

Deno.test("codex: a forked session's copy of its parent's rollout is not counted again", async () => {
  // tests/load/formats/fixtures/codex_fork_{parent,child}.jsonl, written from codex-rs (a fork
  // persists the parent's rollout items as-is: InitialHistory::Forked) and the forked rollouts
  // reported in ccusage#1349, ccusage#1370 and kenn-io/agentsview#657: the child opens with its
  // own session_meta (forked_from_id), then the parent's session_meta, turn and token counts
  // re-stamped at the fork's time, then its own turn (a turn_id minted after the fork).
  const parentFile = fixture("codex_fork_parent.jsonl");
  const childFile = fixture("codex_fork_child.jsonl");
  const read = (f: string) =>
    readFileSync(f, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  const parent = read(parentFile), child = read(childFile);
  const isCount = (l: { type: string; payload: { type?: string; info?: unknown } }) =>
    l.type === "event_msg" && l.payload.type === "token_count" && l.payload.info !== null;
  // independent reading: the child's own counts are those whose payload is not a copy of the parent's
  const copied = new Set(parent.map((l) => JSON.stringify(l.payload)));
  const own = child.filter((l) => isCount(l) && !copied.has(JSON.stringify(l.payload)));
  assert.equal(child.filter(isCount).length, 3);
  assert.equal(own.length, 1);
  const last = (l: { payload: { info: { last_token_usage: Record<string, number> } } }) =>
    l.payload.info.last_token_usage as Record<string, number> & {
      input_tokens: number;
      cached_input_tokens: number;
      output_tokens: number;
    };
  const parentCalls = parent.filter(isCount).map(last);
  const sum = (us: Record<string, number>[], k: string) => us.reduce((a, u) => a + u[k]!, 0);

  const c = await loadTraces(childFile);
  assert.equal(c.formats?.[childFile], "codex");
  assert.deepEqual(
    rows(c.calls, "session_id", "input_tokens", "cache_read_tokens", "output_tokens"),
    [
      {
        session_id: child[0].payload.id, // the child's own id, not the parent's copied session_meta
        input_tokens: last(own[0]).input_tokens, // 1500
        cache_read_tokens: last(own[0]).cached_input_tokens, // 1300
        output_tokens: last(own[0]).output_tokens, // 90
      },
    ],
  );
  assert.deepEqual(rows(c.diagnostics, "line", "code", "severity", "count"), [
    { line: 8, code: "copied_history", severity: "warning", count: 2 }, // the first copied count
  ]);

  // both files: every call once (2 in the parent, 1 in the child)
  const both = await loadTraces([parentFile, childFile]);
  assert.deepEqual(figures(both.calls, AGENT_LOG), {
    calls: 3,
    ok: 3,
    errors: 0,
    pending: 0,
    models: { "gpt-5.5": 3 },
    input: sum(parentCalls, "input_tokens") + last(own[0]).input_tokens, // 1000 + 1200 + 1500
    output: sum(parentCalls, "output_tokens") + last(own[0]).output_tokens, // 50 + 70 + 90
    cache_read: sum(parentCalls, "cached_input_tokens") + last(own[0]).cached_input_tokens,
    latency: { n: 0, p50: null, max: null },
  });
});

Deno.test("codex: a forked session whose first count has no last_token_usage starts from it (the parent's total)", () => {
  const usage = (i: number, o: number) => ({
    input_tokens: i,
    output_tokens: o,
    total_tokens: i + o,
  });
  const lines = [
    { type: "session_meta", payload: { id: "child", forked_from_id: "parent" } },
    { type: "turn_context", payload: { model: "gpt-5.5" } },
    // the running total seeded from the parent (28,000,000 + 700,000) and no per-call usage
    {
      type: "event_msg",
      payload: { type: "token_count", info: { total_token_usage: usage(28_000_000, 700_000) } },
    },
    {
      type: "event_msg",
      payload: { type: "token_count", info: { total_token_usage: usage(28_000_400, 700_030) } },
    },
  ].map((l) => JSON.stringify({ timestamp: "2026-08-12T15:57:06Z", ...l }));
  const t = fromTraceText(lines.join("\n"), { format: "codex", file: "child.jsonl" });
  // one call: the difference 400 / 30, not the parent's 28 million
  assert.deepEqual(rows(t.calls, "input_tokens", "output_tokens"), [{
    input_tokens: 400,
    output_tokens: 30,
  }]);
});

Deno.test("codex: newer token counts' cache_write_input_tokens are the call's cache writes", () => {
  // newer codex-rs TokenUsage adds cache_write_input_tokens (a part of input_tokens, as
  // cached_input_tokens is; total_tokens = input + output), as `codex exec --json` prints it too
  const usage = {
    input_tokens: 5000,
    cached_input_tokens: 1200,
    cache_write_input_tokens: 3000,
    output_tokens: 80,
    reasoning_output_tokens: 30,
    total_tokens: 5080,
  };
  const lines = [
    { type: "session_meta", payload: { id: "s1", model_provider: "openai" } },
    { type: "turn_context", payload: { model: "gpt-5.5" } },
    {
      type: "event_msg",
      payload: { type: "token_count", info: { total_token_usage: usage, last_token_usage: usage } },
    },
  ].map((l) => JSON.stringify({ timestamp: "2026-09-23T10:00:00Z", ...l }));
  const t = fromTraceText(lines.join("\n"), { format: "codex", file: "rollout.jsonl" });
  assert.deepEqual(
    rows(t.calls, "input_tokens", "cache_read_tokens", "cache_write_tokens", "total_tokens"),
    [{ input_tokens: 5000, cache_read_tokens: 1200, cache_write_tokens: 3000, total_tokens: 5080 }],
  );
});

Deno.test("codex: the first codex-rs releases' rollout (first line {id, timestamp}, no instructions) is an older rollout: events and one warning", async () => {
  // tests/load/formats/fixtures/codex_0.1.2505291658_rollout.jsonl: a real rollout of
  // @openai/codex 0.1.2505291658 (codex-rs 0.0.2505291458, May 2025) run against a local mock
  // of the Responses API: its header line, the prompt, a shell call, its output, the answer
  const file = fixture("codex_0.1.2505291658_rollout.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "codex");
  const t = await loadTraces(file);
  assert.equal(t.calls.height, 0); // the file records no usage (the mock served 2100 + 2600 input)
  assert.equal(t.events.height, 5); // its 5 lines
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 1, code: "no_token_usage", severity: "warning" },
  ]);
  assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [
    "42a7bb39-16f4-403a-9d60-28d4a46e5250", // the header's id
  ]);
  // an object of two keys id and timestamp followed by other objects is no rollout
  const other = '{"id":"a","timestamp":"2025-05-01T00:00:00Z"}\n{"id":"b","value":1}\n';
  assert.notEqual(detectFormat(sampleOfText(other, "x.jsonl"))?.name, "codex");
});

Deno.test("codex: a Codex 0.47 rollout, whose answer items follow their token counts, gives each call its own answer (the agent_message events)", async () => {
  // tests/load/formats/fixtures/codex_0.47.0_rollout.jsonl: a real rollout of Codex CLI 0.47.0
  // (its environment_context message left out) run against a local mock of the Responses API that
  // served, with usage chosen: a shell call (input 2100, cached 1024, output 40, reasoning 16), the
  // answer after its output (2300, 2048, 25, 0: "The command printed mock-tool-ok.", 33
  // characters) and, resumed, a second turn (2600, 2304, 30, 8: "Hello from the mock.", 20)
  const file = fixture("codex_0.47.0_rollout.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  // the order Codex 0.47 writes: agent_message event, token_count, then the answer's response item
  const kinds = lines.map((l) => l.payload.type);
  const count = kinds.lastIndexOf("token_count");
  assert.deepEqual(kinds.slice(count - 1, count + 2), ["agent_message", "token_count", "message"]);
  const t = await loadTraces(file);
  assert.deepEqual(
    rows(
      t.calls,
      "model",
      "input_tokens",
      "cache_read_tokens",
      "output_tokens",
      "reasoning_tokens",
      "output_chars",
    ),
    [
      {
        model: "gpt-5",
        input_tokens: 2100,
        cache_read_tokens: 1024,
        output_tokens: 40,
        reasoning_tokens: 16,
        output_chars: null, // a shell call, no text
      },
      {
        model: "gpt-5",
        input_tokens: 2300,
        cache_read_tokens: 2048,
        output_tokens: 25,
        reasoning_tokens: 0,
        output_chars: 33,
      },
      {
        model: "gpt-5",
        input_tokens: 2600,
        cache_read_tokens: 2304,
        output_tokens: 30,
        reasoning_tokens: 8,
        output_chars: 20,
      },
    ],
  );
  assert.deepEqual(rows(t.sessions, "session_id", "complete"), [
    { session_id: "01a23750-fcd5-7f50-89ec-def068f8e8ef", complete: true },
  ]);
  assert.equal(t.diagnostics.height, 0);
});
