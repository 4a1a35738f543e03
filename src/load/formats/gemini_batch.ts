/**
 * Gemini batch prediction output → imported records: one call and one event
 * per line.
 *
 * Two writers, one response inside: Vertex AI's batch prediction output
 * (`predictions.jsonl` under the job's `gcsDestination`), a line
 * `{status, processed_time, request, response}` where a failed request has a
 * non-empty `status` (`Bad Request: {"error": …}`) and no `response`; and the
 * Gemini API's batch results file, a line `{key, response}` or
 * `{key, error: {code, message, status}}`. The `response` is a
 * `GenerateContentResponse`, read as the tracer reads one ({@link responseInfo}):
 * the model `modelVersion` (Vertex's `@default` version alias dropped), the
 * usage `usageMetadata` (the thinking, `thoughtsTokenCount`, counted in the
 * output and as the reasoning; `promptTokenCount` includes the cached tokens),
 * the text of the first candidate's parts, its `finishReason`. A prompt blocked before the
 * model answered (no `candidates`) has no output and finishes with its
 * `promptFeedback.blockReason`.
 * A Vertex AI line keeps its request: the prompt's characters are its system instruction's and
 * its contents' text. A batch result has no latency: `started_at` = `ended_at` = the response's
 * `createTime`, else the line's `processed_time`. The session is the file as
 * given; the calls are priced at the batch rate (half the list price).
 *
 * @module
 */
import { countChars } from "../_event.ts";
import type { Diagnostic } from "../_event.ts";
import { responseInfo } from "../../schema/provider_calls.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { type ImportedCall, type ImportedRecords, keepsTexts } from "./_records.ts";
import { messageText } from "./_spans.ts";
import { isObj, type Obj, str, toMicros } from "./_util.ts";
import { importMessages } from "./messages.ts";
import { batchSessionId } from "./openai_batch.ts";
import type { TraceSource } from "./source.ts";

/** A line of Vertex AI's output (`processed_time` beside `request`) rather than the Gemini API's. */
const isVertexLine = (v: Obj): boolean => "processed_time" in v && "request" in v;

/** A `GenerateContentResponse`: candidates, usage or a model version. */
const isResponse = (v: unknown): boolean =>
  isObj(v) && ("candidates" in v || "usageMetadata" in v || "modelVersion" in v);

/**
 * The text of a Vertex AI line's request (the Gemini API's results file keeps none): its
 * `system_instruction` (a content of parts, or text) then its `contents`' parts, as the span
 * formats read Gemini's messages ({@link messageText}); null when it has neither.
 */
function promptOf(request: Obj): string | null {
  const system = request.system_instruction ?? request.systemInstruction;
  const instructions = typeof system === "string"
    ? system
    : isObj(system)
    ? messageText([system])
    : null;
  const contents = Array.isArray(request.contents) ? messageText(request.contents) : null;
  if (instructions === null && contents === null) return null;
  return (instructions ?? "") + (contents ?? "");
}

/** True when the sample's first line is a Gemini batch output line (Vertex AI's or the Gemini API's). */
function detectGeminiBatch(s: FormatSample): boolean {
  const k = s.keys;
  if (k.includes("custom_id")) return false;
  const vertex = k.includes("processed_time") && k.includes("request") &&
    (k.includes("response") || k.includes("status"));
  const gemini = k.includes("key") &&
    (k.includes("response") || k.includes("error") || k.includes("status"));
  if (!vertex && !gemini) return false;
  const first = s.values[0];
  // a cut-off first line is judged by its keys; a complete one must hold a response or a failure
  if (first === undefined) return vertex;
  if (!isObj(first)) return false;
  if (isResponse(first.response)) return true;
  return vertex
    ? typeof first.status === "string" && first.status !== ""
    : isObj(first.error) || isStatus(first.status);
}

/** A `google.rpc.Status` (`{code, message}`): the Gemini API's failed line may name its error so. */
const isStatus = (v: unknown): v is Obj => isObj(v) && ("code" in v || "message" in v);

/** The model a response names: `modelVersion` without Vertex's `@default` (or `@001`) version alias. */
function modelOf(name: string | undefined): string | null {
  if (name === undefined || name.trim() === "") return null;
  const at = name.indexOf("@");
  return at > 0 ? name.slice(0, at) : name;
}

/** The error text of a line, or null when it succeeded. */
function failure(value: Obj): string | null {
  const status = value.status;
  if (typeof status === "string" && status.trim() !== "") return status;
  // a status object with a nonzero code (0 is OK in google.rpc.Code)
  if (isStatus(status) && status.code !== 0) {
    return str(status.message) ?? JSON.stringify(status);
  }
  const error = value.error;
  if (isObj(error)) {
    return str(error.message) ?? str(error.status) ?? JSON.stringify(error);
  }
  if (typeof error === "string" && error.trim() !== "") return error;
  return isObj(value.response) ? null : importMessages.geminiBatchNoResponse();
}

/** Parse Gemini batch output into calls and events (`gemini_batch.response`). */
function parseGeminiBatch(
  source: TraceSource,
  file: string,
  options: ParseOptions,
): ImportedRecords {
  const sessionId = batchSessionId(file);
  const records: ImportedRecords = { calls: [], events: [], diagnostics: [] };
  const problems: Diagnostic[] = [];
  const unread = options.keepText && options.textLines;
  const readValue = (line: number, value: unknown): void => {
    if (!isObj(value)) {
      problems.push({
        file,
        line,
        code: "not_an_object",
        message: importMessages.batchNotObject(value),
        severity: "error",
      });
      return;
    }
    const response = isObj(value.response) ? value.response : null;
    const info = response ? responseInfo(response) : null;
    const error = failure(value);
    const served = modelOf(info?.model);
    const time = str(response?.createTime) ?? str(value.processed_time) ?? null;
    const when = time === null ? { us: null } : toMicros(time, undefined, options.timezone);
    const usage = info?.usage;
    // a prompt blocked before the model answered has no candidates: no output (not the
    // response's JSON), and the block reason is why it finished
    const blocked = response !== null && !Array.isArray(response.candidates);
    const output = blocked ? null : info?.output ?? null;
    const finishReason = blocked
      ? (isObj(response.promptFeedback) ? str(response.promptFeedback.blockReason) : null)
      : info?.finishReason ?? null;
    const key = str(value.key) ?? null;
    const request = isObj(value.request) ? value.request : null;
    const prompt = request === null ? null : promptOf(request);
    const call: ImportedCall = {
      session_id: sessionId,
      request_id: key ?? str(response?.responseId) ?? null,
      // the request's model is the batch job's, not in the line: the response names it
      model: served ?? "unknown",
      served_model: served,
      provider: "google",
      started_at: when.us,
      ended_at: when.us,
      duration_s: null,
      status: error === null ? "ok" : "error",
      error,
      input_tokens: usage?.input_tokens ?? null,
      output_tokens: usage?.output_tokens ?? null,
      total_tokens: usage?.total_tokens ?? null,
      cache_read_tokens: usage?.cache_read_tokens ?? null,
      reasoning_tokens: usage?.reasoning_tokens ?? null,
      ttft_s: null,
      prompt_chars: prompt === null ? null : countChars(prompt),
      output_chars: output === null ? null : countChars(output),
      file,
      line,
      finish_reason: finishReason,
      cache_write_tokens: null,
      batch: true,
    };
    if (keepsTexts(options, call)) {
      call.messages = request === null ? null : JSON.stringify(request);
      call.output = output;
    }
    records.calls.push(call);
    records.events.push({
      file,
      line,
      type: "gemini_batch.response",
      ts: when.us,
      end: null,
      session_id: sessionId,
      request_id: call.request_id,
      payload: JSON.stringify({
        writer: isVertexLine(value) ? "vertex_ai" : "gemini_api",
        status: value.status ?? null,
        processed_time: value.processed_time ?? null,
        response_id: response?.responseId ?? null,
        error: isObj(value.error) ? value.error : null,
      }),
    });
  };
  const diagnostics = source.values(({ line, value }) => {
    // a read for the texts of some lines: the others' records are not made
    if (unread && !unread.has(line)) return;
    readValue(line, value);
  }, { arrayElements: true });
  records.diagnostics = [...diagnostics, ...problems].sort((a, b) => a.line - b.line);
  return records;
}

/** Vertex AI batch prediction output and Gemini API batch results. */
export const geminiBatch: FormatAdapter = {
  name: "gemini_batch",
  title: "Vertex AI / Gemini API batch prediction output",
  reads:
    "one call per line: the response's modelVersion and usageMetadata (thinking in the output); a non-empty status (Vertex AI) or an error (Gemini API) is an error; no latency; the file is the session; priced at the batch rate",
  example:
    '{"status": "", "processed_time": "2025-09-19T21:29:47.352+00:00", "request": {...}, "response": {"modelVersion": "gemini-2.5-flash-lite", "usageMetadata": {...}}}',
  detect: detectGeminiBatch,
  parse: (source, file, options) => parseGeminiBatch(source, file, options),
  textsByCall: true,
};
