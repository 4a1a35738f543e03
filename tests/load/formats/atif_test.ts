import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { realFixture } from "../../_helpers.ts";
import { detectFormat, fromTraceText, loadTraces, sampleFile } from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, loadAs, rows } from "./_helpers.ts";

const haiku = realFixture("atif/skillsbench-haiku45.protein-expression-analysis.trajectory.json");
Deno.test({
  name: "atif: the real skillsbench trajectory (33 agent steps, no times, no tokens)",
  ignore: haiku === undefined,
  async fn() {
    // independent reading: the agent steps of the one document
    const doc = JSON.parse(readFileSync(haiku!, "utf8"));
    const agentSteps = doc.steps.filter((s: { source: string }) => s.source === "agent");
    assert.equal(agentSteps.length, 33);
    assert.equal(doc.steps.filter((s: { metrics?: unknown }) => s.metrics).length, 0);

    const t = await loadTraces(haiku!);
    assert.equal(t.formats?.[haiku!], "atif");
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(figures(t.calls, AGENT_LOG), {
      calls: 33,
      ok: 33, // ATIF has no error status
      errors: 0,
      pending: 0,
      models: { [agentSteps[0].model_name]: 33 }, // claude-haiku-4-5-20251001 on every agent step
      input: null,
      output: null,
      cache_read: null,
      latency: { n: 0, p50: null, max: null },
    });
    // agent.model is {provider, name}: the provider is kept
    assert.deepEqual([...new Set(t.calls.getColumn("provider").toArray())], [
      doc.agent.model.provider,
    ]);
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [doc.session_id]);
    assert.equal(t.events.height, 1 + doc.steps.length);
    assert.deepEqual(
      t.calls.getColumn("request_id").toArray(),
      agentSteps.map((s: { step_id: unknown }) => String(s.step_id)),
    );
  },
});

Deno.test("atif: metrics (tokens with cached inside prompt, duration_ms), the step's model over the agent's", async () => {
  // tests/load/formats/fixtures/atif_metrics.json: written from the ATIF RFC (v1.4: MetricsSchema,
  // AgentSchema.model_name, step model_name overriding it)
  const file = fixture("atif_metrics.json");
  assert.equal(detectFormat(sampleFile(file))?.name, "atif");
  const text = readFileSync(file, "utf8").split("\n");
  const lineOf = (id: number) => text.findIndex((l) => l.includes(`"step_id": ${id},`)) + 1;
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 3, // steps 3, 4 and 5 are agent steps
    ok: 3,
    errors: 0,
    pending: 0,
    models: { "anthropic/claude-sonnet-4-5": 2, "anthropic/claude-haiku-4-5": 1 },
    input: 520 + 640,
    output: 80 + 20,
    cache_read: 200 + 500,
    latency: { n: 2, p50: (2.4 + 0.9) / 2, max: 2.4 },
  });
  assert.deepEqual(rows(t.calls, "line", "request_id", "reasoning_tokens"), [
    { line: lineOf(3), request_id: "3", reasoning_tokens: 30 },
    { line: lineOf(4), request_id: "4", reasoning_tokens: null },
    { line: lineOf(5), request_id: "5", reasoning_tokens: null },
  ]);
  assert.equal(t.events.height, 1 + 5);
});

Deno.test("atif: several trajectories one per line are several sessions (the file names the one without an id)", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "trajectories.jsonl");
    const steps = [{ step_id: 1, source: "user", message: "hi" }, {
      step_id: 2,
      source: "agent",
      message: "hello",
      metrics: { prompt_tokens: 10, completion_tokens: 2 },
    }];
    writeFileSync(
      file,
      [
        {
          schema_version: "ATIF-v1.6",
          session_id: "a",
          agent: { name: "x", version: "1", model: { provider: "openai", name: "gpt-5" } },
          steps,
        },
        {
          schema_version: "ATIF-v1.6",
          agent: { name: "x", version: "1", model_name: "gpt-5-mini" },
          steps,
        },
      ].map((d) => JSON.stringify(d)).join("\n") + "\n",
    );
    const t = await loadTraces(file);
    assert.deepEqual(
      rows(t.calls, "line", "session_id", "model", "provider", "input_tokens"),
      [
        { line: 1, session_id: "a", model: "gpt-5", provider: "openai", input_tokens: 10 },
        {
          line: 2,
          session_id: `${file}#2`,
          model: "gpt-5-mini",
          provider: "openai",
          input_tokens: 10,
        }, // inferred from the model when priced
      ],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("atif: steps with no source take it from their message's role, and its time and text", () => {
  // the shape of amichne/replai's trajectory.json: schema_version "1.5", no `source`, the message
  // an object {role, content, timestamp}, metrics on the agent's steps
  const step = (id: number, role: string, content: string, metrics?: Record<string, number>) => ({
    step_id: id,
    message: { role, content, timestamp: `2024-11-12T09:00:0${id}Z` },
    ...(metrics ? { metrics } : {}),
  });
  const doc = {
    schema_version: "1.5",
    session_id: "sess-roles",
    agent: { name: "code-reviewer", version: "1.0.0" },
    steps: [
      step(1, "system", "You review code."),
      step(2, "user", "What changed?"),
      step(3, "agent", "Looking.", {
        prompt_tokens: 812,
        completion_tokens: 141,
        cost_usd: 0.0021,
      }),
      step(4, "assistant", "Done: two files.", { prompt_tokens: 1024, completion_tokens: 89 }),
    ],
  };
  const t = fromTraceText(JSON.stringify(doc, null, 2), { file: "trajectory.json" });
  assert.equal(t.formats?.["trajectory.json"], "atif");
  assert.deepEqual(
    rows(t.calls, "request_id", "input_tokens", "output_tokens", "output_chars"),
    [
      { request_id: "3", input_tokens: 812, output_tokens: 141, output_chars: "Looking.".length },
      {
        request_id: "4",
        input_tokens: 1024,
        output_tokens: 89,
        output_chars: "Done: two files.".length,
      },
    ],
  );
  assert.deepEqual(
    t.calls.getColumn("started_at").toArray().map((d) => (d as unknown as Date).toISOString()),
    ["2024-11-12T09:00:03.000Z", "2024-11-12T09:00:04.000Z"],
  );
  assert.deepEqual(t.events.getColumn("type").toArray(), [
    "atif.trajectory",
    "atif.system",
    "atif.user",
    "atif.agent",
    "atif.agent",
  ]);
});

Deno.test("atif: steps copied from an earlier trajectory, or that called no model, are not calls", () => {
  const doc = {
    schema_version: "ATIF-v1.6",
    session_id: "cont-1",
    agent: { name: "terminus-2", version: "2.0", model_name: "gpt-5" },
    steps: [
      {
        step_id: 1,
        source: "agent",
        message: "old answer",
        is_copied_context: true,
        metrics: { prompt_tokens: 100, completion_tokens: 10 },
      },
      { step_id: 2, source: "agent", message: "summary written by the harness", llm_call_count: 0 },
      {
        step_id: 3,
        source: "agent",
        message: "new answer",
        llm_call_count: 1,
        metrics: { prompt_tokens: 200, completion_tokens: 20 },
      },
    ],
  };
  const t = fromTraceText(JSON.stringify(doc, null, 2), { file: "trajectory.cont-1.json" });
  assert.deepEqual(rows(t.calls, "request_id", "input_tokens"), [{
    request_id: "3",
    input_tokens: 200,
  }]);
  assert.equal(t.events.height, 1 + 3);
});

Deno.test("atif: Harbor's trajectory of a Gemini CLI run keeps its thinking as reasoning (metrics.extra.thoughts_tokens)", async () => {
  // tests/load/formats/fixtures/atif_harbor_gemini_cli.json: a real Harbor trajectory (ATIF-v1.2) of
  // Gemini CLI on gemini-3-flash-preview (benchflow-ai/skillsbench-trajectories, SPAN_FIXTURES.md).
  // Harbor writes completion_tokens = output + thoughts and the thoughts apart in
  // metrics.extra.thoughts_tokens (the Gemini CLI chat file of the same run: output 36 + thoughts 59
  // = 95 on step 2).
  const file = fixture("atif_harbor_gemini_cli.json");
  const doc = JSON.parse(readFileSync(file, "utf8"));
  type Step = {
    source: string;
    metrics: {
      prompt_tokens: number;
      completion_tokens: number;
      cached_tokens: number;
      extra: { thoughts_tokens: number };
    };
  };
  const agent: Step[] = doc.steps.filter((s: Step) => s.source === "agent");
  const sum = (f: (s: Step) => number) => agent.reduce((a, s) => a + f(s), 0);
  // the sums agree with the file's own final_metrics
  assert.equal(sum((s) => s.metrics.prompt_tokens), doc.final_metrics.total_prompt_tokens);
  assert.equal(sum((s) => s.metrics.completion_tokens), doc.final_metrics.total_completion_tokens);
  const t = await loadTraces(file);
  assert.equal(t.formats?.[file], "atif");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 14, // steps 2 to 15
    ok: 14,
    errors: 0,
    pending: 0,
    models: { "gemini-3-flash-preview": 14 },
    input: 164968,
    output: 6760,
    cache_read: 6083 + 6078,
    latency: { n: 0, p50: null, max: null },
  });
  assert.deepEqual(
    t.calls.getColumn("reasoning_tokens").toArray(),
    agent.map((s) => s.metrics.extra.thoughts_tokens),
  );
  // 59 + 298 + 725 + 142 + 295 + 75 + 11 + 161 + 9 + 691 + 12 + 9 + 143 + 4
  assert.equal(sum((s) => s.metrics.extra.thoughts_tokens), 2634);
});

Deno.test("atif: sub-agent trajectories embedded in the parent (ATIF v1.7 subagent_trajectories) are read too", () => {
  // written from the ATIF RFC v1.7: subagent_trajectories holds whole trajectories with a
  // trajectory_id; session_id may be omitted (the parent's run); a step's subagent_trajectory_ref
  // names the embedded one by trajectory_id
  const doc = {
    schema_version: "ATIF-v1.7",
    session_id: "run-1",
    agent: { name: "claude-code", version: "2.1.0", model_name: "claude-opus-4-5" },
    steps: [
      { step_id: 1, source: "user", message: "review and fix" },
      {
        step_id: 2,
        source: "agent",
        message: "delegating the review",
        tool_calls: [{ tool_call_id: "c1", function_name: "Task", arguments: {} }],
        observation: {
          results: [{
            source_call_id: "c1",
            content: "2 issues",
            subagent_trajectory_ref: [{ trajectory_id: "rev-1" }],
          }],
        },
        metrics: { prompt_tokens: 1000, completion_tokens: 50, cached_tokens: 800 },
      },
      {
        step_id: 3,
        source: "agent",
        message: "fixed",
        metrics: { prompt_tokens: 1200, completion_tokens: 40 },
      },
    ],
    subagent_trajectories: [
      {
        schema_version: "ATIF-v1.7",
        trajectory_id: "rev-1",
        agent: { name: "reviewer", version: "1", model_name: "claude-haiku-4-5" },
        steps: [
          { step_id: 1, source: "user", message: "review" },
          {
            step_id: 2,
            source: "agent",
            message: "found 2",
            metrics: { prompt_tokens: 300, completion_tokens: 20 },
          },
          {
            step_id: 3,
            source: "agent",
            message: "done",
            metrics: { prompt_tokens: 350, completion_tokens: 10 },
          },
        ],
      },
      {
        schema_version: "ATIF-v1.7",
        trajectory_id: "helper-1",
        session_id: "run-1-helper",
        agent: { name: "helper", version: "1" }, // no model: the parent's
        steps: [{
          step_id: 1,
          source: "agent",
          message: "ok",
          metrics: { prompt_tokens: 90, completion_tokens: 5 },
        }],
      },
    ],
  };
  const t = fromTraceText(JSON.stringify(doc, null, 2), {
    format: "atif",
    file: "trajectory.json",
  });
  assert.deepEqual(
    rows(t.calls, "session_id", "model", "request_id", "input_tokens", "output_tokens"),
    [
      {
        session_id: "run-1",
        model: "claude-opus-4-5",
        request_id: "2",
        input_tokens: 1000,
        output_tokens: 50,
      },
      {
        session_id: "run-1",
        model: "claude-opus-4-5",
        request_id: "3",
        input_tokens: 1200,
        output_tokens: 40,
      },
      {
        session_id: "run-1",
        model: "claude-haiku-4-5",
        request_id: "2",
        input_tokens: 300,
        output_tokens: 20,
      },
      {
        session_id: "run-1",
        model: "claude-haiku-4-5",
        request_id: "3",
        input_tokens: 350,
        output_tokens: 10,
      },
      {
        session_id: "run-1-helper",
        model: "claude-opus-4-5",
        request_id: "1",
        input_tokens: 90,
        output_tokens: 5,
      },
    ],
  );
  // every step an event, and each trajectory one: 3 + 3 + 1 steps, 3 trajectories
  assert.equal(t.events.height, 7 + 3);
  // the sub-agents' steps are found on their own lines of the pretty-printed text
  const lines = JSON.stringify(doc, null, 2).split("\n");
  const subLines = (t.calls.getColumn("line").toArray() as number[]).slice(2);
  assert.deepEqual(subLines.map((l) => lines[l - 1]!.trim()), [
    '"step_id": 2,',
    '"step_id": 3,',
    '"step_id": 1,',
  ]);
  assert.ok(subLines[0]! > lines.findIndex((l) => l.includes('"subagent_trajectories"')));
});

Deno.test("atif: VS Code Copilot Chat's trajectories give the duration and time to first token in metrics itself", async () => {
  // tests/load/formats/fixtures/atif_vscode_copilot_chat.trajectory.json: written from
  // microsoft/vscode-copilot-chat's writer (src/platform/trajectory/node/trajectoryLoggerAdapter.ts:
  // metrics {prompt_tokens, completion_tokens, cached_tokens, time_to_first_token_ms, duration_ms =
  // endTime - startTime}, the step's timestamp its request's start), values invented
  const file = fixture("atif_vscode_copilot_chat.trajectory.json");
  const doc = JSON.parse(readFileSync(file, "utf8"));
  type Step = {
    source: string;
    timestamp: string;
    metrics?: { duration_ms: number; time_to_first_token_ms: number };
  };
  const agent: Step[] = doc.steps.filter((s: Step) => s.source === "agent");
  const t = await loadAs(file, "atif");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 3, // steps 2, 3 and 5
    ok: 3,
    errors: 0,
    pending: 0,
    models: { "claude-sonnet-4.5": 2, "gpt-4.1": 1 },
    input: 18734 + 19120 + 19533,
    output: 212 + 95 + 148,
    cache_read: 15360 + 18688,
    latency: { n: 3, p50: 3.011, max: 4.127 }, // 4127, 2230, 3011 ms
  });
  assert.deepEqual(
    t.calls.getColumn("ttft_s").toArray(),
    agent.map((s) => s.metrics!.time_to_first_token_ms / 1000),
  );
  assert.deepEqual(
    (t.calls.getColumn("ended_at").toArray() as unknown as Date[]).map((d) => d.getTime()),
    agent.map((s) => Date.parse(s.timestamp) + s.metrics!.duration_ms),
  );
});

Deno.test("atif: Harbor's trajectories of Codex runs give the reasoning as metrics.extra.reasoning_output_tokens", () => {
  // written from Harbor's Codex converter (src/harbor/agents/installed/codex.py,
  // _metrics_from_token_count_payload): a token_count's last_token_usage becomes {prompt_tokens:
  // input_tokens, completion_tokens: output_tokens, cached_tokens: cached_input_tokens, extra:
  // {reasoning_output_tokens, total_tokens}}; Codex's output_tokens include the reasoning
  const step = (id: number, usage: number[]) => ({
    step_id: id,
    timestamp: `2026-03-02T10:00:0${id}.000Z`,
    source: "agent",
    model_name: "gpt-5.2-codex",
    message: "",
    llm_call_count: 1,
    metrics: {
      prompt_tokens: usage[0],
      completion_tokens: usage[1],
      cached_tokens: usage[2],
      extra: { reasoning_output_tokens: usage[3], total_tokens: usage[0]! + usage[1]! },
    },
  });
  const doc = {
    schema_version: "ATIF-v1.5",
    session_id: "019c-codex",
    agent: { name: "codex", version: "0.98.0", model_name: "gpt-5.2-codex" },
    steps: [
      { step_id: 1, source: "user", message: "fix the build" },
      step(2, [12040, 310, 9984, 192]),
      step(3, [12688, 95, 12032, 64]),
    ],
  };
  const t = fromTraceText(JSON.stringify(doc, null, 2), { file: "trajectory.json" });
  assert.deepEqual(rows(t.calls, "request_id", "output_tokens", "reasoning_tokens"), [
    { request_id: "2", output_tokens: 310, reasoning_tokens: 192 },
    { request_id: "3", output_tokens: 95, reasoning_tokens: 64 },
  ]);
});

Deno.test("atif: Harbor's trajectories of mini-swe-agent runs keep the reasoning in metrics.extra.completion_tokens_details", () => {
  // written from Harbor's mini-swe-agent converter (src/harbor/agents/installed/mini_swe_agent.py,
  // _build_step_metrics): the response's usage details are kept whole in metrics.extra
  // (`prompt_tokens_details`, `completion_tokens_details`: the chat API's, or the Responses API's
  // input/output_tokens_details under the same keys), cached_tokens from prompt_tokens_details
  const step = (id: number, p: number, c: number, cached: number, reasoning: number) => ({
    step_id: id,
    source: "agent",
    model_name: "openai/gpt-5-mini",
    message: "",
    llm_call_count: 1,
    metrics: {
      prompt_tokens: p,
      completion_tokens: c,
      cached_tokens: cached,
      extra: {
        prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0 },
      },
    },
  });
  const doc = {
    schema_version: "ATIF-v1.7",
    session_id: "msa-1",
    agent: { name: "mini-swe-agent", version: "2.1.0", model_name: "openai/gpt-5-mini" },
    steps: [
      { step_id: 1, source: "system", message: "You are a helpful assistant." },
      { step_id: 2, source: "user", message: "Fix the failing test." },
      step(3, 2310, 412, 0, 320),
      step(4, 2960, 98, 2048, 64),
    ],
  };
  const t = fromTraceText(JSON.stringify(doc, null, 2), { file: "trajectory.json" });
  assert.deepEqual(rows(t.calls, "request_id", "cache_read_tokens", "reasoning_tokens"), [
    { request_id: "3", cache_read_tokens: 0, reasoning_tokens: 320 },
    { request_id: "4", cache_read_tokens: 2048, reasoning_tokens: 64 },
  ]);
});

Deno.test("atif: Harbor's trajectories of OpenCode runs give cache writes outside the prompt (metrics.extra.cache_write_tokens)", () => {
  // written from Harbor's OpenCode converter (src/harbor/agents/installed/opencode.py): a step's
  // step_finish tokens {input, output, reasoning, cache: {read, write}} become prompt_tokens =
  // input + cache.read, cached_tokens = cache.read, extra {reasoning_tokens, cache_write_tokens};
  // OpenCode's own input leaves out both cache reads and writes (its session usage code), so the
  // writes are in no ATIF count but extra.cache_write_tokens
  const step = (id: number, input: number, read: number, write: number, output: number) => ({
    step_id: id,
    source: "agent",
    model_name: "anthropic/claude-sonnet-4-5",
    message: "",
    llm_call_count: 1,
    metrics: {
      prompt_tokens: input + read,
      completion_tokens: output,
      cached_tokens: read || null,
      extra: write ? { cache_write_tokens: write } : null,
    },
  });
  const doc = {
    schema_version: "ATIF-v1.7",
    session_id: "ses_4f1",
    agent: { name: "opencode", version: "1.0.150", model_name: "anthropic/claude-sonnet-4-5" },
    steps: [
      { step_id: 1, source: "user", message: "Fix the failing test." },
      step(2, 12, 0, 14300, 210),
      step(3, 9, 14300, 1850, 95),
    ],
  };
  const t = fromTraceText(JSON.stringify(doc, null, 2), { file: "trajectory.json" });
  assert.deepEqual(
    rows(t.calls, "input_tokens", "cache_read_tokens", "cache_write_tokens", "total_tokens"),
    [
      // 12 + 0 + 14300 every input token; + 210 out
      {
        input_tokens: 14312,
        cache_read_tokens: null,
        cache_write_tokens: 14300,
        total_tokens: 14522,
      },
      // 9 + 14300 + 1850; + 95 out
      {
        input_tokens: 16159,
        cache_read_tokens: 14300,
        cache_write_tokens: 1850,
        total_tokens: 16254,
      },
    ],
  );
});

Deno.test("atif: the cost a trajectory states is its session's reported_cost_usd: final_metrics.total_cost_usd, else its agent steps' cost_usd summed", () => {
  // amichne/replai's trajectory.json (schema 1.5) states a cost on 5 steps and no final_metrics
  const step = (id: number, cost: number | null) => ({
    step_id: id,
    source: "agent",
    message: "ok",
    metrics: {
      prompt_tokens: 10,
      completion_tokens: 2,
      ...(cost === null ? {} : { cost_usd: cost }),
    },
  });
  const doc = (session: string, steps: object[], final?: object) => ({
    schema_version: "ATIF-v1.5",
    session_id: session,
    agent: { name: "a", version: "1", model_name: "m" },
    steps,
    ...(final ? { final_metrics: final } : {}),
  });
  const text = [
    doc("steps", [step(1, 0.0021), step(2, 0.0018), step(3, null)]),
    doc("final", [step(1, 0.0021)], { total_cost_usd: 0.05 }),
    doc("none", [step(1, null)]),
  ].map((d) => JSON.stringify(d)).join("\n") + "\n";
  const t = fromTraceText(text, { file: "trajectories.jsonl" });
  assert.deepEqual(rows(t.sessions, "session_id", "reported_cost_usd"), [
    { session_id: "steps", reported_cost_usd: "0.0039" }, // 0.0021 + 0.0018, rounded to 10^-12
    { session_id: "final", reported_cost_usd: "0.05" }, // the trajectory's own total wins
    { session_id: "none", reported_cost_usd: null },
  ]);
});
