/**
 * Anthropic managed-agent session event logs (Claude Managed Agents: the
 * events of `GET /v1/sessions/{id}/events`) → imported records.
 *
 * Lines are `{role, kind, time, content?, raw: {id, type, processed_at, …}}`
 * (a transcript that wraps each API event) or the API events themselves
 * (`{id, type, processed_at, …}`), one per line, in an array, or as the list
 * endpoint answers them, pages `{data: [events], next_page}` (saved as they
 * came, one or several). Event types are `{domain}.{action}`:
 * `user.*`, `agent.*`, `session.*`, `span.*`.
 * - A model call is a `span.model_request_start` (`raw.id`) ended by the
 *   `span.model_request_end` whose `model_request_start_id` names it; latency =
 *   end time − start time (`time`, else `processed_at`); tokens from the end's
 *   `model_usage.{input_tokens, output_tokens, cache_read_input_tokens,
 *   cache_creation_input_tokens}` (Anthropic's input, without the cache: the
 *   cache is added, `input_tokens` being the whole prompt) and its server-side
 *   web searches (`server_tool_use.web_search_requests`).
 *   `is_error: true` is an error. A start never ended is pending, unless a
 *   `session.error` came after it (then it is an error with that message).
 * - An outcome's grading is a model request too: `span.outcome_evaluation_start`
 *   ended by the `span.outcome_evaluation_end` whose `outcome_evaluation_start_id`
 *   names it, with the grader's `usage` (same keys); its `result` (`needs_revision`,
 *   `failed`: the rubric does not apply) is a verdict, not a failed request.
 * - The events name no model: `unknown` (unless a start or end names one).
 *   They name no session: the file is the session (unless a `session_id` is given).
 * - The text of the `agent.message` events written while a request is open is
 *   its output (`output_chars`, and `output` with `keepText`).
 * - `agent.tool_result` with `is_error` is a failed tool, not a failed model
 *   call: an event. Every line is an event `anthropic_agent.<type>`.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { countChars } from "../_event.ts";
import { normalizeUsage } from "../../schema/mod.ts";
import { blankCall, contentText, timeReader } from "./_agent_logs.ts";
import { parseJsonRecords } from "./_json_values.ts";
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import { compactPayload, isObj, type Obj, secondsBetween, str } from "./_util.ts";

/** An event type of the managed-agents API (`span.model_request_start`, …). */
const EVENT_TYPE = /^(session|span|agent|user)\.[a-z_]+$/;

/**
 * The start and end events of a model request: the agent's (`model_usage`; the
 * `agent.message` events written while it is open are its output) and the outcome
 * grader's (`usage`: "token usage for a single model request", as the API reference says).
 */
const SPANS = [
  {
    start: "span.model_request_start",
    end: "span.model_request_end",
    link: "model_request_start_id",
    usage: "model_usage",
    writes: true,
  },
  {
    start: "span.outcome_evaluation_start",
    end: "span.outcome_evaluation_end",
    link: "outcome_evaluation_start_id",
    usage: "usage",
    writes: false,
  },
] as const;

/** The API event of a line: its `raw` when it wraps one, else the line itself. */
function apiEvent(v: Obj): Obj | null {
  if (isObj(v.raw) && typeof v.raw.type === "string" && EVENT_TYPE.test(v.raw.type)) return v.raw;
  if (typeof v.type === "string" && EVENT_TYPE.test(v.type) && "processed_at" in v) return v;
  return null;
}

/**
 * The events of a page of the API's list (`GET /v1/sessions/{id}/events` answers `{data:
 * [events], next_page}`; saved as it came, or several pages one after the other), else null.
 */
function pageEvents(v: unknown): unknown[] | null {
  if (!isObj(v) || !Array.isArray(v.data)) return null;
  return v.data.slice(0, 20).some((e) => isObj(e) && apiEvent(e) !== null) ? v.data : null;
}

function detect(s: FormatSample): boolean {
  if (s.array && s.values.length === 0) return false;
  if (s.values.length === 0) {
    // a line (or a page) longer than the sample: its keys, and an event type in its text
    return (s.keys.includes("raw") && s.keys.includes("kind")) ||
      (s.keys.includes("data") && /"type"\s*:\s*"span\.model_request_(?:start|end)"/.test(s.head));
  }
  return s.values.slice(0, 20).some((v) =>
    isObj(v) && (apiEvent(v) !== null || pageEvents(v) !== null)
  );
}

/** The message of an error object (`{type, message}` or nested). */
function errorText(e: unknown): string | null {
  if (typeof e === "string") return e || null;
  if (!isObj(e)) return null;
  const inner = isObj(e.error) ? e.error : e;
  const message = str(inner.message), type = str(inner.type);
  return message ? (type ? `${type}: ${message}` : message) : type;
}

/**
 * Parse the text of a managed-agent event log.
 *
 * @example
 * ```ts
 * import { parseAnthropicAgentEventsText } from "./anthropic_agent_events.ts";
 * const lines = [
 *   { role: "system", kind: "model_request_start", time: "2026-01-01T00:00:00Z", raw: { id: "sevt_1", type: "span.model_request_start", processed_at: "2026-01-01T00:00:00Z" } },
 *   { role: "system", kind: "model_request_end", time: "2026-01-01T00:00:02.5Z", raw: { id: "sevt_2", type: "span.model_request_end", model_request_start_id: "sevt_1", is_error: false, model_usage: { input_tokens: 2, output_tokens: 30, cache_read_input_tokens: 900 } } },
 * ];
 * const r = parseAnthropicAgentEventsText(lines.map((l) => JSON.stringify(l)).join("\n"), "t.jsonl");
 * if (r.calls.length !== 1 || r.calls[0]!.duration_s !== 2.5 || r.calls[0]!.model !== "unknown") throw new Error();
 * ```
 */
export function parseAnthropicAgentEventsText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const parsed = parseJsonRecords(text, file);
  const diagnostics = parsed.diagnostics;
  // a page of the API's list counts as its events (all at the page's line)
  const values = parsed.values.flatMap((v) =>
    pageEvents(v.value)?.map((value) => ({ line: v.line, value })) ?? [v]
  );
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics };
  const named = values.map(({ value: v }) =>
    isObj(v) ? str(v.session_id) ?? (isObj(v.raw) ? str(v.raw.session_id) : null) : null
  ).find((s) => s);
  const session = named ?? file;
  const starts = new Map<string, ImportedCall>();
  const open = new Set<ImportedCall>();
  // the text of the agent.message events written while a request is open: its output
  const outputs = new Map<ImportedCall, string[]>();
  let latest: ImportedCall | null = null;
  const newCall = (line: number, ts: number | null, id: string | null, raw: Obj) => {
    const call = blankCall(file, line, session);
    call.request_id = id;
    call.provider = "anthropic";
    call.started_at = ts;
    call.status = "pending";
    const model = str(raw.model);
    if (model) call.model = model;
    if (options.keepText) call.messages = call.output = null;
    records.calls.push(call);
    return call;
  };
  for (const { line, value: v } of values) {
    const raw = isObj(v) ? apiEvent(v) : null;
    if (!isObj(v) || raw === null) {
      diagnostics.push({
        file,
        line,
        code: "not_an_event",
        message:
          "value is not a managed-agent event (no raw.type such as span.model_request_start)",
        severity: "error",
      });
      continue;
    }
    const type = raw.type as string;
    const ts = time(v.time ?? raw.processed_at, line);
    records.events.push({
      file,
      line,
      type: `anthropic_agent.${type}`,
      ts,
      end: null,
      session_id: session,
      request_id: str(raw.model_request_start_id) ?? str(raw.id),
      payload: compactPayload(raw),
    });
    const span = SPANS.find((p) => p.start === type || p.end === type);
    if (span !== undefined && type === span.start) {
      const id = str(raw.id);
      const call = newCall(line, ts, id, raw);
      if (id !== null) starts.set(id, call);
      open.add(call);
      if (span.writes) latest = call;
    } else if (span !== undefined) {
      const startId = str(raw[span.link]);
      let call = startId === null ? undefined : starts.get(startId);
      if (!call) {
        diagnostics.push({
          file,
          line,
          code: "end_without_start",
          message: `${type} names start ${
            JSON.stringify(startId)
          }, which is not in the file (counted as a call with no latency)`,
          severity: "warning",
        });
        call = newCall(line, null, startId, raw);
      }
      open.delete(call);
      const model = str(raw.model);
      if (model) call.model = model;
      call.ended_at = ts;
      call.duration_s = secondsBetween(call.started_at, ts);
      const failed = raw.is_error === true;
      call.status = failed ? "error" : "ok";
      call.error = failed ? errorText(raw.error) ?? "model request failed (is_error: true)" : null;
      // Anthropic's usage: its input leaves the cache out, normalizeUsage adds it (the whole prompt)
      const u = normalizeUsage(isObj(raw[span.usage]) ? raw[span.usage] : null);
      call.input_tokens = u.input_tokens;
      call.output_tokens = u.output_tokens;
      call.cache_read_tokens = u.cache_read_tokens;
      call.cache_write_tokens = u.cache_write_tokens;
      call.cache_write_1h_tokens = u.cache_write_1h_tokens ?? null;
      call.web_search_requests = u.web_search_requests ?? null;
      call.total_tokens = u.total_tokens;
    } else if (type === "agent.message" && latest !== null && open.has(latest)) {
      const text = contentText(raw.content);
      if (text !== null) outputs.set(latest, [...(outputs.get(latest) ?? []), text]);
    } else if (type === "session.error") {
      // a session error ends the requests still open
      for (const call of open) {
        call.status = "error";
        call.error = errorText(raw.error) ?? "session error";
        call.ended_at = ts;
      }
      open.clear();
    }
  }
  for (const [call, texts] of outputs) {
    const output = texts.join("");
    call.output_chars = countChars(output);
    if (options.keepText) call.output = output;
  }
  return records;
}

/** Anthropic managed-agent session event logs. */
export const anthropicAgentEvents: FormatAdapter = {
  name: "anthropic_agent_events",
  title: "Anthropic managed-agent session events",
  reads:
    "one call per span.model_request_start joined to its span.model_request_end (latency end − start, model_usage tokens, is_error → error; no end → pending), and per outcome grading (span.outcome_evaluation_start/end, its usage); no model → unknown; the file is the session",
  example:
    '{"role": "system", "kind": "model_request_end", "time": "…", "raw": {"type": "span.model_request_end", "model_request_start_id": "sevt_…", "is_error": false, "model_usage": {…}}}',
  detect,
  parse: (source, file, options) => parseAnthropicAgentEventsText(source.text(), file, options),
};
