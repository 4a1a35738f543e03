/**
 * The shape of a format adapter: how it recognises its files and how it reads
 * one into records. Every format tracebook reads is one adapter in
 * `registry.ts` (DESIGN.md, "Other formats: one adapter each").
 *
 * @module
 */
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import type { TraceSource } from "./source.ts";

/** What detection sees of a file: its first bytes, parsed as far as they go. */
export interface FormatSample {
  /** The first bytes of the file (up to 1 MiB), decoded. */
  head: string;
  /**
   * The complete top-level JSON values at the start of the file, in order: the
   * first lines of a JSON Lines file, the first objects of pretty-printed
   * objects concatenated, or the whole document when it fits in the head.
   * Values that do not parse are left out.
   */
  values: unknown[];
  /**
   * The keys of the first top-level object (of the first element when the file
   * is an array), also when that object does not end inside the head.
   */
  keys: string[];
  /** The file is one JSON array (`[` first). */
  array: boolean;
  /** The file's name (for formats that are only told apart by name, e.g. CSV). */
  file: string;
}

/** Options every adapter's `parse` takes. */
export interface ParseOptions {
  /** Keep the prompt (`messages`, JSON) and output text of each call. @default {false} */
  keepText?: boolean;
  /**
   * With `keepText`, keep the texts of these calls only (the others' are null):
   * the texts of a few calls read again (`callTextReader`). The span and batch
   * formats honour it; the others keep every text. @default {every call}
   */
  textsOf?: (call: ImportedCall) => boolean;
  /**
   * With `textsOf`, the lines of the calls it names (a hint that holds each of
   * them): the parse is then a read for these calls' texts only. A format of
   * one call a line may leave the other lines unread (batch results); one that
   * reads several records into one call (spans) holds only these lines' texts
   * while it reads, and its other events' payloads may lack their attributes.
   * @default {every line}
   */
  textLines?: ReadonlySet<number>;
  /**
   * With `textLines`, the request ids of the calls `textsOf` names (a span's
   * call has its span's id): a span format keeps whole only the spans on those
   * lines with those ids, so a document of one line (Jaeger's answer) is not
   * held whole for a few calls' texts.
   */
  textIds?: ReadonlySet<string>;
  /**
   * With `textLines`, the span ids of those calls' parents: kept whole wherever they are, since a
   * wrapper's texts are its only call's when the call's span records none.
   */
  textParents?: ReadonlySet<string>;
  /** IANA time zone of naive timestamps. @default {"UTC"} */
  timezone?: string;
  /** Field mapping of the generic per-call log adapter (`--map`): our column → the log's field path. */
  map?: Record<string, string>;
}

/** One format tracebook reads. */
export interface FormatAdapter {
  /** The name `--format` takes and the `format` column holds, e.g. `"otlp"`. */
  name: string;
  /** A short title, e.g. `"OTLP/JSON traces"`. */
  title: string;
  /** What it reads as calls, sessions and errors (one sentence, for `deno task formats`). */
  reads: string;
  /** A one-line example of the file's shape. */
  example: string;
  /** True when the sample is this format. Adapters are tried in registry order. */
  detect(sample: FormatSample): boolean;
  /**
   * Read one file: its whole text (`source.text()`), or its JSON values or
   * lines one at a time (`source.values`, `source.lines`), so that a file of
   * any size is read without holding its text. `file` is the name reported in
   * the frames. Absent for the native format, which the loader reads itself.
   */
  parse?(source: TraceSource, file: string, options: ParseOptions): ImportedRecords;
  /**
   * A parse with `textsOf` (and `textLines`) holds the texts of the kept calls
   * only, so the texts of the few calls a page shows are read again from the
   * file (`callTextReader`) rather than loaded with every call. Formats whose
   * parse holds every text anyway (agent logs and documents read whole) leave
   * it unset.
   */
  textsByCall?: boolean;
  /**
   * Its calls never hold a prompt or an output (a per-call log's fields are
   * counts and times): their texts are null without reading the file again
   * (`callTextReader`).
   */
  noTexts?: boolean;
}
