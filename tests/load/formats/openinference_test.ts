import assert from "node:assert/strict";
import { detectFormat, fromTraceText, loadTraces, sampleOfText } from "../../../src/load/mod.ts";
import { fixture, loadAs, rows } from "./_helpers.ts";

// No real Phoenix export is in ../shared: these fixtures are written from the OpenInference
// semantic conventions (Arize-ai/openinference spec: span kinds, llm.model_name,
// llm.token_count.*, llm.invocation_parameters, llm.input_messages.N.message.content,
// session.id) and Phoenix's documented shapes (the REST API's Span: context, span_kind,
// parent_id, start_time, end_time, status_code, status_message, attributes, events;
// get_spans_dataframe() columns as pandas' to_json and to_csv write them).
const SPANS = fixture("phoenix_spans.jsonl");
const RECORDS = fixture("phoenix_dataframe_records.json");
const COLUMNS = fixture("phoenix_dataframe_columns.json");

Deno.test("openinference: Phoenix span JSON one per line, nested and dotted attributes", async () => {
  const t = await loadAs(SPANS, "openinference");
  assert.deepEqual(
    rows(t.calls, "request_id", "session_id", "model", "served_model", "status", "error", "line"),
    [
      // model: llm.invocation_parameters.model (the request); served: llm.model_name
      {
        request_id: "b1",
        session_id: "conv-7", // session.id on the AGENT root names the trace's session
        model: "gpt-4o-mini",
        served_model: "gpt-4o-mini-2024-07-18",
        status: "ok",
        error: null,
        line: 2,
      },
      // status_message is empty: the exception event's message is the error
      {
        request_id: "d1",
        session_id: "conv-7",
        model: "gpt-4o-mini",
        served_model: "gpt-4o-mini",
        status: "error",
        error: "Rate limit reached for gpt-4o-mini",
        line: 4,
      },
      // end_time null: pending; no session.id: the trace
      {
        request_id: "e1",
        session_id: "9c2d4b",
        model: "claude-3-5-sonnet-20241022",
        served_model: "claude-3-5-sonnet-20241022",
        status: "pending",
        error: null,
        line: 5,
      },
    ],
  );
  // the AGENT span's cumulative 300/40 are not a call's
  assert.deepEqual(
    rows(
      t.calls,
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "duration_s",
      "prompt_chars",
      "output_chars",
    ),
    [
      // 12:00:00.5 → 12:00:02.0; "What is the weather?" (20), "Sunny." (6)
      {
        input_tokens: 250,
        output_tokens: 30,
        total_tokens: 280,
        cache_read_tokens: 100,
        duration_s: 1.5,
        prompt_chars: 20,
        output_chars: 6,
      },
      {
        input_tokens: 50,
        output_tokens: null,
        total_tokens: null,
        cache_read_tokens: null,
        duration_s: 0.4,
        prompt_chars: null,
        output_chars: null,
      },
      {
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cache_read_tokens: null,
        duration_s: null,
        prompt_chars: null,
        output_chars: null,
      },
    ],
  );
  assert.deepEqual(t.events.groupBy("type").len().sort("type").toRecords(), [
    { type: "openinference.agent", len: 1 },
    { type: "openinference.llm", len: 3 },
    { type: "openinference.tool", len: 1 },
  ]);
  assert.deepEqual(
    rows(t.sessions.sort("session_id"), "session_id", "complete", "calls", "errors", "duration_s"),
    [
      // its one span has not ended: one time, no duration known
      { session_id: "9c2d4b", complete: false, calls: 1, errors: 0, duration_s: null },
      // the AGENT span: 12:00:00 → 12:00:05
      { session_id: "conv-7", complete: true, calls: 2, errors: 1, duration_s: 5 },
    ],
  );
  assert.deepEqual(rows(t.diagnostics, "line", "code"), [{
    line: 6,
    code: "openinference_unknown_record",
  }]);
});

Deno.test("openinference: get_spans_dataframe().to_json(orient='records'): epoch ms, float counts, nulls", async () => {
  const t = await loadAs(RECORDS, "openinference");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "status",
      "error",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "duration_s",
    ),
    [
      // 1717171717250 → 1717171719750 ms
      {
        request_id: "s2",
        model: "gpt-4o",
        status: "ok",
        error: null,
        input_tokens: 1200,
        output_tokens: 80,
        total_tokens: 1280,
        duration_s: 2.5,
      },
      // model from llm.invocation_parameters.model_name; 1717171719800 → 1717171719900 ms
      {
        request_id: "s3",
        model: "gpt-4o",
        status: "error",
        error: "Error code: 500",
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        duration_s: 0.1,
      },
    ],
  );
  assert.deepEqual(rows(t.calls, "started_at")[0], { started_at: new Date(1717171717250) });
  assert.deepEqual(rows(t.sessions, "session_id", "duration_s", "calls", "errors"), [
    { session_id: "tr1", duration_s: 3, calls: 2, errors: 1 },
  ]);
  assert.equal(t.events.height, 3);
  assert.equal(t.diagnostics.height, 0);
});

Deno.test("openinference: orient='columns' (the span id is the index), and what detection leaves alone", async () => {
  const t = await loadAs(COLUMNS, "openinference");
  // c1 is an LLM span (10/5 tokens, 0.75 s); c2 a RETRIEVER span: an event
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "model",
      "input_tokens",
      "output_tokens",
      "duration_s",
      "session_id",
    ),
    [
      {
        request_id: "c1",
        model: "mistral-large-latest",
        input_tokens: 10,
        output_tokens: 5,
        duration_s: 0.75,
        session_id: "x1",
      },
    ],
  );
  assert.deepEqual(t.events.getColumn("type").toArray(), [
    "openinference.llm",
    "openinference.retriever",
  ]);
  // OpenTelemetry Python spans (kind, no span_kind) and OTLP are other adapters' files
  const otelPython =
    '{"name": "x", "context": {"trace_id": "0x1", "span_id": "0x2"}, "kind": "SpanKind.INTERNAL", "parent_id": null, "start_time": "2024-01-01T00:00:00Z", "attributes": {}}';
  assert.notEqual(detectFormat(sampleOfText(otelPython, "a.json"))?.name, "openinference");
  assert.equal(detectFormat(sampleOfText('{"resourceSpans": []}', "a.json"))?.name, "otlp");
});

Deno.test("openinference: a span's event payload clips its long texts (300 characters, the length noted); the call counts and keeps them whole", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-oi-" });
  try {
    // 5,000 and 1,200 characters, one of them past the Basic Multilingual Plane
    const prompt = "ab".repeat(2_500);
    const output = "😀".repeat(1_200);
    const span = {
      name: "ChatCompletion",
      span_kind: "LLM",
      "context.span_id": "s1",
      "context.trace_id": "t1",
      parent_id: null,
      start_time: 1_700_000_000_000,
      end_time: 1_700_000_001_500,
      status_code: "OK",
      "attributes.llm.model_name": "gpt-4o-mini",
      "attributes.input.value": prompt,
      "attributes.output.value": output,
    };
    const path = `${dir}/spans.jsonl`;
    Deno.writeTextFileSync(path, JSON.stringify(span) + "\n");
    const t = await loadTraces(path, { cache: false });
    assert.deepEqual(rows(t.calls, "prompt_chars", "output_chars"), [
      { prompt_chars: 5_000, output_chars: 1_200 },
    ]);
    const payload = JSON.parse(String(t.events.getColumn("payload").get(0)));
    assert.equal(payload.attributes["input.value"], "ab".repeat(150) + "… (5000 characters)");
    // clipped at 300 UTF-16 units (150 emoji), the length counted in units as JavaScript does
    assert.equal(payload.attributes["output.value"], "😀".repeat(150) + "… (2400 characters)");
    assert.equal(payload.attributes["llm.model_name"], "gpt-4o-mini");
    // the texts whole, with keepText: in the calls frame only
    const kept = await loadTraces(path, { cache: false, keepText: true });
    assert.equal(kept.calls.getColumn("output").get(0), output);
    assert.equal(kept.calls.getColumn("messages").get(0), prompt);
    assert.equal(kept.events.getColumn("payload").get(0), t.events.getColumn("payload").get(0));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// get_spans_dataframe() written by pandas' to_csv (its index, context.span_id, first): an
// empty cell is NaN or None, counts are floats ("120.0"), times are pandas' text of a UTC
// datetime, and the events column is Python's repr() of the list of event dicts.
const CSV = fixture("phoenix_dataframe.csv");

Deno.test("openinference: Phoenix's span dataframe written by to_csv, with and without its index", async () => {
  // by hand from the five rows: three LLM spans (b1, c1, e1); AGENT and TOOL rows are events
  const expected = [
    // 10:00:00.5 → 10:00:02: 1.5 s
    {
      request_id: "b1",
      session_id: "sess-1",
      model: "gpt-4o-mini",
      status: "ok",
      duration_s: 1.5,
      input_tokens: 120,
      output_tokens: 30,
      error: null,
    },
    // status UNSET, but an exception event in the repr()'d events: an error, with its message
    {
      request_id: "c1",
      session_id: "sess-1",
      model: "gpt-4o-mini",
      status: "error",
      duration_s: 0.25,
      input_tokens: null,
      output_tokens: null,
      error: "Error code: 429 - {'error': 'rate limited'}",
    },
    // no session.id: the trace is the session; status_message is the error
    {
      request_id: "e1",
      session_id: "t2",
      model: "claude-3-5-sonnet-20240620",
      status: "error",
      duration_s: 3.25,
      input_tokens: 1000,
      output_tokens: 12,
      error: "Overloaded",
    },
  ];
  const columns = Object.keys(expected[0]!);
  const t = await loadAs(CSV, "openinference");
  assert.deepEqual(rows(t.calls, ...columns), expected);
  assert.deepEqual(
    t.events.getColumn("type").toArray().filter((x) => !String(x).endsWith(".llm")),
    [
      "openinference.agent",
      "openinference.tool",
    ],
  );
  assert.equal(t.diagnostics.height, 0);
  // detected without --format, and without the index column (index=False): the rows' own ids
  const text = Deno.readTextFileSync(CSV);
  assert.equal(detectFormat(sampleOfText(text, "spans.csv"))?.name, "openinference");
  const dir = Deno.makeTempDirSync();
  try {
    const noIndex = `${dir}/spans.csv`;
    Deno.writeTextFileSync(
      noIndex,
      text.split("\n").map((l) => l.replace(/^[^,]*,/, "")).join("\n"),
    );
    const u = await loadTraces(noIndex, { cache: false });
    assert.equal(u.formats?.[noIndex], "openinference");
    assert.deepEqual(
      rows(u.calls, "status", "duration_s", "input_tokens").map((r) => Object.values(r)),
      expected.map((r) => [r.status, r.duration_s, r.input_tokens]),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openinference: the traces Phoenix's CLI writes (px traces: {traceId, spans, rootSpan, …}): the spans are read once, rootSpan (a copy of one) is not read again", async () => {
  type PxSpan = {
    name: string;
    context: { trace_id: string; span_id: string };
    span_kind: string;
    start_time: string;
    end_time: string;
    status_code: string;
    attributes: Record<string, unknown>;
  };
  const path = fixture("openinference_phoenix_cli_traces.json");
  const traces = JSON.parse(Deno.readTextFileSync(path)) as {
    traceId: string;
    spans: PxSpan[];
    rootSpan: PxSpan;
  }[];
  // read here: the LLM spans of every trace's span list
  const spans = traces.flatMap((t) => t.spans);
  assert.ok(
    traces.every((t) => t.spans.some((s) => s.context.span_id === t.rootSpan.context.span_id)),
  );
  const llm = spans.filter((s) => s.span_kind === "LLM");
  const t = await loadAs(path, "openinference");
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "model",
      "status",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "duration_s",
    ),
    llm.map((s) => ({
      request_id: s.context.span_id,
      session_id: s.context.trace_id,
      // the requested model (llm.model_name is the served one)
      model: JSON.parse(s.attributes["llm.invocation_parameters"] as string).model,
      status: s.status_code === "ERROR" ? "error" : "ok",
      input_tokens: s.attributes["llm.token_count.prompt"] ?? null, // 412, 451, none
      output_tokens: s.attributes["llm.token_count.completion"] ?? null, // 18, 9, none
      cache_read_tokens: s.attributes["llm.token_count.prompt_details.cache_read"] ?? null,
      duration_s: (Date.parse(s.end_time) - Date.parse(s.start_time)) / 1000,
    })),
  );
  // one event per span, none for the rootSpan copies; no duplicate-span warning
  assert.equal(t.events.height, spans.length);
  assert.equal(t.diagnostics.height, 0);
  // one trace per file (`px traces DIR`) and a cut-off first trace are detected too
  const one = JSON.stringify(traces[1], null, 2);
  assert.equal(detectFormat(sampleOfText(one, "x.json"))?.name, "openinference");
  assert.equal(detectFormat(sampleOfText(one.slice(0, 1500), "x.json"))?.name, "openinference");
});

Deno.test("openinference: Arize AX's span export ({spans: [...]}, the kind only among the attributes) and its dataframes", async () => {
  const file = fixture("arize_ax_spans_export.json");
  const spans = JSON.parse(Deno.readTextFileSync(file)).spans as {
    context: { span_id: string };
    start_time: string;
    end_time: string;
    attributes: Record<string, unknown>;
  }[];
  const llm = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
  const t = await loadAs(file, "openinference");
  assert.equal(
    detectFormat(sampleOfText(Deno.readTextFileSync(file), "x.json"))?.name,
    "openinference",
  );
  // independently: the LLM spans, their times and counts as the file gives them
  assert.deepEqual(
    rows(
      t.calls,
      "request_id",
      "session_id",
      "status",
      "duration_s",
      "input_tokens",
      "output_tokens",
    ),
    llm.map((s) => ({
      request_id: s.context.span_id,
      session_id: "ax-session-1",
      status: s.context.span_id.endsWith("4") ? "error" : "ok", // the second has status_code ERROR
      duration_s: (Date.parse(s.end_time) - Date.parse(s.start_time)) / 1000, // 2.25 and 0.5
      input_tokens: (s.attributes["llm.token_count.prompt"] as number) ?? null,
      output_tokens: (s.attributes["llm.token_count.completion"] as number) ?? null,
    })),
  );
  assert.equal(t.events.height, spans.length);
  assert.equal(t.diagnostics.height, 0);
  // a dataframe of Arize's: the kind as an attribute column only, no span_kind
  const rowsText = JSON.stringify([{
    "context.trace_id": "t",
    "context.span_id": "s1",
    "attributes.openinference.span.kind": "LLM",
    start_time: "2025-06-01T10:00:00.500+00:00",
    end_time: "2025-06-01T10:00:02.000+00:00",
    status_code: "OK",
    "attributes.llm.model_name": "gpt-4o",
    "attributes.llm.token_count.prompt": 120.0,
  }]);
  assert.equal(detectFormat(sampleOfText(rowsText, "x.json"))?.name, "openinference");
  const df = fromTraceText(rowsText);
  assert.deepEqual(rows(df.calls, "status", "duration_s", "input_tokens"), [
    { status: "ok", duration_s: 1.5, input_tokens: 120 },
  ]);
});
