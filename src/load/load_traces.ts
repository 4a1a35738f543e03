/**
 * The path tier of the loader: trace files, directories and globs → `TraceSet`.
 *
 * ```
 * inputs ─► findTraceInputs ─► stageInputs (stdin, pipes, gzip → temporary files)
 *        ─► per file: sampleFile ─► detectFormat (or --format)
 *             native ─► line by line (parseTraceFile) ─► events ─► pairCalls / sessions ─► frames ─┐
 *             other ──► adapter.parse(text) ─► records ─► assembleImportedFrames ─────────────────┼► merge ─► applyPrices
 *             none ───► a `not_a_trace` warning (an error for a file named by the user) ─────────┘
 * ```
 *
 * @module
 */
import { readFileSync, statSync } from "node:fs";
import { applyPrices, type PriceOverrides } from "../prices/mod.ts";
import { concatTraceSets } from "../frames/concat.ts";
import type { TraceSet } from "../frames/columns.ts";
import { UserError } from "../log/mod.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { assembleFrames } from "./_assemble.ts";
import { readTraceFileFast } from "./_fast_read.ts";
import type { FormatAdapter } from "./formats/adapter.ts";
import { assembleImportedFrames, type ImportedFrames, type ImportedRecords } from "./formats/_records.ts";
import { describeSample, detectFormat, formatByName } from "./formats/registry.ts";
import { sampleFile, sampleOfText } from "./formats/sample.ts";
import { findTraceInputs, stageInputs, type TraceInput } from "./inputs.ts";
import { messages } from "./messages.ts";
import { boundDiagnostics, DEFAULT_MAX_LINE_BYTES, parseTraceFile, parseTraceText } from "./parse_trace_text.ts";
import { checkTimezone } from "./timestamp.ts";

/** Options of {@link loadTraces}. */
export interface LoadOptions {
  /**
   * IANA time zone of naive timestamps (no `Z`, no offset).
   * @default {"UTC"}
   */
  timezone?: string;
  /**
   * Throw one {@link UserError} listing the first bad lines instead of reporting
   * them in `diagnostics` (warnings such as orphans do not fail).
   * @default {false}
   */
  strict?: boolean;
  /**
   * Add `messages` (JSON) and `output` text columns to `calls`. Reads every file
   * line by line (slower).
   * @default {false}
   */
  keepText?: boolean;
  /** A label put in the `group` column of `calls` (for comparisons). @default {null} */
  group?: string;
  /** Per-model price overrides, passed to `applyPrices`. */
  prices?: PriceOverrides;
  /** A longer line is reported as `line_too_long` and skipped. @default {8388608} (8 MiB) */
  maxLineBytes?: number;
  /**
   * How files are read. `"lines"`: JSON.parse and a hand-written check of the
   * known fields (zod for a line it does not pass), line by line in 4 MB slices
   * (measured fastest: 2.3 s and 0.66 GB peak RSS for 200k calls / 784 MB).
   * `"polars"`: Polars' NDJSON reader with an explicit schema for clean files,
   * falling back to `"lines"` for a file that is not (measured 19.6 s on the
   * same file, because the message and output texts must be materialized to
   * count their characters).
   * @default {"lines"}
   */
  reader?: "lines" | "polars";
  /** Progress in bytes, for a progress bar: called as files are read. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Read every file as this format (a name of `deno task formats`) instead of
   * detecting each file's format from its first bytes.
   */
  format?: string;
  /**
   * Field mapping for per-call logs (`generic` format): our column → the log's
   * field path, e.g. `{ model: "engine", duration_ms: "elapsed" }`.
   */
  map?: Record<string, string>;
  /** Price batch results at list prices instead of the provider's batch rate. @default {false} */
  listPrices?: boolean;
}

/** Larger files of formats read in one piece cannot be decoded into one JavaScript string. */
const MAX_DOCUMENT_BYTES = 500 * 1024 * 1024;

/** Events and bad-line diagnostics of the files, in file then line order. */
export async function readTraceFiles(
  inputs: (string | TraceInput)[],
  options: LoadOptions = {},
): Promise<{ events: EventRecord[]; diagnostics: Diagnostic[] }> {
  const files = inputs.map((f) => typeof f === "string" ? { path: f, name: f } : f);
  const sizes = files.map((f) => statSync(f.path).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const progress = options.onProgress;
  progress?.(0, total);
  const events: EventRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  for (const [i, file] of files.entries()) {
    const size = sizes[i]!;
    let inFile = 0;
    const onBytes = (n: number) => {
      inFile += n;
      progress?.(done + inFile, total);
    };
    let parsed = options.reader !== "polars" || options.keepText
      ? null
      : await readTraceFileFast(file.path, file.name, size, { ...options, maxLineBytes, onBytes });
    parsed ??= parseTraceFile(file.path, file.name, { ...options, maxLineBytes, onBytes });
    for (const e of parsed.events) events.push(e);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    done += size;
    progress?.(done, total);
  }
  return { events, diagnostics };
}

/** Throw the strict-mode {@link UserError} when any line was bad. */
function checkStrict(diagnostics: Diagnostic[]): void {
  const bad = diagnostics.filter((d) => d.severity === "error");
  if (bad.length === 0) return;
  const first = bad.slice(0, 5).map((d) => `${d.file}:${d.line}: ${d.message}`);
  throw new UserError(messages.strict(bad.length, first));
}

/**
 * Read files of the non-native formats with their adapters (each file in one
 * piece) into records, the `format` of each call set.
 */
function readFormatFiles(
  files: { input: TraceInput; adapter: FormatAdapter }[],
  options: LoadOptions,
): ImportedRecords {
  const all: ImportedRecords = { calls: [], events: [], diagnostics: [], sessions: [] };
  for (const { input, adapter } of files) {
    const size = statSync(input.path).size;
    if (size > MAX_DOCUMENT_BYTES) {
      all.diagnostics.push({
        file: input.name,
        line: 1,
        code: "file_too_large",
        message: messages.fileTooLarge(size, adapter.title),
        severity: "error",
      });
      continue;
    }
    const text = new TextDecoder().decode(readFileSync(input.path));
    const records = adapter.parse!(text, input.name, options);
    records.diagnostics = boundDiagnostics(records.diagnostics);
    appendRecords(all, records, adapter.name);
  }
  return all;
}

function appendRecords(all: ImportedRecords, records: ImportedRecords, format: string): void {
  for (const c of records.calls) all.calls.push(Object.assign(c, { format }));
  for (const e of records.events) all.events.push(e);
  for (const d of records.diagnostics) all.diagnostics.push(d);
  for (const s of records.sessions ?? []) all.sessions!.push(s);
}

/**
 * Native frames and the frames of other formats as one set of frames, rows
 * ordered by file then line.
 */
function mergeFrames<F extends ImportedFrames>(native: F, imported: ImportedFrames | null): F {
  if (imported === null) return native;
  const empty = { files: [], inputs: [] };
  const both = concatTraceSets([{ ...native, ...empty }, { ...imported, ...empty }]);
  const byFileLine = (df: typeof both.calls) => df.sort(["file", "line"], false, true, true);
  return {
    ...native,
    calls: byFileLine(both.calls),
    sessions: both.sessions.sort("file", false, true, true),
    events: byFileLine(both.events),
    diagnostics: byFileLine(both.diagnostics),
  };
}

/**
 * Load trace files of any format tracebook reads into the frames of the
 * contract (`src/frames/columns.ts`). Inputs are files, directories (searched
 * recursively for `*.jsonl`, `*.json`, `*.ndjson` and `.gz` forms), globs and
 * `-` (standard input). Each file's format is detected from its first bytes
 * (`options.format` overrides it). Lenient by default: every non-blank line of
 * a native file is an event or one row of `diagnostics`; a file of no known
 * format is one `not_a_trace` warning, or a {@link UserError} when the user
 * named it; a run with no trace at all throws.
 *
 * @example
 * ```ts
 * import { loadTraces } from "./load_traces.ts";
 * const traces = await loadTraces("traces/");
 * if (traces.calls.height === 0 || traces.formats?.[traces.files[0]!] !== "native") throw new Error();
 * ```
 */
export async function loadTraces(inputs: string | string[], options: LoadOptions = {}): Promise<TraceSet> {
  const list = typeof inputs === "string" ? [inputs] : [...inputs];
  if (options.timezone) checkTimezone(options.timezone);
  const forced = options.format ? formatByName(options.format) : null;
  const found = await findTraceInputs(list);
  const { inputs: staged, cleanup } = await stageInputs(found.inputs);
  try {
    const nativeFiles: TraceInput[] = [];
    const others: { input: TraceInput; adapter: FormatAdapter }[] = [];
    const formats: Record<string, string> = {};
    const fileDiagnostics: Diagnostic[] = [...found.diagnostics];
    for (const input of staged) {
      const sample = forced ? null : sampleFile(input.path, input.name);
      const adapter = forced ?? detectFormat(sample!);
      if (!adapter) {
        const looks = describeSample(sample!);
        if (input.named) throw new UserError(messages.notATrace(input.name, looks));
        fileDiagnostics.push({
          file: input.name,
          line: 1,
          code: "not_a_trace",
          message: messages.notATraceDiagnostic(looks),
          severity: "warning",
        });
        continue;
      }
      formats[input.name] = adapter.name;
      if (adapter.parse) others.push({ input, adapter });
      else nativeFiles.push(input);
    }
    if (Object.keys(formats).length === 0) throw new UserError(messages.noTraceAtAll(list));
    const { events, diagnostics } = await readTraceFiles(nativeFiles, options);
    for (const d of fileDiagnostics) diagnostics.push(d);
    const records = readFormatFiles(others, options);
    if (options.strict) checkStrict([...diagnostics, ...records.diagnostics]);
    const frameOptions = { group: options.group ?? null, keepText: options.keepText };
    const frames = mergeFrames(
      assembleFrames(events, diagnostics, frameOptions),
      others.length || records.diagnostics.length ? assembleImportedFrames(records, frameOptions) : null,
    );
    return {
      ...frames,
      calls: applyPrices(frames.calls, { overrides: options.prices, listPrices: options.listPrices }),
      files: staged.map((i) => i.name),
      inputs: list,
      formats,
    };
  } finally {
    cleanup();
  }
}

/** Options of {@link fromTraceText}. */
export interface FromTraceTextOptions extends Omit<LoadOptions, "reader" | "onProgress"> {
  /** The name reported in the `file` columns. @default {"<text>"} */
  file?: string;
}

/**
 * Build a `TraceSet` from the text of a trace file of any format (e.g. in a
 * notebook or a test): the format is detected from the text unless
 * `options.format` names it.
 *
 * @example
 * ```ts
 * import { fromTraceText } from "./load_traces.ts";
 * const t = fromTraceText('{"type":"llm_request","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{"request_id":"r"}}\n');
 * if (t.calls.getColumn("status").get(0) !== "pending") throw new Error("wrong");
 * const b = fromTraceText('{"custom_id":"r1","response":null,"error":{"code":"expired","message":"Batch expired"}}\n');
 * if (b.calls.getColumn("error").get(0) !== "Batch expired" || b.formats?.["<text>"] !== "openai_batch") throw new Error();
 * ```
 */
export function fromTraceText(text: string, options: FromTraceTextOptions = {}): TraceSet {
  if (options.timezone) checkTimezone(options.timezone);
  const file = options.file ?? "<text>";
  const sample = sampleOfText(text.slice(0, 4 * 1024 * 1024), file);
  const adapter = options.format ? formatByName(options.format) : detectFormat(sample);
  if (!adapter) throw new UserError(messages.notATrace(file, describeSample(sample)));
  const frameOptions = { group: options.group ?? null, keepText: options.keepText };
  let frames: ImportedFrames;
  if (adapter.parse) {
    const records: ImportedRecords = { calls: [], events: [], diagnostics: [], sessions: [] };
    appendRecords(records, adapter.parse(text, file, options), adapter.name);
    if (options.strict) checkStrict(records.diagnostics);
    frames = assembleImportedFrames(records, frameOptions);
  } else {
    const { events, diagnostics } = parseTraceText(text, file, options);
    if (options.strict) checkStrict(diagnostics);
    frames = assembleFrames(events, diagnostics, frameOptions);
  }
  return {
    ...frames,
    calls: applyPrices(frames.calls, { overrides: options.prices, listPrices: options.listPrices }),
    files: [file],
    inputs: [file],
    formats: { [file]: adapter.name },
  };
}

/**
 * Load labelled groups of inputs (e.g. `{ "gpt-4o": [...], "o1-mini": [...] }`)
 * into one `TraceSet` whose `calls.group` holds the label, for comparisons.
 *
 * @example
 * ```ts
 * import { loadTraceGroups } from "./load_traces.ts";
 * const t = await loadTraceGroups({ early: ["traces/trace_[0-9]*.jsonl"], late: ["traces/trace_[a-f]*.jsonl"] });
 * if (t.calls.getColumn("group").unique().len() !== 2) throw new Error("two groups");
 * ```
 */
export async function loadTraceGroups(
  groups: Record<string, string[]>,
  options: Omit<LoadOptions, "group"> = {},
): Promise<TraceSet> {
  const sets: TraceSet[] = [];
  for (const [label, inputs] of Object.entries(groups)) {
    sets.push(await loadTraces(inputs, { ...options, group: label }));
  }
  return concatTraceSets(sets);
}
