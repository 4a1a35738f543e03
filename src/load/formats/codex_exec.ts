/**
 * OpenAI Codex CLI `codex exec --json` output (what users save with
 * `codex exec --json … > run.jsonl`) → imported records. Not the rollout files
 * of `~/.codex/sessions/` (the `codex` adapter reads those).
 *
 * **Thread events** (codex-rs `exec/src/exec_events.rs`, since Codex 0.44,
 * openai/codex#4525): one JSON object per line, `thread.started`
 * (`thread_id`), `turn.started`, `item.started` / `item.updated` /
 * `item.completed` (`item: {id, type: agent_message | reasoning |
 * command_execution | file_change | mcp_tool_call | web_search | todo_list |
 * error, …}`; the first versions wrote `item_type` and `assistant_message`),
 * `turn.completed` (`usage: {input_tokens, cached_input_tokens,
 * output_tokens}`, later also `reasoning_output_tokens`), `turn.failed`
 * (`error: {message}`) and `error` (`message`). No timestamps, no model name.
 * The experimental output before it (`--experimental-json`, 0.41 to 0.43,
 * openai/codex#4177 and #4250) opened with `session.created` (`session_id`)
 * instead of `thread.started`: read the same way.
 * - The model calls of a turn are not delimited and the usage is given per
 *   turn only, so each turn is **one call standing for its model calls** (as
 *   `gemini_cli_stream` does per session): `input_tokens` includes
 *   `cached_input_tokens` (→ `cache_read_tokens`) and `output_tokens` includes
 *   `reasoning_output_tokens` (→ `reasoning_tokens`), as OpenAI counts them.
 * - `turn.completed.usage` is the thread's running total (the exec mapper
 *   prints the last `ThreadTokenUsage.total`), so when one file holds several
 *   turns of one thread (`codex exec resume --json` appended), a turn's tokens
 *   are the difference from the previous total of that thread whenever no count
 *   went down (else the total as written): a thread's tokens are never counted
 *   twice.
 * - `turn.failed` makes the turn's call an error (its `error.message`). An
 *   `error` line inside a turn that later completes or fails is an event only
 *   (a retried stream error); in a turn that never ends it makes the call an
 *   error; outside any turn it is an error call of its own. A turn started and
 *   never ended is pending and leaves the session unfinished. `item.*` lines
 *   (including `error` items, which are warnings) are events.
 * - Session = `thread_id` (the file before any `thread.started`); model
 *   `unknown` (the output names none); no time, so no latency.
 *
 * **The older `--json`** (Codex 0.7 to 0.43, openai/codex#1603): a config
 * summary object, a `{prompt}` line, then the protocol's events `{id, msg:
 * {type, …}}` (`session_configured`, `task_started`, `token_count`, `error`,
 * `stream_error`, `task_complete`, …), the same events a rollout holds in
 * `event_msg` lines: they are read by the `codex` adapter's rules (a call per
 * `token_count` whose total changed, or per flat older count; `error` and
 * `stream_error` are error calls; session and model from
 * `session_configured`, else the model of the config summary). The first
 * printer wrote every event; by Codex 0.20 it stops on `task_complete`
 * without printing it, so an output with no `task_complete` says nothing of a
 * turn's end: no session of it is unfinished.
 *
 * @module
 */
import { countChars } from "../_event.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { blankCall, notAnObject } from "./_agent_logs.ts";
import { parseJsonRecords } from "./_json_values.ts";
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import { compactPayload, isObj, type Obj, str } from "./_util.ts";
import { codexUsage, parseCodexText } from "./codex.ts";

/** Event types of the thread-event output. */
const THREAD_TYPES = new Set([
  "thread.started",
  "thread.resumed",
  "turn.started",
  "turn.completed",
  "turn.failed",
  "item.started",
  "item.updated",
  "item.completed",
  "item.added",
  // plan mode's streamed plan text and the request_user_input tool's questions (exec_events.rs
  // of early 2026: ThreadEvent::PlanDelta, ThreadEvent::RequestUserInput)
  "item.plan.delta",
  "request_user_input",
  "session.created",
  "session.resumed",
  "error",
]);

/** A line only the thread-event output writes (not a native line, which has `session_id` and `timestamp`). */
function isThreadLine(v: unknown): boolean {
  if (!isObj(v) || typeof v.type !== "string" || "timestamp" in v) return false;
  // the first experimental shape (Codex 0.41-0.43, `--experimental-json`) opened with session.created
  if (v.type === "session.created" || v.type === "session.resumed") {
    return typeof v.session_id === "string" && Object.keys(v).length === 2;
  }
  if ("session_id" in v) return false;
  if (v.type === "thread.started") return typeof v.thread_id === "string";
  if (v.type === "turn.completed") return isObj(v.usage);
  if (v.type === "turn.failed") return isObj(v.error);
  if (v.type.startsWith("item.")) return isObj(v.item) && "id" in v.item;
  return false;
}

/** A line of the older `--json`: `{id, msg: {type, …}}`. */
const isLegacyLine = (v: unknown) =>
  isObj(v) && typeof v.id === "string" && isObj(v.msg) && typeof v.msg.type === "string" &&
  Object.keys(v).length === 2;

function detect(s: FormatSample): boolean {
  if (s.array || s.values.length === 0) return false;
  const lines = s.values.slice(0, 20);
  if (lines.some(isThreadLine)) {
    // every line is a thread event (later versions may add types: tolerated, not a majority)
    const known = lines.filter((v) => isObj(v) && THREAD_TYPES.has(v.type as string)).length;
    return known >= 0.8 * lines.length;
  }
  return lines.some(isLegacyLine);
}

type Usage = ReturnType<typeof codexUsage>;

/** `u` less the thread's previous total `p` when no count went down; else `u` as written. */
function turnUsage(u: Usage, p: Usage | undefined): Usage {
  if (p === undefined) return u;
  const keys = Object.keys(u) as (keyof Usage)[];
  const grew = keys.every((k) => u[k] === null || p[k] === null || u[k]! >= p[k]!);
  if (!grew) return u;
  const out = { ...u };
  for (const k of keys) if (u[k] !== null && p[k] !== null) out[k] = u[k]! - p[k]!;
  return out;
}

/**
 * Parse the text of a `codex exec --json` output.
 *
 * @example
 * ```ts
 * import { parseCodexExecText } from "./codex_exec.ts";
 * const lines = [
 *   { type: "thread.started", thread_id: "t1" },
 *   { type: "turn.started" },
 *   { type: "item.completed", item: { id: "item_0", type: "agent_message", text: "4" } },
 *   { type: "turn.completed", usage: { input_tokens: 2946, cached_input_tokens: 2048, output_tokens: 7 } },
 * ];
 * const r = parseCodexExecText(lines.map((l) => JSON.stringify(l)).join("\n"), "run.jsonl");
 * const c = r.calls[0]!;
 * if (r.calls.length !== 1 || c.session_id !== "t1" || c.cache_read_tokens !== 2048 || c.total_tokens !== 2953) throw new Error();
 * if (c.status !== "ok" || c.output_chars !== 1 || r.events.length !== 4) throw new Error();
 * ```
 */
export function parseCodexExecText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonRecords(text, file);
  if (!values.some((v) => isThreadLine(v.value)) && values.some((v) => isLegacyLine(v.value))) {
    return parseLegacy(text, file, options);
  }
  const records: ImportedRecords = { calls: [], events: [], diagnostics, sessions: [] };
  let session = file;
  const totals = new Map<string, Usage>(); // each thread's last usage total
  const unfinished = new Set<string>();
  let turn: { call: ImportedCall; texts: string[]; fatal: string | null } | null = null;
  const newCall = (line: number) => {
    const call = blankCall(file, line, session);
    if (options.keepText) call.messages = call.output = null;
    records.calls.push(call);
    return call;
  };
  /** The turn's outcome: its text, and its tokens from a usage (the thread's running total). */
  const close = (usage: unknown) => {
    const { call, texts } = turn!;
    const output = texts.length ? texts.join("\n") : null;
    call.output_chars = output === null ? null : countChars(output);
    if (options.keepText) call.output = output;
    if (isObj(usage)) {
      const total = codexUsage(usage);
      const u = turnUsage(total, totals.get(call.session_id));
      totals.set(call.session_id, total);
      call.input_tokens = u.input;
      call.cache_read_tokens = u.cached;
      call.output_tokens = u.output;
      call.reasoning_tokens = u.reasoning;
      call.cache_write_tokens = u.cacheWrite;
      call.total_tokens = u.input !== null && u.output !== null ? u.input + u.output : null;
    }
    turn = null;
  };
  /** A turn that never ended: pending (an error when an `error` line came in it), its session unfinished. */
  const abandon = () => {
    const { call, fatal } = turn!;
    if (fatal !== null) {
      call.status = "error";
      call.error = fatal;
    }
    unfinished.add(call.session_id);
    close(undefined);
  };
  for (const { line, value: v } of values) {
    if (!isObj(v)) {
      diagnostics.push(notAnObject(file, line, "a codex exec --json line"));
      continue;
    }
    const type = str(v.type) ?? "unknown";
    const item: Obj | null = isObj(v.item) ? v.item : null;
    const itemType = item ? str(item.type) ?? str(item.item_type) : null;
    if (type === "thread.started" || type === "thread.resumed") {
      session = str(v.thread_id) ?? session;
    } else if (type === "session.created" || type === "session.resumed") {
      session = str(v.session_id) ?? session;
    }
    records.events.push({
      file,
      line,
      type: `codex_exec.${type}${itemType ? `.${itemType}` : ""}`,
      ts: null,
      end: null,
      session_id: session,
      request_id: item ? str(item.id) : null,
      payload: compactPayload(v),
    });
    if (type === "turn.started") {
      if (turn !== null) abandon(); // a turn that never ended
      const call = newCall(line);
      call.status = "pending";
      turn = { call, texts: [], fatal: null };
    } else if (
      type === "item.completed" &&
      (itemType === "agent_message" || itemType === "assistant_message") && turn !== null
    ) {
      const t = str(item!.text);
      if (t !== null) turn.texts.push(t);
    } else if (type === "turn.completed" || type === "turn.failed") {
      // a turn whose start was not saved still counts
      turn ??= { call: newCall(line), texts: [], fatal: null };
      const call = turn.call;
      call.status = type === "turn.completed" ? "ok" : "error";
      if (type === "turn.failed") {
        call.error = (isObj(v.error) ? str(v.error.message) : str(v.error)) ?? turn.fatal ??
          "turn failed";
      }
      close(v.usage);
    } else if (type === "error") {
      const message = str(v.message) ?? "Codex error";
      if (turn !== null) turn.fatal ??= message;
      else {
        const call = newCall(line);
        call.status = "error";
        call.error = message;
      }
    }
  }
  if (turn !== null) abandon();
  for (const id of unfinished) records.sessions!.push({ session_id: id, complete: false });
  return records;
}

/**
 * The older `--json` output, read as the rollout's `event_msg` lines it
 * matches, line for line (so lines and problems keep their numbers).
 */
function parseLegacy(text: string, file: string, options: ParseOptions): ImportedRecords {
  const lines = text.split("\n").map((raw) => {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      return raw; // the codex parser reports it
    }
    if (!isObj(v)) return raw;
    if (isLegacyLine(v)) {
      const msg = v.msg as Obj;
      if (msg.type === "session_configured") {
        return JSON.stringify({
          type: "session_meta",
          payload: { ...msg, id: msg.session_id, model: msg.model },
        });
      }
      return JSON.stringify({ type: "event_msg", payload: { ...msg, turn_id: v.id } });
    }
    // the config summary (`{model, provider, sandbox, …}`) and the `{prompt}` line
    return JSON.stringify(
      typeof v.model === "string"
        ? { type: "turn_context", payload: { ...v, type: "config_summary" } }
        : { type: "event_msg", payload: { ...v, type: "prompt" in v ? "prompt" : "unknown" } },
    );
  });
  const records = parseCodexText(lines.join("\n"), file, options);
  // the exec printer of Codex 0.20 and 0.36 (at least) stops on task_complete without printing
  // it: an output with none says nothing of a turn's end, so no session is known to be unfinished
  if (!records.events.some((e) => e.type === "codex.event_msg.task_complete")) {
    records.sessions = [];
  }
  return records;
}

/** OpenAI Codex CLI `codex exec --json` output. */
export const codexExec: FormatAdapter = {
  name: "codex_exec",
  title: "OpenAI Codex CLI exec --json output",
  reads:
    "one call per turn standing for its model calls (turn.completed usage, the thread's running total made per turn; cached input and reasoning kept apart); turn.failed → error; a turn never ended → pending; session = thread_id; no model, no time. The older {id, msg} output is read as rollout events",
  example:
    '{"type": "turn.completed", "usage": {"input_tokens": 2946, "cached_input_tokens": 2048, "output_tokens": 7}}',
  detect,
  parse: (source, file, options) => parseCodexExecText(source.text(), file, options),
};
