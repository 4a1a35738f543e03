/**
 * Every user-facing message of the importers of foreign formats (OTLP/JSON,
 * OpenAI Batch output), in one place. Reasons are clauses; the strict error
 * and the CLI prefix them with `file:line: `.
 *
 * @module
 */
import { formatFixed } from "../../log/format.ts";

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kind(value: unknown): string {
  return value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : value === undefined
    ? "nothing"
    : typeof value === "object"
    ? "an object"
    : `a ${typeof value}`;
}

/** Message functions of the importers. */
export const importMessages = {
  invalidJson: (reason: string) => `object is not valid JSON (${reason})`,
  invalidJsonLine: (reason: string) => `line is not valid JSON (${reason})`,
  truncatedObject: () =>
    "JSON object never ends (truncated file, or the next object starts before this one closed)",
  truncatedArray: () =>
    "JSON array never ends (no ']' closes it: a truncated file; the rows before the cut are read)",
  strayText: (text: string) => `text outside any JSON object: ${show(text)}`,
  valueTooLarge: (limit: number) =>
    `one JSON value starting here holds more than ${
      formatFixed(limit / 1e6, 0)
    } MB, too large to read in one piece (the rest of the file was not read)`,
  fileTooLarge: (bytes: number) =>
    `file is ${formatFixed(bytes / 1e6, 0)} MB, too large to import as OTLP/JSON in one piece`,
  otlpNotSpans: (value: unknown) =>
    `OTLP/JSON object has neither "resourceSpans" nor "scopeSpans" (got ${kind(value)} ${
      show(value)
    })`,
  otlpMetrics: (n: number) =>
    `${n} metric export${
      n > 1 ? "s are" : " is"
    } not read (metrics sum what the spans and events give call by call)`,
  otlpNotArray: (path: string, value: unknown) => `${path} must be an array, got ${kind(value)}`,
  otlpBadSpan: (path: string, reason: string) => `span ${path} is not loaded: ${reason}`,
  otlpDuplicateSpan: (spanId: string, firstLine: number) =>
    `span ${
      show(spanId)
    } of this trace was already read on line ${firstLine} (kept as a separate event)`,
  batchNotObject: (value: unknown) => `line is ${kind(value)}, not a JSON object`,
  batchBadLine: (reason: string) => `OpenAI Batch output line is not loaded: ${reason}`,
  batchDuplicateCustomId: (customId: string, firstLine: number) =>
    `custom_id ${show(customId)} was already used on line ${firstLine} (kept as a separate call)`,
  batchNoBody: (statusCode: unknown) => `response with status_code ${show(statusCode)} has no body`,
  batchHttpError: (statusCode: unknown) => `HTTP status ${show(statusCode)}`,
  batchResponseStatus: (status: string) => `the response's status is ${status}`,
  spanError: () => "span status is ERROR",
  anthropicBatchBadLine: (reason: string) => `Anthropic batch result is not loaded: ${reason}`,
  /** Why a value that should be an object is not (`it is an array, not an object`). */
  notAnObjectReason: (value: unknown) => `it is ${kind(value)}, not an object`,
  anthropicBatchErrored: (type: string | null) =>
    `request errored${type ? ` (${type})` : ""} with no message`,
  anthropicBatchCanceled: () => "request canceled: the batch was canceled before it ran",
  anthropicBatchExpired: () => "request expired: the batch ended (24 h) before it ran",
  anthropicBatchNoMessage: () => `result "succeeded" has no message`,
  geminiBatchNoResponse: () => "batch line has no response and no error",
  anthropicBatchUnknownType: (type: string) =>
    `result type ${
      show(type)
    } is not succeeded, errored, canceled or expired (counted as an error)`,
  genericErrorValue: (field: string, value: unknown) => `${field} is ${show(value)}`,
  genericBadTime: (field: string, problem: string) => `${field}: ${problem} (read as no time)`,
  genericBadCsv: (reason: string) => `CSV row is not loaded: ${reason}`,
  genericUnitGuessed: (field: string, unit: "s" | "ms", median: number) =>
    `${show(field)} has no unit in its name: read as ${
      unit === "ms" ? "milliseconds" : "seconds"
    } (median ${median}); say which with --map duration_s=${field} or --map duration_ms=${field}`,
  genericNoCalls: (mapped: boolean) =>
    mapped
      ? "no row has a field the mapping names (check the field paths of --map)"
      : "no row has a model, token or timing field (name them with --map, e.g. --map model=engine,duration_ms=elapsed)",
  mapFieldMissing: (column: string, path: string) =>
    `--map ${show(`${column}=${path}`)}: no row has the field ${
      show(path)
    } (a typo?), so ${column} is empty`,
  mapNoField: (part: string) =>
    `--map ${show(part)} must look like COLUMN=FIELD (e.g. model=engine,duration_ms=elapsed).`,
  mapUnknownColumns: (unknown: string[], known: readonly string[]) =>
    `--map names ${unknown.map((u) => show(u)).join(", ")}, which ${
      unknown.length === 1 ? "is not a column" : "are not columns"
    } tracebook maps; the columns are ${known.join(", ")}.`,
  mapFileMissing: (path: string) => `The mapping file ${path} does not exist.`,
  mapFileBad: (path: string, reason: string) =>
    `The mapping file ${path} is not a mapping: ${reason} (expected a JSON object such as {"model": "engine", "duration_ms": "elapsed"}).`,
  mapBadErrorWhen: (rule: string) =>
    `--map error_when=${show(rule)} must look like FIELD:VALUE or FIELD:VALUE1|VALUE2.`,
};
