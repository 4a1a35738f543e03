/**
 * Every user-facing message of the loader, in one place (diagnostic reasons
 * and errors). Reasons are clauses; the strict error and the CLI prefix them
 * with `file:line: `.
 *
 * @module
 */
import { formatFixed } from "../log/format.ts";

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** The fields of a diagnostic that its printed line shows. */
export interface DiagnosticLine {
  file: string;
  line: number | null;
  severity: string;
  code: string;
  message: string;
  count?: number | null;
}

/** Message functions of the loader. */
export const messages = {
  invalidJson: (reason: string) => `line is not valid JSON (${reason})`,
  truncatedLine: () =>
    "last line is truncated (no closing brace or newline; was the writer interrupted?)",
  lineTooLong: (bytes: number, limit: number) =>
    `line is ${formatFixed(bytes / 1e6, 1)} MB, over the ${
      formatFixed(limit / 1e6, 1)
    } MB limit (option maxLineBytes)`,
  gluedFragment: (at: number) =>
    `line starts with a cut-off fragment of ${at} characters (an interrupted write); the event after it was loaded`,
  /**
   * A diagnostic as `validate` and `watch` print it, `file:line: severity code: message`; a row
   * that stands for several problems (its `count`: the lines past the listing limit, or the
   * occurrences an adapter folds into one warning) says how many, as the tallies count them.
   */
  diagnosticLine: (d: DiagnosticLine) =>
    `${d.file}${d.line === null ? "" : `:${d.line}`}: ${d.severity} ${d.code}${
      (d.count ?? 1) > 1 ? ` (${d.count} times)` : ""
    }: ${d.message}`,
  foldedDiagnostics: (count: number, code: string, first: number, last: number) =>
    `${count} more lines with ${code} (lines ${first} to ${last}), counted, not listed one by one`,
  notAnObject: (got: string) => `line is ${got}, not a JSON object`,
  missingType: () => `"type" is missing`,
  badType: (value: unknown) =>
    `"type" must be a non-empty string, got ${kind(value)} ${show(value)}`,
  missingTimestamp: () => `"timestamp" is missing`,
  badTimestamp: (value: unknown) => `"timestamp" is not an ISO 8601 date-time: ${show(value)}`,
  orphanResponse: (type: string, requestId: string) =>
    `${type} for request_id ${
      show(requestId)
    } has no llm_request in its session (counted as an orphan call)`,
  duplicateRequestId: (requestId: string, firstLine: number) =>
    `request_id ${
      show(requestId)
    } was already used by the llm_request on line ${firstLine} (kept as a separate call)`,
  duplicateOutcome: (type: string, requestId: string) =>
    `${type} for request_id ${
      show(requestId)
    } comes after that request already ended (counted as an orphan call)`,
  missingInput: (input: string) => `Input "${input}" does not exist.`,
  noTraceFiles: (inputs: string[]) =>
    `No trace files found in ${
      inputs.map((i) => `"${i}"`).join(", ")
    } (looked for *.jsonl, *.json, *.ndjson and their .gz, .zst and .zstd forms, and Genkit's .genkit/traces/*).`,
  unreadableDir: () => "folder cannot be read (permission denied?); its files were not loaded",
  unreadableInput: (name: string, reason: string) => `Cannot read ${name}: ${reason}.`,
  unreadableFile: (reason: string) => `file cannot be read (${reason}); it was skipped`,
  truncatedCompressed: (kind: string) =>
    `${kind} stream is cut off (an interrupted copy or write?); the lines before the cut were read`,
  nothingRead: (bad: number, first: string, which = "the first") =>
    `Nothing in the inputs could be read: ${bad} bad line${
      bad === 1 ? "" : "s"
    }, ${which} ${first}.`,
  notATrace: (name: string, looks: string) =>
    `${name} is not a trace file tracebook can read (${looks}); 'deno task formats' lists the formats it reads; a per-call log whose rows detection does not take (no model field, other names) is read with --format generic (export: --input-format generic) or --map.`,
  notATraceDiagnostic: (looks: string) =>
    `file is not a trace file tracebook can read (${looks}); it was skipped ('deno task formats' lists the formats)`,
  noTraceAtAll: (inputs: string[]) =>
    `No trace in ${
      inputs.map((i) => `"${i}"`).join(", ")
    }: no file is in a format tracebook reads ('deno task formats' lists them).`,
  fileTooLarge: (bytes: number, format: string) =>
    `file is ${formatFixed(bytes / 1e6, 0)} MB, too large to read as ${format} in one piece`,
  strict: (count: number, first: string[]) =>
    `Found ${count} bad line${count === 1 ? "" : "s"} in strict mode: ${first.join("; ")}${
      count > first.length ? "; …" : ""
    }.`,
};
