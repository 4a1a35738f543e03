/**
 * Gemini CLI `gemini -p … --output-format json` output → imported records.
 *
 * One JSON object per run (`JsonFormatter` of gemini-cli): `{session_id?,
 * response, stats: {models: {<model>: {api: {totalRequests, totalErrors,
 * totalLatencyMs}, tokens: {input?, prompt, candidates, total, cached,
 * thoughts, tool}, roles?}}, tools, files}, error?: {type, message, code}}`
 * (`session_id` since ~0.2x; `tokens.input` and `roles` in later versions).
 * Several outputs appended to one file are several runs. The file `gemini
 * --session-summary FILE` writes, `{sessionMetrics}`, holds the same metrics as
 * `stats` (and no session id, response or error): it is read the same way.
 * - Gemini CLI gives a model's requests only as sums (uiTelemetry: every API
 *   response and every API error adds one request, its latency and, for a
 *   response, its tokens), so each model of a run is **one call standing for
 *   its `totalRequests` requests**, as `gemini_cli_stream` makes one call of a
 *   session. The frames have one row per call and no weight, so the request
 *   and error counts are kept in a `gemini_cli.model_stats` event per model
 *   (`requests`, `errors`, `latency_ms`); `calls` counts model-runs.
 * - Tokens: `input_tokens` = `prompt` (the prompt token count, cache
 *   included: uiTelemetry sets `input` = `prompt` − `cached`),
 *   `cache_read_tokens` = `cached`, `output_tokens` = `candidates` +
 *   `thoughts` (thinking is billed as output, as `gemini_cli_chat` counts it),
 *   `reasoning_tokens` = `thoughts`, `total_tokens` = `total`,
 *   `cache_write_tokens` = `cacheCreation` when given. The `roles` breakdown
 *   repeats the model's counts and is not added.
 * - Latency: `totalLatencyMs` (the summed API time of the model's requests)
 *   when above 0. No timestamps.
 * - Errors: a model whose every request failed is an error call; with a
 *   top-level `error`, the models with failed requests are errors carrying its
 *   message; when none had any, the error is the run's answer failing (e.g.
 *   `INVALID_STREAM`, an empty response to a request that succeeded) and makes
 *   the main model's call an error (the only model, or the one with a `main`
 *   role), else (no model: an auth or input error before any request, or no
 *   main model) it is one error call of model `unknown`. A model whose failed
 *   requests were retried to success is ok (its `errors` are in the event).
 * - Session = `session_id`, else the file (`file#n` for the n-th of several
 *   outputs: 0.10 and 0.18 write no session id, {@link unnamedSession}); a run's
 *   output is written when it ends: the session is complete.
 *
 * @module
 */
import { countChars } from "../_event.ts";
import { geminiInputTokens } from "../../schema/provider_calls.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { blankCall, errorCall, notAnObject, textLines } from "./_agent_logs.ts";
import { parseJsonValues } from "./_json_values.ts";
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import { compactPayload, count, isObj, type Obj, str, unnamedThinking } from "./_util.ts";

/**
 * The session of an output that names none (Gemini CLI 0.10 and 0.18 write no `session_id`): its
 * file, `file#n` for the n-th of several outputs in the file.
 *
 * @example
 * ```ts
 * import { isUnnamedSession, unnamedSession } from "./gemini_cli_json.ts";
 * if (unnamedSession("run.json", 2, true) !== "run.json#2" || unnamedSession("run.json", 1, false) !== "run.json") throw new Error();
 * if (!isUnnamedSession("run.json#2", "run.json") || isUnnamedSession("9df3fb02", "run.json")) throw new Error();
 * ```
 */
export const unnamedSession = (file: string, n: number, several: boolean): string =>
  several ? `${file}#${n}` : file;

/** Whether `session` is the one {@link unnamedSession} gives an output of `file` that names none. */
export const isUnnamedSession = (session: string, file: string): boolean =>
  session === file ||
  (session.startsWith(`${file}#`) && /^[1-9]\d*$/.test(session.slice(file.length + 1)));

/** Top-level keys of the output (later versions may add a few). */
const OUTPUT_KEYS = new Set(["session_id", "response", "stats", "error"]);

/**
 * The session summary `gemini --session-summary FILE` writes when the session ends:
 * `{sessionMetrics}`, the same metrics as the output's `stats` (`uiTelemetryService.getMetrics()`).
 */
const isSessionSummary = (v: Obj): boolean =>
  isObj(v.sessionMetrics) && isObj(v.sessionMetrics.models) && Object.keys(v).length === 1;

/** An output object: `stats.models`, or a bare error run `{session_id, error: {message}}`. */
function isOutput(v: unknown): v is Obj {
  if (!isObj(v) || "type" in v) return false;
  if (isSessionSummary(v)) return true;
  if (isObj(v.stats) && isObj(v.stats.models)) {
    return "response" in v || "session_id" in v || "error" in v;
  }
  return isObj(v.error) && typeof v.error.message === "string" &&
    typeof v.session_id === "string" && Object.keys(v).every((k) => OUTPUT_KEYS.has(k));
}

function detect(s: FormatSample): boolean {
  if (s.array) return false;
  if (s.values.length === 0) {
    // one output longer than the sample (a long response): its first keys
    return (s.keys.includes("response") && s.keys.every((k) => OUTPUT_KEYS.has(k))) ||
      (s.keys.length === 1 && s.keys[0] === "sessionMetrics" && /"models"\s*:/.test(s.head));
  }
  return isOutput(s.values[0]);
}

/**
 * Parse the text of Gemini CLI `--output-format json` output(s).
 *
 * @example
 * ```ts
 * import { parseGeminiJsonText } from "./gemini_cli_json.ts";
 * const out = {
 *   session_id: "g1",
 *   response: "Paris.",
 *   stats: { models: { "gemini-2.5-pro": {
 *     api: { totalRequests: 2, totalErrors: 0, totalLatencyMs: 5053 },
 *     tokens: { prompt: 24939, candidates: 20, total: 25113, cached: 21263, thoughts: 154, tool: 0 },
 *   } }, tools: {}, files: {} },
 * };
 * const r = parseGeminiJsonText(JSON.stringify(out, null, 2), "run.json");
 * const c = r.calls[0]!;
 * if (r.calls.length !== 1 || c.output_tokens !== 174 || c.duration_s !== 5.053 || c.cache_read_tokens !== 21263) throw new Error();
 * ```
 */
export function parseGeminiJsonText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonValues(text, file);
  const records: ImportedRecords = { calls: [], events: [], diagnostics, sessions: [] };
  const { lineAt, offsetOf } = textLines(text);
  const outputs = values.filter((v) => isObj(v.value));
  let n = 0;
  values.forEach(({ line, value: v }) => {
    if (!isObj(v)) {
      diagnostics.push(notAnObject(file, line, "a Gemini CLI JSON output"));
      return;
    }
    n++;
    const session = str(v.session_id) ?? unnamedSession(file, n, outputs.length > 1);
    const start = offsetOf(line);
    /** The line of a key of this output (searched from the output's start on). */
    const lineOfKey = (key: string, from = start) => {
      const at = text.indexOf(`${JSON.stringify(key)}`, from);
      return at >= 0 ? lineAt(at) : line;
    };
    const stats: Obj = isObj(v.stats) ? v.stats : isObj(v.sessionMetrics) // a --session-summary file
      ? v.sessionMetrics
      : {};
    records.events.push({
      file,
      line,
      type: "gemini_cli.json_output",
      ts: null,
      end: null,
      session_id: session,
      request_id: null,
      payload: compactPayload({
        ...v,
        [isObj(v.stats) || !isObj(v.sessionMetrics) ? "stats" : "sessionMetrics"]: {
          ...stats,
          models: "(model_stats events)",
        },
      }),
    });
    const error = isObj(v.error)
      ? str(v.error.message) ?? str(v.error.type) ?? "error"
      : str(v.error);
    const response = typeof v.response === "string" ? v.response : null;
    const models = isObj(stats.models) ? Object.entries(stats.models) : [];
    const modelsAt = text.indexOf('"models"', start);
    const calls: { call: ImportedCall; main: boolean }[] = [];
    for (const [model, m] of models) {
      const mLine = lineOfKey(model, modelsAt >= 0 ? modelsAt : start);
      const api: Obj = isObj(m) && isObj(m.api) ? m.api : {};
      const t: Obj = isObj(m) && isObj(m.tokens) ? m.tokens : {};
      const requests = count(api.totalRequests), errors = count(api.totalErrors);
      const latency = count(api.totalLatencyMs);
      records.events.push({
        file,
        line: mLine,
        type: "gemini_cli.model_stats",
        ts: null,
        end: null,
        session_id: session,
        request_id: null,
        payload: compactPayload({ model, requests, errors, latency_ms: latency, tokens: t }),
      });
      const call = blankCall(file, mLine, session);
      call.model = model;
      call.served_model = model;
      call.provider = "google";
      const cached = count(t.cached), thoughts = count(t.thoughts);
      const prompt = count(t.prompt) ??
        (count(t.input) !== null ? count(t.input)! + (cached ?? 0) : null);
      const candidates = count(t.candidates);
      call.input_tokens = geminiInputTokens(prompt, count(t.tool));
      call.cache_read_tokens = cached;
      call.total_tokens = count(t.total);
      // thinking the total holds beyond the named parts (a run that says `thoughts: 0`)
      const unnamed = unnamedThinking(
        call.total_tokens,
        prompt,
        candidates,
        thoughts,
        count(t.tool),
      );
      call.reasoning_tokens = unnamed > 0 ? (thoughts ?? 0) + unnamed : thoughts;
      call.output_tokens = candidates === null ? null : candidates + (call.reasoning_tokens ?? 0);
      call.cache_write_tokens = count(t.cacheCreation);
      call.duration_s = latency !== null && latency > 0 ? latency / 1000 : null;
      if (requests !== null && requests > 0 && errors === requests) {
        call.status = "error";
        call.error = error ?? `all ${requests} requests failed`;
      } else if (error !== null && errors !== null && errors > 0) {
        call.status = "error";
        call.error = error;
      }
      if (options.keepText) call.messages = call.output = null;
      records.calls.push(call);
      calls.push({ call, main: isObj(m) && isObj(m.roles) && "main" in m.roles });
    }
    // the response is the output of the run's one model (of none when several answered)
    if (calls.length === 1 && response !== null) {
      calls[0]!.call.output_chars = countChars(response);
      if (options.keepText) calls[0]!.call.output = response;
    }
    if (error !== null && !calls.some((c) => c.call.status === "error")) {
      const code = isObj(v.error) ? v.error.code : undefined;
      const message = code !== undefined && code !== null ? `${error} (code ${code})` : error;
      // no request failed: the run's answer did (an empty or malformed response, a turn limit).
      // It is the main model's call (the only model, or the one with a `main` role); with no
      // model (an auth or input error before any request) it is an error call of its own
      const mains = calls.length === 1 ? calls : calls.filter((c) => c.main);
      if (mains.length === 1) {
        mains[0]!.call.status = "error";
        mains[0]!.call.error = message;
      } else {
        const at = "error" in v ? lineOfKey("error") : line;
        const fields = { provider: "google", error: message };
        records.calls.push(errorCall(file, at, session, fields, options.keepText));
      }
    }
  });
  return records;
}

/** Gemini CLI `--output-format json` output. */
export const geminiCliJson: FormatAdapter = {
  name: "gemini_cli_json",
  title: "Gemini CLI --output-format json output",
  reads:
    "one call per model of a run standing for its requests (stats.models: prompt tokens with cache, candidates + thoughts as output, totalLatencyMs; request and error counts in a model_stats event); a model whose requests all failed, or a top-level error, → error; session = session_id",
  example:
    '{"session_id": "…", "response": "…", "stats": {"models": {"gemini-2.5-pro": {"api": {"totalRequests": 2, "totalErrors": 0, "totalLatencyMs": 5053}, "tokens": {"prompt": 24939, "candidates": 20, "cached": 21263, "thoughts": 154}}}}}',
  detect,
  parse: (source, file, options) => parseGeminiJsonText(source.text(), file, options),
};
