/**
 * The path tier of the loader: trace files, directories and globs → `TraceSet`.
 *
 * ```
 * inputs ─► expandInputs ─► per file: line by line (parseTraceFile, default)
 *                               or the Polars reader ──(file not clean)──► line by line
 *        ─► events + diagnostics ─► pairCalls / sessions ─► frames ─► applyPrices
 * ```
 *
 * @module
 */
import { statSync } from "node:fs";
import { applyPrices, type PriceOverrides } from "../prices/mod.ts";
import { concatTraceSets } from "../frames/concat.ts";
import type { TraceSet } from "../frames/columns.ts";
import { UserError } from "../log/mod.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { assembleFrames } from "./_assemble.ts";
import { readTraceFileFast } from "./_fast_read.ts";
import { expandInputs } from "./inputs.ts";
import { importForeignFiles, mergeImported, splitByFormat } from "./import/mod.ts";
import { messages } from "./messages.ts";
import { DEFAULT_MAX_LINE_BYTES, parseTraceFile, parseTraceText } from "./parse_trace_text.ts";
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
}

/** Events and bad-line diagnostics of the files, in file then line order. */
export async function readTraceFiles(
  files: string[],
  options: LoadOptions = {},
): Promise<{ events: EventRecord[]; diagnostics: Diagnostic[] }> {
  const sizes = files.map((f) => statSync(f).size);
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
      : await readTraceFileFast(file, file, size, { ...options, maxLineBytes, onBytes });
    parsed ??= parseTraceFile(file, file, { ...options, maxLineBytes, onBytes });
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
 * Load native trace files into the frames of the contract (`src/frames/columns.ts`).
 * Inputs are files, directories (searched recursively for `*.jsonl`) and globs.
 * Lenient by default: every non-blank line is an event or one row of `diagnostics`.
 *
 * @example
 * ```ts
 * import { loadTraces } from "./load_traces.ts";
 * const traces = await loadTraces("traces/");
 * console.log(traces.calls.height, traces.diagnostics.height);
 * ```
 */
export async function loadTraces(inputs: string | string[], options: LoadOptions = {}): Promise<TraceSet> {
  const list = typeof inputs === "string" ? [inputs] : [...inputs];
  if (options.timezone) checkTimezone(options.timezone);
  const files = await expandInputs(list);
  // OTLP/JSON and OpenAI Batch files (told by content) go to the importers of ./import/
  const { native, foreign } = splitByFormat(files);
  const { events, diagnostics } = await readTraceFiles(native, options);
  const imported = importForeignFiles(foreign, { group: options.group ?? null, keepText: options.keepText });
  if (options.strict) checkStrict([...diagnostics, ...imported?.diagnostics ?? []]);
  const frames = mergeImported(
    assembleFrames(events, diagnostics, { group: options.group ?? null, keepText: options.keepText }),
    imported,
  );
  return {
    ...frames,
    calls: applyPrices(frames.calls, { overrides: options.prices }),
    files,
    inputs: list,
  };
}

/** Options of {@link fromTraceText}. */
export interface FromTraceTextOptions extends Omit<LoadOptions, "reader" | "onProgress"> {
  /** The name reported in the `file` columns. @default {"<text>"} */
  file?: string;
}

/**
 * Build a `TraceSet` from the text of a native trace (e.g. in a notebook or a test).
 *
 * @example
 * ```ts
 * import { fromTraceText } from "./load_traces.ts";
 * const t = fromTraceText('{"type":"llm_request","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{"request_id":"r"}}\n');
 * if (t.calls.getColumn("status").get(0) !== "pending") throw new Error("wrong");
 * ```
 */
export function fromTraceText(text: string, options: FromTraceTextOptions = {}): TraceSet {
  if (options.timezone) checkTimezone(options.timezone);
  const file = options.file ?? "<text>";
  const { events, diagnostics } = parseTraceText(text, file, options);
  if (options.strict) checkStrict(diagnostics);
  const frames = assembleFrames(events, diagnostics, { group: options.group ?? null, keepText: options.keepText });
  return { ...frames, calls: applyPrices(frames.calls, { overrides: options.prices }), files: [file], inputs: [file] };
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
