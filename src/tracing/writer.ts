/**
 * Where trace lines go. A writer takes one complete line at a time and writes
 * it in ONE synchronous append, so lines from concurrent calls never
 * interleave and a killed process leaves at most one truncated last line.
 *
 * @module
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Receives complete trace lines (each ends with `\n`). May throw: the tracer catches and reports it. */
export interface TraceWriter {
  /** Write one line, synchronously. */
  write(line: string): void;
  /** Flush and release the file. */
  close?(): void;
  /** The file written, for messages. */
  readonly path?: string;
}

const encoder = new TextEncoder();

/**
 * Open `path` for appending; `midLine` is true when the file ends inside a line
 * (a cut-off last line), so the next write must start with a newline.
 */
function openForAppend(path: string): { fd: number; midLine: boolean } {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number;
  try {
    fd = openSync(path, "a+");
  } catch {
    return { fd: openSync(path, "a"), midLine: false }; // write-only: cannot look
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { fd, midLine: false };
    const last = new Uint8Array(1);
    readSync(fd, last, 0, 1, size - 1);
    return { fd, midLine: last[0] !== 0x0a };
  } catch {
    return { fd, midLine: false };
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

/**
 * Appends each line to a file with one `write(2)` on a descriptor opened once
 * in append mode (the folder is created when missing). The file is opened on
 * the first write and reopened after a failure. Each line starts on a fresh
 * line: when the file ends inside a line (a cut-off write, by us or another
 * process), a newline is written first, so the fragment stays one bad line
 * and the next event survives.
 *
 * @example
 * ```ts
 * import { FileTraceWriter } from "./writer.ts";
 * const path = Deno.makeTempDirSync() + "/t.jsonl";
 * Deno.writeTextFileSync(path, '{"type":"cut off'); // a line a killed process left unfinished
 * const w = new FileTraceWriter(path);
 * w.write('{"type":"x"}\n');
 * w.close();
 * // The fragment stays one bad line; the new event is a whole line of its own.
 * const lines = Deno.readTextFileSync(path).split("\n");
 * if (lines[0] !== '{"type":"cut off' || lines[1] !== '{"type":"x"}') throw new Error(lines.join("|"));
 * ```
 */
export class FileTraceWriter implements TraceWriter {
  readonly path: string;
  #fd: number | null = null;

  /** A writer appending to `path`; the file and its folder are created on the first write. */
  constructor(path: string) {
    this.path = path;
  }

  write(line: string): void {
    let text = line;
    if (this.#fd === null) {
      const { fd, midLine } = openForAppend(this.path);
      this.#fd = fd;
      if (midLine) text = "\n" + line;
    }
    try {
      writeAll(this.#fd, encoder.encode(text));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/** Options of {@link BufferedFileWriter}. */
export interface BufferedFileWriterOptions {
  /** Flush when this many characters are buffered. @default 1_048_576 */
  bufferChars?: number;
  /** Truncate the file first instead of appending. @default false */
  truncate?: boolean;
}

/**
 * Buffers lines and appends them in large blocks: for bulk writers such as the
 * simulator, not for live tracing (a crash loses the buffer). Flushes on
 * `flush()` and `close()`.
 *
 * @example
 * ```ts
 * import { BufferedFileWriter } from "./writer.ts";
 * const path = Deno.makeTempDirSync() + "/t.jsonl";
 * const w = new BufferedFileWriter(path);
 * w.write('{"type":"a"}\n');
 * w.write('{"type":"b"}\n');
 * let exists = true;
 * try { Deno.statSync(path); } catch { exists = false; }
 * if (exists) throw new Error("written before flush"); // still in the buffer
 * w.close();
 * if (Deno.readTextFileSync(path) !== '{"type":"a"}\n{"type":"b"}\n') throw new Error("lines");
 * ```
 */
export class BufferedFileWriter implements TraceWriter {
  readonly path: string;
  #fd: number | null = null;
  #parts: string[] = [];
  #size = 0;
  #limit: number;
  #truncate: boolean;

  /** A writer buffering lines for `path` (appended to, or truncated with `truncate`). */
  constructor(path: string, options: BufferedFileWriterOptions = {}) {
    this.path = path;
    this.#limit = options.bufferChars ?? 1 << 20;
    this.#truncate = options.truncate ?? false;
  }

  write(line: string): void {
    this.#parts.push(line);
    this.#size += line.length;
    if (this.#size >= this.#limit) this.flush();
  }

  /** Write the buffered lines to the file. */
  flush(): void {
    if (this.#parts.length === 0) return;
    let prefix = "";
    if (this.#fd === null) {
      if (this.#truncate) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.#fd = openSync(this.path, "w");
      } else {
        const { fd, midLine } = openForAppend(this.path);
        this.#fd = fd;
        if (midLine) prefix = "\n";
      }
    }
    const text = prefix + this.#parts.join("");
    this.#parts = [];
    this.#size = 0;
    writeAll(this.#fd, encoder.encode(text));
  }

  close(): void {
    this.flush();
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/**
 * Keeps lines in memory (tests, notebooks).
 *
 * @example
 * ```ts
 * import { MemoryTraceWriter } from "./writer.ts";
 * import { Tracer } from "./tracer.ts";
 * const writer = new MemoryTraceWriter();
 * const tracer = new Tracer({ writer, endOnExit: false });
 * tracer.logEvent("cache_hit", { key: "k1" });
 * await tracer.close();
 * const types = writer.events().map((e) => e.type).join();
 * if (types !== "session_start,cache_hit,session_end") throw new Error(types);
 * ```
 */
export class MemoryTraceWriter implements TraceWriter {
  /** The lines written, each with its `\n`. */
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  /** The lines parsed as JSON. */
  events(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l));
  }
}
