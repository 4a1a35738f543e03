/**
 * The prompts and outputs of chosen calls, read again from their trace files
 * when a page shows them (`report --outputs`), instead of loading every text of
 * the traces (`keepText`): a report lists a few thousand calls at most, and the
 * texts are most of a trace's bytes.
 *
 * ```
 * native rows shown ──► their requests' and outcomes' lines (pairEvents over the events of their keys)
 *                   ──► those lines read again (one pass over each file, no other line decoded)
 *                   ──► eventTexts, as keepText keeps them ──► messages / output / params columns
 * batch formats ──► each file with a shown call parsed again by its adapter, keeping the texts
 *               ──► of the shown calls only (by line, session, request id and model)
 * ```
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import pl from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";
import { UserError } from "../log/mod.ts";
import { bareEvent, type EventRecord, type EventTexts, eventTexts } from "./_event.ts";
import { EventTable } from "./_event_columns.ts";
import { pairEvents } from "./_pair.ts";
import { gluedEvent } from "./parse_trace_text.ts";
import { byteString } from "./_append.ts";
import { lineStartsOf, startsAround } from "./_line_starts.ts";
import { formatByName } from "./formats/registry.ts";
import { DocumentTooLarge, fileSource } from "./formats/source.ts";
import { packingOf } from "./inputs.ts";

/** The texts of calls, read when asked. */
export interface CallTextReader {
  /**
   * `calls` (rows of a calls frame: `file`, `line`, `orphan`, `session_id`,
   * `request_id`) with their `messages`, `output` and `params` columns, as a
   * load with `keepText` gives them; `calls` as it is when it has them.
   */
  withTexts(calls: pl.DataFrame): pl.DataFrame;
  /**
   * The columns {@link withTexts} adds, as arrays of the rows of `calls` (no
   * frame made, for a caller that reads them as values: the texts are then
   * held once, not also in a frame and in the arrays read back from it); null
   * when `calls` has them already.
   */
  textColumns(calls: pl.DataFrame): TextColumns | null;
}

/** The columns {@link CallTextReader.withTexts} adds. */
const TEXT_COLUMNS = ["messages", "output", "params"] as const;

/** The texts of calls, one array per column, one value per call (null: none). */
export interface TextColumns {
  /** The request's messages, as JSON. */
  messages: (string | null)[];
  /** The response's output. */
  output: (string | null)[];
  /** The request's params, as JSON. */
  params: (string | null)[];
}

/** Event types of a call. */
const CALL_TYPES = ["llm_request", "llm_response", "llm_error"];

/** The load options that change how a file of another format is read again. */
export interface CallTextOptions {
  /** The generic format's field mapping (`--map`). */
  map?: Record<string, string>;
  /** The time zone of naive timestamps. */
  timezone?: string;
}

/**
 * A reader of the texts of `traces`' calls, or null when they are better
 * loaded with the traces: a file that is not a regular file (standard input, a
 * pipe, a decompressed copy) or is gone, or a format whose parse holds every
 * text anyway (agent logs, documents read whole: `FormatAdapter.textsByCall`
 * unset). A format whose calls hold no texts (`FormatAdapter.noTexts`: per-call
 * logs) gives null texts without reading. Native files are read again at the calls' lines only; batch and span
 * files (OTLP, Phoenix, OpenTelemetry Python and JS dumps, Zipkin, Jaeger) are parsed again by their
 * adapter (with `options`, as they were loaded), keeping only the shown calls'
 * texts.
 *
 * @example
 * ```ts
 * import { loadTraces } from "./load_traces.ts";
 * import { callTextReader } from "./call_texts.ts";
 * const traces = await loadTraces(["traces/"], { cache: false });
 * const shown = callTextReader(traces)!.withTexts(traces.calls.head(3));
 * const whole = await loadTraces(["traces/"], { cache: false, keepText: true });
 * if (shown.getColumn("output").toArray().join() !== whole.calls.head(3).getColumn("output").toArray().join()) {
 *   throw new Error("not the texts a keepText load gives");
 * }
 * ```
 */
export function callTextReader(
  traces: TraceSet,
  options: CallTextOptions = {},
): CallTextReader | null {
  for (const file of traces.files) {
    const format = traces.formats?.[file];
    // a format whose calls hold no texts: nothing to read
    if (format !== undefined && format !== "native" && formatByName(format).noTexts) continue;
    // a compressed file is read from a staged copy, gone once loaded: its texts need keepText
    if (format === undefined || packingOf(file) !== null) return null;
    // a format whose parse holds every text: loading them costs no more than reading them again
    if (format !== "native" && !formatByName(format).textsByCall) return null;
    try {
      if (!statSync(file).isFile()) return null;
    } catch {
      return null;
    }
  }
  const textColumns = (calls: pl.DataFrame) => readTextColumns(traces, calls, options);
  return {
    withTexts: (calls) => {
      const columns = textColumns(calls);
      if (columns === null) return calls;
      return calls.withColumns(...TEXT_COLUMNS.map((n) => pl.Series(n, columns[n], pl.Utf8)));
    },
    textColumns,
  };
}

/** The line of each call's request (null for an orphan) and of its outcome (null while pending). */
interface CallLines {
  file: string;
  request: number | null;
  outcome: number | null;
  /** The outcome's file: the request's, but where a session is split across files. */
  outcomeFile: string;
  session: string;
  id: string | null;
}

/** {@link CallTextReader.textColumns} over the files and events of `traces`. */
function readTextColumns(
  traces: TraceSet,
  calls: pl.DataFrame,
  options: CallTextOptions,
): TextColumns | null {
  if (TEXT_COLUMNS.some((c) => calls.columns.includes(c))) return null;
  const col = (name: string) =>
    calls.columns.includes(name) ? calls.getColumn(name).toArray() as unknown[] : [];
  const files = col("file").map(String);
  const texts: EventTexts[] = new Array(files.length);
  // the rows of each file of another format, and the native rows
  const native: number[] = [];
  const others = new Map<string, number[]>();
  files.forEach((file, i) => {
    if (traces.formats?.[file] === "native") native.push(i);
    else if (others.has(file)) others.get(file)!.push(i);
    else others.set(file, [i]);
  });
  const nativeTexts = nativeCallTexts(traces, native, col);
  native.forEach((row, k) => texts[row] = nativeTexts[k]!);
  for (const [file, rows] of others) {
    const found = formatCallTexts(file, traces.formats![file]!, rows, col, options);
    rows.forEach((row, k) => texts[row] = found[k]!);
  }
  return {
    messages: texts.map((t) => t.messages),
    output: texts.map((t) => t.output),
    params: texts.map((t) => t.params),
  };
}

/** The texts of native rows `rows` of the shown calls (`col` reads their columns). */
function nativeCallTexts(
  traces: TraceSet,
  rows: number[],
  col: (name: string) => unknown[],
): EventTexts[] {
  if (rows.length === 0) return [];
  const pick = (name: string) => {
    const all = col(name);
    return rows.map((i) => all[i]);
  };
  const files = pick("file"), lines = pick("line"), orphans = pick("orphan");
  const sessions = pick("session_id"), ids = pick("request_id");
  const places: CallLines[] = files.map((f, i) => ({
    file: String(f),
    request: orphans[i] === true ? null : Number(lines[i]),
    outcome: orphans[i] === true ? Number(lines[i]) : null,
    outcomeFile: String(f),
    session: String(sessions[i]),
    id: ids[i] === null || ids[i] === undefined ? null : String(ids[i]),
  }));
  resolveOutcomes(traces.events, places);
  // the lines to read, per file
  const wanted = new Map<string, Set<number>>();
  const want = (file: string, line: number | null) => {
    if (line === null) return;
    if (!wanted.has(file)) wanted.set(file, new Set());
    wanted.get(file)!.add(line);
  };
  for (const c of places) {
    want(c.file, c.request);
    want(c.outcomeFile, c.outcome);
  }
  const events = new Map<string, Map<number, LineEvent>>();
  for (const [file, set] of wanted) events.set(file, readLineEvents(file, [...set]));
  return places.map((c): EventTexts => {
    const asked = c.request === null
      ? null
      : eventOf(c, c.file, c.request, events.get(c.file)!, ["llm_request"]).texts;
    const answered = c.outcome === null
      ? null
      : eventOf(c, c.outcomeFile, c.outcome, events.get(c.outcomeFile)!, [
        "llm_response",
        "llm_error",
      ]).texts;
    return {
      messages: asked?.messages ?? null,
      output: answered?.output ?? null,
      params: asked?.params ?? null,
    };
  });
}

/**
 * The texts of rows `rows` of the shown calls, all of `file` (of `format`): the
 * file parsed again by its adapter with `keepText`, each row matched to its
 * call by line, session, request id and model (a call the file no longer holds:
 * it changed since the load).
 */
function formatCallTexts(
  file: string,
  format: string,
  rows: number[],
  col: (name: string) => unknown[],
  options: CallTextOptions,
): EventTexts[] {
  if (formatByName(format).noTexts) {
    return rows.map(() => ({ messages: null, output: null, params: null }));
  }
  const key = (line: unknown, session: unknown, id: unknown, model: unknown) =>
    `${line}\u0000${session}\u0000${id ?? ""}\u0000${model ?? "unknown"}`;
  const [lines, sessions, ids, models, parents] = [
    "line",
    "session_id",
    "request_id",
    "model",
    "parent_span_id",
  ].map(col);
  const wanted = new Map<string, EventTexts | null>();
  for (const i of rows) wanted.set(key(lines![i], sessions![i], ids![i], models![i]), null);
  let records;
  try {
    records = formatByName(format).parse!(fileSource(file), file, {
      keepText: true,
      // the texts of the shown calls only (where the format can tell them apart while reading)
      textsOf: (c) => wanted.has(key(c.line, c.session_id, c.request_id, c.model)),
      textLines: new Set(rows.map((i) => Number(lines![i]))),
      textIds: new Set(rows.map((i) => String(ids![i]))),
      // a span's wrapper may hold its texts (`ParseOptions.textParents`)
      textParents: new Set(rows.flatMap((i) => parents![i] ? [String(parents![i])] : [])),
      map: options.map,
      timezone: options.timezone,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT"
      ? "it is gone"
      : e instanceof DocumentTooLarge
      ? "it has grown too large to read in one piece"
      : (e as Error).message;
    throw new UserError(`${file} could not be read again for its calls' texts: ${why}.`);
  }
  // the first call of each key (a line of several calls names each by its model)
  for (const c of records.calls) {
    const k = key(c.line, c.session_id, c.request_id, c.model);
    if (wanted.get(k) !== null) continue;
    wanted.set(k, {
      messages: c.messages ?? null,
      output: c.output ?? null,
      params: c.params ?? null,
    });
  }
  return rows.map((i) => {
    const found = wanted.get(key(lines![i], sessions![i], ids![i], models![i]));
    if (!found) {
      throw new UserError(
        `${file} changed since it was loaded: line ${
          lines![i]
        } no longer holds the call; run the command again.`,
      );
    }
    return found;
  });
}

const data = (event: Record<string, unknown>) =>
  (event.data && typeof event.data === "object" ? event.data : {}) as Record<string, unknown>;

/** What a call's line says of itself: what it is (to check it), and its texts. */
interface LineEvent {
  type: unknown;
  session_id: unknown;
  request_id: unknown;
  texts: EventTexts;
}

/**
 * The event of call `c` on `line`, checked to be one of `types` of its
 * session and request id: else the file changed since it was loaded.
 */
function eventOf(
  c: CallLines,
  file: string,
  line: number,
  at: Map<number, LineEvent>,
  types: string[],
): LineEvent {
  const event = at.get(line);
  if (
    !event || !types.includes(event.type as string) || event.session_id !== c.session ||
    (c.id !== null && event.request_id !== c.id)
  ) {
    throw new UserError(
      `${file} changed since it was loaded: line ${line} is no longer the call's ${
        types[0] === "llm_request" ? "request" : "outcome"
      }; run the command again.`,
    );
  }
  return event;
}

/**
 * Set each call's outcome line: the calls' requests and outcomes, from the
 * events frame, paired again as the load paired them (`pairEvents`: the
 * events of one session and request id pair among themselves only, so the
 * events of the shown calls' keys pair as they did among all).
 */
function resolveOutcomes(events: pl.DataFrame, calls: CallLines[]): void {
  const keyed = calls.filter((c) => c.request !== null && c.id !== null);
  if (keyed.length === 0) return;
  const key = (session: string, id: string) => `${session}\u0000${id}`;
  const keys = new Set(keyed.map((c) => key(c.session, c.id!)));
  const ids = [...new Set(keyed.map((c) => c.id!))];
  const found = events.filter(
    pl.col("type").isIn(CALL_TYPES).and(pl.col("request_id").isIn(ids)),
  ).select("file", "line", "type", "session_id", "request_id");
  const column = (name: string) => found.getColumn(name).toArray() as unknown[];
  const [file, line, type, session, id] = ["file", "line", "type", "session_id", "request_id"]
    .map(column);
  const records: EventRecord[] = [];
  for (let i = 0; i < found.height; i++) {
    if (!keys.has(key(String(session![i]), String(id![i])))) continue;
    records.push(bareEvent({
      file: String(file![i]),
      line: Number(line![i]),
      type: String(type![i]),
      ts: 0,
      session_id: String(session![i]),
      request_id: String(id![i]),
    }));
  }
  const table = EventTable.from(records, false);
  const pairs = pairEvents(table);
  const outcomeOf = new Map<string, number>();
  for (let k = 0; k < pairs.request.length; k++) {
    const r = pairs.request[k]!, o = pairs.outcome[k]!;
    if (r >= 0 && o >= 0) outcomeOf.set(`${records[r]!.file}\u0000${records[r]!.line}`, o);
  }
  for (const c of keyed) {
    const o = outcomeOf.get(`${c.file}\u0000${c.request}`);
    if (o === undefined) continue;
    c.outcome = records[o]!.line;
    c.outcomeFile = records[o]!.file;
  }
}

/** Bytes read at a time by {@link readLineEvents}. */
const CHUNK = 1 << 20;

/**
 * The events of lines `lines` (1-based, as the reader numbers them: by
 * newline, a BOM dropped from the first, a final CR dropped) of `path`, in
 * one pass over the file that decodes only those lines, each reduced to its
 * texts as soon as it is parsed (the rest of its value is not held). A line
 * that does not parse, whole or as a fragment with an event glued after it
 * (as the reader takes it), is left out.
 */
function readLineEvents(path: string, lines: number[]): Map<number, LineEvent> {
  const out = new Map<number, LineEvent>();
  const wanted = [...lines].sort((a, b) => a - b);
  if (wanted.length === 0) return out;
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const why = (e as { code?: string }).code === "ENOENT" ? "it is gone" : (e as Error).message;
    throw new UserError(`${path} could not be read again for its calls' texts: ${why}.`);
  }
  try {
    // where lines start, when the load kept them for the file as it is (`_line_starts.ts`): the
    // pass seeks to the last start before each wanted line, instead of reading every line before it
    const starts = lineStartsOf(path, fstatSync(fd))?.starts;
    const buf = new Uint8Array(CHUNK);
    let line = 1, w = 0, pos = 0;
    // with starts, around the next wanted line (found once for each): the last start before it,
    // and the first after it, where a read of it stops
    let aimed = -1;
    let before: [number, number] | null = null;
    let until = Infinity;
    let parts: Uint8Array[] = []; // the wanted line read so far, across chunks
    /** With starts: a move to the last start before the next wanted line, when that is past the line at hand (true: moved). */
    const seek = (): boolean => {
      if (!starts || w >= wanted.length) return false;
      if (aimed !== w) [aimed, [before, until]] = [w, startsAround(starts, wanted[w]!)];
      if (!before || before[0] <= line) return false;
      [line, pos] = before;
      return true;
    };
    seek();
    const take = (bytes: Uint8Array) => {
      let text = decoder.decode(bytes);
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith("\r")) text = text.slice(0, -1);
      const value = parseLine(text);
      if (value) {
        out.set(line, {
          type: value.type,
          session_id: value.session_id,
          request_id: data(value).request_id,
          texts: eventTexts(value.type, data(value)),
        });
      }
    };
    while (w < wanted.length) {
      const n = readSync(fd, buf, 0, until > pos ? Math.min(CHUNK, until - pos) : CHUNK, pos);
      if (n === 0) {
        if (line === wanted[w] && parts.length) take(concat(parts)); // a last line without a newline
        break;
      }
      pos += n;
      const bytes = byteString(buf, n);
      let start = 0;
      while (start <= n && w < wanted.length) {
        const nl = bytes.indexOf("\n", start);
        const end = nl < 0 ? n : nl;
        if (line === wanted[w]) parts.push(buf.slice(start, end));
        if (nl < 0) break;
        if (line === wanted[w]) {
          take(concat(parts));
          parts = [];
          w++;
        }
        line++;
        start = nl + 1;
        // the rest of this read skipped: it ends before the next wanted line's nearest start
        if (seek()) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** A line's object, as the reader takes it (a glued event after a cut fragment too), or null. */
function parseLine(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = gluedEvent(text)?.value;
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : null;
}
