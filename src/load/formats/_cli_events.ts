/**
 * The agent CLIs' own OpenTelemetry log events → calls and events: the one place that reads
 * them, for the OTLP/JSON reader (`resourceLogs`, what an OpenTelemetry Collector's `file`
 * exporter writes) and the OpenTelemetry JS dump reader (Gemini CLI's `--telemetry-outfile`).
 *
 * - Claude Code (`CLAUDE_CODE_ENABLE_TELEMETRY=1`, `OTEL_LOGS_EXPORTER`): a
 *   `claude_code.api_request` log record is one model call: `model`, Anthropic's
 *   `input_tokens` (without the cache), `cache_read_tokens`, `cache_creation_tokens` (of which
 *   `cache_creation_1h_tokens`), `output_tokens`, `duration_ms`, `ttft_ms`, `request_id`,
 *   `session.id`; its time (`event.timestamp`) is when the response ended. A
 *   `claude_code.api_error` is an error call (`error`, `status_code`).
 * - Gemini CLI: a `gemini_cli.api_response` is one call: its `model` is the response's
 *   version, `input_token_count` (the cache included), `cached_content_token_count`,
 *   `output_token_count` and `thoughts_token_count` (thinking, billed as output),
 *   `tool_token_count` (the tools' prompt, billed as input), `total_token_count`, `duration_ms`,
 *   `finish_reasons`; its time is when the response ended. A `gemini_cli.api_error` is an error
 *   call. (`gemini_cli.api_request` names the requested model only: an event.)
 * - Codex CLI (`[otel]` in `config.toml` with an `exporter`): a `codex.sse_event` of kind
 *   `response.completed` is one model response, `input_token_count` (OpenAI's input, the cache
 *   inside), `cached_token_count`, `cache_write_token_count`, `output_token_count` (the reasoning
 *   inside), `reasoning_token_count` (its `tool_token_count` is the response's total), `model`,
 *   `conversation.id` (the session); its time is when the response ended, and it started when
 *   the `codex.api_request` before it in its conversation was sent (that request's time, when
 *   its headers came, less its `duration_ms`). A `response.completed` with an `error.message`
 *   (the stream failed) is an error call, and so is a `codex.api_request` that failed (a status
 *   outside 2xx or an `error.message`: each attempt Codex retries). The provider is the
 *   conversation's (`codex.conversation_starts`' `provider_name`), else `openai`.
 *
 * Input tokens are the whole prompt, as the GenAI conventions count them (Claude Code's own
 * spans write `gen_ai.usage.input_tokens` so): cache reads and writes inside. The cost the CLI
 * estimated (`cost_usd`) stays in the event's payload; calls are priced as every call is.
 * Every other log record of these CLIs is an event of its name.
 *
 * Where the file also holds the CLI's spans of the same requests (Claude Code's
 * `claude_code.llm_request` with `CLAUDE_CODE_ENHANCED_TELEMETRY_BETA`, Gemini CLI's `llm_call`),
 * a request is one call ({@link withCliCalls}).
 *
 * @module
 */
import { geminiInputTokens } from "../../schema/provider_calls.ts";
import { normalizeUsage, type Usage } from "../../schema/usage.ts";
import { blankCall } from "./_agent_logs.ts";
import type { ImportedCall, ImportedEvent, ImportedRecords } from "./_records.ts";
import { compactPayload, count, first, isObj, num, type Obj, str } from "./_util.ts";

/** The prefixes of the agent CLIs' event names. */
const CLI_PREFIXES = ["claude_code.", "gemini_cli.", "codex."];

/** One log record of an agent CLI, as a reader found it. */
export interface CliLogRecord {
  /** The event's name, with its CLI's prefix (`claude_code.api_request`). */
  name: string;
  /** Flat attributes, values decoded. */
  attributes: Obj;
  /** The record's time, µs since the epoch (null when it has none). */
  ts: number | null;
  /** 1-based line where the record starts. */
  line: number;
}

/**
 * The name of an agent CLI's log record, or null for another record: OTLP's `eventName`, else
 * the `event.name` attribute (Gemini CLI's, with its prefix), else the body (Claude Code names
 * its events there, `event.name` without the prefix).
 *
 * @example
 * ```ts
 * import { cliEventName } from "./_cli_events.ts";
 * if (cliEventName({ "event.name": "api_request" }, "claude_code.api_request") !== "claude_code.api_request") throw new Error();
 * if (cliEventName({ "event.name": "gemini_cli.api_response" }, "API response from …") !== "gemini_cli.api_response") throw new Error();
 * if (cliEventName({ "event.name": "gen_ai.choice" }, null) !== null) throw new Error();
 * ```
 */
export function cliEventName(
  attributes: Obj,
  body: unknown,
  eventName: unknown = null,
): string | null {
  const named = [str(eventName), str(attributes["event.name"]), str(body)];
  return named.find((n) => n !== null && CLI_PREFIXES.some((p) => n.startsWith(p))) ?? null;
}

/** The µs of an ISO time, or null. */
function isoMicros(v: unknown): number | null {
  const s = str(v);
  const ms = s === null ? NaN : Date.parse(s);
  return Number.isFinite(ms) ? ms * 1000 : null;
}

/** Milliseconds as seconds, or null. */
const seconds = (v: unknown): number | null => {
  const ms = num(v);
  return ms === null || ms < 0 ? null : ms / 1000;
};

/** The session of a CLI's record: Claude Code's and Gemini CLI's `session.id`, Codex's `conversation.id`. */
const sessionOf = (a: Obj, file: string): string =>
  str(a["session.id"]) ?? str(a["conversation.id"]) ?? file;

/** A failed request's error: its text, with its HTTP status when the text does not name it. */
function failure(text: string | null, status: unknown): string {
  const code = first(str(status), num(status)?.toString());
  const t = text ?? "API error";
  return code !== null && !t.includes(code) ? `${t} (status ${code})` : t;
}

/**
 * The tokens of a Claude Code request as it writes them (its `api_request` events, its
 * `llm_request` spans before it wrote the GenAI keys on them): Anthropic's counts, whose input
 * leaves out the cache, so the whole prompt is all three.
 *
 * @example
 * ```ts
 * import { claudeCodeUsage } from "./_cli_events.ts";
 * const u = claudeCodeUsage({ input_tokens: 10, output_tokens: 5, cache_read_tokens: 100, cache_creation_tokens: 20 });
 * if (u.input_tokens !== 130 || u.total_tokens !== 135 || u.cache_write_tokens !== 20) throw new Error();
 * ```
 */
export function claudeCodeUsage(a: Obj): Omit<Usage, "reasoning_tokens"> {
  // Anthropic's names, so that the one whole-prompt rule adds the cache (normalizeUsage)
  const u = normalizeUsage({
    input_tokens: count(a.input_tokens),
    output_tokens: count(a.output_tokens),
    cache_read_input_tokens: count(a.cache_read_tokens),
    cache_creation_input_tokens: count(a.cache_creation_tokens),
    cache_write_1h_tokens: count(a.cache_creation_1h_tokens),
  });
  return {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    total_tokens: u.total_tokens,
    cache_read_tokens: u.cache_read_tokens,
    cache_write_tokens: u.cache_write_tokens,
    cache_write_1h_tokens: u.cache_write_1h_tokens ?? null,
  };
}

/** The call a CLI's request event stands for, or null when the record is not one. */
function cliCall(r: CliLogRecord, file: string, into: CliRecords): ImportedCall | null {
  if (r.name.startsWith("codex.")) return codexCall(r, file, into);
  const a = r.attributes;
  const isClaude = r.name === "claude_code.api_request" || r.name === "claude_code.api_error";
  const isGemini = r.name === "gemini_cli.api_response" || r.name === "gemini_cli.api_error";
  if (!isClaude && !isGemini) return null;
  const call = blankCall(file, r.line, sessionOf(a, file));
  // the event is written when the response ended (or the request failed)
  const end = isoMicros(a["event.timestamp"]) ?? r.ts;
  const duration = seconds(a.duration_ms);
  call.ended_at = end;
  call.duration_s = duration;
  call.started_at = end !== null && duration !== null ? end - Math.round(duration * 1e6) : end;
  call.model = str(a.model) ?? "unknown";
  if (r.name.endsWith(".api_error")) {
    call.status = "error";
    call.error = failure(str(a.error) ?? str(a["error.message"]), a.status_code);
  }
  if (isClaude) {
    call.provider = "anthropic";
    call.request_id = str(a.request_id);
    call.ttft_s = seconds(a.ttft_ms);
    if (r.name === "claude_code.api_request") Object.assign(call, claudeCodeUsage(a));
    return call;
  }
  call.provider = "google";
  call.served_model = r.name === "gemini_cli.api_response" ? str(a.model) : null;
  if (r.name === "gemini_cli.api_response") {
    const answer = count(a.output_token_count), thoughts = count(a.thoughts_token_count);
    call.input_tokens = geminiInputTokens(count(a.input_token_count), count(a.tool_token_count));
    call.output_tokens = answer === null && thoughts === null
      ? null
      : (answer ?? 0) + (thoughts ?? 0);
    call.total_tokens = count(a.total_token_count);
    call.cache_read_tokens = count(a.cached_content_token_count);
    call.reasoning_tokens = thoughts;
    const reasons = a.finish_reasons;
    call.finish_reason = Array.isArray(reasons)
      ? reasons.filter((x) => typeof x === "string").join(",") || null
      : str(reasons);
  }
  return call;
}

/**
 * The call a Codex record stands for: a response's `response.completed` (its tokens, or the
 * error that ended its stream), or a request that failed; a request that got its response's
 * headers is remembered as the start of the response that follows in its conversation.
 */
function codexCall(r: CliLogRecord, file: string, into: CliRecords): ImportedCall | null {
  const a = r.attributes;
  const session = sessionOf(a, file);
  const time = isoMicros(a["event.timestamp"]) ?? r.ts;
  if (r.name === "codex.conversation_starts") {
    const provider = str(a.provider_name);
    if (provider !== null) into.providers.set(session, provider.toLowerCase());
    return null;
  }
  const call = blankCall(file, r.line, session);
  call.model = str(a.model) ?? "unknown";
  call.provider = into.providers.get(session) ?? "openai";
  const error = str(a["error.message"]);
  if (r.name === "codex.api_request") {
    // written when the response's headers came (or the request failed), duration_ms after it was sent
    const duration = seconds(a.duration_ms);
    const sent = time !== null && duration !== null ? time - Math.round(duration * 1e6) : time;
    const status = num(a["http.response.status_code"]);
    if (error === null && status !== null && status >= 200 && status < 300) {
      into.requests.set(session, sent);
      return null;
    }
    into.requests.delete(session);
    call.started_at = sent;
    call.ended_at = time;
    call.duration_s = duration;
    call.status = "error";
    call.error = failure(error, a["http.response.status_code"]);
    return call;
  }
  const completed = r.name === "codex.sse_event" && a["event.kind"] === "response.completed";
  // the stream's own record of the event (its duration_ms alone) is not the response's
  if (!completed || (error === null && !("input_token_count" in a))) return null;
  const sent = into.requests.get(session) ?? null;
  into.requests.delete(session);
  call.started_at = sent ?? time;
  call.ended_at = time;
  call.duration_s = sent !== null && time !== null ? (time - sent) / 1e6 : null;
  if (error !== null) {
    call.status = "error";
    call.error = error;
    return call;
  }
  // OpenAI's counts: the input holds the cache reads, the output the reasoning
  const input = count(a.input_token_count), output = count(a.output_token_count);
  call.input_tokens = input;
  call.output_tokens = output;
  call.total_tokens = input === null || output === null ? null : input + output;
  call.cache_read_tokens = count(a.cached_token_count);
  call.cache_write_tokens = count(a.cache_write_token_count);
  call.reasoning_tokens = count(a.reasoning_token_count);
  return call;
}

/** What a reader collects of a file's CLI log records: their calls and events. */
export interface CliRecords {
  calls: ImportedCall[];
  events: ImportedEvent[];
  /** Codex's requests waiting for their response, by conversation: when each was sent (µs). */
  requests: Map<string, number | null>;
  /** Codex's provider of each conversation (`codex.conversation_starts`). */
  providers: Map<string, string>;
}

/** An empty {@link CliRecords}. */
export const cliRecords = (): CliRecords => ({
  calls: [],
  events: [],
  requests: new Map(),
  providers: new Map(),
});

/**
 * Add one CLI log record to `into`: an event of its name, and the call it stands for when it
 * is a request's event.
 *
 * @example
 * ```ts
 * import { addCliRecord, cliRecords } from "./_cli_events.ts";
 * const into = cliRecords();
 * addCliRecord(into, { name: "claude_code.api_request", line: 1, ts: null, attributes: {
 *   "session.id": "s", "event.timestamp": "2026-01-01T00:00:01Z", model: "claude-sonnet-4-5",
 *   input_tokens: 10, output_tokens: 5, cache_read_tokens: 100, cache_creation_tokens: 20, duration_ms: 500 } }, "f.jsonl");
 * const c = into.calls[0]!;
 * if (c.input_tokens !== 130 || c.total_tokens !== 135 || c.duration_s !== 0.5 || into.events.length !== 1) throw new Error();
 * ```
 */
export function addCliRecord(into: CliRecords, r: CliLogRecord, file: string): void {
  const call = cliCall(r, file, into);
  if (call) into.calls.push(call);
  into.events.push({
    file,
    line: r.line,
    type: r.name,
    ts: call?.started_at ?? isoMicros(r.attributes["event.timestamp"]) ?? r.ts,
    end: call?.ended_at ?? null,
    session_id: sessionOf(r.attributes, file),
    request_id: call?.request_id ?? null,
    payload: compactPayload(r.attributes),
  });
}

/** A span's call and a CLI's call are one request: a µs of slack for the ms the CLIs write. */
const SLACK_US = 2000;

/**
 * The calls of a file's spans with the CLIs' calls added, each request once: a CLI's call whose
 * end falls within a call span of its session (the span of that request: Claude Code's
 * `claude_code.llm_request`, Gemini CLI's `llm_call`) fills what that span's call lacks (tokens,
 * time to first token, the served model, an error) and is not counted again; the others are
 * calls of their own. The CLIs' events are added to the events.
 *
 * @example
 * ```ts
 * import { cliRecords, withCliCalls } from "./_cli_events.ts";
 * import { blankCall } from "./_agent_logs.ts";
 * const span = { ...blankCall("f", 1, "s"), model: "gemini-2.5-flash", started_at: 0, ended_at: 1_000_000, span_id: "a" };
 * const cli = { ...blankCall("f", 9, "s"), model: "gemini-2.5-flash-001", served_model: "gemini-2.5-flash-001", started_at: 10_000, ended_at: 990_000, input_tokens: 7 };
 * const records = { calls: [span], events: [], diagnostics: [] };
 * withCliCalls(records, { ...cliRecords(), calls: [cli] });
 * if (records.calls.length !== 1 || records.calls[0]!.input_tokens !== 7 || records.calls[0]!.served_model !== "gemini-2.5-flash-001") throw new Error();
 * ```
 */
export function withCliCalls(records: ImportedRecords, cli: CliRecords): void {
  if (cli.calls.length === 0) {
    for (const e of cli.events) records.events.push(e);
    return;
  }
  // the timed span calls, by session: each CLI call looks at its own session's alone
  const bySession = new Map<string, ImportedCall[]>();
  for (const s of records.calls) {
    if (s.span_id == null || s.started_at === null || s.ended_at === null) continue;
    const list = bySession.get(s.session_id);
    if (list) list.push(s);
    else bySession.set(s.session_id, [s]);
  }
  const taken = new Set<ImportedCall>();
  for (const c of cli.calls) {
    const end = c.ended_at;
    let span: ImportedCall | null = null;
    if (end !== null) {
      for (const s of bySession.get(c.session_id) ?? []) {
        if (taken.has(s)) continue;
        const start = s.started_at!, ended = s.ended_at!;
        if (end < start - SLACK_US || end > ended + SLACK_US) continue;
        // of the spans around it, the one that ended nearest after it
        if (span === null || Math.abs(ended - end) < Math.abs(span.ended_at! - end)) span = s;
      }
    }
    if (span === null) {
      records.calls.push(c);
      continue;
    }
    taken.add(span);
    const filled = span as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(c)) {
      // the span's own ids, place, model and times stay
      if (["file", "line", "session_id", "request_id", "model", "status"].includes(k)) continue;
      if ((filled[k] === null || filled[k] === undefined) && v !== null && v !== undefined) {
        filled[k] = v;
      }
    }
    if (c.status === "error" && span.status !== "error") {
      span.status = "error";
      span.error = c.error;
    }
  }
  for (const e of cli.events) records.events.push(e);
}

/** True for a value of an OpenTelemetry JS log record dump naming an agent CLI's event. */
export function isCliLogDump(v: unknown): v is Obj {
  return isObj(v) && Array.isArray(v.hrTime) && isObj(v.attributes) &&
    cliEventName(v.attributes, v._body ?? v.body) !== null;
}
