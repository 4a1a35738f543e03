/**
 * OpenAI Batch API output (and OpenAI-compatible ones such as Groq's) →
 * imported records: one call and one event per line.
 *
 * Line: `{id, custom_id, response: {status_code, request_id, body: {model,
 * created, choices, usage}} | null, error: null | {code, message}}`.
 * Batch output has no latency: `started_at` = `ended_at` = `body.created` (unix
 * seconds) and `duration_s` is null, except when `usage.total_time` (Groq,
 * seconds) gives it; then `ended_at` = `created` + `total_time`.
 *
 * @module
 */
import { normalizeUsage } from "../../schema/mod.ts";
import { countChars } from "../_event.ts";
import { parseJsonRecords } from "./_json_values.ts";
import { addDiagnostic, foldDiagnostics, type ParsedTrace } from "../parse_trace_text.ts";
import type { FormatAdapter, ParseOptions } from "./adapter.ts";
import {
  type ImportedCall,
  type ImportedEvent,
  type ImportedRecords,
  keepsTexts,
} from "./_records.ts";
import { isObj, num, type Obj, str } from "./_util.ts";
import { contentText } from "./_agent_logs.ts";
import { importMessages } from "./messages.ts";
import { textSource, type TraceSource } from "./source.ts";

/**
 * The session of a batch results file: the file's path as given (two files
 * both named `batch_output.jsonl` in different folders are two sessions).
 */
export function batchSessionId(file: string): string {
  return file;
}

/**
 * The text a response body holds: a chat completion's choices' messages, or a
 * Responses API body's (`object: "response"`) `output_text` parts of its messages.
 */
function outputText(body: Obj): string | null {
  const texts: unknown[] = [];
  if (Array.isArray(body.choices)) {
    for (const c of body.choices) if (isObj(c) && isObj(c.message)) texts.push(c.message.content);
  } else if (Array.isArray(body.output)) {
    for (const item of body.output) {
      if (isObj(item) && item.type === "message") texts.push(contentText(item.content));
    }
  }
  const strings = texts.filter((t): t is string => typeof t === "string");
  return strings.length ? strings.join("") : null;
}

/** A Responses API body's status that means it failed (`failed`, `cancelled`), or null. */
function failedStatus(body: Obj | null): string | null {
  const status = str(body?.status);
  return status === "failed" || status === "cancelled" ? status : null;
}

function errorMessage(v: unknown): string | null {
  if (typeof v === "string") return v || null;
  if (!isObj(v)) return null;
  return str(v.message) ?? str(v.code) ?? JSON.stringify(v);
}

/** Options of {@link parseOpenAIBatchText}. */
export interface ParseOpenAIBatchOptions {
  /** Keep the output text of each response. @default {false} */
  keepText?: boolean;
  /** With `keepText`, the calls whose texts are kept (`ParseOptions.textsOf`). */
  textsOf?: ParseOptions["textsOf"];
  /** With `textsOf`, its calls' lines: the other lines are not read (`ParseOptions.textLines`). */
  textLines?: ParseOptions["textLines"];
  /** `session_id` of every call. @default {batchSessionId(file)} */
  sessionId?: string;
}

/**
 * Parse the text of an OpenAI Batch output file: each non-blank line becomes a
 * call and an event (`openai_batch.response`), or one diagnostic.
 *
 * @example
 * ```ts
 * import { parseOpenAIBatchText } from "./openai_batch.ts";
 * const line = {
 *   id: "batch_req_1", custom_id: "request-1", error: null,
 *   response: { status_code: 200, body: { model: "gpt-4o-mini", created: 1700000000, usage: { prompt_tokens: 3, completion_tokens: 2 } } },
 * };
 * const r = parseOpenAIBatchText(JSON.stringify(line) + "\n", "out.jsonl");
 * if (r.calls[0]!.request_id !== "request-1" || r.calls[0]!.total_tokens !== 5) throw new Error("wrong");
 * ```
 */
export function parseOpenAIBatchText(
  text: string,
  file: string,
  options: ParseOpenAIBatchOptions = {},
): ImportedRecords {
  return parseOpenAIBatch(textSource(text, file), file, options);
}

/** {@link parseOpenAIBatchText} of a source read line by line (a file never held whole). */
function parseOpenAIBatch(
  source: TraceSource,
  file: string,
  options: ParseOpenAIBatchOptions,
): ImportedRecords {
  const sessionId = options.sessionId ?? batchSessionId(file);
  const records: ImportedRecords = { calls: [], events: [], diagnostics: [] };
  // bad lines bounded however many: past 100 of a code, counted in one row
  const out: ParsedTrace = { events: [], diagnostics: records.diagnostics };
  const seen = new Map<string, number>();
  /** One JSON value of the file (a line, or an element of a top-level array) → a call and its event. */
  const readValue = (line: number, value: unknown): void => {
    const bad = (code: string, message: string) =>
      addDiagnostic(out, { file, line, code, message, severity: "error" });
    if (!isObj(value)) {
      bad(
        "not_an_object",
        importMessages.batchNotObject(value),
      );
      return;
    }
    const customId = str(value.custom_id);
    if (customId === null) {
      bad("batch_bad_line", importMessages.batchBadLine(`"custom_id" is missing or not a string`));
      return;
    }
    const response = value.response ?? null;
    const error = value.error ?? null;
    if (response === null && error === null) {
      bad(
        "batch_bad_line",
        importMessages.batchBadLine(`both "response" and "error" are null or missing`),
      );
      return;
    }
    if (response !== null && !isObj(response)) {
      bad("batch_bad_line", importMessages.batchBadLine(`"response" must be an object or null`));
      return;
    }
    const first = seen.get(customId);
    if (first !== undefined) {
      addDiagnostic(out, {
        file,
        line,
        code: "duplicate_custom_id",
        message: importMessages.batchDuplicateCustomId(customId, first),
        severity: "warning",
      });
    } else seen.set(customId, line);

    const statusCode = response?.status_code ?? null;
    const body = isObj(response?.body) ? response.body : null;
    const ok = error === null && statusCode === 200 && body !== null && !isObj(body.error) &&
      failedStatus(body) === null;
    // a chat completion's `created`; a Responses API body's `created_at` (its `completed_at` is
    // when the batch got to it, not a latency: a batch result has none but Groq's total_time)
    const created = num(body?.created) ?? num(body?.created_at);
    const usageRaw = isObj(body?.usage) ? body.usage : null;
    const usage = normalizeUsage(usageRaw);
    const totalTime = num(usageRaw?.total_time);
    const started = created === null ? null : Math.round(created * 1e6);
    const ended = started === null
      ? null
      : started + (totalTime === null ? 0 : Math.round(totalTime * 1e6));
    const errorText = ok ? null : errorMessage(error) ?? errorMessage(body?.error) ??
      (statusCode !== null && statusCode !== 200
        ? importMessages.batchHttpError(statusCode)
        : failedStatus(body) !== null
        ? importMessages.batchResponseStatus(failedStatus(body)!)
        : importMessages.batchNoBody(statusCode));
    const served = str(body?.model);
    const output = body ? outputText(body) : null;
    // a Responses API body cut short says why in `incomplete_details.reason` (`max_output_tokens`)
    const finish = Array.isArray(body?.choices) && isObj(body.choices[0])
      ? str(body.choices[0].finish_reason)
      : isObj(body?.incomplete_details)
      ? str(body.incomplete_details.reason)
      : null;
    const call: ImportedCall = {
      session_id: sessionId,
      request_id: customId,
      // the request's model is in the batch input file, not here: the response names it
      model: served ?? "unknown",
      served_model: served,
      // Groq marks its bodies with `x_groq`; else the file is OpenAI's, which prices the names
      // genai-prices cannot infer a provider from (`text-embedding-3-small`); another
      // provider's model is still found by its name alone
      provider: body && "x_groq" in body ? "groq" : body ? "openai" : null,
      started_at: started,
      ended_at: ended,
      duration_s: totalTime,
      status: ok ? "ok" : "error",
      error: errorText,
      ...usage, // every token count, null where the body does not say
      ttft_s: null,
      prompt_chars: null,
      output_chars: output === null ? null : countChars(output),
      file,
      line,
      finish_reason: finish,
      batch: true,
    };
    if (keepsTexts(options, call)) {
      call.messages = null;
      call.output = output;
    }
    records.calls.push(call);
    const event: ImportedEvent = {
      file,
      line,
      type: "openai_batch.response",
      ts: started,
      end: ended,
      session_id: sessionId,
      request_id: customId,
      payload: JSON.stringify({
        id: value.id ?? null,
        status_code: statusCode,
        response_request_id: response?.request_id ?? null,
        error,
      }),
    };
    records.events.push(event);
  };
  // the lines as one JSON array (`jq -s` of the output file): each element is a line
  if (/^\uFEFF?[ \t\r\n]*\[/.test(source.head().slice(0, 4096))) {
    const { values, diagnostics } = parseJsonRecords(source.text(), file);
    for (const d of diagnostics) addDiagnostic(out, d);
    for (const v of values) readValue(v.line, v.value);
    foldDiagnostics(out);
    return records;
  }
  // line by line, never the whole text (bounded memory)
  const unread = options.keepText && options.textLines;
  source.lines((raw, line, last) => {
    // a read for the texts of some lines: the others are not parsed
    if (unread && !unread.has(line)) return;
    const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    // only JSON white space makes a blank line: NBSP, U+2028, a stray BOM are bad lines
    if (/^[ \t\r]*$/.test(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      addDiagnostic(out, {
        file,
        line,
        code: last ? "truncated_line" : "invalid_json",
        message: importMessages.invalidJsonLine((e as Error).message),
        severity: "error",
      });
      return;
    }
    readValue(line, value);
  });
  foldDiagnostics(out);
  return records;
}

/** OpenAI Batch API output (and OpenAI-compatible batch output such as Groq's). */
export const openaiBatch: FormatAdapter = {
  name: "openai_batch",
  title: "OpenAI Batch API output",
  reads:
    "one call per line, ok when status_code is 200 with no error; the file is the session; priced at the batch rate",
  example:
    '{"id": "batch_req_1", "custom_id": "r1", "response": {"status_code": 200, "body": {...}}, "error": null}',
  detect: (s) => {
    const k = s.keys;
    return k.includes("custom_id") && (k.includes("response") || k.includes("error")) &&
      !k.includes("type") && !k.includes("result");
  },
  parse: (source, file, options) => parseOpenAIBatch(source, file, options),
  textsByCall: true,
};
