/**
 * Events as columns, to pass them between threads: a few typed arrays and
 * strings instead of one object per event (copying 400,000 objects from a
 * worker costs more than parsing them). {@link encodeEvents} in the worker,
 * {@link decodeEvents} in the loader give back equal {@link EventRecord}s.
 *
 * @module
 */
import { type Usage, USAGE_FIELDS } from "../schema/mod.ts";
import type { EventRecord } from "./_event.ts";

/** Number fields of an event (null is stored as NaN: the values are finite or null). */
const NUMBERS = ["duration", "ttft", "prompt_chars", "output_chars"] as const;
/** Strings of few distinct values, stored once each and referred to by number. */
const CODED = ["type", "session_id", "model", "provider", "finish_reason"] as const;
/** Strings stored one per event. */
const PLAIN = ["request_id", "error", "retry_of", "payload"] as const;
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
  /** {@link PLAIN}, one after the other (`n` each). */
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

/** The strings of `packed` whose index is marked in `wanted` (the others are left undefined). */
function unpackSome({ text, lengths }: PackedStrings, wanted: Uint8Array): (string | null)[] {
  const out = new Array<string | null>(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const n = lengths[i]!;
    if (wanted[i]) out[i] = n < 0 ? null : text.slice(at, at + n);
    if (n > 0) at += n;
  }
  return out;
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
  for (let i = 0; i < encoded.n; i++) {
    if (codes.has(encoded.codes[i * CODED.length + session]!)) out.push(i);
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
  const n = events.length;
  const line = new Float64Array(n);
  const ts = new Float64Array(n);
  const width = NUMBERS.length + USAGE_FIELDS.length;
  const numbers = new Float64Array(n * width).fill(NaN);
  const hasUsage = new Uint8Array(n);
  const codes = new Uint32Array(n * CODED.length);
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const plain = new Array<string | null>(n * PLAIN.length);
  const metadata: [number, Record<string, unknown>][] = [];
  const text = keepText ? new Array<string | null>(TEXT.length * n) : null;
  const code = (v: string | null): number => {
    if (v === null) return 0;
    let c = index.get(v);
    if (c === undefined) {
      c = dictionary.length + 1;
      dictionary.push(v);
      index.set(v, c);
    }
    return c;
  };
  // the fields by name, not by a key in a variable (a keyed read of each field was most of the cost)
  const u = NUMBERS.length;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    line[i] = e.line;
    ts[i] = e.ts;
    const at = i * width;
    if (e.duration !== null) numbers[at] = e.duration;
    if (e.ttft !== null) numbers[at + 1] = e.ttft;
    if (e.prompt_chars !== null) numbers[at + 2] = e.prompt_chars;
    if (e.output_chars !== null) numbers[at + 3] = e.output_chars;
    const usage = e.usage;
    if (usage) {
      hasUsage[i] = 1;
      if (usage.input_tokens !== null) numbers[at + u] = usage.input_tokens;
      if (usage.output_tokens !== null) numbers[at + u + 1] = usage.output_tokens;
      if (usage.total_tokens !== null) numbers[at + u + 2] = usage.total_tokens;
      if (usage.cache_read_tokens !== null) numbers[at + u + 3] = usage.cache_read_tokens;
      if (usage.cache_write_tokens !== null) numbers[at + u + 4] = usage.cache_write_tokens;
      if (usage.reasoning_tokens !== null) numbers[at + u + 5] = usage.reasoning_tokens;
    }
    const c = i * CODED.length;
    codes[c] = code(e.type);
    codes[c + 1] = code(e.session_id);
    codes[c + 2] = code(e.model);
    codes[c + 3] = code(e.provider);
    codes[c + 4] = code(e.finish_reason);
    plain[i] = e.request_id;
    plain[n + i] = e.error;
    plain[2 * n + i] = e.retry_of;
    plain[3 * n + i] = e.payload;
    if (e.metadata) metadata.push([i, e.metadata]);
    if (text) {
      text[i] = e.messages ?? null;
      text[n + i] = e.output ?? null;
      text[2 * n + i] = e.params ?? null;
    }
  }
  return {
    n,
    line,
    ts,
    numbers,
    hasUsage,
    codes,
    dictionary: pack(dictionary),
    plain: pack(plain),
    metadata,
    ...(text ? { text: pack(text) } : {}),
  };
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
  const { n, line, ts, numbers, hasUsage, codes } = encoded;
  const width = NUMBERS.length + USAGE_FIELDS.length;
  const dictionary = unpack(encoded.dictionary);
  const strings = (packed: PackedStrings, per: number) =>
    only ? unpackSome(packed, marks(only, n, per)) : unpack(packed);
  const plain = strings(encoded.plain, PLAIN.length);
  const text = keepText && encoded.text ? strings(encoded.text, TEXT.length) : null;
  const metadata = new Map(encoded.metadata);
  const num = (i: number, k: number): number | null => {
    const v = numbers[i * width + k]!;
    return v === v ? v : null;
  };
  const coded = (i: number, k: number): string | null => {
    const c = codes[i * CODED.length + k]!;
    return c === 0 ? null : dictionary[c - 1]!;
  };
  const count = only ? only.length : n;
  const out = new Array<EventRecord>(count);
  for (let j = 0; j < count; j++) {
    const i = only ? only[j]! : j;
    let usage: Usage | null = null;
    if (hasUsage[i]) {
      const u = NUMBERS.length;
      usage = {
        input_tokens: num(i, u),
        output_tokens: num(i, u + 1),
        total_tokens: num(i, u + 2),
        cache_read_tokens: num(i, u + 3),
        cache_write_tokens: num(i, u + 4),
        reasoning_tokens: num(i, u + 5),
      };
    }
    const record: EventRecord = {
      file,
      line: line[i]! + lineOffset,
      type: coded(i, 0)!,
      ts: ts[i]!,
      session_id: coded(i, 1)!,
      request_id: plain[i]!,
      model: coded(i, 2),
      provider: coded(i, 3),
      duration: num(i, 0),
      error: plain[n + i]!,
      usage,
      ttft: num(i, 1),
      finish_reason: coded(i, 4),
      retry_of: plain[2 * n + i]!,
      prompt_chars: num(i, 2),
      output_chars: num(i, 3),
      payload: plain[3 * n + i]!,
      metadata: metadata.get(i) ?? null,
    };
    if (text) { for (let k = 0; k < TEXT.length; k++) record[TEXT[k]!] = text[k * n + i]!; }
    out[j] = record;
  }
  return out;
}
