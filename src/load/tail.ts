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
import { parseTraceText } from "./parse_trace_text.ts";
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
  /** Bytes of the last line, not yet ended by a newline. */
  partial: Uint8Array;
  /** Line number of the next complete line. */
  nextLine: number;
  ino: number | null;
}

const CHUNK = 1024 * 1024;
const NEWLINE = 10;

/**
 * Follows the trace files named by inputs (files, directories searched
 * recursively for `*.jsonl`, globs).
 *
 * @example
 * ```ts ignore
 * import { TraceTail } from "./tail.ts";
 * const tail = TraceTail.open(["traces/"]);
 * const { events, diagnostics } = await tail.poll();
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
    for (const f of this.#files.values()) n += f.partial.length;
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
        state = { path, offset: 0, partial: new Uint8Array(0), nextLine: 1, ino: null };
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
      if (rotated || stat.size < state.offset) {
        state.offset = 0;
        state.partial = new Uint8Array(0);
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
      if (final && state.partial.length > 0) {
        const text = new TextDecoder().decode(state.partial);
        state.partial = new Uint8Array(0);
        this.#parse(state, text, true, update);
        state.nextLine++;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Append `bytes` to the partial line and parse every line they complete. */
  #consume(state: FileState, bytes: Uint8Array, update: TailUpdate): void {
    const last = bytes.lastIndexOf(NEWLINE);
    if (last < 0) {
      state.partial = concat(state.partial, bytes);
      return;
    }
    const complete = concat(state.partial, bytes.subarray(0, last + 1));
    state.partial = bytes.slice(last + 1);
    let lines = 0;
    for (const b of complete) if (b === NEWLINE) lines++;
    this.#parse(state, new TextDecoder().decode(complete), false, update);
    state.nextLine += lines;
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
