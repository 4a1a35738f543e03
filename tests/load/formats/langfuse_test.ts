import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realFixture } from "../../_helpers.ts";
import { AI_SDK_TOOL_ROUND_TRIP, fixture, loadAs, rows, TOKENS } from "./_helpers.ts";
import { fromTraceText } from "../../../src/load/mod.ts";
import { calcPrice } from "@pydantic/genai-prices";

// Hand-written fixtures, from the Langfuse public API reference (ObservationsView, Trace
// with observations, `{data, meta}` pages) and the blob-storage export's snake_case names.
const OBSERVATIONS = fixture("langfuse_observations.jsonl");
const PAGE = fixture("langfuse_page.json");

Deno.test("langfuse: observations one per line, a trace with its observations, older usage shapes, snake_case export", async () => {
  const t = await loadAs(OBSERVATIONS, "langfuse");
  assert.deepEqual(
    rows(t.calls, "request_id", "session_id", "model", "served_model", "status", "error", "line"),
    [
      // o-1 is inside the trace of line 1, whose sessionId names the session
      {
        request_id: "o-1",
        session_id: "sess-1",
        model: "gpt-4o",
        served_model: null,
        status: "ok",
        error: null,
        line: 1,
      },
      // o-2's trace t-1 was read on line 1: same session; level ERROR is an error
      {
        request_id: "o-2",
        session_id: "sess-1",
        model: "claude-3-5-haiku-20241022",
        served_model: null,
        status: "error",
        error: "Rate limit exceeded",
        line: 2,
      },
      // endTime null: pending; no trace record: the trace id is the session
      {
        request_id: "o-3",
        session_id: "t-2",
        model: "gpt-4o-mini",
        served_model: null,
        status: "pending",
        error: null,
        line: 3,
      },
      // blob-storage names: provided_model_name, usage_details, session_id
      {
        request_id: "o-5",
        session_id: "sess-9",
        model: "o3-mini",
        served_model: null,
        status: "ok",
        error: null,
        line: 5,
      },
      // the logged request names the model asked for; Langfuse's `model` is the response's
      {
        request_id: "o-7",
        session_id: "t-4",
        model: "claude-sonnet-4-5",
        served_model: "claude-sonnet-4-5-20250929",
        status: "ok",
        error: null,
        line: 7,
      },
    ],
  );
  assert.deepEqual(
    rows(t.calls, ...TOKENS),
    [
      // input 60 + input_cache_read 40 (Langfuse's keys do not overlap); total as written
      {
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 120,
        cache_read_tokens: 40,
        reasoning_tokens: null,
      },
      // older `usage: {input, output, total}`
      {
        input_tokens: 7,
        output_tokens: 0,
        total_tokens: 7,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      // promptTokens / completionTokens / totalTokens
      {
        input_tokens: 5,
        output_tokens: 0,
        total_tokens: 5,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
      // output 4 + output_reasoning 3 = 7; total 17 = 10 + 4 + 3
      {
        input_tokens: 10,
        output_tokens: 7,
        total_tokens: 17,
        cache_read_tokens: null,
        reasoning_tokens: 3,
      },
      {
        input_tokens: 150,
        output_tokens: 80,
        total_tokens: 230,
        cache_read_tokens: null,
        reasoning_tokens: null,
      },
    ],
  );
  assert.deepEqual(rows(t.calls, "duration_s", "ttft_s", "prompt_chars", "output_chars"), [
    // 10:00:00.000 → 10:00:01.500; completionStartTime 10:00:00.250; "Hello", "Hi!"
    { duration_s: 1.5, ttft_s: 0.25, prompt_chars: 5, output_chars: 3 },
    { duration_s: 0.25, ttft_s: null, prompt_chars: null, output_chars: null },
    { duration_s: null, ttft_s: null, prompt_chars: null, output_chars: null },
    // 13:46:19.963 → 13:46:21.463
    { duration_s: 1.5, ttft_s: null, prompt_chars: null, output_chars: null },
    // "Hi", "Hello!"
    { duration_s: 3, ttft_s: null, prompt_chars: 2, output_chars: 6 },
  ]);
  assert.deepEqual(rows(t.calls, "finish_reason")[4], { finish_reason: "end_turn" });
  assert.deepEqual(rows(t.calls, "started_at")[3], {
    started_at: new Date(Date.UTC(2024, 4, 29, 13, 46, 19, 963)),
  });
  // 6 observations and 1 trace record; the EVENT without endTime is a point, not pending
  assert.deepEqual(t.events.groupBy("type").len().sort("type").toRecords(), [
    { type: "langfuse.event", len: 1 },
    { type: "langfuse.generation", len: 5 },
    { type: "langfuse.trace", len: 1 },
  ]);
  assert.deepEqual(
    rows(t.sessions.sort("session_id"), "session_id", "complete", "calls", "errors"),
    [
      { session_id: "sess-1", complete: true, calls: 2, errors: 1 },
      { session_id: "sess-9", complete: true, calls: 1, errors: 0 },
      { session_id: "t-2", complete: false, calls: 1, errors: 0 },
      { session_id: "t-4", complete: true, calls: 1, errors: 0 },
    ],
  );
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 6, code: "langfuse_unknown_record", severity: "error" },
  ]);
});

Deno.test("langfuse: a page of the observations API; a GENERATION wrapping a GENERATION is one call", async () => {
  const t = await loadAs(PAGE, "langfuse");
  // g-outer (14/43) wraps g-inner (62/85): only the inner one is the call;
  // level WARNING is not an error; the line is where "id": "g-inner" is written
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "status",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "line",
    ),
    [{
      request_id: "g-inner",
      model: "gpt-5",
      status: "ok",
      input_tokens: 62,
      output_tokens: 85,
      total_tokens: 147,
      line: 16,
    }],
  );
  // 08:00:00.001 → 08:00:01.999
  assert.ok(Math.abs((t.calls.getColumn("duration_s").get(0) as number) - 1.998) < 1e-9);
  assert.deepEqual(rows(t.calls, "parent_span_id", "trace_id"), [{
    parent_span_id: "g-outer",
    trace_id: "t-9",
  }]);
  assert.equal(t.events.height, 3);
  // the session spans the root SPAN: 07:59:59.900 → 08:00:02.100
  assert.deepEqual(rows(t.sessions, "session_id", "duration_s", "complete"), [
    { session_id: "t-9", duration_s: 2.2, complete: true },
  ]);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("langfuse: a session download ({id, traces}): every trace's observations, one session", async () => {
  const SESSION = fixture("langfuse_session.json");
  const t = await loadAs(SESSION, "langfuse");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "trace_id",
      "status",
      "error",
      "input_tokens",
      "duration_s",
    ),
    [
      // 09:00:00.100 → 09:00:01.100
      {
        request_id: "g-a",
        session_id: "sess-x",
        trace_id: "tr-a",
        status: "ok",
        error: null,
        input_tokens: 40,
        duration_s: 1,
      },
      // 09:05:00.500 → 09:05:00.750
      {
        request_id: "g-b",
        session_id: "sess-x",
        trace_id: "tr-b",
        status: "error",
        error: "Error code: 429 - rate_limit_exceeded",
        input_tokens: null,
        duration_s: 0.25,
      },
    ],
  );
  // 2 traces, 3 observations; one session from 09:00:00 to 09:05:02
  assert.equal(t.events.height, 5);
  assert.deepEqual(rows(t.sessions, "session_id", "duration_s", "calls", "errors"), [
    { session_id: "sess-x", duration_s: 302, calls: 2, errors: 1 },
  ]);
  assert.equal(t.diagnostics.height, 0);
});

// ---- the real exports: figures computed here with plain JSON.parse, apart from tracebook ----

interface Expected {
  calls: number;
  models: string[];
  input: number;
  output: number;
  cacheRead: number;
  durations: number[];
}

/**
 * The calls of a Langfuse export as its documentation defines them: GENERATION
 * observations of the top-level list that no other GENERATION names as its parent.
 */
function expectedOf(path: string): Expected {
  const doc = JSON.parse(readFileSync(path, "utf8"));
  // deno-lint-ignore no-explicit-any
  const obs: any[] = doc.observations;
  const gens = obs.filter((o) => o.type === "GENERATION");
  const parents = new Set(gens.map((o) => o.parentObservationId));
  const calls = gens.filter((o) => !parents.has(o.id));
  // deno-lint-ignore no-explicit-any
  const sum = (o: any, word: string) =>
    Object.entries(o.usageDetails as Record<string, number>)
      .filter(([k]) => k !== "total" && k.includes(word))
      .reduce((a, [, v]) => a + v, 0);
  return {
    calls: calls.length,
    // the requested model: LangChain's ls_model_name, the AI SDK's ai.model.id
    models: [
      ...new Set(calls.map((o) => {
        const m = JSON.parse(o.metadata);
        return m.ls_model_name ?? m.attributes?.["ai.model.id"] ?? o.model;
      })),
    ].sort(),
    input: calls.reduce((a, o) => a + sum(o, "input"), 0),
    output: calls.reduce((a, o) => a + sum(o, "output"), 0),
    cacheRead: calls.reduce((a, o) => a + (o.usageDetails.input_cache_read ?? 0), 0),
    durations: calls.map((o) => (Date.parse(o.endTime) - Date.parse(o.startTime)) / 1000).sort((
      a,
      b,
    ) => a - b),
  };
}

async function checkReal(path: string, e: Expected) {
  const t = await loadAs(path, "langfuse");
  assert.equal(t.diagnostics.height, 0);
  assert.equal(t.calls.height, e.calls);
  assert.deepEqual(t.calls.getColumn("status").toArray(), Array(e.calls).fill("ok"));
  assert.deepEqual([...new Set(t.calls.getColumn("model").toArray())].sort(), e.models);
  assert.equal(t.calls.getColumn("input_tokens").sum(), e.input);
  assert.equal(t.calls.getColumn("output_tokens").sum(), e.output);
  assert.equal(t.calls.getColumn("cache_read_tokens").sum() ?? 0, e.cacheRead);
  const durations = (t.calls.getColumn("duration_s").toArray() as number[]).sort((a, b) => a - b);
  assert.deepEqual(durations, e.durations);
  assert.equal(t.sessions.height, 1);
  assert.deepEqual(rows(t.sessions, "complete"), [{ complete: true }]);
  return t;
}

const vercel = realFixture("langfuse/vercel-aisdk-2025-11-17.trace.json");
Deno.test({
  name:
    "langfuse: the real Vercel AI SDK export: the inner doGenerate is the one call (62/85), not 2",
  ignore: vercel === undefined,
  async fn() {
    const e = expectedOf(vercel!);
    // by hand: ai.generateText (14/43) wraps ai.generateText.doGenerate (62/85), 3.043 s
    assert.deepEqual(e, {
      calls: 1,
      models: ["gpt-5"],
      input: 62,
      output: 85,
      cacheRead: 0,
      durations: [3.043],
    });
    const t = await checkReal(vercel!, e);
    assert.deepEqual(
      rows(t.calls, "served_model", "provider", "total_tokens", "finish_reason", "line"),
      [
        // ai.response.model in the observation's metadata; line of its "id" in the top-level list
        {
          served_model: "gpt-5-2025-08-07",
          provider: "openai",
          total_tokens: 147,
          finish_reason: "tool-calls",
          line: 306,
        },
      ],
    );
    // 2 GENERATIONs, 1 TOOL, 1 trace record: the list given twice is read once
    assert.equal(t.events.height, 4);
  },
});

const langgraph = realFixture("langfuse/langgraph-js-2025-10-30.trace.json");
Deno.test({
  name: "langfuse: the real LangGraph.js export: 2 calls, output_reasoning inside output_tokens",
  ignore: langgraph === undefined,
  async fn() {
    const e = expectedOf(langgraph!);
    // by hand: (179 + 142) input, (35 + 64 + 24) output, 3.23 s and 1.822 s
    assert.deepEqual(e, {
      calls: 2,
      models: ["gpt-5-mini"],
      input: 321,
      output: 123,
      cacheRead: 0,
      durations: [1.822, 3.23],
    });
    const t = await checkReal(langgraph!, e);
    assert.deepEqual(
      rows(
        t.calls.sort("line"),
        "served_model",
        "reasoning_tokens",
        "total_tokens",
        "output_tokens",
      ),
      [
        // 278 = 179 + 35 + 64
        {
          served_model: "gpt-5-mini-2025-08-07",
          reasoning_tokens: 64,
          total_tokens: 278,
          output_tokens: 99,
        },
        {
          served_model: "gpt-5-mini-2025-08-07",
          reasoning_tokens: 0,
          total_tokens: 166,
          output_tokens: 24,
        },
      ],
    );
    // 20 observations (2 GENERATION, 18 SPAN) and the trace record
    assert.deepEqual(t.events.groupBy("type").len().sort("type").toRecords(), [
      { type: "langfuse.generation", len: 2 },
      { type: "langfuse.span", len: 18 },
      { type: "langfuse.trace", len: 1 },
    ]);
  },
});

Deno.test("langfuse: a Google ADK generation without llm.provider: gen_ai.system's gcp.vertex.agent is the agent framework, not a provider", () => {
  // Langfuse's own ADK export with its generations' llm.provider ("google") taken out: their
  // gen_ai.system is "gcp.vertex.agent" alone; gemini-2.0-flash is Google's (genai-prices)
  const doc = JSON.parse(readFileSync(fixture("langfuse_google_adk.trace.json"), "utf8")) as {
    observations: { type: string; metadata: string }[];
  };
  for (const o of doc.observations) {
    const metadata = JSON.parse(o.metadata) as { attributes?: Record<string, unknown> };
    delete metadata.attributes?.["llm.provider"];
    o.metadata = JSON.stringify(metadata);
  }
  const t = fromTraceText(JSON.stringify(doc), { file: "adk.trace.json" });
  assert.equal(t.formats?.["adk.trace.json"], "langfuse");
  assert.deepEqual(rows(t.calls, "model", "provider"), [
    { model: "gemini-2.0-flash", provider: "google" },
    { model: "gemini-2.0-flash", provider: "google" },
  ]);
});

Deno.test("langfuse: Google ADK's and LlamaIndex's exports (from Langfuse's own tests): Gemini's texts, a provider from llm.provider, a prompt of call arguments", async () => {
  type Obs = {
    id: string;
    type: string;
    input: string;
    output: string;
    metadata: unknown;
  };
  const observations = (path: string) =>
    (JSON.parse(readFileSync(path, "utf8")) as { observations: Obs[] }).observations
      .filter((o) => o.type === "GENERATION");
  const chars = (s: string) => [...s].length; // code points
  // metadata (and its attributes) may be written as JSON text
  const parsed = (v: unknown) =>
    (typeof v === "string" ? JSON.parse(v) : v) as Record<string, unknown>;
  const attributesOf = (o: Obs) => parsed(parsed(o.metadata).attributes);
  // Google ADK: Gemini's request (system instruction, contents' text parts, a tool's result given
  // back as a function_response part, its response as JSON text) and response
  const adk = fixture("langfuse_google_adk.trace.json");
  const t = await loadAs(adk, "langfuse");
  const gens = observations(adk);
  assert.equal(gens.length, 2);
  type Gemini = {
    config: { system_instruction: string };
    contents: { parts: { text?: string; function_response?: { response: unknown } }[] }[];
  };
  const partText = (p: Gemini["contents"][number]["parts"][number]) =>
    p.text ?? (p.function_response ? JSON.stringify(p.function_response.response) : "");
  const promptOf = (o: Obs) => {
    const req = JSON.parse(o.input) as Gemini;
    return req.config.system_instruction +
      req.contents.flatMap((c) => c.parts.map(partText)).join("");
  };
  const outputOf = (o: Obs) => {
    const res = JSON.parse(o.output) as { content: { parts: { text?: string }[] } };
    return res.content.parts.map((p) => p.text ?? "").join("");
  };
  const byId = new Map(gens.map((o) => [o.id, o]));
  const got = rows(t.calls, "request_id", "provider", "prompt_chars", "output_chars");
  assert.deepEqual(
    got,
    got.map((c) => {
      const o = byId.get(c.request_id as string)!;
      return {
        request_id: o.id,
        provider: attributesOf(o)["llm.provider"], // "google", not gcp.vertex.agent's "gcp"
        prompt_chars: chars(promptOf(o)),
        output_chars: chars(outputOf(o)),
      };
    }),
  );
  // by hand: the first answer is "Hello Langfuse 👋!\n", 18 code points
  assert.ok(got.some((c) => c.output_chars === 18));
  // by hand: the later call's prompt is the first's and the tool's result, {"greeting": "Hello
  // Langfuse 👋"} as JSON text: '{"greeting":"' (13), "Hello Langfuse 👋" (16 code points), '"}' (2)
  const [toolCall, firstCall] = ["bded677884f031ce", "f6e4c65297e40c96"]
    .map((id) => got.find((c) => c.request_id === id)!.prompt_chars as number);
  assert.equal(toolCall! - firstCall!, 13 + 16 + 2);
  // LlamaIndex: the prompt is the call's argument list, {"args": ["What is Langfuse?"]}
  const li = fixture("langfuse_llamaindex.trace.json");
  const l = await loadAs(li, "langfuse");
  const [gen] = observations(li);
  const args = (JSON.parse(gen!.input) as { args: string[] }).args;
  assert.deepEqual(rows(l.calls, "prompt_chars", "output_chars"), [{
    prompt_chars: chars(args.join("")), // 17
    output_chars: chars(gen!.output),
  }]);
});

Deno.test("langfuse: Pydantic AI with Gemini (from Langfuse's own tests): the thinking and finish reason only in the OpenTelemetry attributes Langfuse kept", async () => {
  const path = fixture("langfuse_pydantic_ai_gemini.trace.json");
  const t = await loadAs(path, "langfuse");
  type Obs = { type: string; usageDetails: Record<string, number>; metadata: string };
  const [gen] = (JSON.parse(readFileSync(path, "utf8")) as { observations: Obs[] }).observations
    .filter((o) => o.type === "GENERATION");
  const attrs = JSON.parse(gen!.metadata).attributes as Record<string, string>;
  // Langfuse's usage has input 40, output 159 and nothing of the 121 thinking tokens, which
  // Pydantic AI counts inside its output (159 = 38 of answer + 121); the reasons: ["stop"]
  assert.deepEqual(rows(t.calls, "model", ...TOKENS, "finish_reason"), [{
    model: "gemini-2.5-flash",
    input_tokens: gen!.usageDetails.input,
    output_tokens: gen!.usageDetails.output,
    total_tokens: gen!.usageDetails.total,
    cache_read_tokens: null,
    reasoning_tokens: Number(attrs["gen_ai.usage.details.thoughts_tokens"]),
    finish_reason: JSON.parse(attrs["gen_ai.response.finish_reasons"]!).join(","),
  }]);
});

/** A Langfuse trace export of these GENERATION observations (ids and times filled in), loaded. */
function loadGenerations(...generations: Record<string, unknown>[]) {
  const doc = {
    trace: { id: "t", name: "trace", timestamp: "2025-08-01T12:31:01.518Z" },
    observations: generations.map((g, i) => ({
      id: `g-${i + 1}`,
      traceId: "t",
      type: "GENERATION",
      startTime: "2025-08-01T12:31:01.518Z",
      endTime: "2025-08-01T12:31:12.240Z",
      ...g,
    })),
  };
  return fromTraceText(JSON.stringify(doc, null, 2), { file: "trace.json" });
}

Deno.test("langfuse: a Gemini call whose total exceeds its input and output thought the rest (Langfuse's Vertex AI traces name neither)", () => {
  // the shape of langfuse/langfuse's worker/src/__tests__/chatml/framework-traces/
  // vertex-ai-2025-08-01.trace.json: Vertex's resource name as the model, usage 5 / 845 / 2,023
  const t = loadGenerations(
    {
      id: "g-gemini",
      model: "projects/p/locations/europe-central2/publishers/google/models/gemini-2.5-flash",
      usageDetails: { input: 5, output: 845, total: 2023 },
    },
    // not Gemini: a total past the keys' sum is left as written
    { id: "g-other", model: "gpt-4o", usageDetails: { input: 10, output: 5, total: 20 } },
  );
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "input_tokens",
      "output_tokens",
      "reasoning_tokens",
      "total_tokens",
    ),
    [
      // 2023 − 5 − 845 = 1173 of thinking, inside the output: 845 + 1173 = 2018
      {
        request_id: "g-gemini",
        input_tokens: 5,
        output_tokens: 2018,
        reasoning_tokens: 1173,
        total_tokens: 2023,
      },
      {
        request_id: "g-other",
        input_tokens: 10,
        output_tokens: 5,
        reasoning_tokens: null,
        total_tokens: 20,
      },
    ],
  );
  // priced as Gemini 2.5 Flash on Vertex ($0.30/M in, $2.50/M out), the thinking at the output's rate
  const cost = t.calls.getColumn("cost_usd").get(0) as number;
  assert.ok(Math.abs(cost - (5 * 0.3 + 2018 * 2.5) / 1e6) < 1e-12, String(cost));
});

Deno.test("langfuse: the AI SDK's provider kept only in modelParameters.system (groq.chat) names the provider, and so the price", () => {
  // a Vercel AI SDK call on Groq as Langfuse's JS SDK 5 exports it: metadata "{}", the provider
  // in modelParameters beside the finish reason
  const t = loadGenerations({
    model: "llama-3.3-70b-versatile",
    modelParameters: { finishReason: "stop", system: "groq.chat", maxRetries: "2" },
    metadata: "{}",
    usageDetails: { input: 58, output: 282 },
  });
  assert.deepEqual(rows(t.calls, "provider", "finish_reason"), [
    { provider: "groq", finish_reason: "stop" },
  ]);
  const want = calcPrice({ input_tokens: 58, output_tokens: 282 }, "llama-3.3-70b-versatile", {
    providerId: "groq",
    timestamp: new Date("2025-08-01T12:31:01.518Z"),
  })!.total_price; // about $0.000257
  const cost = t.calls.getColumn("cost_usd").get(0) as number;
  assert.ok(Math.abs(cost - want) < 1e-12, `${cost} against ${want}`);
});

Deno.test("langfuse: a tool's result given back as a GenAI message part (tool_call_response) is the prompt's text", () => {
  // the second GENERATION of langfuse/langfuse's microsoft-agent-2025-12-17.trace.json
  const response = "The weather in Tokyo, Japan is stormy with a high of 23°C.";
  const t = loadGenerations({
    model: "gpt-5-mini",
    input: JSON.stringify([{
      role: "tool",
      parts: [{ type: "tool_call_response", id: "call_1", response }],
    }]),
    output: "Stormy, 23°C.",
    usageDetails: { input: 216, output: 20 },
  });
  assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars"), [{
    prompt_chars: [...response].length, // 58
    output_chars: [..."Stormy, 23°C."].length, // 13
  }]);
});

Deno.test("langfuse: the Vercel AI SDK's tool results (tool-result parts' output value) are the prompt's text, as in the span formats", () => {
  // the ai.prompt.messages of an AI SDK 6 run against a mock server (a tool round trip), as
  // Langfuse's AI SDK integration makes them the generation's input
  const input = AI_SDK_TOOL_ROUND_TRIP;
  const t = loadGenerations({
    model: "gpt-4o-mini",
    input: JSON.stringify(input),
    output: "Sunny, 21°C.",
    usageDetails: { input: 90, output: 8 },
  });
  // 9 + 17 + 48 = 74, as the OTLP reader counts the same messages
  assert.deepEqual(rows(t.calls, "prompt_chars"), [{ prompt_chars: 74 }]);
  const spans = fromTraceText(
    JSON.stringify({
      resourceSpans: [{
        scopeSpans: [{
          spans: [{
            traceId: "0af7651916cd43dd8448eb211c80319c",
            spanId: "00000000000000a1",
            name: "ai.generateText.doGenerate",
            startTimeUnixNano: "1700000000000000000",
            endTimeUnixNano: "1700000001000000000",
            attributes: [
              { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
              { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
              { key: "ai.prompt.messages", value: { stringValue: JSON.stringify(input) } },
            ],
          }],
        }],
      }],
    }),
    { file: "aisdk.json" },
  );
  assert.deepEqual(rows(spans.calls, "prompt_chars"), [{ prompt_chars: 74 }]);
});

Deno.test("langfuse: a Gemini response (google-genai's, as JSON text) gives its answer's text and finish reason from its candidates", () => {
  // the output of langfuse/langfuse's google-gemini-2025-08-01.trace.json, shortened
  const answer = "**Langfuse** is an open-source observability platform.";
  const t = loadGenerations({
    model: "gemini-2.5-flash",
    input: "What is Langfuse?",
    output: JSON.stringify({
      sdk_http_response: { headers: { "content-type": "application/json" } },
      candidates: [{
        content: { parts: [{ text: answer }], role: "model" },
        finish_reason: "STOP",
        index: 0,
      }],
      model_version: "gemini-2.5-flash",
      usage_metadata: {
        prompt_token_count: 6,
        candidates_token_count: 951,
        thoughts_token_count: 1104,
      },
    }),
    usageDetails: { input: 6, output: 2055, total: 2061 },
  });
  assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars", "finish_reason"), [{
    prompt_chars: "What is Langfuse?".length, // 17
    output_chars: answer.length,
    finish_reason: "STOP",
  }]);
});

Deno.test("langfuse: the OpenAI Agents SDK's agent instructions (OpenInference's openai-agents, from Langfuse's own tests) are counted in the prompt", async () => {
  // cut from langfuse/langfuse's openai-agents-2025-09-30.trace.json: the input is the Responses
  // request's items alone; the instructions are in modelParameters and the response
  const path = fixture("langfuse_openai_agents.trace.json");
  const t = await loadAs(path, "langfuse");
  type Item = { role?: string; content?: string; type?: string; output?: string };
  type Gen = {
    id: string;
    type: string;
    input: string;
    modelParameters: { instructions: string };
  };
  const gens = (JSON.parse(readFileSync(path, "utf8")) as { observations: Gen[] }).observations
    .filter((o) => o.type === "GENERATION");
  // the instructions, then the messages' texts and the tools' results
  const promptOf = (g: Gen) =>
    g.modelParameters.instructions +
    (JSON.parse(g.input) as Item[]).map((i) => i.content ?? i.output ?? "").join("");
  const byId = new Map(gens.map((g) => [g.id, g]));
  const got = rows(t.calls, "request_id", "prompt_chars");
  assert.deepEqual(
    got,
    got.map((c) => ({
      request_id: c.request_id,
      prompt_chars: promptOf(byId.get(c.request_id as string)!).length,
    })),
  );
  // by hand: "You are a helpful agent." (24) + "What's the weather in Tokyo?" (28), and + "The weather
  // in Tokyo is sunny." (30) for the call after the tool's (before: 28 and 58)
  assert.deepEqual(got.map((c) => c.prompt_chars).sort(), [52, 82]);
});

Deno.test("langfuse: a Responses API request logged as {instructions, input} counts both; instructions already in a system message count once", () => {
  const instructions = "You are a helpful agent.";
  const t = loadGenerations(
    // Langfuse's OpenAI wrapper (langfuse.openai) with an input it cannot list: both fields
    { model: "gpt-4.1", input: { instructions, input: "Hi" } },
    // the same as JSON text, the input a list of items
    {
      model: "gpt-4.1",
      input: JSON.stringify({ instructions, input: [{ role: "user", content: "Hi" }] }),
    },
    // its list form, the instructions as the first message, beside them in modelParameters
    {
      model: "gpt-4.1",
      input: [{ role: "system", content: instructions }, { role: "user", content: "Hi" }],
      modelParameters: { instructions },
    },
  );
  // 24 + 2 each (before: null, 0 and 26)
  assert.deepEqual(t.calls.getColumn("prompt_chars").toArray(), [26, 26, 26]);
});
