/**
 * Events as columns: a few typed arrays and arrays of strings instead of one
 * object per event. The loader keeps the events of the files it reads in an
 * {@link EventTable} (each line's record is copied in as it is parsed, so the
 * records die young), pairs and assembles the frames from it, and stores it in
 * the cache entries; {@link encodeEvents} packs events to pass them between
 * threads or store them, {@link decodeEvents} gives back equal {@link EventRecord}s.
 *
 * @module
 */
import { type Usage, USAGE_FIELDS } from "../schema/mod.ts";
import type { EventRecord } from "./_event.ts";

/** Number fields of an event (null is stored as NaN: the values are finite or null). */
const NUMBERS = ["duration", "ttft", "prompt_chars", "output_chars"] as const;
/** Strings of few distinct values, stored once each and referred to by number. */
const CODED = ["type", "session_id", "model", "provider", "finish_reason"] as const;
/** The texts kept with `keepText`, one per event each. */
const TEXT = ["messages", "output", "params"] as const;

/** Many strings (or nulls) as one string and their lengths (-1 for null). */
export interface PackedStrings {
  text: string;
  lengths: Int32Array;
}

/** Events of one file (or range of a file) as columns; `line` as read, before any offset. */
export interface EncodedEvents {
  n: number;
  line: Float64Array;
  ts: Float64Array;
  /** `n` × ({@link NUMBERS} then the usage fields), NaN for null. */
  numbers: Float64Array;
  /** 1 where the event has a usage. */
  hasUsage: Uint8Array;
  /** `n` × {@link CODED}: 0 for null, else 1 + the index in `dictionary`. */
  codes: Uint32Array;
  dictionary: PackedStrings;
  /** The strings one per event (`request_id`, `error`, `retry_of`, `payload`), one after the other (`n` each). */
  plain: PackedStrings;
  /** Events with metadata: their index and the metadata. */
  metadata: [number, Record<string, unknown>][];
  /** With keepText: {@link TEXT}, one after the other (`n` each). */
  text?: PackedStrings;
}

function pack(values: (string | null | undefined)[]): PackedStrings {
  const lengths = new Int32Array(values.length);
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) lengths[i] = -1;
    else {
      lengths[i] = v.length;
      parts.push(v);
    }
  }
  return { text: parts.join(""), lengths };
}

/** Values `from` to `to` of each column, one column after the other, packed as {@link pack} packs them. */
function packStringColumns(columns: StringColumn[], from: number, to: number): PackedStrings {
  const packs = columns.map((column) => column.pack(from, to));
  const lengths = new Int32Array(packs.reduce((sum, p) => sum + p.lengths.length, 0));
  let at = 0;
  for (const p of packs) {
    lengths.set(p.lengths, at);
    at += p.lengths.length;
  }
  return { text: packs.map((p) => p.text).join(""), lengths };
}

/** Values `from` to `to` of each column, one column after the other, packed as {@link pack} packs them. */
function packColumns(columns: (string | null)[][], from: number, to: number): PackedStrings {
  const n = to - from;
  const lengths = new Int32Array(columns.length * n);
  const parts: string[] = [];
  let at = 0;
  for (const values of columns) {
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v === null || v === undefined) lengths[at++] = -1;
      else {
        lengths[at++] = v.length;
        parts.push(v);
      }
    }
  }
  return { text: parts.join(""), lengths };
}

function unpack({ text, lengths }: PackedStrings): (string | null)[] {
  const out = new Array<string | null>(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const n = lengths[i]!;
    if (n < 0) out[i] = null;
    else {
      out[i] = text.slice(at, at + n);
      at += n;
    }
  }
  return out;
}

/**
 * The `per` columns of `packed` (`n` strings each, one column after the
 * other); with `wanted`, only the strings marked there (the others left undefined).
 */
function unpackColumns(
  { text, lengths }: PackedStrings,
  n: number,
  per: number,
  wanted?: Uint8Array,
): (string | null)[][] {
  const columns: (string | null)[][] = [];
  let at = 0;
  for (let k = 0; k < per; k++) {
    const column = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const length = lengths[k * n + i]!;
      if (!wanted || wanted[k * n + i]) column[i] = length < 0 ? null : text.slice(at, at + length);
      if (length > 0) at += length;
    }
    columns.push(column);
  }
  return columns;
}

/** The strings of `packed` (`n` per column, one column after the other) pushed onto `columns`. */
function unpackInto(
  { text, lengths }: PackedStrings,
  n: number,
  columns: (string | null)[][],
): void {
  let at = 0;
  for (let k = 0; k < columns.length; k++) {
    const column = columns[k]!;
    for (let i = 0; i < n; i++) {
      const length = lengths[k * n + i]!;
      if (length < 0) column.push(null);
      else {
        column.push(text.slice(at, at + length));
        at += length;
      }
    }
  }
}

/** Marks of the strings of events `only` in a packing of `per` strings per event (`n` each). */
function marks(only: ArrayLike<number>, n: number, per: number): Uint8Array {
  const wanted = new Uint8Array(n * per);
  for (let j = 0; j < only.length; j++) {
    for (let k = 0; k < per; k++) wanted[k * n + only[j]!] = 1;
  }
  return wanted;
}

/** The indexes of the encoded events of these sessions, in order (to decode only them). */
export function eventsOfSessions(encoded: EncodedEvents, sessions: Set<string>): number[] {
  const dictionary = unpack(encoded.dictionary);
  const codes = new Set<number>();
  dictionary.forEach((v, i) => {
    if (v !== null && sessions.has(v)) codes.add(i + 1);
  });
  const out: number[] = [];
  const session = CODED.indexOf("session_id");
  if (codes.size === 0) return out;
  const all = encoded.codes;
  for (let i = 0; i < encoded.n; i++) {
    if (codes.has(all[i * CODED.length + session]!)) out.push(i);
  }
  return out;
}

/** The typed arrays of `encoded`, to transfer rather than copy. */
export function transferablesOf(encoded: EncodedEvents): ArrayBuffer[] {
  const arrays = [
    encoded.line,
    encoded.ts,
    encoded.numbers,
    encoded.hasUsage,
    encoded.codes,
    encoded.dictionary.lengths,
    encoded.plain.lengths,
    ...(encoded.text ? [encoded.text.lengths] : []),
  ];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

/**
 * Values pushed one at a time before they are joined into a run (a few
 * hundred: joined long before the young generation is collected, so that the
 * values themselves die young).
 */
const RUN_VALUES = 256;

/** Values between two marks of where a value starts ({@link StringColumn}). */
const MARK_EVERY = 32;

/**
 * A column of strings (or nulls) held packed: each value's length (-1 for
 * null) in an `Int32Array`, the values joined into a few long strings (runs),
 * a value made again (a slice) only when it is read. A column of one string
 * per event (the ids: 432,000 of them for 200,000 calls) kept as an array
 * held every string until the end of the load: each survived the young
 * generation, was copied to the old one, and was copied again to be packed
 * for the cache entry and between threads (one thread parsing a 784 MB file,
 * 200,000 calls: 2.73–2.82 s and 76,000 page faults with the four string
 * columns as arrays, 2.43–2.64 s and 61,000 packed).
 *
 * @example
 * ```ts
 * import { StringColumn } from "./_event_columns.ts";
 * const column = new StringColumn();
 * for (const v of ["a", null, "", "bc"]) column.push(v);
 * if (column.get(3) !== "bc" || column.get(1) !== null || column.pack(1, 4).text !== "bc") throw new Error();
 * ```
 */
export class StringColumn {
  /** Number of values. */
  length = 0;
  /** Each value's length, -1 for null. */
  #lengths: Int32Array;
  /** The joined runs, in order, and where each starts in the column's text. */
  #runs: string[] = [];
  #runStarts: number[] = [];
  /** Values pushed since the last run, and the characters of every run. */
  #pending: string[] = [];
  #chars = 0;
  /**
   * Where every {@link MARK_EVERY}th value starts in the column's text, for
   * the first `#indexed` values (a start for each value cost 3.5 MB a column
   * for 432,000 events, and 20 ms to make it).
   */
  #marks: Float64Array = new Float64Array(0);
  #indexed = 0;
  /** The last value read ({@link get}): its index, where it starts, and its run. */
  #lastIndex = 0;
  #lastStart = 0;
  #lastRun = 0;

  constructor(capacity = 16) {
    this.#lengths = new Int32Array(Math.max(1, capacity));
  }

  /** A column of these values. */
  static of(values: readonly (string | null | undefined)[]): StringColumn {
    const column = new StringColumn(values.length);
    for (const v of values) column.push(v);
    return column;
  }

  /** Room for `size` values in all. */
  reserve(size: number): void {
    if (size > this.#lengths.length) this.#lengths = grown32(this.#lengths, size);
  }

  /** Append one value (undefined is null). */
  push(v: string | null | undefined): void {
    if (this.length === this.#lengths.length) this.reserve(this.length * 2);
    if (v === null || v === undefined) this.#lengths[this.length++] = -1;
    else {
      this.#lengths[this.length++] = v.length;
      this.#pending.push(v);
      if (this.#pending.length === RUN_VALUES) this.#flush();
    }
  }

  /** The pending values as one more run. */
  #flush(): void {
    if (this.#pending.length === 0) return;
    const run = this.#pending.join("");
    this.#pending = [];
    this.#addRun(run);
  }

  #addRun(run: string): void {
    if (run.length === 0) return;
    this.#runs.push(run);
    this.#runStarts.push(this.#chars);
    this.#chars += run.length;
  }

  /**
   * Append `count` values of `packed` (a {@link pack}ing, or one column of
   * several packed one after another), from the value `from` on, whose text
   * starts at `at` in `packed.text`; returns where the next column's text starts.
   */
  appendPacked(
    packed: PackedStrings,
    from = 0,
    count = packed.lengths.length - from,
    at = 0,
  ): number {
    this.#flush();
    this.reserve(this.length + count);
    const lengths = packed.lengths.subarray(from, from + count);
    this.#lengths.set(lengths, this.length);
    this.length += count;
    let chars = 0;
    for (let i = 0; i < count; i++) if (lengths[i]! > 0) chars += lengths[i]!;
    this.#addRun(packed.text.slice(at, at + chars));
    return at + chars;
  }

  /** Append values `from` to `to` of `other`. */
  appendColumn(other: StringColumn, from = 0, to = other.length): void {
    this.appendPacked(other.pack(from, to));
  }

  /**
   * Whether any value is not null (the empty string is a value).
   *
   * @example
   * ```ts
   * import { StringColumn } from "./_event_columns.ts";
   * if (StringColumn.of([null, null]).anyValue()) throw new Error("nulls only");
   * if (!StringColumn.of([null, ""]).anyValue()) throw new Error("an empty string is a value");
   * ```
   */
  anyValue(): boolean {
    const lengths = this.#lengths;
    for (let i = 0; i < this.length; i++) if (lengths[i]! >= 0) return true;
    return false;
  }

  /**
   * Value `i`. Read in order (each index at or a little after the last one
   * read, as the loader reads its columns), a value is found from the last
   * one: a few steps, where a read from the nearest mark and a search of the
   * runs took about 30 (432,000 ids read in order: 7–13 ms against 44–59;
   * `values()`, which reads them so, 21–52 ms against 75–77).
   */
  get(i: number): string | null {
    if (i >= this.length) return null;
    const length = this.#lengths[i]!;
    if (length < 0) return null;
    if (length === 0) return "";
    const start = this.#start(i);
    const runs = this.#runStarts;
    // the last run starting at or before the value (the runs never split a value): the last
    // value's run or the next one, else searched (a value far from the last one read)
    let lo = this.#lastRun;
    if (lo + 1 < runs.length && runs[lo + 1]! <= start) lo++;
    if (
      lo >= runs.length || runs[lo]! > start || (lo + 1 < runs.length && runs[lo + 1]! <= start)
    ) {
      lo = 0;
      let hi = runs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (runs[mid]! <= start) lo = mid;
        else hi = mid - 1;
      }
    }
    this.#lastRun = lo;
    const at = start - runs[lo]!;
    return this.#runs[lo]!.slice(at, at + length);
  }

  /** Where value `i` starts in the column's text: from the last value read when `i` is a little after it. */
  #start(i: number): number {
    if (i >= this.#indexed) this.#index();
    const lengths = this.#lengths;
    let k: number, at: number;
    if (i >= this.#lastIndex && i - this.#lastIndex < MARK_EVERY) {
      k = this.#lastIndex;
      at = this.#lastStart;
    } else {
      k = i - (i % MARK_EVERY);
      at = this.#marks[k / MARK_EVERY]!;
    }
    for (; k < i; k++) if (lengths[k]! > 0) at += lengths[k]!;
    this.#lastIndex = i;
    this.#lastStart = at;
    return at;
  }

  /** The marks of the values not yet indexed; the pending values made a run. */
  #index(): void {
    this.#flush();
    const marks = Math.ceil(this.length / MARK_EVERY) + 1;
    if (this.#marks.length < marks) {
      const size = Math.max(marks, Math.ceil(this.#lengths.length / MARK_EVERY) + 1);
      const bigger = new Float64Array(size);
      bigger.set(this.#marks);
      this.#marks = bigger;
    }
    // from the last mark made on (the values after it may have been pushed since)
    let i = this.#indexed - (this.#indexed % MARK_EVERY);
    let at = this.#marks[i / MARK_EVERY]!;
    const lengths = this.#lengths;
    for (; i < this.length; i++) {
      if (i % MARK_EVERY === 0) this.#marks[i / MARK_EVERY] = at;
      if (lengths[i]! > 0) at += lengths[i]!;
    }
    // the mark after the last value, where the next pass starts from
    if (this.length % MARK_EVERY === 0) this.#marks[this.length / MARK_EVERY] = at;
    this.#indexed = this.length;
  }

  /** Values `from` to `to` (excluded) packed: their lengths and their text. */
  pack(from = 0, to = this.length): PackedStrings {
    const lengths = this.#lengths.slice(from, to);
    if (from === 0 && to === this.length) {
      this.#flush();
      if (this.#runs.length > 1) {
        this.#runs = [this.#runs.join("")];
        this.#runStarts = [0];
      }
      return { text: this.#runs[0] ?? "", lengths };
    }
    let chars = 0;
    for (let i = 0; i < lengths.length; i++) if (lengths[i]! > 0) chars += lengths[i]!;
    if (chars === 0) return { text: "", lengths };
    if (to > this.#indexed) this.#index(); // the values' text in the runs
    const start = this.#start(from);
    const end = start + chars;
    // the runs that hold the range, each cut to it
    const parts: string[] = [];
    for (let r = 0; r < this.#runs.length; r++) {
      const runStart = this.#runStarts[r]!, run = this.#runs[r]!;
      const runEnd = runStart + run.length;
      if (runEnd <= start || runStart >= end) continue;
      parts.push(run.slice(Math.max(0, start - runStart), Math.min(run.length, end - runStart)));
    }
    return { text: parts.join(""), lengths };
  }

  /** Every value, as an array (for a Series). */
  values(): (string | null)[] {
    const out = new Array<string | null>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}

/** An `Int32Array` of `size` values starting with those of `a`. */
function grown32(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** Index of each {@link CODED} field in a row of `codes`. */
export const TYPE = 0, SESSION = 1, MODEL = 2, PROVIDER = 3, FINISH = 4;
/** Index of each number in a row of `numbers` (then the usage fields, from {@link USAGE_AT}). */
export const DURATION = 0, TTFT = 1, PROMPT_CHARS = 2, OUTPUT_CHARS = 3;
/** Where the usage fields start in a row of `numbers` (in the order of `USAGE_FIELDS`). */
export const USAGE_AT = NUMBERS.length;
const WIDTH = NUMBERS.length + USAGE_FIELDS.length;
/** Codes per event in `codes`. */
export const CODED_WIDTH = CODED.length;

/** Columns of an {@link EventTable} that {@link EventTable.release} lets go of. */
export type Released =
  | "fileCode"
  | "line"
  | "ts"
  | "numbers"
  | "hasUsage"
  | "codes"
  | "requestId"
  | "error"
  | "retryOf"
  | "payload"
  | "metadata"
  | "texts";

/** A typed array of `size` values starting with those of `a`. */
function grown<T extends Float64Array | Uint32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Events as columns, appended one at a time (or a table or an encoding at a
 * time) in file then line order: the form in which the loader holds the events
 * of the files it reads. About 200 bytes an event against about 300 as
 * records, and a few dozen objects instead of two or three per event, which
 * the garbage collector never has to move.
 *
 * @example
 * ```ts
 * import { EventTable, MODEL } from "./_event_columns.ts";
 * import { parseTraceText } from "./parse_trace_text.ts";
 * const text = '{"type":"llm_request","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{"request_id":"r","model":"m"}}\n';
 * const table = EventTable.from(parseTraceText(text, "a.jsonl").events, false);
 * if (table.n !== 1 || table.str(0, MODEL) !== "m" || table.record(0).usage !== null) throw new Error();
 * ```
 */
export class EventTable {
  /** Number of events. */
  n = 0;
  /** The texts are kept (`messages`, `output`, `params`). */
  readonly keepText: boolean;
  /** File names, referred to by {@link fileCode}. */
  files: string[] = [];
  fileCode: Uint32Array;
  line: Float64Array;
  ts: Float64Array;
  /** `n` × ({@link NUMBERS} then the usage fields), NaN for null. */
  numbers: Float64Array;
  /** 1 where the event has a usage. */
  hasUsage: Uint8Array;
  /** `n` × {@link CODED}: 0 for null, else 1 + the index in {@link dictionary}. */
  codes: Uint32Array;
  /** The distinct values of the coded fields. */
  dictionary: string[] = [];
  requestId: StringColumn;
  error: StringColumn;
  retryOf: StringColumn;
  payload: StringColumn;
  /** The `data` of each `session_metadata` event, by index. */
  metadata: Map<number, Record<string, unknown>> = new Map();
  /** With keepText: {@link TEXT}, each one per event. */
  texts: [(string | null)[], (string | null)[], (string | null)[]] | null;
  #capacity: number;
  #fileIndex = new Map<string, number>();
  #index = new Map<string, number>();
  /** Each coded field's last value and its code ({@link #codeOf}). */
  #lastValue: (string | null)[] = new Array(CODED.length).fill(null);
  #lastCode = new Uint32Array(CODED.length);

  constructor(keepText: boolean, capacity = 1024) {
    this.keepText = keepText;
    this.#capacity = capacity;
    this.fileCode = new Uint32Array(capacity);
    this.line = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.numbers = new Float64Array(capacity * WIDTH);
    this.hasUsage = new Uint8Array(capacity);
    this.codes = new Uint32Array(capacity * CODED.length);
    this.requestId = new StringColumn(capacity);
    this.error = new StringColumn(capacity);
    this.retryOf = new StringColumn(capacity);
    this.payload = new StringColumn(capacity);
    this.texts = keepText ? [[], [], []] : null;
  }

  /** The columns of strings one per event, in the order of {@link EncodedEvents.plain}. */
  #plain(): StringColumn[] {
    return [this.requestId, this.error, this.retryOf, this.payload];
  }

  /** A table of these records. */
  static from(records: EventRecord[], keepText: boolean): EventTable {
    const table = new EventTable(keepText, Math.max(1, records.length));
    for (const e of records) table.push(e);
    return table;
  }

  /** The code of `v` in the dictionary (0 for null), added when new. */
  #code(v: string | null): number {
    if (v === null) return 0;
    const index = this.#indexed();
    let c = index.get(v);
    if (c === undefined) {
      this.dictionary.push(v);
      c = this.dictionary.length;
      index.set(v, c);
    }
    return c;
  }

  /**
   * The code of `v` as field `k` of an event: the code of the field's last
   * value when `v` is that value (events come session after session, and
   * mostly of one model), else its code in the dictionary, added when new.
   */
  #codeOf(k: number, v: string | null): number {
    if (v === this.#lastValue[k]) return this.#lastCode[k]!;
    const c = this.#code(v);
    this.#lastValue[k] = v;
    this.#lastCode[k] = c;
    return c;
  }

  /** The code of `v` in the dictionary, or 0 when no event has it. */
  code(v: string): number {
    return this.#indexed().get(v) ?? 0;
  }

  /** The dictionary's index (made on first use for a table over an encoding). */
  #indexed(): Map<string, number> {
    if (this.#index.size < this.dictionary.length) {
      this.dictionary.forEach((v, i) => this.#index.set(v, i + 1));
    }
    return this.#index;
  }

  #fileOf(file: string): number {
    let f = this.#fileIndex.get(file);
    if (f === undefined) {
      f = this.files.length;
      this.files.push(file);
      this.#fileIndex.set(file, f);
    }
    return f;
  }

  /**
   * Room for `events` events in all, made at once (when their number can be
   * foreseen): no copies as the table grows, and the room never used is never
   * written, so never resident.
   */
  reserve(events: number): void {
    if (events > this.#capacity) this.#grow(events);
  }

  /** Room for `more` events. */
  #reserve(more: number): void {
    const need = this.n + more;
    if (need > this.#capacity) this.#grow(Math.max(need, this.#capacity * 2));
  }

  #grow(size: number): void {
    this.fileCode = grown(this.fileCode, size);
    this.line = grown(this.line, size);
    this.ts = grown(this.ts, size);
    this.numbers = grown(this.numbers, size * WIDTH);
    this.hasUsage = grown(this.hasUsage, size);
    this.codes = grown(this.codes, size * CODED.length);
    for (const column of this.#plain()) column.reserve(size);
    this.#capacity = size;
  }

  /** Append one event. */
  push(e: EventRecord): void {
    if (this.n === this.#capacity) this.#reserve(1);
    const i = this.n++;
    this.fileCode[i] = this.#fileOf(e.file);
    this.line[i] = e.line;
    this.ts[i] = e.ts;
    // the fields by name, not by a key in a variable (a keyed read of each field was most of the cost);
    // every slot written, NaN for null: the room not yet used is never written, so never resident
    const at = i * WIDTH, numbers = this.numbers;
    numbers[at] = e.duration ?? NaN;
    numbers[at + 1] = e.ttft ?? NaN;
    numbers[at + 2] = e.prompt_chars ?? NaN;
    numbers[at + 3] = e.output_chars ?? NaN;
    const usage = e.usage, u = at + USAGE_AT;
    if (usage) {
      this.hasUsage[i] = 1;
      numbers[u] = usage.input_tokens ?? NaN;
      numbers[u + 1] = usage.output_tokens ?? NaN;
      numbers[u + 2] = usage.total_tokens ?? NaN;
      numbers[u + 3] = usage.cache_read_tokens ?? NaN;
      numbers[u + 4] = usage.cache_write_tokens ?? NaN;
      numbers[u + 5] = usage.reasoning_tokens ?? NaN;
      numbers[u + 6] = usage.cache_write_1h_tokens ?? NaN;
      numbers[u + 7] = usage.web_search_requests ?? NaN;
    } else {
      numbers[u] = numbers[u + 1] = numbers[u + 2] = NaN;
      numbers[u + 3] =
        numbers[u + 4] =
        numbers[u + 5] =
        numbers[u + 6] =
        numbers[u + 7] =
          NaN;
    }
    const c = i * CODED.length, codes = this.codes;
    codes[c] = this.#codeOf(TYPE, e.type);
    codes[c + 1] = this.#codeOf(SESSION, e.session_id);
    codes[c + 2] = this.#codeOf(MODEL, e.model);
    codes[c + 3] = this.#codeOf(PROVIDER, e.provider);
    codes[c + 4] = this.#codeOf(FINISH, e.finish_reason);
    this.requestId.push(e.request_id);
    this.error.push(e.error);
    this.retryOf.push(e.retry_of);
    this.payload.push(e.payload);
    if (e.metadata) this.metadata.set(i, e.metadata);
    if (this.texts) {
      this.texts[0].push(e.messages ?? null);
      this.texts[1].push(e.output ?? null);
      this.texts[2].push(e.params ?? null);
    }
  }

  /** Append the events of `other` (of one file, or several), their lines moved by `lineOffset`. */
  append(other: EventTable, lineOffset = 0): void {
    const m = other.n, from = this.n;
    if (m === 0) return;
    this.#reserve(m);
    const files = other.files.map((f) => this.#fileOf(f));
    for (let j = 0; j < m; j++) {
      this.fileCode[from + j] = files[other.fileCode[j]!]!;
      this.line[from + j] = other.line[j]! + lineOffset;
    }
    this.ts.set(other.ts.subarray(0, m), from);
    this.numbers.set(other.numbers.subarray(0, m * WIDTH), from * WIDTH);
    this.hasUsage.set(other.hasUsage.subarray(0, m), from);
    const codes = other.dictionary.map((v) => this.#code(v));
    for (let j = 0; j < m * CODED.length; j++) {
      const c = other.codes[j]!;
      this.codes[from * CODED.length + j] = c === 0 ? 0 : codes[c - 1]!;
    }
    const theirs = other.#plain();
    this.#plain().forEach((column, k) => column.appendColumn(theirs[k]!, 0, m));
    for (const [j, meta] of other.metadata) this.metadata.set(from + j, meta);
    if (this.texts) {
      for (let k = 0; k < TEXT.length; k++) {
        const mine = this.texts[k]!, theirs = other.texts?.[k];
        for (let j = 0; j < m; j++) mine.push(theirs?.[j] ?? null);
      }
    }
    this.n += m;
  }

  /** Append encoded events of `file` (a worker's or a cache entry's), their lines moved by `lineOffset`. */
  appendEncoded(encoded: EncodedEvents, file: string, lineOffset: number): void {
    // straight into the columns: no table over the encoding, whose columns would be copied again
    const m = encoded.n, from = this.n;
    if (m === 0) return;
    this.#reserve(m);
    this.fileCode.fill(this.#fileOf(file), from, from + m);
    const line = this.line, lines = encoded.line;
    for (let j = 0; j < m; j++) line[from + j] = lines[j]! + lineOffset;
    this.ts.set(encoded.ts.subarray(0, m), from);
    this.numbers.set(encoded.numbers.subarray(0, m * WIDTH), from * WIDTH);
    this.hasUsage.set(encoded.hasUsage.subarray(0, m), from);
    const codes = unpack(encoded.dictionary).map((v) => this.#code(v));
    const mine = this.codes, theirs = encoded.codes, at = from * CODED.length;
    for (let j = 0; j < m * CODED.length; j++) {
      const c = theirs[j]!;
      mine[at + j] = c === 0 ? 0 : codes[c - 1]!;
    }
    let text = 0;
    this.#plain().forEach((column, k) => {
      text = column.appendPacked(encoded.plain, k * m, m, text);
    });
    for (const [j, meta] of encoded.metadata) this.metadata.set(from + j, meta);
    if (this.texts) {
      if (encoded.text) unpackInto(encoded.text, m, this.texts);
      else for (const column of this.texts) for (let j = 0; j < m; j++) column.push(null);
    }
    this.n += m;
  }

  /**
   * A table over encoded events of `file`, to read (its typed arrays are the
   * encoding's); with `only`, just the strings of those events are unpacked.
   */
  static ofEncoded(
    encoded: EncodedEvents,
    file: string,
    keepText: boolean,
    only?: ArrayLike<number>,
  ): EventTable {
    const { n } = encoded;
    const table = new EventTable(keepText, 1);
    table.n = table.#capacity = n;
    table.files = [file];
    table.#fileIndex.set(file, 0);
    table.fileCode = new Uint32Array(n);
    table.line = encoded.line;
    table.ts = encoded.ts;
    table.numbers = encoded.numbers;
    table.hasUsage = encoded.hasUsage;
    table.codes = encoded.codes;
    table.dictionary = unpack(encoded.dictionary) as string[];
    const strings = (packed: PackedStrings, per: number) =>
      unpackColumns(packed, n, per, only && marks(only, n, per));
    // packed as they were: no string is made until it is read
    let text = 0;
    table.#plain().forEach((column, k) => {
      text = column.appendPacked(encoded.plain, k * n, n, text);
    });
    table.metadata = new Map(encoded.metadata);
    const [messages, output, params] = keepText && encoded.text
      ? strings(encoded.text, TEXT.length)
      : [];
    table.texts = messages && output && params ? [messages, output, params] : null;
    return table;
  }

  /**
   * Let go of these columns (emptied; `n` is unchanged), for a table being
   * consumed: once the frames are built from a column, its memory can go
   * before the next frame is built. The table is not to be read after.
   *
   * @example
   * ```ts
   * import { EventTable } from "./_event_columns.ts";
   * const table = new EventTable(false, 1 << 16);
   * table.release(["numbers", "payload"]);
   * if (table.numbers.length !== 0 || table.payload.length !== 0) throw new Error();
   * ```
   */
  release(columns: Released[]): void {
    for (const column of columns) {
      if (column === "texts") this.texts = null;
      else if (column === "metadata") this.metadata = new Map();
      else if (column === "requestId" || column === "error") this[column] = new StringColumn(1);
      else if (column === "retryOf" || column === "payload") this[column] = new StringColumn(1);
      else if (column === "hasUsage") this.hasUsage = new Uint8Array(0);
      else if (column === "fileCode" || column === "codes") this[column] = new Uint32Array(0);
      else this[column] = new Float64Array(0);
    }
  }

  /** The coded field `k` ({@link TYPE}, {@link SESSION}, …) of event `i`. */
  str(i: number, k: number): string | null {
    const c = this.codes[i * CODED.length + k]!;
    return c === 0 ? null : this.dictionary[c - 1]!;
  }

  /** The number `k` ({@link DURATION}, …, or {@link USAGE_AT} + a usage field) of event `i`. */
  num(i: number, k: number): number | null {
    const v = this.numbers[i * WIDTH + k]!;
    return v === v ? v : null;
  }

  /** The file of event `i`. */
  file(i: number): string {
    return this.files[this.fileCode[i]!]!;
  }

  /** Event `i` as a record. */
  record(i: number): EventRecord {
    let usage: Usage | null = null;
    if (this.hasUsage[i]) {
      const u = USAGE_AT;
      usage = {
        input_tokens: this.num(i, u),
        output_tokens: this.num(i, u + 1),
        total_tokens: this.num(i, u + 2),
        cache_read_tokens: this.num(i, u + 3),
        cache_write_tokens: this.num(i, u + 4),
        reasoning_tokens: this.num(i, u + 5),
        cache_write_1h_tokens: this.num(i, u + 6),
        web_search_requests: this.num(i, u + 7),
      };
    }
    const record: EventRecord = {
      file: this.file(i),
      line: this.line[i]!,
      type: this.str(i, TYPE)!,
      ts: this.ts[i]!,
      session_id: this.str(i, SESSION)!,
      request_id: this.requestId.get(i),
      model: this.str(i, MODEL),
      provider: this.str(i, PROVIDER),
      duration: this.num(i, DURATION),
      error: this.error.get(i),
      usage,
      ttft: this.num(i, TTFT),
      finish_reason: this.str(i, FINISH),
      retry_of: this.retryOf.get(i),
      prompt_chars: this.num(i, PROMPT_CHARS),
      output_chars: this.num(i, OUTPUT_CHARS),
      payload: this.payload.get(i),
      metadata: this.metadata.get(i) ?? null,
    };
    if (this.texts) {
      for (let k = 0; k < TEXT.length; k++) record[TEXT[k]!] = this.texts[k]![i]!;
    }
    return record;
  }

  /** Every event as a record, in order. */
  records(): EventRecord[] {
    return Array.from({ length: this.n }, (_, i) => this.record(i));
  }

  /**
   * Characters of the texts of the events from `from` to `to` (0 without
   * `keepText`): what {@link encode} joins into one string.
   *
   * @example
   * ```ts
   * import { EventTable } from "./_event_columns.ts";
   * import { parseTraceText } from "./parse_trace_text.ts";
   * const line = '{"type":"llm_response","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{"request_id":"r","duration_seconds":1,"output":"hello"}}\n';
   * const table = EventTable.from(parseTraceText(line, "a.jsonl", { keepText: true }).events, true);
   * if (table.textChars() !== 5) throw new Error(String(table.textChars()));
   * ```
   */
  textChars(from = 0, to = this.n): number {
    let chars = 0;
    for (const column of this.texts ?? []) {
      for (let i = from; i < to; i++) chars += column[i]?.length ?? 0;
    }
    return chars;
  }

  /**
   * The events from `from` to `to` (excluded) as columns, with only the
   * strings they use; the typed arrays are views of the table's.
   */
  encode(from = 0, to = this.n): EncodedEvents {
    const n = to - from;
    const width = CODED.length;
    let codes = this.codes.subarray(from * width, to * width);
    let dictionary = this.dictionary;
    if (from > 0 || to < this.n || this.files.length > 1) {
      // part of the table, or one file of several: its own dictionary
      const mine = new Uint32Array(n * width);
      const remap = new Uint32Array(this.dictionary.length + 1);
      dictionary = [];
      for (let j = 0; j < n * width; j++) {
        const c = codes[j]!;
        if (c === 0) continue;
        if (remap[c] === 0) {
          dictionary.push(this.dictionary[c - 1]!);
          remap[c] = dictionary.length;
        }
        mine[j] = remap[c]!;
      }
      codes = mine;
    }
    const metadata: [number, Record<string, unknown>][] = [];
    for (const [i, m] of this.metadata) if (i >= from && i < to) metadata.push([i - from, m]);
    metadata.sort((a, b) => a[0] - b[0]);
    return {
      n,
      line: this.line.subarray(from, to),
      ts: this.ts.subarray(from, to),
      numbers: this.numbers.subarray(from * WIDTH, to * WIDTH),
      hasUsage: this.hasUsage.subarray(from, to),
      codes,
      dictionary: pack(dictionary),
      plain: packStringColumns(this.#plain(), from, to),
      metadata,
      ...(this.texts ? { text: packColumns(this.texts, from, to) } : {}),
    };
  }
}

/**
 * Events as columns (`keepText`: with their messages and output).
 *
 * @example
 * ```ts
 * import { decodeEvents, encodeEvents } from "./_event_columns.ts";
 * import { parseTraceText } from "./parse_trace_text.ts";
 * const text = '{"type":"llm_request","timestamp":"2025-04-08T19:42:09","session_id":"s","data":{"request_id":"r","model":"m"}}\n';
 * const { events } = parseTraceText(text, "a.jsonl");
 * const back = decodeEvents(encodeEvents(events, false), "a.jsonl", 10, false);
 * if (back[0]!.line !== 11 || back[0]!.model !== "m" || back[0]!.usage !== null || back[0]!.duration !== null) throw new Error();
 * ```
 */
export function encodeEvents(events: EventRecord[], keepText: boolean): EncodedEvents {
  return EventTable.from(events, keepText).encode();
}

/**
 * The events of {@link encodeEvents}, in `file`, their lines moved by
 * `lineOffset`; with `only`, just the events of those indexes (in that order).
 */
export function decodeEvents(
  encoded: EncodedEvents,
  file: string,
  lineOffset: number,
  keepText: boolean,
  only?: ArrayLike<number>,
): EventRecord[] {
  const table = EventTable.ofEncoded(encoded, file, keepText, only);
  const count = only ? only.length : encoded.n;
  const out = new Array<EventRecord>(count);
  for (let j = 0; j < count; j++) {
    const record = table.record(only ? only[j]! : j);
    record.line += lineOffset;
    out[j] = record;
  }
  return out;
}
