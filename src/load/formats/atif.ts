/**
 * ATIF trajectories (Agent Trajectory Interchange Format of Harbor /
 * terminal-bench, `schema_version` `ATIF-v1.x`) → imported records.
 *
 * `{schema_version, session_id, agent: {name, version, model_name? | model?:
 * {provider, name}}, steps: [{step_id, timestamp?, source: system | user |
 * agent, message, model_name?, reasoning_content?, tool_calls?, observation?,
 * metrics?: {prompt_tokens, completion_tokens, cached_tokens, cost_usd,
 * extra?: {duration_ms, reasoning_tokens, cache_creation_input_tokens, …}}}],
 * final_metrics?, notes?, extra?}`; one document, several documents one after
 * the other (JSON Lines) or a JSON array of them.
 * - A model call is a step with `source: "agent"` (one LLM inference and its
 *   actions), except a step marked `is_copied_context` (copied from an earlier
 *   trajectory) or with `llm_call_count: 0` (no model was called). Model: the step's `model_name`, else the agent's `model_name`
 *   (or `model.name`), else `unknown`; provider `agent.model.provider`.
 * - Tokens (ATIF's definitions): `prompt_tokens` includes `cached_tokens`
 *   (→ `input_tokens`, `cache_read_tokens`; cache writes from
 *   `extra.cache_creation_input_tokens`, inside the prompt as Harbor writes Claude Code's,
 *   or `extra.cache_write_tokens`, outside it as Harbor writes OpenCode's, so added to the input), `completion_tokens` includes
 *   reasoning (→ `output_tokens`; `reasoning_tokens` from `extra.reasoning_tokens`, or
 *   `extra.thoughts_tokens` as Harbor writes Gemini CLI's thinking,
 *   `extra.reasoning_output_tokens` as it writes Codex's, or
 *   `extra.completion_tokens_details.reasoning_tokens` as it writes mini-swe-agent's, when given).
 * - Latency: `metrics.extra.duration_ms` when present (VS Code Copilot Chat's
 *   trajectories write `metrics.duration_ms`, and `metrics.time_to_first_token_ms`
 *   → `ttft_s`); `started_at` the step's `timestamp`. ATIF has no error status per
 *   step: every call is ok.
 * - A step with no `source` whose `message` is an object `{role, content,
 *   timestamp}` (trajectories written by other tools than Harbor) takes its
 *   source from the role (`assistant` is `agent`), its time and text from the
 *   message.
 * - Session: `session_id`, else the file name. Every step is an event
 *   `atif.<source>`, and the trajectory itself one `atif.trajectory`.
 *
 * @module
 */
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { countChars } from "../_event.ts";
import { blankCall, claudeCodeTotals, textLines, timeReader } from "./_agent_logs.ts";
import { parseJsonValues } from "./_json_values.ts";
import type { ImportedRecords } from "./_records.ts";
import { at as atPath, compactPayload, count, isObj, num, type Obj, str } from "./_util.ts";

const isTrajectory = (v: unknown): v is Obj =>
  isObj(v) && Array.isArray(v.steps) &&
  (/^ATIF/i.test(String(v.schema_version ?? "")) || (isObj(v.agent) && "session_id" in v));

function detect(s: FormatSample): boolean {
  if (s.values.length === 0) {
    return s.keys.includes("schema_version") && /"schema_version"\s*:\s*"ATIF/i.test(s.head);
  }
  return isTrajectory(s.values[0]);
}

/** The agent's default model and provider. */
function agentModel(agent: unknown): { model: string | null; provider: string | null } {
  if (!isObj(agent)) return { model: null, provider: null };
  const m = agent.model;
  return {
    model: str(agent.model_name) ?? (isObj(m) ? str(m.name) ?? str(m.model_name) : str(m)),
    provider: isObj(m) ? str(m.provider) : str(agent.provider),
  };
}

/**
 * Parse the text of an ATIF trajectory file.
 *
 * @example
 * ```ts
 * import { parseAtifText } from "./atif.ts";
 * const doc = {
 *   schema_version: "ATIF-v1.4", session_id: "t1", agent: { name: "a", version: "1", model_name: "gpt-5" },
 *   steps: [
 *     { step_id: 1, source: "user", message: "do it" },
 *     { step_id: 2, source: "agent", message: "done", metrics: { prompt_tokens: 100, completion_tokens: 9, cached_tokens: 40, extra: { duration_ms: 1500 } } },
 *   ],
 * };
 * const r = parseAtifText(JSON.stringify(doc, null, 2), "trajectory.json");
 * const c = r.calls[0]!;
 * if (r.calls.length !== 1 || c.model !== "gpt-5" || c.duration_s !== 1.5 || c.cache_read_tokens !== 40) throw new Error();
 * ```
 */
export function parseAtifText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const parsed = parseJsonValues(text, file);
  const diagnostics = parsed.diagnostics;
  const time = timeReader(file, diagnostics, options.timezone);
  const records: ImportedRecords = { calls: [], events: [], diagnostics };
  const { lineAt, offsetOf } = textLines(text);
  // a JSON array of trajectories counts as its elements (all starting on the array's line)
  const values = parsed.values.flatMap((v) =>
    Array.isArray(v.value) ? v.value.map((value) => ({ line: v.line, value })) : [v]
  );
  const several = values.length > 1;
  const statedCost = new Map<string, { total?: number; steps?: number }>();
  for (const [index, { line, value: t }] of values.entries()) {
    if (!isTrajectory(t)) {
      diagnostics.push({
        file,
        line,
        code: "not_a_trajectory",
        message: 'value is not an ATIF trajectory (an object with "schema_version" and "steps")',
        severity: "error",
      });
      continue;
    }
    const session = str(t.session_id) ?? (several ? `${file}#${index + 1}` : file);
    readTrajectory(t, line, session, { model: null, provider: null }, offsetOf(line));
    const total = isObj(t.final_metrics) ? num(t.final_metrics.total_cost_usd) : null;
    if (total !== null) statedCost.set(session, { total, steps: statedCost.get(session)?.steps });
  }
  // what the writer says a session cost (its price, not tracebook's), as Claude Code's readers
  // keep theirs: the trajectory's final_metrics.total_cost_usd, else its agent steps' cost_usd
  records.sessions = [...statedCost].map(([session_id, c]) => ({
    session_id,
    // the steps' sum rounded to 10^-12 USD, as calls' costs are (0.0021 + 0.0018, not 0.0039000…1)
    metadata: claudeCodeTotals({
      costUsd: c.total ?? (c.steps === undefined ? null : Math.round(c.steps * 1e12) / 1e12),
      apiMs: null,
    }),
  }));
  return records;

  /**
   * One trajectory's events and calls, then those of the sub-agent trajectories embedded in it
   * (`subagent_trajectories`, ATIF v1.7: each a whole trajectory, in the parent's session unless
   * it names its own, with the parent's model unless its agent names one); returns where its text
   * ends, for the next steps' lines.
   */
  function readTrajectory(
    t: Obj,
    line: number,
    session: string,
    parent: { model: string | null; provider: string | null },
    start: number,
  ): number {
    const own = agentModel(t.agent);
    const agent = { model: own.model ?? parent.model, provider: own.provider ?? parent.provider };
    records.events.push({
      file,
      line,
      type: "atif.trajectory",
      ts: null,
      end: null,
      session_id: session,
      request_id: null,
      payload: compactPayload({
        schema_version: t.schema_version ?? null,
        agent: t.agent ?? null,
        final_metrics: t.final_metrics ?? null,
        notes: t.notes ?? null,
        steps: (t.steps as unknown[]).length,
        trajectory_id: t.trajectory_id ?? null,
      }),
    });
    let pos = start;
    for (const step of t.steps as unknown[]) {
      if (!isObj(step)) continue;
      // a step starts (nearly) at its "step_id", searched from the previous step on
      const at = "step_id" in step ? text.indexOf('"step_id"', pos) : -1;
      const stepLine = lineAt(at >= 0 ? at : pos);
      if (at >= 0) pos = at + 1;
      // a step that names no source takes it from its message's role (a message written as
      // {role, content, timestamp}, as some trajectory writers do), "assistant" read as "agent"
      const said = isObj(step.message) ? step.message : null;
      const role = said && str(said.role);
      const source = str(step.source) ?? (role === "assistant" ? "agent" : role) ?? "unknown";
      const ts = time(step.timestamp ?? said?.timestamp, stepLine);
      const stepId = step.step_id === undefined || step.step_id === null
        ? null
        : String(step.step_id);
      records.events.push({
        file,
        line: stepLine,
        type: `atif.${source}`,
        ts,
        end: null,
        session_id: session,
        request_id: stepId,
        payload: compactPayload(step),
      });
      if (source !== "agent" || step.is_copied_context === true || step.llm_call_count === 0) {
        continue;
      }
      const call = blankCall(file, stepLine, session);
      call.request_id = stepId;
      call.model = str(step.model_name) ?? agent.model ?? "unknown";
      call.provider = agent.provider;
      call.started_at = ts;
      const m = isObj(step.metrics) ? step.metrics : {};
      const extra = isObj(m.extra) ? m.extra : {};
      // the RFC puts the duration in metrics.extra; VS Code Copilot Chat's trajectories put it, and
      // the time to first token, in metrics itself
      const durationMs = num(extra.duration_ms) ?? num(m.duration_ms);
      if (durationMs !== null && durationMs >= 0) {
        call.duration_s = durationMs / 1000;
        if (ts !== null) call.ended_at = ts + Math.round(durationMs * 1000);
      }
      const ttftMs = num(m.time_to_first_token_ms) ?? num(extra.time_to_first_token_ms);
      if (ttftMs !== null && ttftMs >= 0) call.ttft_s = ttftMs / 1000;
      call.input_tokens = count(m.prompt_tokens);
      call.output_tokens = count(m.completion_tokens);
      call.cache_read_tokens = count(m.cached_tokens);
      // Harbor's Gemini CLI trajectories name them thoughts_tokens, its Codex trajectories
      // reasoning_output_tokens (Codex's name), its mini-swe-agent trajectories keep the
      // response's usage details (OpenAI's completion_tokens_details); inside completion_tokens
      call.reasoning_tokens = count(extra.reasoning_tokens) ?? count(extra.thoughts_tokens) ??
        count(extra.reasoning_output_tokens) ??
        count(atPath(extra, "completion_tokens_details.reasoning_tokens"));
      call.cache_write_tokens = count(extra.cache_creation_input_tokens);
      // Harbor's OpenCode trajectories: OpenCode's own counts, whose input leaves out the cache
      // reads and writes; Harbor adds the reads back into prompt_tokens but not the writes (in
      // extra.cache_write_tokens), so they are added here: the input counts every input token
      const opencodeWrites = count(extra.cache_write_tokens);
      if (call.cache_write_tokens === null && opencodeWrites !== null) {
        call.cache_write_tokens = opencodeWrites;
        if (call.input_tokens !== null) call.input_tokens += opencodeWrites;
      }
      call.total_tokens = call.input_tokens !== null && call.output_tokens !== null
        ? call.input_tokens + call.output_tokens
        : null;
      const stepCost = num(m.cost_usd);
      if (stepCost !== null) {
        const c = statedCost.get(session) ?? {};
        statedCost.set(session, { ...c, steps: (c.steps ?? 0) + stepCost });
      }
      const message = typeof step.message === "string"
        ? step.message
        : typeof said?.content === "string"
        ? said.content
        : null;
      call.output_chars = message === null ? null : countChars(message);
      if (options.keepText) {
        call.messages = null;
        call.output = message;
      }
      records.calls.push(call);
    }
    for (const sub of Array.isArray(t.subagent_trajectories) ? t.subagent_trajectories : []) {
      if (!isObj(sub) || !Array.isArray(sub.steps)) continue;
      // the sub-agent's steps follow the parent's in the text
      const at = text.indexOf('"steps"', pos);
      const subLine = lineAt(at >= 0 ? at : pos);
      pos = readTrajectory(sub, subLine, str(sub.session_id) ?? session, agent, at >= 0 ? at : pos);
    }
    return pos;
  }
}

/** ATIF trajectories (Harbor / terminal-bench). */
export const atif: FormatAdapter = {
  name: "atif",
  title: "ATIF agent trajectory",
  reads:
    "one call per agent step (model_name, else the agent's; metrics tokens with cached inside prompt; latency metrics.extra.duration_ms); session = session_id, else the file",
  example:
    '{"schema_version": "ATIF-v1.6", "session_id": "…", "agent": {"name": "…", "model_name": "…"}, "steps": [{"source": "agent", …}]}',
  detect,
  parse: (source, file, options) => parseAtifText(source.text(), file, options),
};
