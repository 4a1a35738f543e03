/**
 * The prompts and outputs of chosen calls, read again from their native trace
 * files when a page shows them (`report --outputs`), instead of loading every
 * text of the traces (`keepText`): a report lists a few thousand calls at
 * most, and the texts are most of a trace's bytes.
 *
 * ```
 * rows shown ──► their requests' and outcomes' lines (pairEvents over the events of their keys)
 *            ──► those lines read again (one pass over each file, no other line decoded)
 *            ──► eventTexts, as keepText keeps them ──► messages / output / params columns
 * ```
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import pl from "../frames/polars.ts";
import type { TraceSet } from "../frames/columns.ts";
import { UserError } from "../log/mod.ts";
import { bareEvent, type EventRecord, type EventTexts, eventTexts } from "./_event.ts";
import { EventTable } from "./_event_columns.ts";
import { pairEvents } from "./_pair.ts";
import { gluedEvent } from "./parse_trace_text.ts";

/** The texts of calls, read when asked. */
export interface CallTextReader {
  /**
   * `calls` (rows of a calls frame: `file`, `line`, `orphan`, `session_id`,
   * `request_id`) with their `messages`, `output` and `params` columns, as a
   * load with `keepText` gives them; `calls` as it is when it has them.
   */
  withTexts(calls: pl.DataFrame): pl.DataFrame;
}

/** The columns {@link CallTextReader.withTexts} adds. */
const TEXT_COLUMNS = ["messages", "output", "params"] as const;

/** Event types of a call. */
const CALL_TYPES = ["llm_request", "llm_response", "llm_error"];

/**
 * A reader of the texts of `traces`' calls, or null when they cannot be read
 * again: a file that is not native, or not a regular file (standard input, a
 * pipe, a decompressed copy), or is gone.
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
export function callTextReader(traces: TraceSet): CallTextReader | null {
  for (const file of traces.files) {
    if (traces.formats?.[file] !== "native" || /\.gz$/i.test(file)) return null;
    try {
      if (!statSync(file).isFile()) return null;
    } catch {
      return null;
    }
  }
  return { withTexts: (calls) => withTexts(traces, calls) };
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

/** {@link CallTextReader.withTexts} over the files and events of `traces`. */
function withTexts(traces: TraceSet, calls: pl.DataFrame): pl.DataFrame {
  if (TEXT_COLUMNS.some((c) => calls.columns.includes(c))) return calls;
  const col = (name: string) =>
    calls.columns.includes(name) ? calls.getColumn(name).toArray() as unknown[] : [];
  const files = col("file"), lines = col("line"), orphans = col("orphan");
  const sessions = col("session_id"), ids = col("request_id");
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
  const texts = places.map((c): EventTexts => {
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
  return calls.withColumns(
    ...TEXT_COLUMNS.map((name) => pl.Series(name, texts.map((t) => t[name]), pl.Utf8)),
  );
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
    const buf = new Uint8Array(CHUNK);
    let line = 1, w = 0, pos = 0;
    let parts: Uint8Array[] = []; // the wanted line read so far, across chunks
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
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) {
        if (line === wanted[w] && parts.length) take(concat(parts)); // a last line without a newline
        break;
      }
      pos += n;
      let start = 0;
      while (start <= n && w < wanted.length) {
        const nl = buf.subarray(0, n).indexOf(10, start);
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
