/**
 * The Calls section's data (`callsExplorer`): which calls are shown and why, the
 * texts clipped with their full length, the spans of span formats, and the page
 * it renders into (embedded JSON safe inside `<script>`).
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { JSDOM } from "jsdom";
import {
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  DIAGNOSTIC_COLUMNS,
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  type TraceSet,
} from "../../src/frames/columns.ts";
import { callsExplorer, clipText, parseMessages } from "../../src/report/calls_explorer.ts";
import { renderReport } from "../../src/report/render.ts";
import { CLIENT_SCRIPT } from "../../src/report/_client_bundle.ts";
import { frame, sampleTraceSet } from "../fixtures/report/frames.ts";
import { SAMPLE_INPUT } from "../fixtures/report/sample_input.ts";

const t = (s: string) => new Date(`2025-04-08T${s}Z`);

/** A TraceSet of `calls` rows (contract columns plus `extra`) and `events` rows. */
function traceSet(
  calls: Record<string, string | number | boolean | Date | null>[],
  events: Record<string, string | number | boolean | Date | null>[] = [],
  extra: Record<string, pl.DataType> = {},
  eventExtra: Record<string, pl.DataType> = {},
): TraceSet {
  return {
    calls: frame({ ...CALL_COLUMNS, ...CALL_EXTRA_COLUMNS, ...extra }, calls),
    sessions: frame(SESSION_COLUMNS, []),
    events: frame({ ...EVENT_COLUMNS, ...eventExtra }, events),
    diagnostics: frame(DIAGNOSTIC_COLUMNS, []),
    files: [],
    inputs: [],
  };
}

Deno.test("clipText() cuts at a number of code points, never inside an emoji, and counts them all", () => {
  // "héllo 😀 world": h é l l o ␠ 😀 ␠ w o r l d = 13 code points (😀 is two UTF-16 units).
  assert.deepEqual(clipText("héllo 😀 world", 7), { text: "héllo 😀", chars: 13 });
  assert.deepEqual(clipText("héllo 😀 world", 6), { text: "héllo ", chars: 13 });
  assert.deepEqual(clipText("short", 10), { text: "short", chars: 5 });
  assert.deepEqual(clipText("", 3), { text: "", chars: 0 });
});

Deno.test("parseMessages() keeps roles, joins text parts, keeps the first and last halves of a long list", () => {
  const json = JSON.stringify([
    { role: "system", content: "Be brief." },
    { role: "user", content: [{ type: "text", text: "Part one" }, { type: "text", text: "two" }] },
    { role: "assistant", content: "Middle" },
    { role: "user", content: "Last question" },
  ]);
  const all = parseMessages(json, 100, 40);
  assert.deepEqual(all.messages.map((m) => [m.role, m.content.text]), [
    ["system", "Be brief."],
    ["user", "Part one\ntwo"],
    ["assistant", "Middle"],
    ["user", "Last question"],
  ]);
  assert.equal(all.omitted, 0);
  // At most 2: the first (ceil(2/2) = 1) and the last 1; 2 left out.
  const cut = parseMessages(json, 4, 2);
  assert.deepEqual(cut.messages.map((m) => [m.role, m.content]), [
    ["system", { text: "Be b", chars: 9 }],
    ["user", { text: "Last", chars: 13 }],
  ]);
  assert.equal(cut.omitted, 2);
  // Text that is not JSON is one message without a role.
  assert.deepEqual(parseMessages("not json", 100, 40).messages, [
    { role: null, content: { text: "not json", chars: 8 } },
  ]);
});

Deno.test("callsExplorer() lists every call under the limit by start time, with its fields and texts", () => {
  const traces = traceSet(
    [
      {
        session_id: "s-1",
        request_id: "r-2",
        model: "gpt-4o",
        served_model: "gpt-4o-2024-08-06",
        status: "error",
        error: "x".repeat(12),
        started_at: t("10:00:05"),
        duration_s: 0.5,
        messages: '[{"role":"user","content":"Hi"}]',
        output: null,
      },
      {
        session_id: "s-1",
        request_id: "r-1",
        model: "gpt-4o",
        served_model: "gpt-4o",
        status: "ok",
        started_at: t("10:00:00"),
        ended_at: t("10:00:02"),
        duration_s: 2,
        input_tokens: 10,
        output_tokens: 5,
        cost_usd: 0.0001,
        messages: null,
        output: "</script><script>alert(1)</script>",
      },
    ],
    [],
    { served_model: pl.Utf8, messages: pl.Utf8, output: pl.Utf8 },
  );
  const data = callsExplorer(traces, { textLimit: 10 });
  assert.equal(data.total, 2);
  assert.equal(data.selection, null);
  assert.equal(data.texts, true);
  assert.equal(data.text_limit, 10);
  assert.deepEqual(data.traces, {});
  assert.deepEqual(data.groups, []);
  // r-1 started first; ids are list positions.
  assert.deepEqual(data.calls.map((c) => [c.id, c.request_id]), [[0, "r-1"], [1, "r-2"]]);
  const [first, second] = data.calls;
  assert.equal(first!.served_model, undefined, "a served model equal to the model is not repeated");
  assert.equal(second!.served_model, "gpt-4o-2024-08-06");
  assert.equal(first!.started_at, "2025-04-08T10:00:00.000Z");
  assert.equal(first!.ended_at, "2025-04-08T10:00:02.000Z");
  assert.equal(first!.input_tokens, 10);
  assert.equal(first!.cost_usd, 0.0001);
  assert.equal(first!.session_id, "s-1");
  // The output is 34 characters, clipped to 10.
  assert.deepEqual(first!.output, { text: "</script><", chars: 34 });
  assert.deepEqual(second!.error, { text: "xxxxxxxxxx", chars: 12 });
  assert.deepEqual(second!.messages, [{ role: "user", content: { text: "Hi", chars: 2 } }]);
  assert.equal(first!.messages, undefined);
  assert.equal(first!.picked, undefined);
});

Deno.test("callsExplorer() beyond the limit: the slowest fifth, failed calls up to two fifths, a seeded sample", () => {
  // 20 calls: call i lasts i + 1 seconds; calls 0–5 and 19 failed.
  const failed = new Set([0, 1, 2, 3, 4, 5, 19]);
  const rows = Array.from({ length: 20 }, (_, i) => ({
    session_id: "s",
    request_id: `r-${i}`,
    model: "gpt-4o",
    status: failed.has(i) ? "error" : "ok",
    started_at: new Date(Date.UTC(2025, 3, 8, 10, 0, i)),
    duration_s: i + 1,
  }));
  const data = callsExplorer(traceSet(rows), { limit: 10, seed: 7 });
  // Limit 10: floor(10/5) = 2 slowest (r-19, 20 s, and r-18, 19 s); floor(20/5) = 4 of the
  // 6 failed calls left (r-0 … r-5, r-19 being among the slowest); 10 − 2 − 4 = 4 sampled.
  assert.equal(data.total, 20);
  assert.equal(data.calls.length, 10);
  assert.deepEqual(data.selection, {
    limit: 10,
    seed: 7,
    slowest: 2,
    failed: 4,
    failed_total: 7,
    sample: 4,
    rule: "Showing 10 calls of 20 (limit 10): the 2 slowest calls (a fifth of the limit), " +
      "a random sample of 4 of the 6 failed calls not among them, " +
      "and a random sample of 4 of the other calls (seed 7).",
  });
  const by = (reason: string) =>
    data.calls.filter((c) => c.picked === reason).map((c) => c.request_id!).sort();
  assert.deepEqual(by("slowest"), ["r-18", "r-19"]);
  const failedPicked = by("failed");
  assert.equal(failedPicked.length, 4);
  for (const id of failedPicked) {
    assert.ok(["r-0", "r-1", "r-2", "r-3", "r-4", "r-5"].includes(id), `${id} is a failed call`);
  }
  const sampled = by("sample");
  assert.equal(sampled.length, 4);
  assert.equal(new Set([...by("slowest"), ...failedPicked, ...sampled]).size, 10, "no call twice");
  // Listed by start time, which here is the order of the request numbers.
  const numbers = data.calls.map((c) => Number(c.request_id!.slice(2)));
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  // The same seed picks the same calls.
  assert.deepEqual(
    callsExplorer(traceSet(rows), { limit: 10, seed: 7 }).calls.map((c) => c.request_id),
    data.calls.map((c) => c.request_id),
  );
  // Every failed call fits under a limit of 20 / 5 × 2 = 8: then all are listed as failed.
  const roomy = callsExplorer(traceSet(rows), { limit: 19, seed: 7 });
  assert.equal(roomy.selection!.slowest, 3); // floor(19/5)
  assert.equal(roomy.selection!.failed, 6); // r-0 … r-5 (r-19 is among the 3 slowest), ≤ floor(38/5) = 7
  assert.match(roomy.selection!.rule, /every failed call not among them \(6\)/);
});

Deno.test("callsExplorer() rejects a negative or fractional limit", () => {
  assert.throws(
    () => callsExplorer(sampleTraceSet(), { limit: -1 }),
    new RangeError("The calls limit must be an integer of at least 0, got -1."),
  );
  assert.throws(() => callsExplorer(sampleTraceSet(), { limit: 2.5 }), RangeError);
});

Deno.test("callsExplorer() gives no trace to native calls, whose custom events are not spans", () => {
  const data = callsExplorer(sampleTraceSet());
  assert.equal(data.calls.length, 6);
  assert.deepEqual(data.traces, {});
  assert.equal(data.texts, false);
});

/**
 * A span trace as the span adapters write it: the call has trace_id/span_id/parent_span_id,
 * each span is an event (request_id = span id) whose payload names its trace and parent;
 * the session (sess-9) is not the trace id.
 */
function otlpTraceSet(): TraceSet {
  const span = (
    id: string,
    type: string,
    start: string,
    payload: Record<string, unknown>,
    line: number,
  ) => ({
    file: "spans.jsonl",
    line,
    type,
    timestamp: t(start),
    session_id: "sess-9",
    request_id: id,
    payload: JSON.stringify({ trace_id: "trace-1", ...payload }),
  });
  return traceSet(
    [{
      session_id: "sess-9",
      request_id: "span-chat",
      trace_id: "trace-1",
      span_id: "span-chat",
      parent_span_id: "span-agent",
      model: "gpt-4o",
      status: "ok",
      started_at: t("10:00:01"),
      ended_at: t("10:00:03"),
      duration_s: 2,
    }],
    [
      span("span-agent", "otel.invoke_agent", "10:00:00", {
        name: "invoke_agent planner",
        parent_span_id: null,
        status: "unset",
        attributes: { "gen_ai.operation.name": "invoke_agent" },
      }, 1),
      span("span-chat", "otel.chat", "10:00:01", {
        name: "chat gpt-4o",
        parent_span_id: "span-agent",
        attributes: { "gen_ai.operation.name": "chat" },
      }, 2),
      span("span-tool", "otel.execute_tool", "10:00:03.500", {
        name: "execute_tool <script>alert(1)</script>",
        parent_span_id: "span-agent",
        duration_s: 0.25,
        status: "error",
        attributes: { "gen_ai.operation.name": "execute_tool" },
      }, 3),
      // Another trace of the same session, with no shown call: left out.
      {
        file: "spans.jsonl",
        line: 4,
        type: "otel.chat",
        timestamp: t("10:05:00"),
        session_id: "sess-9",
        request_id: "other",
        payload: JSON.stringify({ trace_id: "trace-2", name: "chat", parent_span_id: null }),
      },
    ],
  );
}

Deno.test("callsExplorer() gathers the spans of a call's trace: agent, model (the call), tool", () => {
  const data = callsExplorer(otlpTraceSet());
  assert.deepEqual(Object.keys(data.traces), ["trace-1"]);
  assert.deepEqual(data.traces["trace-1"], [
    {
      span_id: "span-agent",
      parent_span_id: null,
      name: "invoke_agent planner",
      kind: "agent",
      start: "2025-04-08T10:00:00.000Z",
      end: null,
      status: null,
    },
    {
      span_id: "span-chat",
      parent_span_id: "span-agent",
      name: "chat gpt-4o",
      kind: "model",
      start: "2025-04-08T10:00:01.000Z",
      end: "2025-04-08T10:00:03.000Z", // from the call
      status: "ok",
      call: 0,
    },
    {
      span_id: "span-tool",
      parent_span_id: "span-agent",
      name: "execute_tool <script>alert(1)</script>",
      kind: "tool",
      start: "2025-04-08T10:00:03.500Z",
      end: "2025-04-08T10:00:03.750Z", // 3.5 s + the payload's duration_s, 0.25 s
      status: "error",
    },
  ]);
  assert.equal(data.spans_omitted, 0);
  // A cap of 2 spans per trace leaves the third out and says so.
  assert.equal(callsExplorer(otlpTraceSet(), { maxSpansPerTrace: 2 }).spans_omitted, 1);
});

Deno.test("callsExplorer() reads trace_id/span_id/parent_span_id columns when the frames have them", () => {
  const traces = traceSet(
    [
      {
        session_id: "sess",
        request_id: "req-1",
        trace_id: "T",
        span_id: "M",
        parent_span_id: "A",
        model: "claude",
        status: "error",
        started_at: t("10:00:01"),
        ended_at: t("10:00:02"),
        duration_s: 1,
      },
      { session_id: "native", request_id: "req-2", model: "gpt-4o", status: "ok" },
    ],
    [
      {
        file: "f",
        line: 1,
        type: "span",
        timestamp: t("10:00:00"),
        session_id: "sess",
        trace_id: "T",
        span_id: "A",
        parent_span_id: null,
        name: "agent run",
        ended_at: t("10:00:05"),
      },
    ],
    { trace_id: pl.Utf8, span_id: pl.Utf8, parent_span_id: pl.Utf8 },
    {
      trace_id: pl.Utf8,
      span_id: pl.Utf8,
      parent_span_id: pl.Utf8,
      name: pl.Utf8,
      ended_at: pl.Datetime("us", "UTC"),
    },
  );
  const data = callsExplorer(traces);
  assert.deepEqual(Object.keys(data.traces), ["T"]);
  const [agent, model] = data.traces.T!;
  assert.deepEqual(agent, {
    span_id: "A",
    parent_span_id: null,
    name: "agent run",
    kind: "agent",
    start: "2025-04-08T10:00:00.000Z",
    end: "2025-04-08T10:00:05.000Z",
    status: null,
  });
  // The call has no span event: it is added from the calls frame, named by its model.
  assert.deepEqual(model, {
    span_id: "M",
    parent_span_id: "A",
    name: "claude",
    kind: "model",
    start: "2025-04-08T10:00:01.000Z",
    end: "2025-04-08T10:00:02.000Z",
    status: "error",
    call: 0,
  });
  // The call with a start comes first; the native call (no start) is listed last, without a trace.
  assert.equal(data.calls[0]!.trace_id, "T");
  assert.equal(data.calls[1]!.trace_id, undefined);
});

Deno.test("renderReport() embeds the Calls section's data as JSON that no string can close", () => {
  const calls = callsExplorer(otlpTraceSet());
  const html = renderReport({ ...SAMPLE_INPUT, calls } as typeof SAMPLE_INPUT);
  assert.ok(!html.includes("<script>alert(1)</script>"), "the span name is not in the HTML raw");
  const doc = new JSDOM(html).window.document;
  const block = doc.getElementById("tracebook-calls");
  assert.equal(block?.getAttribute("type"), "application/json");
  assert.deepEqual(JSON.parse(block!.textContent!), JSON.parse(JSON.stringify(calls)));
  // Three scripts: the summary JSON, the calls JSON, and ours (pinned by the CSP).
  assert.equal(doc.querySelectorAll("script").length, 3);
  assert.equal(doc.querySelectorAll("script:not([type])").length, 1);
  assert.equal(doc.querySelector("script:not([type])")!.textContent, CLIENT_SCRIPT);
  assert.equal(doc.querySelector('nav a[href="#calls"]')?.textContent, "Calls");
  const lead = [...doc.querySelectorAll("#calls p.lead")].map((p) => p.textContent);
  assert.deepEqual(lead, [
    "One call. Filter the calls, then open one to see its prompt, output and timings.",
    "Prompts and outputs were not loaded: run the report with --outputs to see them.",
    "1 trace has spans: a call's detail shows its trace as a waterfall (agent → model → tool).",
  ]);
  // Without explorer data the section is absent.
  const plain = new JSDOM(renderReport(SAMPLE_INPUT)).window.document;
  assert.equal(plain.getElementById("calls"), null);
});

Deno.test("callsExplorer() keeps the page's texts within a budget: one lower limit, long texts cut first", () => {
  // Outputs of 10, 100 and 100 characters with a budget of 110: the largest L with
  // min(10, L) + 2 × min(100, L) ≤ 110 is L = 50 (10 + 50 + 50 = 110).
  const outputs = ["a".repeat(10), "b".repeat(100), "c".repeat(100)];
  const traces = traceSet(
    outputs.map((output, i) => ({
      session_id: "s",
      request_id: `r-${i}`,
      model: "gpt-4o",
      status: "ok",
      started_at: t(`10:00:0${i}`),
      output,
    })),
    [],
    { output: pl.Utf8 },
  );
  const data = callsExplorer(traces, { textBudget: 110 });
  assert.equal(data.text_limit, 50);
  assert.equal(data.text_budget, 110);
  assert.deepEqual(data.calls.map((c) => [c.output!.text.length, c.output!.chars]), [
    [10, 10],
    [50, 100],
    [50, 100],
  ]);
  // Within the budget nothing changes.
  const roomy = callsExplorer(traces, { textBudget: 210 });
  assert.equal(roomy.text_limit, 4000);
  assert.equal(roomy.text_budget, null);
  assert.equal(roomy.calls[1]!.output!.text.length, 100);
});
