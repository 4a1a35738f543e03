/**
 * Foreign formats the loader imports into the same frames as native traces:
 * OTLP/JSON traces with OpenTelemetry GenAI attributes, and OpenAI Batch API
 * output. `loadTraces` tells them apart by content ({@link detectTraceFormat})
 * and routes them here.
 *
 * ```
 * files ─► detectTraceFormat ─► native ─► readTraceFiles ─► assembleFrames ─┐
 *                              ├► otlp ─────► parseOtlpText ─────────┐       ├► mergeImported ─► applyPrices
 *                              └► openai_batch ► parseOpenAIBatchText ┴► assembleImportedFrames ┘
 * ```
 *
 * @module
 */
import { readFileSync, statSync } from "node:fs";
import { concatTraceSets } from "../../frames/concat.ts";
import type { TraceSet } from "../../frames/columns.ts";
import { applyPrices, type PriceOverrides } from "../../prices/mod.ts";
import type { Diagnostic } from "../_event.ts";
import { detectTraceFormat, detectTraceFormatOfText, type TraceFormat } from "./detect.ts";
import { parseOpenAIBatchText } from "./openai_batch.ts";
import { parseOtlpText } from "./otlp.ts";
import { assembleImportedFrames, type ImportedFrames, type ImportedRecords } from "./_records.ts";
import { importMessages } from "./messages.ts";

export { detectTraceFormat, detectTraceFormatOfText, type TraceFormat } from "./detect.ts";
export { type ParseOtlpOptions, parseOtlpText } from "./otlp.ts";
export {
  batchSessionId,
  type ParseOpenAIBatchOptions,
  parseOpenAIBatchText,
} from "./openai_batch.ts";
export type { ImportedCall, ImportedEvent, ImportedFrames, ImportedRecords } from "./_records.ts";

/** A foreign format. */
export type ForeignFormat = Exclude<TraceFormat, "native">;

/** Larger files cannot be decoded into one JavaScript string. */
const MAX_IMPORT_BYTES = 500 * 1024 * 1024;

/**
 * Split files into native ones and foreign ones (with their format), keeping
 * their order.
 *
 * @example
 * ```ts
 * import { splitByFormat } from "./mod.ts";
 * const { native, foreign } = splitByFormat(["traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl"]);
 * if (native.length !== 1 || foreign.size !== 0) throw new Error();
 * ```
 */
export function splitByFormat(
  files: string[],
): { native: string[]; foreign: Map<string, ForeignFormat> } {
  const native: string[] = [];
  const foreign = new Map<string, ForeignFormat>();
  for (const file of files) {
    const format = detectTraceFormat(file);
    if (format === "native") native.push(file);
    else foreign.set(file, format);
  }
  return { native, foreign };
}

/** Options of {@link importForeignFiles}. */
export interface ImportOptions {
  /** Label of the `group` column. @default {null} */
  group?: string | null;
  /** Add `messages` and `output` columns to `calls`. @default {false} */
  keepText?: boolean;
}

/** Parse the text of one foreign file. */
export function parseForeignText(
  text: string,
  file: string,
  format: ForeignFormat,
  options: { keepText?: boolean } = {},
): ImportedRecords {
  return format === "otlp"
    ? parseOtlpText(text, file, options)
    : parseOpenAIBatchText(text, file, options);
}

/**
 * Read foreign files into the frames of the contract (before prices), and the
 * diagnostics (for strict mode). Null when there are no files.
 *
 * @example
 * ```ts
 * import { importForeignFiles } from "./mod.ts";
 * if (importForeignFiles(new Map()) !== null) throw new Error();
 * ```
 */
export function importForeignFiles(
  files: Map<string, ForeignFormat>,
  options: ImportOptions = {},
): { frames: ImportedFrames; diagnostics: Diagnostic[] } | null {
  if (files.size === 0) return null;
  const all: ImportedRecords = { calls: [], events: [], diagnostics: [] };
  for (const [file, format] of files) {
    const size = statSync(file).size;
    if (size > MAX_IMPORT_BYTES) {
      all.diagnostics.push({
        file,
        line: 1,
        code: "file_too_large",
        message: importMessages.fileTooLarge(size),
        severity: "error",
      });
      continue;
    }
    const records = parseForeignText(
      new TextDecoder().decode(readFileSync(file)),
      file,
      format,
      options,
    );
    for (const c of records.calls) all.calls.push(c);
    for (const e of records.events) all.events.push(e);
    for (const d of records.diagnostics) all.diagnostics.push(d);
  }
  return { frames: assembleImportedFrames(all, options), diagnostics: all.diagnostics };
}

/**
 * Native frames and imported ones as one set of frames, rows ordered by file
 * then line (native rows keep their order). Returns `native` itself when
 * nothing was imported.
 */
export function mergeImported<F extends ImportedFrames>(
  native: F,
  imported: { frames: ImportedFrames } | null,
): F {
  if (imported === null) return native;
  const empty = { files: [], inputs: [] };
  const both = concatTraceSets([{ ...native, ...empty }, { ...imported.frames, ...empty }]);
  const byFileLine = (df: typeof both.calls) => df.sort(["file", "line"], false, true, true);
  return {
    ...native,
    calls: byFileLine(both.calls),
    sessions: both.sessions.sort("file", false, true, true),
    events: byFileLine(both.events),
    diagnostics: byFileLine(both.diagnostics),
  };
}

/** Options of {@link fromForeignText}. */
export interface FromForeignTextOptions extends ImportOptions {
  /** The name reported in the `file` columns (and the Batch session). @default {"<text>"} */
  file?: string;
  /** The format; detected from the text when absent. */
  format?: ForeignFormat;
  /** Per-model price overrides, passed to `applyPrices`. */
  prices?: PriceOverrides;
}

/**
 * Build a `TraceSet` from the text of an OTLP/JSON or OpenAI Batch output file
 * (e.g. in a notebook or a test).
 *
 * @example
 * ```ts
 * import { fromForeignText } from "./mod.ts";
 * const line = { custom_id: "r1", response: null, error: { code: "expired", message: "Batch expired" } };
 * const t = fromForeignText(JSON.stringify(line) + "\n", { file: "batch.jsonl" });
 * if (t.calls.getColumn("error").get(0) !== "Batch expired") throw new Error("wrong");
 * ```
 */
export function fromForeignText(text: string, options: FromForeignTextOptions = {}): TraceSet {
  const file = options.file ?? "<text>";
  const format = options.format ?? foreignFormatOf(text);
  const frames = assembleImportedFrames(parseForeignText(text, file, format, options), options);
  return {
    ...frames,
    calls: applyPrices(frames.calls, { overrides: options.prices }),
    files: [file],
    inputs: [file],
  };
}

function foreignFormatOf(text: string): ForeignFormat {
  const format = detectTraceFormatOfText(text);
  if (format === "otlp" || format === "openai_batch") return format;
  throw new TypeError(
    "Cannot import text: it is neither OTLP/JSON nor OpenAI Batch output (pass options.format)",
  );
}
