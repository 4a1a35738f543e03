/**
 * Following trace files as they are written (`tail -F` for JSONL traces): each
 * {@link TraceTail.poll} finds the files the inputs name now (new files in a
 * watched directory too), reads only the bytes appended since the last poll,
 * keeps a partial last line until its newline arrives, and parses the complete
 * lines with the loader's line parser, so a bad line becomes exactly the
 * diagnostic `loadTraces` would give it. A file that shrinks (truncated) or is
 * replaced (rotated: another inode) is read again from its start.
 *
 * @module
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { glob, isDynamicPattern } from "npm:tinyglobby@0.2.17";
import { UserError } from "../log/mod.ts";
import type { Diagnostic, EventRecord } from "./_event.ts";
import { messages } from "./messages.ts";
import { DEFAULT_MAX_LINE_BYTES, parseTraceText } from "./parse_trace_text.ts";
import { checkTimezone } from "./timestamp.ts";

/** Options of {@link TraceTail}. */
export interface TailOptions {
  /** IANA time zone of naive timestamps. @default {"UTC"} */
  timezone?: string;
  /** A longer line is reported as `line_too_long`. @default {8388608} */
  maxLineBytes?: number;
}

/** What one {@link TraceTail.poll} found. */
export interface TailUpdate {
  /** Valid events of the new complete lines, in file then line order. */
  events: EventRecord[];
  /** One per new bad line, in file then line order. */
  diagnostics: Diagnostic[];
  /** Files seen for the first time by this poll. */
  added: string[];
  /** Files read again from their start (truncated or rotated). */
  restarted: string[];
}

/** Where the tail is in one file. */
interface FileState {
  path: string;
  /** Bytes consumed (parsed or held in `partial`). */
  offset: number;
  /** Bytes of the last line, not yet ended by a newline, as read (joined once, when it ends). */
  partial: Uint8Array[];
  /** Their total length. */
  partialBytes: number;
  /** The last line is over the limit: its bytes are counted, not kept. */
  skipping: boolean;
  /** The first bytes of the file as first read: another start means it was copied and truncated. */
  head: Uint8Array;
  /** Line number of the next complete line. */
  nextLine: number;
  ino: number | null;
}

const CHUNK = 1024 * 1024;
/** Bytes of a file's start kept to tell a copy-truncate rotation. */
const HEAD_BYTES = 256;
const NEWLINE = 10;

/**
 * Follows the trace files named by inputs (files, directories searched
 * recursively for `*.jsonl`, globs).
 *
 * @example
 * ```ts
 * import { TraceTail } from "./tail.ts";
 * const tail = TraceTail.open(["traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl"]);
 * const first = await tail.poll();
 * const again = await tail.poll(); // nothing was appended since
 * if (first.events.length === 0 || again.events.length !== 0 || first.diagnostics.length !== 0) throw new Error();
 * ```
 */
export class TraceTail {
  readonly #inputs: string[];
  readonly #options: TailOptions;
  /** realpath → state. */
  readonly #files = new Map<string, FileState>();

  private constructor(inputs: string[], options: TailOptions) {
    this.#inputs = inputs;
    this.#options = options;
  }

  /**
   * Check the inputs and make a tail (nothing is read yet). An input that does
   * not exist and is not a glob is a {@link UserError}; a directory with no trace
   * file yet is fine (files appearing in it are followed).
   */
  static open(inputs: string[], options: TailOptions = {}): TraceTail {
    if (options.timezone) checkTimezone(options.timezone);
    for (const input of inputs) {
      if (!existsSync(input) && !isDynamicPattern(input)) {
        throw new UserError(messages.missingInput(input));
      }
    }
    return new TraceTail(inputs, options);
  }

  /** The files followed so far, sorted. */
  get files(): string[] {
    return [...this.#files.values()].map((f) => f.path).sort();
  }

  /** Bytes held in partial last lines (not yet ended by a newline). */
  get partialBytes(): number {
    let n = 0;
    for (const f of this.#files.values()) n += f.skipping ? 0 : f.partialBytes;
    return n;
  }

  /**
   * Read what was appended since the last poll. With `final`, a last line with
   * no newline is parsed too (as `loadTraces` parses the end of a file: valid
   * JSON is an event, anything else `truncated_line`); use it for the last poll.
   */
  async poll(options: { final?: boolean } = {}): Promise<TailUpdate> {
    const update: TailUpdate = { events: [], diagnostics: [], added: [], restarted: [] };
    for (const path of await this.#discover()) {
      let key = path;
      try {
        key = realpathSync(path);
      } catch { /* gone since the glob: keep the path */ }
      let state = this.#files.get(key);
      if (!state) {
        state = {
          path,
          offset: 0,
          partial: [],
          partialBytes: 0,
          skipping: false,
          head: new Uint8Array(0),
          nextLine: 1,
          ino: null,
        };
        this.#files.set(key, state);
        update.added.push(path);
      }
      this.#read(state, update, options.final === true);
    }
    return update;
  }

  /** The trace files the inputs name now, sorted. */
  async #discover(): Promise<string[]> {
    const found = new Set<string>();
    for (const input of this.#inputs) {
      if (existsSync(input)) {
        let isDir = false;
        try {
          isDir = statSync(input).isDirectory();
        } catch { /* vanished */ }
        if (isDir) {
          const names = await glob("**/*.jsonl", {
            cwd: input,
            onlyFiles: true,
            followSymbolicLinks: true,
          });
          for (const name of names) found.add(join(input, name));
        } else found.add(input);
      } else if (isDynamicPattern(input)) {
        for (const path of await glob(input, { onlyFiles: true })) found.add(path);
      }
      // a file input that vanished (being rotated) is looked for again next poll
    }
    return [...found].sort();
  }

  #read(state: FileState, update: TailUpdate, final: boolean): void {
    let fd: number;
    try {
      fd = openSync(state.path, "r");
    } catch {
      return; // removed between the listing and now: next poll
    }
    try {
      const stat = fstatSync(fd);
      const ino = typeof stat.ino === "number" && stat.ino > 0 ? stat.ino : null;
      const rotated = state.ino !== null && ino !== null && ino !== state.ino;
      if (rotated || stat.size < state.offset || this.#headChanged(fd, state)) {
        state.offset = 0;
        state.partial = [];
        state.partialBytes = 0;
        state.skipping = false;
        state.head = new Uint8Array(0);
        state.nextLine = 1;
        update.restarted.push(state.path);
      }
      state.ino = ino;
      const buf = new Uint8Array(CHUNK);
      while (true) {
        const n = readSync(fd, buf, 0, buf.length, state.offset);
        if (n === 0) break;
        state.offset += n;
        this.#consume(state, buf.subarray(0, n), update);
      }
      if (state.head.length < HEAD_BYTES && state.offset > state.head.length) {
        const head = new Uint8Array(Math.min(HEAD_BYTES, state.offset));
        state.head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
      }
      if (final && state.partialBytes > 0) {
        if (state.skipping) this.#tooLong(state, update);
        else {
          const text = new TextDecoder().decode(joinChunks(state.partial, state.partialBytes));
          this.#parse(state, text, true, update);
        }
        state.partial = [];
        state.partialBytes = 0;
        state.skipping = false;
        state.nextLine++;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Append `bytes` to the partial line and parse every line they complete. */
  /**
   * Whether the first bytes of the file are no longer those first read: a
   * copy-truncate rotation that the writer has already written past the old
   * offset (the size alone does not show it).
   */
  #headChanged(fd: number, state: FileState): boolean {
    if (state.head.length === 0) return false;
    const now = new Uint8Array(state.head.length);
    const n = readSync(fd, now, 0, now.length, 0);
    if (n < state.head.length) return true;
    for (let i = 0; i < n; i++) if (now[i] !== state.head[i]) return true;
    return false;
  }

  /** New bytes: complete lines are parsed; the rest waits, in chunks (never copied whole twice). */
  #consume(state: FileState, bytes: Uint8Array, update: TailUpdate): void {
    const limit = this.#options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    let start = 0;
    while (start < bytes.length) {
      const nl = bytes.indexOf(NEWLINE, start);
      if (nl < 0) {
        const rest = bytes.length - start;
        state.partialBytes += rest;
        if (state.skipping || state.partialBytes > limit) {
          state.skipping = true; // over the limit: count the bytes, keep none
          state.partial = [];
        } else state.partial.push(bytes.slice(start));
        return;
      }
      if (state.skipping) {
        state.partialBytes += nl - start;
        this.#tooLong(state, update);
        state.nextLine++;
        state.partial = [];
        state.partialBytes = 0;
        state.skipping = false;
        start = nl + 1;
        continue;
      }
      // the complete lines of this chunk, with the waiting start of the first one
      const last = bytes.lastIndexOf(NEWLINE);
      const tail = bytes.subarray(start, last + 1);
      const complete = state.partialBytes
        ? joinChunks([...state.partial, tail], state.partialBytes + tail.length)
        : tail;
      state.partial = [];
      state.partialBytes = 0;
      let lines = 0;
      for (let i = start; i <= last; i++) if (bytes[i] === NEWLINE) lines++;
      this.#parse(state, new TextDecoder().decode(complete), false, update);
      state.nextLine += lines;
      start = last + 1;
    }
  }

  /** The one diagnostic of a line that went over the limit while it was read. */
  #tooLong(state: FileState, update: TailUpdate): void {
    const limit = this.#options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    update.diagnostics.push({
      file: state.path,
      line: state.nextLine,
      code: "line_too_long",
      message: messages.lineTooLong(state.partialBytes, limit),
      severity: "error",
    });
  }

  #parse(state: FileState, text: string, endOfFile: boolean, update: TailUpdate): void {
    const parsed = parseTraceText(text, state.path, {
      timezone: this.#options.timezone,
      maxLineBytes: this.#options.maxLineBytes,
      firstLine: state.nextLine,
      endOfFile,
    });
    for (const e of parsed.events) update.events.push(e); // no spread: a backlog can be huge
    for (const d of parsed.diagnostics) update.diagnostics.push(d);
  }
}

/** Chunks as one array of `total` bytes. */
function joinChunks(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
