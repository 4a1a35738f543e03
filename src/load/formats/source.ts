/**
 * A file's text as a format adapter reads it ({@link TraceSource}): whole, or
 * in pieces, as its JSON values or its lines one at a time, so that a file of
 * any size is read without its whole text in memory.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { deno } from "../_runtime.ts";
import type { Diagnostic } from "../_event.ts";
import { type JsonValue, JsonValueReader } from "./_json_values.ts";
import { importMessages } from "./messages.ts";

/**
 * Bytes read and decoded at a time: small, so that a piece (and the lines and
 * values sliced from it) is a string that V8's young-generation collections
 * free, not one that waits in its large-object space for a full collection.
 * Measured against 8 MiB pieces: `report` of 319 MB of Phoenix spans 963–1,006
 * → 802 MiB, of a 296 MB per-call log 408–421 → 289 MiB, `report --outputs` of
 * a 309 MB OpenAI Batch file 731 → 501 MiB, each in less time (256 KiB and 1
 * MiB: 806–815 MiB on the spans; 16 KiB no lower, and slower on a 192 MB
 * document of one line).
 */
const PIECE_BYTES = 64 * 1024;

/** Characters of the start of a text that {@link TraceSource.head} gives. */
const HEAD_CHARS = 64 * 1024;

/**
 * The most a file read whole ({@link TraceSource.text}), or one JSON value of
 * it, may hold: past it, the file is one `file_too_large` diagnostic.
 */
export const MAX_DOCUMENT_BYTES = 500 * 1024 * 1024;

/** What {@link TraceSource.text} throws for a file past {@link MAX_DOCUMENT_BYTES}. */
export class DocumentTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`a document of ${bytes} bytes`);
  }
}

/** The text of one file (or of a string), for an adapter to read. */
export interface TraceSource {
  /**
   * The whole text, a leading BOM dropped. Throws {@link DocumentTooLarge} for a
   * file past {@link MAX_DOCUMENT_BYTES}.
   */
  text(): string;
  /** The first 64 Ki characters: enough to tell how the text is laid out. */
  head(): string;
  /** The most the text, one of its values or one record an adapter gathers may hold. */
  readonly maxBytes: number;
  /**
   * Each top-level JSON value, in order, as `parseJsonValues` reads the whole
   * text, but never holding more of it than the value being read. With
   * `members`, the elements of a top-level object's arrays of these names are
   * values of their own, given as they are read, and the object comes last
   * without them (`JsonValueReaderOptions.members`). With `arrayElements`, a text that is one
   * JSON array gives its elements, each with its own line, a comma after the last one not a
   * problem (`JsonValueReaderOptions.arrayElements`). Returns the diagnostics, by line.
   */
  values(
    onValue: (v: JsonValue) => void,
    options?: { members?: readonly string[]; arrayElements?: boolean },
  ): Diagnostic[];
  /**
   * Each line, in order, without its newline (a CR kept), numbered from 1;
   * `last` for the text after the last newline (empty when the text ends with one).
   * Throws {@link DocumentTooLarge} at a line past {@link MAX_DOCUMENT_BYTES}.
   */
  lines(onLine: (text: string, line: number, last: boolean) => void): void;
}

/**
 * A string as a {@link TraceSource}.
 *
 * @example
 * ```ts
 * import { textSource } from "./source.ts";
 * const seen: string[] = [];
 * textSource("a\nb\n").lines((text, line, last) => seen.push(`${line}:${text}:${last}`));
 * if (seen.join() !== "1:a:false,2:b:false,3::true") throw new Error(seen.join());
 * ```
 */
export function textSource(text: string, file: string = "<text>"): TraceSource {
  return {
    text: () => text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
    head: () => text.slice(0, HEAD_CHARS),
    maxBytes: MAX_DOCUMENT_BYTES,
    values(onValue, options) {
      const reader = new JsonValueReader(file, onValue, {
        members: options?.members,
        arrayElements: options?.arrayElements,
      });
      reader.push(text, true);
      return reader.end();
    },
    lines(onLine) {
      const lines = new LineSplitter(onLine);
      lines.push(text);
      lines.end();
    },
  };
}

/** Calls `onLine` for each whole line of the pieces pushed, the line after the last newline at the end. */
class LineSplitter {
  #rest = "";
  #line = 1;
  constructor(readonly onLine: (text: string, line: number, last: boolean) => void) {}

  /** Characters of the line not yet ended. */
  get pending(): number {
    return this.#rest.length;
  }

  push(piece: string): void {
    const last = piece.lastIndexOf("\n");
    if (last < 0) {
      this.#rest += piece;
      return;
    }
    const text = this.#rest ? this.#rest + piece : piece;
    const end = this.#rest.length + last;
    let at = 0;
    while (at <= end) {
      const nl = text.indexOf("\n", at);
      this.onLine(text.slice(at, nl), this.#line++, false);
      at = nl + 1;
    }
    this.#rest = text.slice(end + 1);
  }

  end(): void {
    this.onLine(this.#rest, this.#line, true);
    this.#rest = "";
  }
}

/** Sizes of {@link fileSource} (tests make them small). */
export interface SourceLimits {
  /** Bytes read and decoded at a time. @default {65536} */
  pieceBytes?: number;
  /** The most the whole text, or one JSON value, may hold. @default {MAX_DOCUMENT_BYTES} */
  maxBytes?: number;
}

/**
 * A file as a {@link TraceSource}, read afresh by each call: its values and
 * lines in pieces of 64 KiB (decoded as `TextDecoder` decodes the whole file:
 * a leading BOM dropped, bad bytes replaced), its text at once.
 *
 * @example
 * ```ts
 * import { fileSource } from "./source.ts";
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, '\ufeff{"a":1}\n{"b":\n2}\n');
 * const lines: number[] = [];
 * const problems = fileSource(path, "t.json").values((v) => lines.push(v.line));
 * Deno.removeSync(path);
 * if (lines.join() !== "1,2" || problems.length !== 0) throw new Error(lines.join());
 * ```
 */
export function fileSource(
  path: string,
  file: string = path,
  limits: SourceLimits = {},
): TraceSource {
  const pieceBytes = limits.pieceBytes ?? PIECE_BYTES;
  const maxBytes = limits.maxBytes ?? MAX_DOCUMENT_BYTES;
  return {
    text() {
      const size = fileSize(path);
      if (size > maxBytes) throw new DocumentTooLarge(size);
      // Deno decodes into one string and frees the bytes at once (TextDecoder's replacement
      // of bad bytes, but a BOM kept): a 314 MB OpenAI Batch file peaked at 676 MiB in
      // `report` against 1,141 with `readFileSync`'s buffer held until a collection
      // (Node, the npm package: node:fs's, the bytes freed with the buffer)
      const text = deno ? deno.readTextFileSync(path) : readFileSync(path, "utf8");
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    },
    maxBytes,
    head() {
      let head = "";
      readPieces(path, (piece) => {
        head += piece;
        return head.length < HEAD_CHARS;
      }, HEAD_CHARS);
      return head.slice(0, HEAD_CHARS);
    },
    values(onValue, options) {
      const reader = new JsonValueReader(file, onValue, {
        members: options?.members,
        arrayElements: options?.arrayElements,
      });
      let tooLarge = 0;
      readPieces(path, (piece, last) => {
        reader.push(piece, last);
        // one value past the limit: not held whole, the rest of the file not read
        if (reader.openChars > maxBytes) tooLarge = reader.openLine;
        return tooLarge === 0;
      }, pieceBytes);
      if (tooLarge === 0) return reader.end();
      const diagnostics = reader.stop();
      diagnostics.push({
        file,
        line: tooLarge,
        code: "file_too_large",
        message: importMessages.valueTooLarge(maxBytes),
        severity: "error",
      });
      return diagnostics;
    },
    lines(onLine) {
      const lines = new LineSplitter(onLine);
      readPieces(path, (piece) => {
        lines.push(piece);
        // one line past the limit is not held whole (nor can a JavaScript string hold much more)
        if (lines.pending > maxBytes) throw new DocumentTooLarge(fileSize(path));
        return true;
      }, pieceBytes);
      lines.end();
    },
  };
}

function fileSize(path: string): number {
  const fd = openSync(path, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/**
 * The file decoded piece by piece, the last piece flagged (it may be empty),
 * until `onPiece` returns false.
 */
function readPieces(
  path: string,
  onPiece: (piece: string, last: boolean) => boolean,
  pieceBytes = PIECE_BYTES,
): void {
  const fd = openSync(path, "r");
  try {
    const bytes = new Uint8Array(pieceBytes);
    const decoder = new TextDecoder();
    for (;;) {
      const n = readSync(fd, bytes, 0, bytes.length, null);
      if (n === 0) {
        onPiece(decoder.decode(), true);
        return;
      }
      if (!onPiece(decoder.decode(bytes.subarray(0, n), { stream: true }), false)) return;
    }
  } finally {
    closeSync(fd);
  }
}
