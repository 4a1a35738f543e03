import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { AGENT_LOG, figures, fixture, loadAs, rows } from "./_helpers.ts";
import { fromTraceText } from "../../../src/load/mod.ts";

Deno.test("gemini_cli_json: one call per model of the run, tokens with cache and thoughts as gemini_cli_chat counts them", async () => {
  // tests/load/formats/fixtures/gemini_cli_json_run.json: written from geminicli.com's headless mode
  // reference and gemini-cli's JsonFormatter and uiTelemetry (ModelMetrics: api, tokens with `input`
  // = prompt − cached, `roles`), not real output
  const file = fixture("gemini_cli_json_run.json");
  const out = JSON.parse(readFileSync(file, "utf8"));
  const lite = out.stats.models["gemini-2.5-flash-lite"], pro = out.stats.models["gemini-2.5-pro"];
  assert.equal(pro.tokens.input, pro.tokens.prompt - pro.tokens.cached); // prompt includes the cache
  const t = await loadAs(file, "gemini_cli_json");
  assert.equal(t.diagnostics.height, 0);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2, // one per model, standing for its 1 and 3 requests
    ok: 2, // pro's one failed request was retried: no top-level error
    errors: 0,
    pending: 0,
    models: { "gemini-2.5-flash-lite": 1, "gemini-2.5-pro": 1 },
    input: 1650 + 39120, // prompt, not input (the roles repeat the counts: not added)
    output: (38 + 0) + (512 + 1269), // candidates + thoughts
    cache_read: 0 + 30644,
    latency: { n: 2, p50: (0.412 + 18.24) / 2, max: 18.24 }, // totalLatencyMs
  });
  assert.deepEqual(rows(t.calls, "model", "reasoning_tokens", "total_tokens", "output_chars"), [
    { model: "gemini-2.5-flash-lite", reasoning_tokens: 0, total_tokens: 1688, output_chars: null },
    { model: "gemini-2.5-pro", reasoning_tokens: 1269, total_tokens: 40901, output_chars: null },
  ]);
  const text = readFileSync(file, "utf8").split("\n");
  assert.deepEqual(
    t.calls.getColumn("line").toArray(),
    ['"gemini-2.5-flash-lite"', '"gemini-2.5-pro"'].map((k) =>
      text.findIndex((l) => l.includes(k)) + 1
    ),
  );
  assert.deepEqual(rows(t.sessions, "session_id", "complete", "calls"), [
    { session_id: out.session_id, complete: true, calls: 2 },
  ]);
  // the request and error counts are kept in one event per model
  const stats = (t.events.toRecords() as { type: string; payload: string }[])
    .filter((e) => e.type === "gemini_cli.model_stats").map((e) => JSON.parse(e.payload));
  assert.deepEqual(stats.map((s) => [s.model, s.requests, s.errors, s.latency_ms]), [
    ["gemini-2.5-flash-lite", lite.api.totalRequests, lite.api.totalErrors, 412],
    ["gemini-2.5-pro", pro.api.totalRequests, pro.api.totalErrors, 18240],
  ]);
  assert.equal(t.events.height, 1 + 2);
});

Deno.test("gemini_cli_json: an error before any request, and a run whose every request failed (two outputs in one file)", async () => {
  // tests/load/formats/fixtures/gemini_cli_json_errors.json: the first output has the shape printed by
  // Gemini CLI 0.24.0 without auth (Priivacy-ai/spec-kitty research/03-google-gemini.md, message
  // written out in full); the second is written from uiTelemetry (an API error adds a request, an
  // error and its latency, no tokens) and JsonFormatter
  const file = fixture("gemini_cli_json_errors.json");
  const t = await loadAs(file, "gemini_cli_json");
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 2,
    ok: 0,
    errors: 2,
    pending: 0,
    models: { "gemini-2.5-pro": 1, unknown: 1 },
    input: 0,
    output: 0,
    cache_read: 0,
    latency: { n: 1, p50: 2.21, max: 2.21 },
  });
  assert.deepEqual(rows(t.calls, "session_id", "model", "error"), [
    {
      session_id: "b2b90938-611f-4bd0-adf6-829e14549653",
      model: "unknown",
      error:
        "Please set an Auth method in your settings.json or specify one of the following environment variables before running: GEMINI_API_KEY, GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_GENAI_USE_GCA (code 41)",
    },
    {
      session_id: `${file}#2`, // no session_id: the file and the output's rank
      model: "gemini-2.5-pro",
      error:
        "[API Error: You have exhausted your capacity on this model. Your quota will reset after 2s.]",
    },
  ]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("codex_exec and gemini_cli_json claim only their own outputs", async () => {
  const { detectFormat, sampleOfText } = await import("../../../src/load/mod.ts");
  const formatOf = (text: string) => detectFormat(sampleOfText(text, "x.json"))?.name ?? null;
  const lines = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join("\n") + "\n";
  const cases: [string, string | null][] = [
    [lines({ type: "thread.started", thread_id: "t" }, { type: "turn.started" }), "codex_exec"],
    [lines({ id: "0", msg: { type: "session_configured", session_id: "s" } }), "codex_exec"],
    [
      JSON.stringify({ session_id: "s", response: "x", stats: { models: {} } }, null, 2),
      "gemini_cli_json",
    ],
    [
      JSON.stringify({ session_id: "s", error: { type: "Error", message: "m", code: 41 } }),
      "gemini_cli_json",
    ],
    // native lines whose custom types are thread-event names carry session_id and timestamp
    [
      lines({
        type: "turn.completed",
        timestamp: "2025-01-01T00:00:00",
        session_id: "s",
        data: { usage: {} },
      }),
      "native",
    ],
    // the stream-json result line has stats too, and a type
    [
      lines({ type: "init", session_id: "g", model: "m" }, {
        type: "result",
        status: "success",
        stats: {},
      }),
      "gemini_cli_stream",
    ],
    // a rollout line is codex's
    [
      lines({ timestamp: "2026-01-01T00:00:00Z", type: "session_meta", payload: { id: "s" } }),
      "codex",
    ],
  ];
  for (const [text, format] of cases) assert.equal(formatOf(text), format, text);
  // look-alikes: an API answer with `response`, an error object without session_id
  for (
    const text of [
      JSON.stringify({ response: "x", model: "m", done: true }),
      JSON.stringify({ error: { message: "m" } }),
    ]
  ) {
    const f = formatOf(text);
    assert.ok(f !== "gemini_cli_json" && f !== "codex_exec", `${text} → ${f}`);
  }
});

Deno.test("gemini_cli_json: a top-level error after requests that succeeded fails the main model's call", async () => {
  const { fromTraceText } = await import("../../../src/load/mod.ts");
  // written from a public post-mortem that quotes such a run: an INVALID_STREAM error (empty
  // response) with totalErrors 0; and a run of two models where the one with the `main` role failed
  const one = {
    response: "",
    stats: {
      models: {
        "gemini-3.1-pro-preview": {
          api: { totalRequests: 1, totalErrors: 0, totalLatencyMs: 16721 },
          tokens: {
            input: 11752,
            prompt: 11752,
            candidates: 0,
            total: 12846,
            cached: 0,
            thoughts: 1094,
            tool: 0,
          },
        },
      },
    },
    error: {
      type: "INVALID_STREAM",
      message: "Invalid stream: The model returned an empty response or malformed tool call.",
    },
  };
  const two = {
    session_id: "s-two",
    response: "",
    stats: {
      models: {
        "gemini-2.5-flash-lite": {
          api: { totalRequests: 1, totalErrors: 0, totalLatencyMs: 300 },
          tokens: { prompt: 900, candidates: 10, total: 910, cached: 0, thoughts: 0, tool: 0 },
          roles: { utility_router: { totalRequests: 1 } },
        },
        "gemini-2.5-pro": {
          api: { totalRequests: 2, totalErrors: 0, totalLatencyMs: 9000 },
          tokens: { prompt: 5000, candidates: 0, total: 5000, cached: 0, thoughts: 0, tool: 0 },
          roles: { main: { totalRequests: 2 } },
        },
      },
    },
    error: { type: "Error", message: "Reached max session turns for this session.", code: 53 },
  };
  const text = JSON.stringify(one, null, 2) + "\n" + JSON.stringify(two, null, 2) + "\n";
  const t = fromTraceText(text, { file: "runs.json" });
  assert.equal(t.formats?.["runs.json"], "gemini_cli_json");
  assert.deepEqual(rows(t.calls, "session_id", "model", "status", "error", "output_tokens"), [
    {
      session_id: "runs.json#1",
      model: "gemini-3.1-pro-preview",
      status: "error",
      error: "Invalid stream: The model returned an empty response or malformed tool call.",
      output_tokens: 0 + 1094, // the thoughts were billed
    },
    {
      session_id: "s-two",
      model: "gemini-2.5-flash-lite",
      status: "ok",
      error: null,
      output_tokens: 10,
    },
    {
      session_id: "s-two",
      model: "gemini-2.5-pro",
      status: "error",
      error: "Reached max session turns for this session. (code 53)",
      output_tokens: 0,
    },
  ]);
});

Deno.test("gemini_cli_json: the --session-summary file ({sessionMetrics}, the same metrics as stats) is read as an output", async () => {
  // tests/load/formats/fixtures/gemini_cli_session_summary.json: the sample of a real run's
  // `gemini --session-summary` file a public blog post printed, cut where the post cuts it (its
  // gemini-2.5-flash entry left out). gemini-cli writes `{sessionMetrics:
  // uiTelemetryService.getMetrics()}`, the object `-o json` prints as `stats`.
  const file = fixture("gemini_cli_session_summary.json");
  const pro = JSON.parse(readFileSync(file, "utf8")).sessionMetrics.models["gemini-2.5-pro"];
  const t = await loadAs(file, "gemini_cli_json");
  assert.equal(t.diagnostics.height, 0);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 1,
    ok: 1,
    errors: 0,
    pending: 0,
    models: { "gemini-2.5-pro": 1 },
    input: pro.tokens.prompt, // 7068
    output: pro.tokens.candidates + pro.tokens.thoughts, // 131 + 617
    cache_read: pro.tokens.cached, // 0
    latency: { n: 1, p50: pro.api.totalLatencyMs / 1000, max: pro.api.totalLatencyMs / 1000 },
  });
  // no session id in the file: the file is the session
  assert.deepEqual(rows(t.calls, "session_id"), [{ session_id: file }]);
});

Deno.test("gemini_cli_json: thinking the total holds beyond the named tokens (a run that says thoughts: 0) is reasoning, in the output", () => {
  // the stats of a real `gemini -p … -o json` run of gemini-3.1-pro-preview (the search tool's
  // file id 55789402702, its lines unwrapped): 18,983 + 419 named, 20,372 in all
  const tokens = {
    input: 18983,
    prompt: 18983,
    candidates: 419,
    total: 20372,
    cached: 0,
    thoughts: 0,
    tool: 0,
  };
  const run = {
    session_id: "g-consensus",
    response: '{"consensus": true}',
    stats: {
      models: {
        "gemini-3.1-pro-preview": {
          api: { totalRequests: 1, totalErrors: 0, totalLatencyMs: 15048 },
          tokens,
        },
      },
    },
  };
  const t = fromTraceText(JSON.stringify(run, null, 2), { file: "run.json" });
  assert.equal(t.formats?.["run.json"], "gemini_cli_json");
  const thinking = tokens.total - tokens.prompt - tokens.candidates; // 970
  assert.deepEqual(
    rows(t.calls, "input_tokens", "output_tokens", "reasoning_tokens", "total_tokens"),
    [{
      input_tokens: 18983,
      output_tokens: tokens.candidates + thinking, // 1389
      reasoning_tokens: thinking,
      total_tokens: 20372,
    }],
  );
});
