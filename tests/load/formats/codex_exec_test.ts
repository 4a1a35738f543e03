import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromTraceText, loadTraces } from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, loadAs, rows } from "./_helpers.ts";

Deno.test("codex_exec: one call per turn, a resumed thread's running total made per turn, failed and unfinished turns", async () => {
  // tests/load/formats/fixtures/codex_exec_runs.jsonl: four `codex exec --json` runs appended, written
  // from codex-rs exec/src/exec_events.rs and event_processor_with_jsonl_output.rs (ThreadEvent,
  // ThreadItem, Usage = the thread's last ThreadTokenUsage.total): a run, its `exec resume`, a run
  // whose turn failed, a run cut off inside its turn
  const file = fixture("codex_exec_runs.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  const usages = lines.filter((l) => l.type === "turn.completed").map((l) => l.usage);
  assert.equal(usages.length, 2);
  const [u1, u2] = usages;
  const t = await loadAs(file, "codex_exec");
  assert.equal(t.diagnostics.height, 0);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 4, // one per turn.started
    ok: 2,
    errors: 1,
    pending: 1,
    models: { unknown: 4 }, // the output names no model
    // the second turn is the same thread resumed: its usage is the running total, less the first
    input: u1.input_tokens + (u2.input_tokens - u1.input_tokens), // 51000, not 24763 + 51000
    output: u1.output_tokens + (u2.output_tokens - u1.output_tokens), // 200
    cache_read: u1.cached_input_tokens + (u2.cached_input_tokens - u1.cached_input_tokens),
    latency: { n: 0, p50: null, max: null }, // no times in this output
  });
  assert.deepEqual(
    rows(t.calls, "line", "session_id", "status", "error", "input_tokens", "reasoning_tokens"),
    [
      {
        line: 2,
        session_id: lines[0].thread_id,
        status: "ok",
        error: null,
        input_tokens: 24763,
        reasoning_tokens: null,
      },
      {
        line: 12,
        session_id: lines[0].thread_id,
        status: "ok",
        error: null, // the "Reconnecting" error line was retried: the turn completed
        input_tokens: 51000 - 24763,
        reasoning_tokens: 64, // none in the first total: counted as written
      },
      {
        line: 18,
        session_id: lines[16].thread_id,
        status: "error",
        error: "You've hit your usage limit. Try again later.",
        input_tokens: null,
        reasoning_tokens: null,
      },
      {
        line: 22,
        session_id: lines[20].thread_id,
        status: "pending",
        error: null,
        input_tokens: null,
        reasoning_tokens: null,
      },
    ],
  );
  // total = input + output (input includes cached, output includes reasoning)
  assert.deepEqual(t.calls.getColumn("total_tokens").toArray(), [
    24763 + 122,
    (51000 - 24763) + (200 - 122),
    null,
    null,
  ]);
  // the agent_message text of each turn is its output
  assert.deepEqual(t.calls.getColumn("output_chars").toArray(), [
    "The repository holds a README and src/.".length,
    "Done.".length,
    null,
    null,
  ]);
  assert.deepEqual(t.sessions.sort("session_id").select("session_id", "complete").toRecords(), [
    { session_id: lines[0].thread_id, complete: true },
    { session_id: lines[16].thread_id, complete: true },
    { session_id: lines[20].thread_id, complete: false },
  ]);
  assert.equal(t.events.height, lines.length); // every line is an event
  const types = t.events.getColumn("type").toArray();
  assert.equal(types.filter((x) => x === "codex_exec.item.updated.todo_list").length, 1);
});

Deno.test("codex_exec: the first thread-event shape (item_type, assistant_message) and an error before any turn", () => {
  // the sample output of openai/codex#4525 (2025-09-30): items named `item_type`, `assistant_message`
  const text = [
    { type: "thread.started", thread_id: "01999ce5-f229-7661-8570-53312bd47ea3" },
    { type: "turn.started" },
    {
      type: "item.completed",
      item: { id: "item_0", item_type: "reasoning", text: "**Planning**" },
    },
    { type: "item.completed", item: { id: "item_3", item_type: "assistant_message", text: "Hi" } },
    {
      type: "turn.completed",
      usage: { input_tokens: 100, cached_input_tokens: 0, output_tokens: 9 },
    },
    { type: "error", message: "stream disconnected before completion" },
  ].map((l) => JSON.stringify(l)).join("\n");
  const t = fromTraceText(text, { file: "exec.jsonl" });
  assert.equal(t.formats?.["exec.jsonl"], "codex_exec");
  assert.deepEqual(rows(t.calls, "status", "error", "input_tokens", "output_chars"), [
    { status: "ok", error: null, input_tokens: 100, output_chars: 2 },
    {
      status: "error",
      error: "stream disconnected before completion",
      input_tokens: null,
      output_chars: null,
    },
  ]);
});

Deno.test("codex_exec: the older --json output ({id, msg} events) is read by the rollout rules", () => {
  // codex exec --json before openai/codex#4525 (from #1603): a config summary, the prompt, then the
  // protocol's events {id, msg}; token_count flat (one per response) in these versions
  const text = [
    { model: "codex-mini-latest", provider: "openai", sandbox: "read-only", workdir: "/tmp/x" },
    { prompt: "say hi" },
    {
      id: "0",
      msg: {
        type: "session_configured",
        session_id: "7f0c-legacy",
        model: "codex-mini-latest",
        history_log_id: 0,
        history_entry_count: 0,
      },
    },
    { id: "1", msg: { type: "task_started" } },
    { id: "1", msg: { type: "agent_message", message: "Hi there!" } },
    {
      id: "1",
      msg: {
        type: "token_count",
        input_tokens: 3804,
        cached_input_tokens: 3200,
        output_tokens: 95,
        reasoning_output_tokens: 64,
        total_tokens: 3899,
      },
    },
    { id: "1", msg: { type: "task_complete", last_agent_message: "Hi there!" } },
    { id: "2", msg: { type: "task_started" } },
    {
      id: "2",
      msg: {
        type: "stream_error",
        message: "stream disconnected before completion: error sending request",
      },
    },
  ].map((l) => JSON.stringify(l)).join("\n");
  const t = fromTraceText(text, { file: "legacy.jsonl" });
  assert.equal(t.formats?.["legacy.jsonl"], "codex_exec");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2,
    ok: 1,
    errors: 1, // the stream error (retried), as the codex adapter counts it
    pending: 0,
    models: { "codex-mini-latest": 2 },
    input: 3804,
    output: 95,
    cache_read: 3200,
    latency: { n: 0, p50: null, max: null },
  });
  assert.deepEqual(rows(t.sessions, "session_id", "complete"), [
    { session_id: "7f0c-legacy", complete: false }, // the second task never completed
  ]);
  assert.equal(t.events.height, 9);
});

Deno.test("codex_exec: two real outputs of Codex CLI 0.46.0 (two runs, two threads)", async () => {
  // tests/load/formats/fixtures/codex_exec_agentcmd_0.46.jsonl: the two `codex exec --json` captures
  // printed in jnarowski/agentcmd .agent/research/codex/format-comparison.md @ d0086224 (Codex CLI
  // 0.46.0, 2025-10-28), appended one after the other as `>>` would
  const file = fixture("codex_exec_agentcmd_0.46.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  const threads = lines.filter((l) => l.type === "thread.started").map((l) => l.thread_id);
  const usages = lines.filter((l) => l.type === "turn.completed").map((l) => l.usage);
  const sum = (k: string) => usages.reduce((a, u) => a + u[k], 0);
  const t = await loadAs(file, "codex_exec");
  assert.equal(t.diagnostics.height, 0);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2,
    ok: 2,
    errors: 0,
    pending: 0,
    models: { unknown: 2 },
    input: sum("input_tokens"), // 2946 + 6040: different threads, nothing subtracted
    output: sum("output_tokens"),
    cache_read: sum("cached_input_tokens"),
    latency: { n: 0, p50: null, max: null },
  });
  assert.deepEqual(t.calls.getColumn("session_id").toArray(), threads);
  assert.deepEqual(t.calls.getColumn("output_chars").toArray(), [
    "4".length,
    "Files here: `file1.txt`, `file2.txt`.".length,
  ]);
  assert.deepEqual(t.sessions.getColumn("complete").toArray(), [true, true]);
  assert.equal(t.events.height, lines.length);
});

Deno.test("codex_exec: the experimental output of Codex 0.41-0.43 opens with session.created", () => {
  // the first lines of openai/codex#4250's sample (2025-09-25): session.created {session_id}, items with
  // item_type; the turn.completed line is added here (the sample is cut before its end)
  const text = [
    { type: "session.created", session_id: "019982d1-75f0-7920-b051-e0d3731a5ed8" },
    {
      type: "item.completed",
      item: { id: "item_0", item_type: "reasoning", text: "**Executing**" },
    },
    {
      type: "item.started",
      item: {
        id: "item_1",
        item_type: "command_execution",
        command: "echo hello",
        status: "in_progress",
      },
    },
    {
      type: "turn.completed",
      usage: { input_tokens: 500, cached_input_tokens: 100, output_tokens: 30 },
    },
  ].map((l) => JSON.stringify(l)).join("\n");
  const t = fromTraceText(text, { file: "exp.jsonl" });
  assert.equal(t.formats?.["exp.jsonl"], "codex_exec");
  assert.deepEqual(rows(t.calls, "session_id", "status", "input_tokens", "cache_read_tokens"), [
    {
      session_id: "019982d1-75f0-7920-b051-e0d3731a5ed8",
      status: "ok",
      input_tokens: 500,
      cache_read_tokens: 100,
    },
  ]);
  // a native line with session_id and a custom type of that name is not claimed
  const native = JSON.stringify({
    type: "session.created",
    session_id: "s",
    timestamp: "2025-01-01T00:00:00",
  });
  assert.notEqual(
    fromTraceText(native + "\n", { file: "n.jsonl" }).formats?.["n.jsonl"],
    "codex_exec",
  );
});

Deno.test("codex_exec: a plan-mode run (item.plan.delta lines, a request_user_input question) is read as codex exec output", async () => {
  // tests/load/formats/fixtures/codex_exec_plan_mode.jsonl: written from codex-rs's exec_events.rs
  // of early 2026 (ThreadEvent::PlanDelta `{type: "item.plan.delta", item_id, delta}`,
  // ThreadEvent::RequestUserInput `{type: "request_user_input", id, call_id, questions}`, a `plan`
  // item); a plan streams many deltas, so they can be a large part of the lines
  const file = fixture("codex_exec_plan_mode.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  const usage = lines.find((l) => l.type === "turn.completed").usage;
  const t = await loadAs(file, "codex_exec");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 1, // one turn
    ok: 1,
    errors: 0,
    pending: 0,
    models: { unknown: 1 },
    input: usage.input_tokens, // 18244
    output: usage.output_tokens, // 611
    cache_read: usage.cached_input_tokens, // 14976
    latency: { n: 0, p50: null, max: null },
  });
  assert.equal(t.events.height, lines.length);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("codex_exec: a failed turn of Codex 0.36's older --json output is its error calls, with no no_token_usage warning", async () => {
  // tests/load/formats/fixtures/codex_exec_0.36.0_legacy_failed.jsonl: a real `codex exec --json`
  // of Codex CLI 0.36.0 against a local mock that answered every request with HTTP 500: one stream
  // retry (stream_error), then the turn's error; no token_count, no task_complete
  const t = await loadTraces(fixture("codex_exec_0.36.0_legacy_failed.jsonl"));
  assert.deepEqual(rows(t.calls, "line", "model", "status"), [
    { line: 4, model: "gpt-5", status: "error" }, // the stream error (retried)
    { line: 5, model: "gpt-5", status: "error" }, // the turn's error
  ]);
  // the turn's calls are its errors: no usage was left uncounted
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("codex_exec: Codex 0.36's older --json output, which never prints task_complete, leaves no session unfinished", async () => {
  // tests/load/formats/fixtures/codex_exec_0.36.0_legacy.jsonl: two real `codex exec --json` runs
  // of Codex CLI 0.36.0 appended (the second `exec resume`), against a local mock that served a
  // shell call (input 2100, cached 1024, output 40, reasoning 16), the answer after its output
  // (2300, 2048, 25, 0: "The command printed mock-tool-ok.", 33 characters) and the resumed turn
  // (2600, 2304, 30, 8: "Hello from the mock.", 20); both runs ended normally (exit code 0)
  const file = fixture("codex_exec_0.36.0_legacy.jsonl");
  const types = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l).msg?.type);
  assert.equal(types.filter((t) => t === "task_started").length, 2);
  assert.equal(types.filter((t) => t === "task_complete").length, 0); // the printer stops on it
  const t = await loadTraces(file);
  assert.equal(t.formats?.[file], "codex_exec");
  assert.deepEqual(
    rows(t.calls, "input_tokens", "cache_read_tokens", "output_tokens", "reasoning_tokens"),
    [
      { input_tokens: 2100, cache_read_tokens: 1024, output_tokens: 40, reasoning_tokens: 16 },
      { input_tokens: 2300, cache_read_tokens: 2048, output_tokens: 25, reasoning_tokens: 0 },
      { input_tokens: 2600, cache_read_tokens: 2304, output_tokens: 30, reasoning_tokens: 8 },
    ],
  );
  assert.deepEqual(t.calls.getColumn("output_chars").toArray(), [null, 33, 20]);
  assert.deepEqual(rows(t.sessions, "session_id", "complete"), [
    { session_id: file, complete: true }, // the output names no session: the file
  ]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("codex_exec: Codex 0.20's retried stream, a background_event in its older --json output, is an error call as a stream_error is", async () => {
  // tests/load/formats/fixtures/codex_exec_0.20.0_legacy_failed.jsonl: a real `codex exec --json`
  // of Codex CLI 0.20.0 against a local mock answering HTTP 500 (stream_max_retries 1): the retry
  // is said in a background_event ("stream error: …; retrying 1/1 in 193ms…"), then the error;
  // Codex 0.36 writes the same run as a stream_error and an error (the fixture beside it): 2 calls
  const t = await loadTraces(fixture("codex_exec_0.20.0_legacy_failed.jsonl"));
  assert.deepEqual(rows(t.calls, "line", "status", "error"), [
    {
      line: 4,
      status: "error",
      error:
        "stream error: We're currently experiencing high demand, which may cause temporary errors.; retrying 1/1 in 193ms… (retried)",
    },
    {
      line: 5,
      status: "error",
      error: "We're currently experiencing high demand, which may cause temporary errors.",
    },
  ]);
  assert.equal(t.diagnostics.height, 0);
  // another background_event is an event, not a call
  const other = [
    { id: "1", msg: { type: "task_started" } },
    { id: "1", msg: { type: "background_event", message: "Connecting to MCP servers" } },
  ].map((l) => JSON.stringify(l)).join("\n");
  assert.equal(fromTraceText(other, { file: "legacy.jsonl" }).calls.height, 0);
});
