/**
 * Gemini CLI logs → imported records, in its two shapes (two adapters).
 *
 * **`gemini_cli_stream`**: `gemini --output-format stream-json` output, one
 * event per line: `init` (`session_id`, `model`), `message` (`role`,
 * `content`), `tool_use`, `tool_result` (`status` `success` | `error`), `error`
 * (`severity`, `message`) and `result` (`status`, `error?`, `stats:
 * {total_tokens, input_tokens, output_tokens, cached, input, duration_ms,
 * tool_calls}`).
 * - The stream does not delimit single model calls and gives tokens only per
 *   session (`result.stats`, summed over the session's requests): each session
 *   (one `init`) is **one call** standing for its whole model turn sequence,
 *   with the session's stats (`input_tokens` = `input` + `cached`, so
 *   `cache_read_tokens` = `cached`; `output_tokens` is Gemini's candidates
 *   count plus the thinking, which the stats give only inside `total_tokens`:
 *   `reasoning_tokens` = `total_tokens` − `input_tokens` − `output_tokens`). A
 *   tool-use prompt (a web search's or fetch's request: Gemini's Google Search and
 *   URL context) is inside that total too, not told apart from the thinking: a
 *   session that used `google_web_search` or `web_fetch` and has reasoning gets a
 *   `tool_prompt_not_split` warning.
 *   Latency: `stats.duration_ms` when above 0, else `result` time − `init` time.
 *   `result.status: "error"` is an error (its `error.message`); a session
 *   with no `result` is unfinished: its call is pending (an `error` event of
 *   severity `error` in it makes it an error instead).
 * - Later versions (0.3x) also give each model's share, `stats.models: {<model>:
 *   {total_tokens, input_tokens, output_tokens, cached, input}}`, and `init` may name a
 *   setting (`auto-gemini-3`: a router model and the model it picks): the session is then
 *   one call per model named there, with its tokens (the model the requests named). With
 *   several, no call has a latency (`duration_ms` is all of theirs) nor an end, and an
 *   error `result` is a call of its own (model `unknown`: which model failed is not said).
 * - Several `init` lines are several sessions (their `session_id`). Lines before
 *   an `init` (the user message Gemini CLI prints first) belong to the session
 *   that `init` opens. Times: `timestamp` (UTC), else `ts`.
 *
 * **`gemini_cli_chat`**: the chat recording of a session
 * (`~/.gemini/tmp/<hash>/chats/session-*.json`): one JSON document
 * `{sessionId, projectHash, startTime, lastUpdated, messages: [{id, timestamp,
 * type: user | gemini | info | error | warning, content, thoughts?, tokens?,
 * model?, toolCalls?}]}`, or the newer JSON Lines file (`session-*.jsonl`: a
 * metadata line `{sessionId, projectHash, …}`, then message records, where a
 * message written again with the same `id` replaces the earlier one, plus
 * `{$set}` and `{$rewindTo}` records).
 * - A model call is a `gemini` message with `tokens` (`{input, output, cached,
 *   thoughts, tool, total}` from Gemini's usage metadata): `input_tokens` =
 *   `input` (the prompt, cache included), `cache_read_tokens` = `cached`,
 *   `output_tokens` = `output` + `thoughts` (thinking is billed as output, as
 *   OpenAI counts reasoning inside output), `reasoning_tokens` = `thoughts`,
 *   `total_tokens` = `total`. Model `model`. A message's `timestamp` is when its
 *   answer ended (or, with tool calls, up to 0.1x, when its tools finished): the
 *   call starts at the user or gemini message before it (the prompt, the tool
 *   results), and ends at its timestamp, its latency the time between, only when
 *   it called no tool (else no end, no latency). An `error` message reporting an
 *   `API Error` is a failed call (model `unknown`). Messages rewound away were
 *   still sent: they count.
 *
 * @module
 */
import { countChars } from "../_event.ts";
import { geminiInputTokens } from "../../schema/provider_calls.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import {
  blankCall,
  contentText,
  errorCall,
  notAnObject,
  textLines,
  timeReader,
} from "./_agent_logs.ts";
import { parseJsonValues } from "./_json_values.ts";
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import {
  compactPayload,
  count,
  isObj,
  type Obj,
  secondsBetween,
  str,
  unnamedThinking,
} from "./_util.ts";

// --- stream-json --------------------------------------------------------------------

/**
 * Gemini CLI's tools whose request to Gemini uses one of Gemini's tools (Google Search, URL
 * context), whose `toolUsePromptTokenCount` the stream's stats sum into `total_tokens` alone.
 */
const GROUNDED_TOOLS = new Set(["google_web_search", "web_fetch"]);

/** Event types of `--output-format stream-json`. */
const STREAM_TYPES = new Set(["init", "message", "tool_use", "tool_result", "error", "result"]);

/** An object shaped like a stream-json event (a `type`, none of the other formats' keys). */
function isStreamShaped(v: unknown): v is Obj {
  return isObj(v) && typeof v.type === "string" && !("data" in v) && !("payload" in v) &&
    !("sessionId" in v) && !("session_start" === v.type);
}

function detectStream(s: FormatSample): boolean {
  if (s.array || s.values.length === 0) return false;
  const lines = s.values.slice(0, 50);
  if (!lines.every(isStreamShaped)) return false;
  // event types added by later versions are tolerated, not a majority of them
  const known = lines.filter((v) => STREAM_TYPES.has(v.type as string)).length;
  if (known < 0.8 * lines.length) return false;
  return lines.some((v) =>
    (v.type === "init" && typeof v.session_id === "string" && "model" in v) ||
    (v.type === "tool_use" && "tool_id" in v) ||
    (v.type === "result" && isObj(v.stats))
  );
}

/**
 * Parse the text of a Gemini CLI stream-json transcript: one call per session.
 *
 * @example
 * ```ts
 * import { parseGeminiStreamText } from "./gemini_cli.ts";
 * const lines = [
 *   { type: "init", timestamp: "2026-01-01T00:00:00.000Z", session_id: "g1", model: "gemini-2.5-pro" },
 *   { type: "message", timestamp: "2026-01-01T00:00:01.000Z", role: "assistant", content: "Hi", delta: true },
 *   { type: "result", timestamp: "2026-01-01T00:00:03.000Z", status: "success", stats: { total_tokens: 130, input_tokens: 120, output_tokens: 10, cached: 100, input: 20, duration_ms: 2900, tool_calls: 0 } },
 * ];
 * const r = parseGeminiStreamText(lines.map((l) => JSON.stringify(l)).join("\n"), "out.jsonl");
 * const c = r.calls[0]!;
 * if (r.calls.length !== 1 || c.duration_s !== 2.9 || c.cache_read_tokens !== 100 || c.status !== "ok") throw new Error();
 * ```
 */
export function parseGeminiStreamText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonValues(text, file);
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics, sessions: [] };
  interface Session {
    id: string;
    call: ImportedCall;
    /** The calls of the session's models (`stats.models`), when given. */
    calls?: ImportedCall[];
    result: boolean;
    fatal: string | null;
    output: string[];
    /** Its uses of the tools whose request sends a tool-use prompt (the first's line). */
    grounded: { count: number; line: number };
  }
  const sessions: Session[] = [];
  let waiting: { line: number; v: Obj; ts: number | null }[] = []; // lines before their init
  const lineEvent = (s: string, line: number, v: Obj, ts: number | null) =>
    records.events.push({
      file,
      line,
      type: `gemini_cli.${str(v.type) ?? "unknown"}`,
      ts,
      end: null,
      session_id: s,
      request_id: str(v.tool_id),
      payload: compactPayload(v),
    });
  for (const { line, value: v } of values) {
    if (!isObj(v) || typeof v.type !== "string") {
      diagnostics.push({
        file,
        line,
        code: "not_an_event",
        message: 'value is not a Gemini CLI stream-json event (an object with a "type")',
        severity: "error",
      });
      continue;
    }
    const ts = time(v.timestamp ?? v.ts, line);
    const current = sessions.at(-1);
    if (v.type === "init") {
      const id = str(v.session_id) ?? `${file}#${sessions.length + 1}`;
      const call = blankCall(file, line, id);
      call.request_id = id;
      call.model = str(v.model) ?? "unknown";
      call.provider = "google";
      call.started_at = ts;
      call.status = "pending";
      records.calls.push(call);
      sessions.push({
        id,
        call,
        result: false,
        fatal: null,
        output: [],
        grounded: { count: 0, line },
      });
      for (const w of waiting) lineEvent(id, w.line, w.v, w.ts);
      waiting = [];
      lineEvent(id, line, v, ts);
      continue;
    }
    if (current === undefined || current.result) {
      waiting.push({ line, v, ts });
      continue;
    }
    lineEvent(current.id, line, v, ts);
    if (v.type === "message" && v.role === "assistant" && typeof v.content === "string") {
      current.output.push(v.content);
    } else if (v.type === "tool_use" && GROUNDED_TOOLS.has(str(v.tool_name) ?? "")) {
      if (current.grounded.count++ === 0) current.grounded.line = line;
    } else if (v.type === "error" && v.severity === "error") {
      current.fatal ??= str(v.message) ?? "error";
    } else if (v.type === "result") {
      current.result = true;
      const call = current.call;
      call.ended_at = ts;
      const failed = v.status === "error";
      call.status = failed ? "error" : "ok";
      call.error = failed
        ? (isObj(v.error) ? str(v.error.message) ?? str(v.error.type) : str(v.error)) ??
          "session ended with status error"
        : null;
      const stats = isObj(v.stats) ? v.stats : {};
      const durationMs = count(stats.duration_ms);
      call.duration_s = durationMs !== null && durationMs > 0
        ? durationMs / 1000
        : secondsBetween(call.started_at, ts);
      setTokens(call, stats);
      // later versions (0.3x) give each model's share (`stats.models`): the models the requests
      // named (`auto-gemini-3` in init is a setting: a router model and the one it picked)
      const models = isObj(stats.models)
        ? Object.entries(stats.models).filter((e): e is [string, Obj] => isObj(e[1]))
        : [];
      if (models.length > 0) {
        const several = models.length > 1;
        const cached = count(stats.cached);
        records.calls.splice(records.calls.indexOf(call), 1);
        const perModel = models.map(([model, m], i) => {
          const c: ImportedCall = { ...call, line: i === 0 ? call.line : line, model };
          c.served_model = model;
          setTokens(c, m);
          // a model's share without its cache reads (0.45's stats.models): one model's are the
          // session's; several models' cannot be split (said once, below)
          if (!several && c.cache_read_tokens === null) c.cache_read_tokens = cached;
          if (several) {
            // the session's duration is all models' requests: no one model's latency
            c.duration_s = null;
            c.ended_at = null;
            c.status = "ok";
            c.error = null;
          }
          return c;
        });
        records.calls.push(...perModel);
        if (several && cached !== null && cached > 0 && models.every(([, m]) => !("cached" in m))) {
          diagnostics.push({
            file,
            line,
            code: "cache_not_split",
            message:
              `the session's stats count ${cached} cached input tokens that its models' stats do not split: the calls have no cache reads (their cost counts those tokens as uncached)`,
            severity: "warning",
          });
        }
        current.call = perModel[0]!;
        current.calls = perModel;
        if (several && failed) {
          // which model's request failed is not said (a turn limit fails none): the run's error
          // is a call of its own, as gemini_cli_json reads a run with no main model
          const fields = { provider: "google", error: call.error!, started_at: call.started_at };
          records.calls.push(errorCall(file, line, current.id, fields, options.keepText));
        }
      }
    }
  }
  // lines after the last session's result (or in a file with no init)
  const last = sessions.at(-1);
  for (const w of waiting) lineEvent(last?.id ?? file, w.line, w.v, w.ts);
  for (const s of sessions) {
    // the answer is one model's when one answered (of none when several did: the router's
    // choice is not said)
    const output = s.output.length && (s.calls?.length ?? 1) === 1 ? s.output.join("") : null;
    s.call.output_chars = output === null ? null : countChars(output);
    if (options.keepText) {
      for (const c of s.calls ?? [s.call]) {
        c.messages = null;
        c.output = c === s.call ? output : null;
      }
    }
    const thinking = (s.calls ?? [s.call]).reduce((a, c) => a + (c.reasoning_tokens ?? 0), 0);
    if (s.grounded.count > 0 && thinking > 0) {
      diagnostics.push({
        file,
        line: s.grounded.line,
        code: "tool_prompt_not_split",
        message: `the session used a web search or fetch ${s.grounded.count} time${
          s.grounded.count > 1 ? "s" : ""
        }, whose request's tool-use prompt the stats give only inside total_tokens, with the thinking: its ${thinking} reasoning tokens may hold that prompt, which is input`,
        severity: "warning",
      });
    }
    if (!s.result) {
      if (s.fatal !== null) {
        s.call.status = "error";
        s.call.error = s.fatal;
      }
      records.sessions!.push({ session_id: s.id, complete: false });
    }
  }
  return records;
}

/**
 * A session's (or one model's) stats onto its call: `input_tokens` (the prompt, cache
 * included; else `input` + `cached`), `output_tokens`, `cached`, `total_tokens`. The stats
 * give the thinking only inside the total (Gemini's `totalTokenCount` counts the prompt, the
 * candidates and the thoughts): what the total holds beyond the prompt and the candidates is
 * the reasoning, and part of the output, as thinking is billed (and as the chat recordings'
 * `thoughts` are counted).
 */
function setTokens(call: ImportedCall, stats: Obj): void {
  call.input_tokens = count(stats.input_tokens) ??
    (count(stats.input) !== null ? count(stats.input)! + (count(stats.cached) ?? 0) : null);
  call.output_tokens = count(stats.output_tokens);
  call.cache_read_tokens = count(stats.cached);
  call.total_tokens = count(stats.total_tokens);
  const thinking = unnamedThinking(call.total_tokens, call.input_tokens, call.output_tokens);
  // set either way: a model's call starts as a copy of the session's, whose thinking is all models'
  call.reasoning_tokens = thinking > 0 ? thinking : null;
  if (thinking > 0) call.output_tokens = call.output_tokens! + thinking;
}

// --- chat recording -------------------------------------------------------------------

const isChatHeader = (v: unknown): v is Obj =>
  isObj(v) && typeof v.sessionId === "string" && typeof v.projectHash === "string";

function detectChat(s: FormatSample): boolean {
  if (s.array) return false;
  if (s.values.length === 0) return s.keys.includes("sessionId") && s.keys.includes("projectHash");
  return isChatHeader(s.values[0]);
}

/**
 * Parse a Gemini CLI chat recording (the JSON document or the JSON Lines file).
 *
 * @example
 * ```ts
 * import { parseGeminiChatText } from "./gemini_cli.ts";
 * const doc = {
 *   sessionId: "c1", projectHash: "ab", startTime: "2026-01-01T00:00:00Z", lastUpdated: "2026-01-01T00:01:00Z",
 *   messages: [
 *     { id: "m1", timestamp: "2026-01-01T00:00:01Z", type: "user", content: "hi" },
 *     { id: "m2", timestamp: "2026-01-01T00:00:04Z", type: "gemini", content: "Hello", model: "gemini-2.5-pro",
 *       tokens: { input: 500, output: 20, cached: 300, thoughts: 30, tool: 0, total: 550 } },
 *   ],
 * };
 * const r = parseGeminiChatText(JSON.stringify(doc, null, 2), "session.json");
 * if (r.calls.length !== 1 || r.calls[0]!.output_tokens !== 50 || r.calls[0]!.reasoning_tokens !== 30) throw new Error();
 * ```
 */
export function parseGeminiChatText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonValues(text, file);
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics, sessions: [] };
  const header = values.find((v) => isChatHeader(v.value));
  const head = (header?.value ?? {}) as Obj;
  const session = str(head.sessionId) ?? file;
  const meta: Obj = { ...head }; // with the `$set` updates of a JSON Lines file
  // messages by id: the last version of each, at the line it first appeared
  const messages = new Map<string, { line: number; m: Obj }>();
  const anonymous: { line: number; m: Obj }[] = [];
  const add = (line: number, m: Obj) => {
    const id = str(m.id);
    if (id === null) anonymous.push({ line, m });
    else messages.set(id, { line: messages.get(id)?.line ?? line, m });
  };
  if (Array.isArray(head.messages) && values.length === 1) {
    const { lineAt, offsetOf } = textLines(text);
    // a message starts at its "id" (searched from the previous message on)
    let pos = offsetOf(header!.line);
    for (const m of head.messages) {
      if (!isObj(m)) continue;
      const at = str(m.id) ? text.indexOf(JSON.stringify(str(m.id)), pos) : -1;
      if (at >= 0) pos = at;
      const line = lineAt(pos);
      add(line, m);
    }
  } else {
    for (const { line, value: v } of values) {
      if (!isObj(v)) {
        diagnostics.push(notAnObject(file, line, "a chat record line"));
      } else if (isChatHeader(v) || "$set" in v || "$rewindTo" in v) {
        if (isObj(v.$set)) Object.assign(meta, v.$set);
        records.events.push({
          file,
          line,
          type: `gemini_cli.${"$set" in v ? "set" : "$rewindTo" in v ? "rewind" : "session"}`,
          ts: time(v.startTime, line),
          end: null,
          session_id: session,
          request_id: null,
          payload: compactPayload(v),
        });
      } else add(line, v);
    }
  }
  const all = [...messages.values(), ...anonymous].sort((a, b) => a.line - b.line);
  if (header && Array.isArray(head.messages) && values.length === 1) {
    records.events.push({
      file,
      line: header.line,
      type: "gemini_cli.session",
      ts: time(head.startTime, header.line),
      end: time(head.lastUpdated, header.line),
      session_id: session,
      request_id: null,
      payload: compactPayload({ ...head, messages: `${head.messages.length} messages` }),
    });
  }
  // the timestamp of the turn (user or gemini message) before the current message: when the next
  // request was sent, within a few ms (the prompt, or the tool results it sends)
  let before: number | null = null;
  for (const { line, m } of all) {
    const type = str(m.type) ?? "unknown";
    const ts = time(m.timestamp, line);
    const previous = before;
    if (type === "user" || type === "gemini") before = ts;
    records.events.push({
      file,
      line,
      type: `gemini_cli.${type}`,
      ts,
      end: null,
      session_id: session,
      request_id: str(m.id),
      payload: compactPayload(m),
    });
    const textOf = contentText(m.content);
    if (type === "error" && textOf !== null && /API Error/i.test(textOf)) {
      const fields = { request_id: str(m.id), provider: "google", started_at: ts, error: textOf };
      records.calls.push(errorCall(file, line, session, fields, options.keepText));
      continue;
    }
    if (type !== "gemini" || !isObj(m.tokens)) continue;
    const t = m.tokens;
    const call = blankCall(file, line, session);
    call.request_id = str(m.id);
    call.model = str(m.model) ?? "unknown";
    call.served_model = str(m.model);
    call.provider = "google";
    // a gemini message is stamped when its answer ended, or, with tool calls, when they finished
    // (up to 0.1x; later versions stamp it at the answer's end there too): the request started at
    // the message before it; it ended at its own timestamp when it called no tool
    call.started_at = previous;
    if (!Array.isArray(m.toolCalls) || m.toolCalls.length === 0) {
      call.ended_at = ts;
      call.duration_s = secondsBetween(previous, ts);
    }
    const thoughts = count(t.thoughts);
    call.input_tokens = geminiInputTokens(count(t.input), count(t.tool));
    call.cache_read_tokens = count(t.cached);
    call.output_tokens = count(t.output) === null ? null : count(t.output)! + (thoughts ?? 0);
    call.reasoning_tokens = thoughts;
    call.total_tokens = count(t.total);
    call.output_chars = textOf === null ? null : countChars(textOf);
    if (options.keepText) {
      call.messages = null;
      call.output = textOf;
    }
    records.calls.push(call);
  }
  const start = time(meta.startTime, header?.line ?? 1),
    end = time(meta.lastUpdated, header?.line ?? 1);
  // a recording that ends on the user's message was never answered (a request that failed is not
  // recorded, nor a process stopped meanwhile): the session is unfinished. So is one that ends on
  // Gemini's tool calls that ran: their results were sent and not answered (up to 0.3x the results
  // are in the tool calls; 0.45 writes them as a user message). Cancelled ones were not sent.
  const turns = all.filter(({ m }) => m.type === "user" || m.type === "gemini");
  const last = turns.at(-1)?.m;
  const sentToolResults = Array.isArray(last?.toolCalls) &&
    last.toolCalls.some((c) => isObj(c) && c.status !== "cancelled");
  const waiting = last?.type === "user" || (last?.type === "gemini" && sentToolResults);
  if (start !== null || end !== null || waiting) {
    records.sessions!.push({
      session_id: session,
      started_at: start,
      ended_at: end,
      ...(waiting ? { complete: false } : {}),
    });
  }
  return records;
}

/** Gemini CLI `--output-format stream-json` output. */
export const geminiCliStream: FormatAdapter = {
  name: "gemini_cli_stream",
  title: "Gemini CLI stream-json output",
  reads:
    "one call per session (init … result: its stats are the session's tokens, duration_ms or init→result its latency), or per model of stats.models when given; result status error → error; no result → pending, session unfinished",
  example: '{"type": "init", "timestamp": "…", "session_id": "…", "model": "gemini-2.5-pro"}',
  detect: detectStream,
  parse: (source, file, options) => parseGeminiStreamText(source.text(), file, options),
};

/** Gemini CLI chat recordings (`session-*.json` / `.jsonl`). */
export const geminiCliChat: FormatAdapter = {
  name: "gemini_cli_chat",
  title: "Gemini CLI chat recording",
  reads:
    "one call per gemini message with tokens (output includes thoughts), started at the message before it, ended at its own timestamp when it called no tool (else no latency); an error message reporting an API Error is a failed call; session = sessionId",
  example:
    '{"sessionId": "…", "projectHash": "…", "messages": [{"type": "gemini", "model": "…", "tokens": {"input": …, "output": …}}]}',
  detect: detectChat,
  parse: (source, file, options) => parseGeminiChatText(source.text(), file, options),
};
