/**
 * Anthropic Message Batches results (the `.jsonl` of a batch's `results_url`) →
 * imported records: one call and one event per line.
 *
 * Line: `{custom_id, result: {type: "succeeded", message: {id, model, content,
 * stop_reason, usage}} | {type: "errored", error: {type: "error", error: {type,
 * message}}} | {type: "canceled"} | {type: "expired"}}`.
 * `succeeded` is ok; `errored`, `canceled` and `expired` are errors with their
 * message. The file has no times (no latency, no batch id): `started_at`,
 * `ended_at` and `duration_s` are null. The session is the file as given
 * ({@link batchSessionId}); the calls are priced at the batch rate.
 *
 * @module
 */
import { normalizeUsage } from "../../schema/mod.ts";
import { countChars } from "../_event.ts";
import type { FormatAdapter, ParseOptions } from "./adapter.ts";
import { type ImportedCall, type ImportedRecords, keepsTexts } from "./_records.ts";
import { isObj, type Obj, str } from "./_util.ts";
import { importMessages } from "./messages.ts";
import { batchSessionId } from "./openai_batch.ts";
import { textSource, type TraceSource } from "./source.ts";

/** The result types of Anthropic's documentation. */
const RESULT_TYPES = new Set(["succeeded", "errored", "canceled", "expired"]);

/** Text of the message's `text` content blocks, or null when there is none. */
function outputText(message: Obj): string | null {
  if (typeof message.content === "string") return message.content;
  if (!Array.isArray(message.content)) return null;
  const texts = message.content
    .map((b) => (isObj(b) && b.type === "text" ? b.text : null))
    .filter((t): t is string => typeof t === "string");
  return texts.length ? texts.join("") : null;
}

/** The message of an `errored` result: `error.error.message`, else the error type. */
function erroredMessage(error: unknown): string {
  const inner = isObj(error) && isObj(error.error) ? error.error : error;
  if (!isObj(inner)) return importMessages.anthropicBatchErrored(null);
  return str(inner.message) ?? importMessages.anthropicBatchErrored(str(inner.type));
}

/** Options of {@link parseAnthropicBatchText}. */
export interface ParseAnthropicBatchOptions {
  /** Keep the output text of each message. @default {false} */
  keepText?: boolean;
  /** With `keepText`, the calls whose texts are kept (`ParseOptions.textsOf`). */
  textsOf?: ParseOptions["textsOf"];
  /** With `textsOf`, its calls' lines: the others' records are not made (`ParseOptions.textLines`). */
  textLines?: ParseOptions["textLines"];
}

/**
 * Parse the text of an Anthropic Message Batches results file: each result
 * becomes a call and an event (`anthropic_batch.<result type>`), or one
 * diagnostic. JSON Lines, pretty-printed results and a JSON array of results
 * are all read.
 *
 * @example
 * ```ts
 * import { parseAnthropicBatchText } from "./anthropic_batch.ts";
 * const ok = { custom_id: "a", result: { type: "succeeded", message: { model: "claude-3-5-haiku-20241022", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", usage: { input_tokens: 10, output_tokens: 2 } } } };
 * const failed = { custom_id: "b", result: { type: "errored", error: { type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } } } };
 * const r = parseAnthropicBatchText([ok, failed].map((l) => JSON.stringify(l)).join("\n"), "results.jsonl");
 * if (r.calls[0]!.status !== "ok" || r.calls[0]!.total_tokens !== 12 || r.calls[0]!.batch !== true) throw new Error("ok line");
 * if (r.calls[1]!.status !== "error" || r.calls[1]!.error !== "max_tokens: Field required") throw new Error("errored line");
 * if (r.calls[1]!.session_id !== "results.jsonl" || r.calls[1]!.request_id !== "b") throw new Error("ids");
 * ```
 */
export function parseAnthropicBatchText(
  text: string,
  file: string,
  options: ParseAnthropicBatchOptions = {},
): ImportedRecords {
  return parseAnthropicBatch(textSource(text, file), file, options);
}

/** {@link parseAnthropicBatchText} of a source read value by value (a file never held whole). */
function parseAnthropicBatch(
  source: TraceSource,
  file: string,
  options: ParseAnthropicBatchOptions,
): ImportedRecords {
  const sessionId = batchSessionId(file);
  // the adapter's own problems, after the reader's (as when the values were read first)
  const records: ImportedRecords = { calls: [], events: [], diagnostics: [] };
  const seen = new Map<string, number>();
  const readValue = (line: number, value: unknown) => {
    const bad = (reason: string) =>
      records.diagnostics.push({
        file,
        line,
        code: "anthropic_batch_bad_line",
        message: importMessages.anthropicBatchBadLine(reason),
        severity: "error",
      });
    if (!isObj(value)) {
      bad(importMessages.notAnObjectReason(value));
      return;
    }
    const customId = str(value.custom_id);
    if (customId === null) {
      bad(`"custom_id" is missing or not a string`);
      return;
    }
    const result = value.result;
    if (!isObj(result) || typeof result.type !== "string") {
      bad(`"result" must be an object with a "type"`);
      return;
    }
    const type = result.type;
    const firstLine = seen.get(customId);
    if (firstLine !== undefined) {
      records.diagnostics.push({
        file,
        line,
        code: "duplicate_custom_id",
        message: importMessages.batchDuplicateCustomId(customId, firstLine),
        severity: "warning",
      });
    } else seen.set(customId, line);
    if (!RESULT_TYPES.has(type)) {
      records.diagnostics.push({
        file,
        line,
        code: "anthropic_batch_unknown_result",
        message: importMessages.anthropicBatchUnknownType(type),
        severity: "warning",
      });
    }

    const message = type === "succeeded" && isObj(result.message) ? result.message : null;
    const ok = message !== null;
    const usage = normalizeUsage(isObj(message?.usage) ? message.usage : null);
    const served = str(message?.model);
    const output = message ? outputText(message) : null;
    const error = ok
      ? null
      : type === "succeeded"
      ? importMessages.anthropicBatchNoMessage()
      : type === "errored"
      ? erroredMessage(result.error)
      : type === "canceled"
      ? importMessages.anthropicBatchCanceled()
      : type === "expired"
      ? importMessages.anthropicBatchExpired()
      : importMessages.anthropicBatchUnknownType(type);
    const call: ImportedCall = {
      session_id: sessionId,
      request_id: customId,
      // the request's model is in the batch's requests, not here: the message names it
      model: served ?? "unknown",
      served_model: served,
      provider: "anthropic",
      started_at: null,
      ended_at: null,
      duration_s: null,
      status: ok ? "ok" : "error",
      error,
      ...usage, // every token count, null where the body does not say
      ttft_s: null,
      prompt_chars: null,
      output_chars: output === null ? null : countChars(output),
      file,
      line,
      finish_reason: str(message?.stop_reason),
      batch: true,
    };
    if (keepsTexts(options, call)) {
      call.messages = null;
      call.output = output;
    }
    records.calls.push(call);
    const errorObj = isObj(result.error) ? result.error : null;
    records.events.push({
      file,
      line,
      type: `anthropic_batch.${type}`,
      ts: null,
      end: null,
      session_id: sessionId,
      request_id: customId,
      payload: JSON.stringify({
        message_id: message?.id ?? null,
        service_tier: isObj(message?.usage) ? message.usage.service_tier ?? null : null,
        error_type: isObj(errorObj?.error) ? errorObj.error.type ?? null : null,
        error_request_id: errorObj?.request_id ?? null,
      }),
    });
  };
  const unread = options.keepText && options.textLines;
  const diagnostics = source.values(({ line, value }) => {
    // a read for the texts of some lines: the others' records are not made
    if (unread && !unread.has(line)) return;
    // a line holding an array of results: each is read with the line
    if (Array.isArray(value)) { for (const v of value) readValue(line, v); }
    else readValue(line, value);
  });
  records.diagnostics = [...diagnostics, ...records.diagnostics];
  return records;
}

/** Anthropic Message Batches results. */
export const anthropicBatch: FormatAdapter = {
  name: "anthropic_batch",
  title: "Anthropic Message Batches results",
  reads:
    "one call per result line (request_id = custom_id); succeeded is ok, errored/canceled/expired are errors with their message; no times; the file is the session; priced at the batch rate",
  example:
    '{"custom_id": "r1", "result": {"type": "succeeded", "message": {"model": "claude-3-opus-20240229", "usage": {...}}}}',
  detect: (s) => {
    const k = s.keys;
    if (!k.includes("custom_id") || !k.includes("result")) return false;
    const first = s.values[0];
    // a complete first result must look like one; a cut-off one is judged by its keys
    return first === undefined || (isObj(first) && isObj(first.result));
  },
  parse: (source, file, options) => parseAnthropicBatch(source, file, options),
  textsByCall: true,
};
