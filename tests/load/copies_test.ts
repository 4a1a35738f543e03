/**
 * A continued Claude Code session: its new transcript starts with the earlier
 * session's lines (same `requestId`s), then its own. Built from the real
 * transcript of `../shared`: the copy adds no call, whatever the session id the
 * copied lines carry; one `copied_calls` warning counts them.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inTempDir, realFixture } from "../_helpers.ts";
import { fixture } from "./formats/_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { dropCopiedCalls } from "../../src/load/_copies.ts";
import pl from "../../src/frames/polars.ts";

const FIXTURE = realFixture("claude-code/flux.claude-session.jsonl");

/** The transcript's lines, parsed. */
const lines = () =>
  readFileSync(FIXTURE!, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

/** The distinct request ids of its assistant responses (Claude Code's own `<synthetic>` aside). */
const requestIds = (rows: Record<string, unknown>[]) =>
  new Set(
    rows.filter((r) =>
      r.type === "assistant" && (r.message as { model?: string }).model !== "<synthetic>"
    ).map((r) => r.requestId as string),
  );

const CASES = [
  ["the earlier session's", "the earlier transcript's name first"],
  ["the new session's", "the earlier transcript's name first"],
  ["the new session's", "the continuation's name first"],
] as const;

for (const [sessionOfCopies, naming] of CASES) {
  Deno.test(
    `a continued Claude Code session's copy of the earlier transcript (${sessionOfCopies} id, ${naming}) adds no call, and the earlier session keeps its calls`,
    { ignore: FIXTURE === undefined },
    inTempDir("copies", async (dir) => {
      const first = lines();
      // the continued session: a new id, the earlier lines copied, then two new responses
      const id = "99999999-0000-4000-8000-000000000000";
      const copied = first.map((r) =>
        sessionOfCopies === "the new session's" && r.sessionId ? { ...r, sessionId: id } : r
      );
      const last = first.findLast((r) => r.type === "assistant")!;
      // the continuation's own answers, a minute after the earlier session's last
      const later = new Date(Date.parse(last.timestamp) + 60_000).toISOString();
      const own = ["req_own_1", "req_own_2"].map((requestId, i) => ({
        ...last,
        sessionId: id,
        requestId,
        uuid: `own-${i}`,
        timestamp: later,
        message: { ...last.message, id: `msg_own_${i}` },
      }));
      // a: the earlier transcript, b: the continuation (Claude Code names both by a random UUID)
      const [a, b] = naming === "the earlier transcript's name first"
        ? [join(dir, "a.jsonl"), join(dir, "b.jsonl")]
        : [join(dir, "b.jsonl"), join(dir, "a.jsonl")];
      writeFileSync(a, first.map((r) => JSON.stringify(r)).join("\n") + "\n");
      writeFileSync(b, [...copied, ...own].map((r) => JSON.stringify(r)).join("\n") + "\n");
      const expected = requestIds(first).size; // 12 responses in the real transcript
      const t = await loadTraces(dir, { cache: false });
      // the earlier calls once (read in a.jsonl), and b.jsonl's own two
      assert.equal(t.calls.height, expected + 2);
      const calls = t.calls.select("file", "request_id", "session_id").toRecords();
      const inB = calls.filter((c) => c.file === b).map((c) => c.request_id);
      assert.deepEqual(inB.sort(), ["req_own_1", "req_own_2"]);
      const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.file, b);
      assert.equal(warnings[0]!.count, expected);
      // the earlier session keeps its calls where it wrote them
      assert.equal(calls.filter((c) => c.file === a).length, expected);
      // every session counts the calls it keeps
      for (const s of t.sessions.select("session_id", "calls").toRecords()) {
        const n = calls.filter((c) => c.session_id === s.session_id).length;
        assert.equal(s.calls, n, String(s.session_id));
      }
    }),
  );
}

Deno.test("the formats of a load's files: copies are looked for only when two files or more are of a format that copies calls", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  // b.jsonl's calls end first (at 2 s): a.jsonl's req_1 is its copy
  const calls = pl.DataFrame({
    format: ["claude_code", "claude_code", "claude_code", "claude_code"],
    request_id: ["req_1", "req_3", "req_1", "req_2"],
    file: ["a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl"],
    line: [2, 9, 3, 7],
    session_id: ["new", "new", "old", "old"],
    status: ["ok", "ok", "ok", "ok"],
    started_at: [at(1), at(30), at(1), at(2)],
  });
  const sessions = pl.DataFrame({ session_id: ["new", "old"], calls: [2, 2], errors: [0, 0] });
  for (
    const formats of [undefined, ["claude_code", "claude_code"], [
      "gemini_cli_chat",
      "claude_code",
      "native",
    ]]
  ) {
    const out = dropCopiedCalls(calls, sessions, formats);
    assert.deepEqual(
      out?.calls.getColumn("request_id").toArray(),
      ["req_3", "req_1", "req_2"],
      String(formats),
    );
    assert.deepEqual(out?.sessions.getColumn("calls").toArray(), [1, 2]);
  }
  // one file of such a format (or none) holds no copy of another file's call: the frame is not read
  for (const formats of [["claude_code"], ["claude_code", "native", "otlp"], []]) {
    assert.equal(dropCopiedCalls(calls, sessions, formats), null, String(formats));
  }
});

/**
 * The stream-json output of the transcript's session, as Claude Code 2.1.197 writes it (run
 * against a mock API: `{type: "assistant", message, parent_tool_use_id, session_id, uuid,
 * request_id}`, the transcript's `requestId` as `request_id`, no time), or with each line's time a
 * second before the transcript's (`timed`, as 2.1.259 writes a `timestamp`), with its init and
 * result lines.
 */
function streamOf(rows: Record<string, unknown>[], timed: boolean): string {
  const session = rows.find((r) => r.sessionId)!.sessionId as string;
  const answers = rows.filter((r) => r.type === "assistant").map((r) => ({
    type: "assistant",
    message: r.message,
    parent_tool_use_id: null,
    session_id: session,
    uuid: r.uuid,
    ...(timed
      ? { timestamp: new Date(Date.parse(r.timestamp as string) - 1000).toISOString() }
      : {}),
    request_id: r.requestId,
  }));
  const init = { type: "system", subtype: "init", session_id: session, model: "claude-sonnet-4-6" };
  const result = {
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 117238,
    duration_api_ms: 90000,
    num_turns: 12,
    session_id: session,
    total_cost_usd: 0.5,
  };
  return [init, ...answers, result].map((l) => JSON.stringify(l)).join("\n") + "\n";
}

for (const timed of [false, true]) {
  Deno.test(
    `a session's stream-json output beside its transcript (lines ${
      timed ? "timed a second earlier" : "untimed"
    }, named first) adds no call: the transcript keeps them, the session the result's totals`,
    { ignore: FIXTURE === undefined },
    inTempDir("copies", async (dir) => {
      const rows = lines();
      // the stream's name sorts first, and its timed lines end first: neither decides
      const stream = join(dir, "a_stream.jsonl"), transcript = join(dir, "b_session.jsonl");
      writeFileSync(stream, streamOf(rows, timed));
      writeFileSync(transcript, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      const expected = requestIds(rows); // 12 responses (21 assistant lines) in the real transcript
      const t = await loadTraces(dir, { cache: false });
      assert.equal(t.calls.height, expected.size);
      const calls = t.calls.select("file", "format", "request_id", "started_at").toRecords();
      assert.deepEqual(new Set(calls.map((c) => c.request_id)), expected);
      assert.deepEqual(new Set(calls.map((c) => c.format)), new Set(["claude_code"]));
      // each call keeps the transcript's time of its response's first line
      assert.ok(calls.every((c) => c.started_at !== null));
      const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.file, stream);
      assert.equal(warnings[0]!.line, 2); // the first answer, after the init line
      assert.equal(warnings[0]!.count, expected.size);
      assert.match(String(warnings[0]!.message), /in the transcript/);
      // one session: its 12 calls, and the result's cost and turns from the stream
      const sessions = t.sessions.toRecords();
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0]!.calls, expected.size);
      assert.equal(sessions[0]!.reported_cost_usd, "0.5");
      assert.equal(sessions[0]!.num_turns, "12");
    }),
  );
}

/** The lines of a fixture of `formats/fixtures/`, parsed. */
const fixtureLines = (name: string): Record<string, unknown>[] =>
  readFileSync(fixture(name), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

Deno.test("Claude Code 2.1.19's stream-json output, whose lines name no request, beside its transcript adds no call: each answer is the transcript's call of its message id", async () => {
  // a real claude -p --output-format stream-json --verbose run of Claude Code 2.1.19 against a
  // mock API (two answers: a Read tool use, then the text) and the transcript it wrote
  const stream = fixture("claude_code_2.1.19_stream.jsonl");
  const transcript = fixture("claude_code_2.1.19_stream_session.jsonl");
  const streamLines = fixtureLines("claude_code_2.1.19_stream.jsonl");
  const answers = streamLines.filter((l) => l.type === "assistant");
  // the stream's lines name no request: only their message ids
  assert.ok(answers.every((l) => !("request_id" in l)));
  const messageIds = new Set(answers.map((l) => (l.message as { id: string }).id));
  assert.equal(messageIds.size, 2);
  // the transcript's lines of those messages, with their request ids
  const written = fixtureLines("claude_code_2.1.19_stream_session.jsonl").filter((l) =>
    l.type === "assistant"
  );
  const requests = new Set(written.map((l) => l.requestId as string));
  assert.deepEqual(new Set(written.map((l) => (l.message as { id: string }).id)), messageIds);
  const result = streamLines.find((l) => l.type === "result")!;
  for (const order of [[stream, transcript], [transcript, stream]]) {
    const t = await loadTraces(order, { cache: false });
    // two calls, not four: the transcript's, with its times
    const calls = t.calls.select("format", "request_id", "started_at").toRecords();
    assert.equal(calls.length, 2);
    assert.deepEqual(new Set(calls.map((c) => c.request_id)), requests);
    assert.ok(calls.every((c) => c.format === "claude_code" && c.started_at !== null));
    const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.file, stream);
    assert.equal(warnings[0]!.line, 2); // the first answer, after the init line
    assert.equal(warnings[0]!.count, 2);
    // the session: its two calls, the result's cost and turns
    const sessions = t.sessions.toRecords();
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.calls, 2);
    assert.equal(sessions[0]!.reported_cost_usd, String(result.total_cost_usd));
    assert.equal(sessions[0]!.num_turns, String(result.num_turns));
  }
});

Deno.test("Claude Code 2.1.19's --output-format json result beside its transcript adds no call: the result's call standing for the session's requests gives way to them", async () => {
  // a real claude -p --output-format json run of Claude Code 2.1.19 against a mock API, and the
  // transcript it wrote: two answers of claude-sonnet-4-5-20250929, whose input counts (103 and
  // 203, beside 1000 and 2000 cache reads and 17 and 27 cache writes) add up to the result's
  // modelUsage (306)
  const json = fixture("claude_code_2.1.19_json.json");
  const transcript = fixture("claude_code_2.1.19_json_session.jsonl");
  const [result] = fixtureLines("claude_code_2.1.19_json.json");
  const written = fixtureLines("claude_code_2.1.19_json_session.jsonl").filter((l) =>
    l.type === "assistant"
  );
  const requests = new Set(written.map((l) => l.requestId as string));
  assert.equal(requests.size, 2);
  const t = await loadTraces([json, transcript], { cache: false });
  const calls = t.calls.select("format", "request_id", "input_tokens").toRecords();
  assert.deepEqual(new Set(calls.map((c) => c.request_id)), requests);
  assert.ok(calls.every((c) => c.format === "claude_code"));
  // the whole prompts: Anthropic's input counts leave the cache out
  assert.equal(
    calls.reduce((a, c) => a + Number(c.input_tokens), 0),
    (103 + 1000 + 17) + (203 + 2000 + 27),
  );
  const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.file, json);
  assert.equal(warnings[0]!.count, 1);
  const sessions = t.sessions.toRecords();
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0]!.calls, 2);
  assert.equal(sessions[0]!.reported_cost_usd, String(result!.total_cost_usd));
  assert.equal(sessions[0]!.duration_api_ms, String(result!.duration_api_ms));
});

/**
 * Gemini CLI runs against a local mock API whose every request is logged (`-o stream-json` and
 * `-o json`, beside the chat recording the run wrote, the same session id). The mock answered
 * each run's first request of the main model with 1000 prompt tokens (400 cached), 20 candidates
 * and 30 thoughts, and its second (with the tool's result) with 1200 (800 cached), 100 tool-use
 * prompt tokens, 50 candidates and 70 thoughts; the `auto` router's request (a flash-lite model,
 * which the recording does not hold) with 300 + n prompt tokens and 7 candidates.
 */
const GEMINI_FIRST = { input: 1000, cached: 400, output: 20 + 30 };
const GEMINI_SECOND = { input: 1200 + 100, cached: 800, output: 50 + 70 };

for (
  const [version, name, recordingName, router, routerInput] of [
    // the mock's log: gemini-3.1-flash-lite (304 prompt tokens), then gemini-3.1-pro-preview twice
    [
      "0.45.2 -o stream-json",
      "gemini_cli_0.45.2_auto_stream.jsonl",
      "gemini_cli_0.45.2_auto_stream_session.jsonl",
      "gemini-3.1-flash-lite",
      304,
    ],
    // gemini-2.5-flash-lite (305), then gemini-3.1-pro-preview-customtools twice
    [
      "0.30.1 -o json",
      "gemini_cli_0.30.1_auto_json.json",
      "gemini_cli_0.30.1_auto_json_session.json",
      "gemini-2.5-flash-lite",
      305,
    ],
  ] as const
) {
  Deno.test(`Gemini CLI ${version}'s output of an auto run beside its chat recording: the main model's requests count once, from the recording, and the router's call stays`, async () => {
    const output = fixture(name), recording = fixture(recordingName);
    for (const order of [[output, recording], [recording, output]]) {
      const t = await loadTraces(order, { cache: false });
      const calls = t.calls.select(
        "format",
        "model",
        "input_tokens",
        "cache_read_tokens",
        "output_tokens",
      )
        .toRecords();
      // three requests: the router's (from the output) and the main model's two (the recording's)
      assert.equal(calls.length, 3);
      const routed = calls.filter((c) => c.model === router);
      assert.equal(routed.length, 1);
      assert.equal(routed[0]!.input_tokens, routerInput);
      assert.equal(routed[0]!.output_tokens, 7);
      const main = calls.filter((c) => c.model !== router);
      assert.ok(main.every((c) => c.format === "gemini_cli_chat"));
      assert.deepEqual(
        main.map((c) => [c.input_tokens, c.cache_read_tokens, c.output_tokens]).sort(),
        [GEMINI_FIRST, GEMINI_SECOND].map((r) => [r.input, r.cached, r.output]).sort(),
      );
      // the run's input: the router's and the main model's two prompts (was twice the main's)
      const input = calls.reduce((a, c) => a + Number(c.input_tokens), 0);
      assert.equal(input, routerInput + GEMINI_FIRST.input + GEMINI_SECOND.input);
      const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.file, output);
      assert.equal(warnings[0]!.count, 1);
      const sessions = t.sessions.toRecords();
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0]!.calls, 3);
      assert.equal(sessions[0]!.errors, 0);
    }
  });
}

Deno.test("Gemini CLI 0.45.2's stream-json output of a run whose second request failed, beside its chat recording: the recording's call and the failure, without the output's tokens", async () => {
  // the mock's log: the first request answered (1000 prompt tokens, 400 cached, 20 + 30 out),
  // the second (with the tool's result) refused, 400 MOCKFAIL; the recording holds the first
  // alone, the output's one call of gemini-2.5-pro sums them (1000 in) and says the run failed
  const output = fixture("gemini_cli_0.45.2_failed_stream.jsonl");
  const recording = fixture("gemini_cli_0.45.2_failed_stream_session.jsonl");
  const t = await loadTraces([output, recording], { cache: false });
  const calls = t.calls.select(
    "format",
    "model",
    "status",
    "error",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "duration_s",
    "cost_usd",
  ).toRecords();
  assert.equal(calls.length, 2);
  const ok = calls.find((c) => c.status === "ok")!;
  assert.equal(ok.format, "gemini_cli_chat");
  assert.deepEqual([ok.input_tokens, ok.cache_read_tokens, ok.output_tokens], [
    GEMINI_FIRST.input,
    GEMINI_FIRST.cached,
    GEMINI_FIRST.output,
  ]);
  // the failure: the output's, with no tokens, cost or latency of its own (a refused request
  // counts none; the output's 1000 were the recorded request's)
  const failed = calls.find((c) => c.status === "error")!;
  assert.equal(failed.format, "gemini_cli_stream");
  assert.equal(failed.model, "gemini-2.5-pro");
  assert.match(String(failed.error), /MOCKFAIL/);
  assert.deepEqual(
    [failed.input_tokens, failed.output_tokens, failed.cache_read_tokens, failed.duration_s],
    [null, null, null, null],
  );
  assert.equal(failed.cost_usd, null);
  const input = calls.reduce((a, c) => a + Number(c.input_tokens ?? 0), 0);
  assert.equal(input, GEMINI_FIRST.input); // was 2000
  const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.file, output);
  assert.match(String(warnings[0]!.message), /1 failed/);
  // two requests, one failed
  const sessions = t.sessions.toRecords();
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0]!.calls, 2);
  assert.equal(sessions[0]!.errors, 1);
});

/**
 * Gemini CLI 0.10.0 and 0.18.4 `-o json` outputs, which name no session, beside the chat
 * recording the same run wrote (real runs against a local mock API, logged request by request).
 * 0.10.0, a web search: gemini-2.5-pro answered 1500 prompt tokens, 12 candidates and 20 thoughts,
 * then the search's gemini-2.5-flash request 80 prompt tokens, 30 candidates and 350 tool-use
 * prompt tokens, then gemini-2.5-pro 1900 (1024 cached), 18 candidates and 25 thoughts; the
 * output sums gemini-2.5-pro's two requests (3400, 30 + 45, 1024 cached, 2 requests) and the
 * recording holds them one by one, not the search's. 0.18.4, a tool call: gemini-2.5-pro twice,
 * 2100 prompt tokens, 15 + 40 out, then 2300 (2000 cached), 25 + 60.
 */
const SESSIONLESS = [
  {
    version: "0.10.0",
    output: "gemini_cli_0.10.0_search_json.json",
    recording: "gemini_cli_0.10.0_search_json_session.json",
    // the recording's two calls, and the search's flash call of the output (80 + 350 tool-use)
    calls: [[1500, 0, 12 + 20], [1900, 1024, 18 + 25], [80 + 350, 0, 30]],
    kept: ["gemini-2.5-flash"],
    before: 4, // and 3830 + 3400 input tokens
  },
  {
    version: "0.18.4",
    output: "gemini_cli_0.18.4_tool_json.json",
    recording: "gemini_cli_0.18.4_tool_json_session.json",
    calls: [[2100, 0, 15 + 40], [2300, 2000, 25 + 60]],
    kept: [],
    before: 3, // and 4400 + 4400 input tokens
  },
];

for (const { version, output, recording, calls: expected, kept } of SESSIONLESS) {
  Deno.test(`Gemini CLI ${version}'s -o json output, which names no session, beside its chat recording: matched by its model's sums, its requests count once, from the recording`, async () => {
    for (
      const order of [[fixture(output), fixture(recording)], [fixture(recording), fixture(output)]]
    ) {
      const t = await loadTraces(order, { cache: false });
      const calls = t.calls.select(
        "format",
        "model",
        "input_tokens",
        "cache_read_tokens",
        "output_tokens",
      ).toRecords();
      assert.deepEqual(
        calls.map((c) => [c.input_tokens, c.cache_read_tokens, c.output_tokens]).sort(),
        expected.sort(),
      );
      assert.deepEqual(
        calls.filter((c) => c.format === "gemini_cli_json").map((c) => c.model),
        kept,
      );
      const warnings = t.diagnostics.toRecords().filter((d) => /copied_calls/.test(String(d.code)));
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.code, "copied_calls");
      assert.equal(warnings[0]!.file, fixture(output));
      assert.equal(warnings[0]!.count, 1); // the output's gemini-2.5-pro call
      const sessions = t.sessions.toRecords();
      const recorded = sessions.find((s) => s.session_id !== fixture(output))!;
      assert.equal(recorded.calls, 2);
      assert.equal(sessions.find((s) => s.session_id === fixture(output))?.calls ?? 0, kept.length);
    }
  });
}

Deno.test(
  "a Gemini CLI -o json output naming no session beside a chat recording of another run of its model, in its folder: both counted, with a possible_copied_calls warning",
  inTempDir("copies", async (dir) => {
    // the 0.10.0 search's output (gemini-2.5-pro: 3400 in, 2 requests) and the 0.18.4 tool run's
    // recording (gemini-2.5-pro: 2100 + 2300 in): its sums are not the output's
    const output = join(dir, "run.json");
    writeFileSync(output, readFileSync(fixture("gemini_cli_0.10.0_search_json.json")));
    writeFileSync(
      join(dir, "session-2026-12-03T07-41-d32ce374.json"),
      readFileSync(fixture("gemini_cli_0.18.4_tool_json_session.json")),
    );
    const t = await loadTraces(dir, { cache: false });
    assert.equal(t.calls.height, 4);
    const input = (t.calls.getColumn("input_tokens").toArray() as number[]).reduce((a, n) => a + n);
    assert.equal(input, 3400 + 430 + 2100 + 2300);
    const warnings = t.diagnostics.toRecords().filter((d) => /copied_calls/.test(String(d.code)));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.code, "possible_copied_calls");
    assert.equal(warnings[0]!.file, output);
    assert.equal(warnings[0]!.count, 2);
  }),
);

Deno.test("a Gemini CLI -o json output naming no session matches a recording by its requests too: one more request than the recording's calls is another run", async () => {
  // the 0.10.0 search's output, its gemini-2.5-pro with 3 requests (1 failed, retried: a match)
  // or 3 that succeeded (not a match: the recording holds 2)
  const text = readFileSync(fixture("gemini_cli_0.10.0_search_json.json"), "utf8");
  for (const [errors, copies] of [[1, 1], [0, 0]] as const) {
    const out = JSON.parse(text);
    out.stats.models["gemini-2.5-pro"].api = {
      totalRequests: 3,
      totalErrors: errors,
      totalLatencyMs: 634,
    };
    const dir = Deno.makeTempDirSync();
    try {
      writeFileSync(join(dir, "run.json"), JSON.stringify(out, null, 2));
      writeFileSync(
        join(dir, "session.json"),
        readFileSync(fixture("gemini_cli_0.10.0_search_json_session.json")),
      );
      const t = await loadTraces(dir, { cache: false });
      assert.equal(t.calls.height, 4 - copies);
      const codes = t.diagnostics.toRecords().map((d) => d.code);
      assert.ok(codes.includes(copies ? "copied_calls" : "possible_copied_calls"));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }
});

Deno.test("Gemini CLI 0.18.4's stream-json output (one call for all the session's models) beside its chat recording: the recording's calls, and the rest the output counts beyond them, the web search's request", async () => {
  // a real 0.18.4 run against a local mock API: gemini-2.5-pro 1500 prompt tokens, 12 candidates,
  // 20 thoughts (total 1532); the search's gemini-2.5-flash request 80 prompt tokens, 30
  // candidates, 350 tool-use prompt tokens (total 460); gemini-2.5-pro 1900 (1024 cached), 18
  // candidates, 25 thoughts (total 1943). The output's stats sum all three (total 3935, input
  // 3480, output 60); the recording holds gemini-2.5-pro's two
  const output = fixture("gemini_cli_0.18.4_search_stream.jsonl");
  const recording = fixture("gemini_cli_0.18.4_search_stream_session.json");
  for (const order of [[output, recording], [recording, output]]) {
    const t = await loadTraces(order, { cache: false });
    const calls = t.calls.select(
      "format",
      "model",
      "input_tokens",
      "output_tokens",
      "reasoning_tokens",
      "total_tokens",
    ).toRecords();
    assert.equal(calls.length, 3);
    const rest = calls.find((c) => c.format === "gemini_cli_stream")!;
    // 3480 − 1500 − 1900 prompt, 60 − 12 − 18 candidates, 3935 − 1532 − 1943 total; the total's
    // other 350 (the tool-use prompt) is read as thinking, as the stats do not tell
    assert.deepEqual(rest, {
      format: "gemini_cli_stream",
      model: "unknown",
      input_tokens: 80,
      output_tokens: 30 + 350,
      reasoning_tokens: 350,
      total_tokens: 460,
    });
    const input = calls.reduce((a, c) => a + Number(c.input_tokens), 0);
    assert.equal(input, 3480); // was 3400: the search's request was lost
    const total = calls.reduce((a, c) => a + Number(c.total_tokens), 0);
    assert.equal(total, 3935);
    const warnings = t.diagnostics.toRecords().filter((d) => d.code === "copied_calls");
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.file, output);
    assert.match(String(warnings[0]!.message), /beyond the recording's calls/);
    const sessions = t.sessions.toRecords();
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.calls, 3);
  }
});
