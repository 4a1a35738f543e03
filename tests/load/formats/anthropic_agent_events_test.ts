import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realFixture } from "../../_helpers.ts";
import { detectFormat, fromTraceText, loadTraces, sampleFile } from "../../../src/load/mod.ts";
import { AGENT_LOG, figures, fixture, median, rows } from "./_helpers.ts";

/** µs since the epoch of an ISO `Z` time with 0–9 fraction digits (independent of tracebook). */
function micros(iso: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso)!;
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? "").padEnd(6, "0").slice(0, 6));
}

const offset = realFixture("anthropic-agent-events/effect-of-offset-correction.transcript.jsonl");
Deno.test({
  name:
    "anthropic_agent_events: the real transcript (95 model request pairs and an outcome grading, no model, the file is the session)",
  ignore: offset === undefined,
  async fn() {
    // independent reading: join ends to starts by raw.model_request_start_id
    const lines = readFileSync(offset!, "utf8").split("\n").filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l));
    // and the outcome grader's request: outcome_evaluation_end to its start, with its `usage`
    const start = new Map<string, number>();
    for (const l of lines) {
      if (/^span\.(model_request|outcome_evaluation)_start$/.test(l.raw.type)) {
        start.set(l.raw.id, micros(l.time));
      }
    }
    const ends = lines.filter((l) => l.raw.type === "span.model_request_end");
    const graded = lines.filter((l) => l.raw.type === "span.outcome_evaluation_end");
    const seconds = [
      ...ends.map((l) => (micros(l.time) - start.get(l.raw.model_request_start_id)!) / 1e6),
      ...graded.map((l) => (micros(l.time) - start.get(l.raw.outcome_evaluation_start_id)!) / 1e6),
    ];
    const sum = (k: string) =>
      ends.reduce((a, l) => a + l.raw.model_usage[k], 0) +
      graded.reduce((a, l) => a + l.raw.usage[k], 0);
    assert.equal(start.size, 96);
    assert.equal(ends.length, 95);
    assert.equal(graded.length, 1);
    assert.equal(ends.filter((l) => l.raw.is_error).length, 0);
    // the grading's tokens are in the session's own count: its last session.usage has 258 input
    // and 132234 output tokens, the 95 requests 190 and 122199, the grading 66 and 9428
    assert.equal(graded[0].raw.usage.input_tokens, 66);

    const t = await loadTraces(offset!);
    assert.equal(t.formats?.[offset!], "anthropic_agent_events");
    assert.equal(t.diagnostics.height, 0);
    const f = figures(t.calls, AGENT_LOG);
    assert.deepEqual({ ...f, latency: { ...f.latency, p50: null, max: null } }, {
      calls: 96,
      ok: 96, // the grading's result "satisfied" is a verdict
      errors: 0, // the 4 failed tool results are events, not failed calls
      pending: 0,
      models: { unknown: 96 }, // no model name anywhere in the file
      // Anthropic's input_tokens leave the cache out: the whole prompt is the three
      input: sum("input_tokens") + sum("cache_read_input_tokens") +
        sum("cache_creation_input_tokens"),
      output: sum("output_tokens"),
      cache_read: sum("cache_read_input_tokens"),
      latency: { n: 96, p50: null, max: null },
    });
    // latencies to the microsecond (times have 3 to 6 fraction digits)
    assert.ok(Math.abs(f.latency.p50! - median(seconds)!) < 1e-9);
    assert.ok(Math.abs(f.latency.max! - Math.max(...seconds)) < 1e-9);
    // SOURCES.md: the requests took 1.4–127.7 s; the grading 10:04:21.046823 → 10:07:38.205990
    assert.equal(f.latency.max, 197.159167);
    assert.equal(t.calls.getColumn("cache_write_tokens").sum(), sum("cache_creation_input_tokens"));
    assert.deepEqual(t.sessions.getColumn("session_id").toArray(), [offset]);
    assert.equal(t.events.height, lines.length);
    // the 9 agent.message texts are written while a request is open: its output
    const said = lines.filter((l) => l.raw.type === "agent.message")
      .map((l) => [...l.raw.content.map((b: { text: string }) => b.text).join("")].length);
    assert.equal(said.length, 9);
    const outputs = t.calls.getColumn("output_chars").toArray().filter((n) => n !== null);
    assert.deepEqual(outputs, said);
  },
});

Deno.test("anthropic_agent_events: is_error, a session.error, an unended start and an end with no start (bare API events)", async () => {
  // tests/load/formats/fixtures/anthropic_agent_events_errors.jsonl: API events as the managed-agents
  // documentation gives them ({id, type, processed_at, …}, session.error {error: {type, message}})
  const file = fixture("anthropic_agent_events_errors.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "anthropic_agent_events");
  const t = await loadTraces(file);
  assert.deepEqual(figures(t.calls, AGENT_LOG), {
    calls: 5,
    ok: 2, // sevt_b and the end whose start is missing
    errors: 2, // sevt_a (is_error) and sevt_c (open when the session.error came)
    pending: 1, // sevt_d never ended
    models: { unknown: 5 },
    input: (3 + 1000 + 50) + 1, // input + cache reads + cache writes (Anthropic's input leaves them out)
    output: 40 + 1,
    cache_read: 1000 + 0,
    latency: { n: 2, p50: (1.5 + 4) / 2, max: 4 }, // sevt_a 12:00:00 → 01.5; sevt_b 02 → 06
  });
  assert.deepEqual(rows(t.calls, "request_id", "status", "error"), [
    { request_id: "sevt_a", status: "error", error: "overloaded_error: Overloaded" },
    { request_id: "sevt_b", status: "ok", error: null },
    { request_id: "sevt_c", status: "error", error: "api_error: Internal server error" },
    { request_id: "sevt_d", status: "pending", error: null },
    { request_id: "sevt_zzz", status: "ok", error: null },
  ]);
  assert.deepEqual(rows(t.diagnostics, "line", "code", "severity"), [
    { line: 10, code: "end_without_start", severity: "warning" },
  ]);
  assert.deepEqual(rows(t.sessions, "session_id", "complete"), [
    { session_id: file, complete: false },
  ]);
  assert.equal(t.events.height, 10);
});

Deno.test("anthropic_agent_events: an outcome's grading is a model request (span.outcome_evaluation_end's usage)", async () => {
  // tests/load/formats/fixtures/anthropic_agent_events_outcome.jsonl: the outcome_evaluation_end
  // event is the managed-agents documentation's example (its ids, usage and processed_at); the
  // writer's request and the other times around it are written by hand
  const file = fixture("anthropic_agent_events_outcome.jsonl");
  assert.equal(detectFormat(sampleFile(file))?.name, "anthropic_agent_events");
  const events = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
  const byType = (type: string) => events.find((e) => e.type === type);
  const [writer, grader] = [
    byType("span.model_request_end"),
    byType("span.outcome_evaluation_end"),
  ];
  const t = await loadTraces(file, { cache: false });
  assert.deepEqual(
    rows(t.calls, "status", "input_tokens", "output_tokens", "cache_read_tokens", "duration_s"),
    [
      {
        status: "ok",
        input_tokens: writer.model_usage.input_tokens + writer.model_usage.cache_read_input_tokens +
          writer.model_usage.cache_creation_input_tokens,
        output_tokens: writer.model_usage.output_tokens,
        cache_read_tokens: writer.model_usage.cache_read_input_tokens,
        duration_s: 131, // 14:00:01 → 14:02:12
      },
      {
        status: "ok", // "satisfied" is a verdict
        input_tokens: grader.usage.input_tokens + grader.usage.cache_read_input_tokens, // 2400 + 1800
        output_tokens: grader.usage.output_tokens, // 350
        cache_read_tokens: grader.usage.cache_read_input_tokens, // 1800
        duration_s: 45, // 14:02:15 → 14:03:00
      },
    ],
  );
  // the agent's message is the writer's output, not the grader's
  assert.deepEqual(rows(t.calls, "output_chars"), [{ output_chars: 25 }, { output_chars: null }]);
});

Deno.test({
  name:
    "anthropic_agent_events: the API's list pages ({data: [events], next_page}) as saved from GET /v1/sessions/{id}/events, one or two one after the other",
  ignore: offset === undefined,
  fn() {
    // the real transcript's API events (its `raw`), as the list endpoint answers them: a page
    // `{data, next_page}` (Anthropic's API reference: PageCursor), the whole list in one page,
    // then in two pages saved one after the other
    const events = readFileSync(offset!, "utf8").split("\n").filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l).raw);
    // independent reading: ends joined to starts, times from processed_at
    const start = new Map<string, number>();
    for (const e of events) {
      if (/^span\.(model_request|outcome_evaluation)_start$/.test(e.type)) {
        start.set(e.id, micros(e.processed_at));
      }
    }
    const ends = events.filter((e) =>
      /^span\.(model_request|outcome_evaluation)_end$/.test(e.type)
    );
    const output = ends.reduce((a, e) => a + (e.model_usage ?? e.usage).output_tokens, 0);
    const seconds = ends.map((e) =>
      (micros(e.processed_at) -
        start.get(e.model_request_start_id ?? e.outcome_evaluation_start_id)!) / 1e6
    ).sort((a, b) => a - b);
    assert.equal(ends.length, 96);

    const half = Math.floor(events.length / 2);
    const texts = {
      "one page": JSON.stringify({ data: events, next_page: null }, null, 2),
      "two pages": JSON.stringify({ data: events.slice(0, half), next_page: "page_2" }) + "\n" +
        JSON.stringify({ data: events.slice(half), next_page: null }) + "\n",
    };
    for (const [name, text] of Object.entries(texts)) {
      const t = fromTraceText(text, { file: `${name}.json` });
      assert.equal(t.formats?.[`${name}.json`], "anthropic_agent_events", name);
      const f = figures(t.calls, AGENT_LOG);
      assert.deepEqual(
        { calls: f.calls, ok: f.ok, output: f.output, n: f.latency.n, max: f.latency.max },
        { calls: 96, ok: 96, output, n: 96, max: seconds.at(-1) },
        name,
      );
      assert.equal(f.latency.p50, median(seconds), name);
    }
  },
});
