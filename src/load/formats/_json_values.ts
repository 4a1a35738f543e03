/**
 * Text holding JSON values one after the other (one per line, pretty-printed and
 * concatenated, or one document) → the values with the 1-based line each one
 * starts on, and a problem for every piece of text that is not a value.
 *
 * @module
 */
import type { Diagnostic } from "../_event.ts";
import { addDiagnostic, foldDiagnostics, type ParsedTrace } from "../parse_trace_text.ts";
import { importMessages } from "./messages.ts";

/** One top-level JSON value of a text. */
export interface JsonValue {
  /** 1-based line where the value starts. */
  line: number;
  value: unknown;
  /**
   * With {@link JsonValueReaderOptions.members}: where an element split from
   * its document was (`data[3]`); absent for a top-level value.
   */
  path?: string;
}

const OPEN_BRACE = 123, OPEN_BRACKET = 91, CLOSE_BRACE = 125, CLOSE_BRACKET = 93;
const QUOTE = 34, BACKSLASH = 92, NEWLINE = 10, COMMA = 44;

// Span ids written as integers (any-agent's and Google ADK's span dicts: 64 and 128 bits) lose their
// low bits as JavaScript numbers: under these names an integer past 2^53 is read from its digits,
// as the hex id `0x…` (what `hexId` reads). Only a value whose text holds such a member pays for
// the reviver.
const ID_NAMES = new Set(["trace_id", "span_id", "parent_id", "parent_span_id"]);
const LONG_ID = /"(?:trace_id|span_id|parent_id|parent_span_id)"\s*:\s*\d{16}/;

function exactId(key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value) || !ID_NAMES.has(key)) return value;
  const digits = context?.source;
  return digits !== undefined && /^\d+$/.test(digits) ? `0x${BigInt(digits).toString(16)}` : value;
}

/**
 * `JSON.parse` of a value's text, integer span ids past 2^53 read exactly (as hex).
 *
 * @example
 * ```ts
 * import { parseJsonValue } from "./_json_values.ts";
 * const v = parseJsonValue('{"span_id": 14563327288122258498, "n": 14563327288122258498}');
 * if ((v as { span_id: string }).span_id !== "0xca1b55023c47b442") throw new Error();
 * ```
 */
export function parseJsonValue(text: string): unknown {
  return LONG_ID.test(text)
    ? JSON.parse(text, exactId as (this: unknown, key: string, value: unknown) => unknown)
    : JSON.parse(text);
}

/** JSON's own white space (a BOM only opens the text: a BOM, NBSP or U+2028 elsewhere is stray text). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** Options of {@link JsonValueReader}. */
export interface JsonValueReaderOptions {
  /** Stop after this many values (the text after them is not looked at). @default {Infinity} */
  limit?: number;
  /** The text is one JSON array whose `[` was blanked: commas and `]` between values are not stray. */
  elements?: boolean;
  /**
   * When the text opens with `[` (one JSON array), read it as {@link elements} does: each element
   * a value with its own line, the commas and `]` not stray, so a comma after the last element (as
   * Helicone's export writes `[{…},\n{…},\n]`) is no reason to lose the array.
   */
  arrayElements?: boolean;
  /**
   * Read these arrays of a top-level object element by element (by their
   * member names): each object or array in them is a value of its own (its
   * `path` `key[i]`, its line its own), given as soon as it is read, and the
   * object is given last without them (those arrays keep their other values
   * at their indexes, with holes where the elements were). A document such
   * as Jaeger's `{"data": [trace, …], "errors": …}` (`["data"]`) is then
   * never held whole: only the element being read and the rest of the object.
   */
  members?: readonly string[];
}

/** An array of a top-level object being read element by element ({@link JsonValueReaderOptions.members}). */
interface SplitArray {
  key: string;
  /** The index of the element being read (the commas so far). */
  index: number;
  /** The indexes of the elements given on their own (a placeholder stands in the object's text, a hole in its value). */
  given: number[];
}

/**
 * The reader behind {@link parseJsonValues}, fed the text in pieces of any
 * size (`push`): a file is read without ever holding its whole text, only the
 * value being read and the line being scanned. The values, the lines they
 * start on and the diagnostics are those of the whole text read at once,
 * wherever the pieces are cut (a test cuts them everywhere).
 *
 * @example
 * ```ts
 * import { JsonValueReader } from "./_json_values.ts";
 * const seen: number[] = [];
 * const r = new JsonValueReader("f.jsonl", (v) => seen.push(v.line));
 * for (const piece of ['{"a":', '1}\n{"b"', ":2}\n", "x\n"]) r.push(piece);
 * const diagnostics = r.end();
 * if (seen.join() !== "1,2" || diagnostics.length !== 1 || diagnostics[0]!.line !== 3) throw new Error();
 * ```
 */
export class JsonValueReader {
  #file: string;
  #onValue: (v: JsonValue) => void;
  #limit: number;
  #elements: boolean;
  // arrayElements: the text's first character not yet seen (a `[` there opens element reading)
  #awaitArray: boolean;
  // arrayElements: the line of the `[` that opened the array while no `]` has closed it (else 0)
  #arrayLine = 0;
  #members: ReadonlySet<string> | null;
  #count = 0;
  #done = false;
  #diagnostics: Diagnostic[] = [];
  // bounded however many lines are bad: past 100 of a code, counted in one row
  #out: ParsedTrace;
  // text given but not scanned yet: from the last newline on (scanned when the next arrives)
  #pending: string[] = [];
  // characters of the text before the first one pending (a BOM counts only at 0)
  #offset = 0;
  #line = 1;
  #lineStart = true;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #topArray = false;
  // the open value's containers: bit d set when the one at depth d (below 31) is an array
  #arrays = 0;
  // the open value's last character outside strings and white space
  #last = 0;
  // the first `{` that starts a line inside the open value's array, after its `[` or a comma, and
  // so read as an element: its offset in the value's text and its line. Were the value never to
  // close, the text from there is read again as values of their own (a line cut after a comma)
  #resume: { offset: number; line: number } | null = null;
  // the open value: its text scanned in earlier pieces, and the line it starts on
  #pieces: string[] = [];
  #startLine = 0;
  // stray text: its start in earlier pieces (at most what the message shows), and its line
  #stray: string | null = null;
  #strayLine = 0;
  // members: the open object's arrays read element by element, the one being read, the last
  // member name read (its quoted text; null when it was cut between pieces), and the element
  // open: its text in earlier pieces, its line, whether one is open
  #split: SplitArray[] = [];
  #splitting: SplitArray | null = null;
  #name: string | null = null;
  // the text so far of a member name cut between pieces (null: none, or too long to be one)
  #namePart: string | null = null;
  #elementPieces: string[] = [];
  #elementLine = 0;
  #inElement = false;

  constructor(file: string, onValue: (v: JsonValue) => void, options: JsonValueReaderOptions = {}) {
    this.#file = file;
    this.#onValue = onValue;
    this.#limit = options.limit ?? Infinity;
    this.#elements = options.elements ?? false;
    this.#awaitArray = (options.arrayElements ?? false) && !this.#elements;
    this.#members = options.members?.length ? new Set(options.members) : null;
    this.#out = { events: [], diagnostics: this.#diagnostics };
  }

  /** Characters held for the value being read and the line not yet scanned. */
  get openChars(): number {
    let n = 0;
    if (this.#depth > 0) { for (const p of this.#pieces) n += p.length; }
    for (const p of this.#elementPieces) n += p.length;
    for (const p of this.#pending) n += p.length;
    return n;
  }

  /** The line the value being read starts on (else the line not yet scanned). */
  get openLine(): number {
    if (this.#inElement) return this.#elementLine;
    if (this.#depth > 0) return this.#startLine;
    // what is pending starts at the newline before that line (but at the start of the text)
    return this.#line + (this.#pending[0]?.charCodeAt(0) === NEWLINE ? 1 : 0);
  }

  /** Stop reading: the diagnostics so far, by line (none for the value still open). */
  stop(): Diagnostic[] {
    this.#done = true;
    foldDiagnostics(this.#out);
    return this.#diagnostics.sort((a, b) => a.line - b.line);
  }

  /** The next piece of the text; `last` when it ends the text. False once the limit is reached. */
  push(piece: string, last = false): boolean {
    if (this.#done) return false;
    this.#pending.push(piece);
    const text = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join("");
    // a newline is scanned only with the character after it in hand (the recovery looks at
    // it): a newline that ends the piece waits for the next one; the rest is scanned at once, so
    // neither a document of one line nor a long line is held whole until its end (holding the
    // text from the last newline on had copied a long line again at each piece)
    const stop = last || text.charCodeAt(text.length - 1) !== NEWLINE
      ? text.length
      : text.length - 1;
    this.#pending = stop < text.length ? [text.slice(stop)] : [];
    this.#scan(text, stop, last);
    this.#offset += stop;
    return !this.#done;
  }

  /** The text has ended: the value still open and the stray text are reported; the diagnostics, by line. */
  end(): Diagnostic[] {
    if (!this.#done) {
      this.push("", true);
      const open = this.#depth > 0;
      if (open && this.#topArray && !this.#inElement) this.#readElements();
      else if (open) {
        this.#problem(this.#startLine, "truncated_object", importMessages.truncatedObject());
        this.#readAgain("", 0, 0);
      }
      if (!open && !this.#done && this.#arrayLine > 0) {
        // the array is cut between its elements (no value open): the elements before are read
        this.#problem(this.#arrayLine, "truncated_object", importMessages.truncatedArray());
      }
      this.#flushStray("", 0);
    }
    foldDiagnostics(this.#out);
    return this.#diagnostics.sort((a, b) => a.line - b.line);
  }

  /**
   * The open value is cut (it never closed, or a line starting with `{` cannot belong to it), and
   * a line inside one of its arrays started with `{` after the array's `[` or a comma: that line
   * may have begun a value of its own after a line cut there. The value's text from that line on
   * (up to `upTo` of the text being scanned, from its `from`) is read again as values of their own.
   */
  #readAgain(text: string, from: number, upTo: number): void {
    const resume = this.#resume;
    this.#resume = null;
    if (resume === null || this.#members !== null) return;
    const held = (this.#pieces.join("") + text.slice(from, upTo)).slice(resume.offset);
    this.#readInner(held, resume.line, false);
  }

  /**
   * A top-level array never closed (a file cut inside it): its elements read whole are values of
   * their own, each with its line, as `elements` reads them; the last one, cut, is a problem.
   */
  #readElements(): void {
    // the opening bracket becomes a blank: the elements are values, lines unchanged
    const held = " " + this.#pieces.join("").slice(1);
    this.#pieces = [];
    // cut inside an element, that element is the truncated value (as `arrayElements` has it)
    if (!this.#readInner(held, this.#startLine, true)) {
      this.#problem(this.#startLine, "truncated_object", importMessages.truncatedArray());
    }
  }

  /**
   * `text`, starting on line `line`, read as values of their own (its problems are this
   * reader's). True when it ends inside a value.
   */
  #readInner(text: string, line: number, elements: boolean): boolean {
    const shift = line - 1;
    const inner = new JsonValueReader(this.#file, (v) => {
      this.#onValue({ line: v.line + shift, value: v.value });
      if (++this.#count >= this.#limit) this.#done = true;
    }, { limit: this.#limit - this.#count, elements });
    inner.push(text, true);
    const cut = inner.#depth > 0;
    for (const d of inner.end()) addDiagnostic(this.#out, { ...d, line: d.line + shift });
    return cut;
  }

  #problem(line: number, code: string, message: string): void {
    addDiagnostic(this.#out, { file: this.#file, line, code, message, severity: "error" });
  }

  /** Report the stray text that ends at `end` of `text` (it started at `from` of it, or before). */
  #flushStray(text: string, end: number, from = 0): void {
    if (this.#stray === null) return;
    const shown = (this.#stray + text.slice(from, Math.min(end, from + 80))).slice(0, 80);
    this.#problem(this.#strayLine, "stray_text", importMessages.strayText(shown.trim()));
    this.#stray = null;
  }

  /** (members) An array of the top-level object opens: read element by element, under its name. */
  #startSplit(): void {
    let key: unknown = null;
    try {
      key = this.#name === null ? null : JSON.parse(this.#name);
    } catch { /* not a name: the array is read whole */ }
    if (typeof key !== "string" || !this.#members?.has(key)) return;
    this.#splitting = { key, index: 0, given: [] };
    this.#split.push(this.#splitting);
  }

  /** (members) The text of the element just read: given as a value of its own. */
  #element(whole: string): void {
    const split = this.#splitting!;
    this.#elementPieces = [];
    this.#inElement = false;
    // read apart either way: its placeholder is taken out of the object
    split.given.push(split.index);
    let value: unknown;
    try {
      value = parseJsonValue(whole);
    } catch (e) {
      this.#problem(
        this.#elementLine,
        "invalid_json",
        importMessages.invalidJson((e as Error).message),
      );
      return;
    }
    this.#onValue({ line: this.#elementLine, value, path: `${split.key}[${split.index}]` });
  }

  /** (members) The object read: its arrays without the elements given on their own. */
  #withoutGiven(value: unknown): unknown {
    if (this.#split.length === 0 || !value || typeof value !== "object" || Array.isArray(value)) {
      return value;
    }
    const object = value as Record<string, unknown>;
    // a name given twice: JSON.parse kept its last array, so only its elements are taken out
    const last = new Map(this.#split.map((split) => [split.key, split]));
    for (const split of last.values()) {
      const list = object[split.key];
      if (!Array.isArray(list)) continue;
      // holes where the elements were: the values left keep their indexes (forEach skips holes)
      for (const k of split.given) delete list[k];
    }
    return object;
  }

  /** (members) No object open any more. */
  #endSplit(): void {
    this.#split = [];
    this.#splitting = null;
    this.#name = null;
    this.#namePart = null;
    this.#inElement = false;
    this.#elementPieces = [];
  }

  /** Scan `text` up to `n` (the last piece: to its end), the state carried from the pieces before. */
  #scan(text: string, n: number, last: boolean): void {
    let line = this.#line, depth = this.#depth, inString = this.#inString;
    // nothing but white space since the line began: where a line of JSON Lines starts its value
    let lineStart = this.#lineStart;
    let escaped = this.#escaped, topArray = this.#topArray;
    let arrays = this.#arrays, lastChar = this.#last;
    const members = this.#members !== null;
    // the open value's start in this text (0: it started in an earlier piece), or of what
    // follows the last element read apart
    let start = 0;
    // members: the open element's start in this text (0: it started earlier), and the start of
    // the string being read in this text (-1: it started earlier)
    let elementFrom = 0;
    let namePart = this.#namePart ?? "";
    let nameFrom = this.#namePart === null ? -1 : 0;
    // the stray text's start in this text (0 when it started earlier)
    let strayFrom = 0;
    // inside a string only a quote, a backslash or a newline matter: jump to the next one
    let nextQuote = -1, nextBackslash = -1, nextNewline = -1;
    const next = (ch: string, from: number) => {
      const at = text.indexOf(ch, from);
      return at < 0 ? text.length : at;
    };
    let i = 0;
    for (; i < n; i++) {
      if (inString && !escaped) {
        if (nextQuote < i) nextQuote = next('"', i);
        if (nextBackslash < i) nextBackslash = next("\\", i);
        if (nextNewline < i) nextNewline = next("\n", i);
        const stop = Math.min(nextQuote, nextBackslash, nextNewline);
        if (stop >= n) {
          i = n;
          break;
        }
        i = stop;
      }
      const c = text.charCodeAt(i);
      const atLineStart = lineStart;
      if (c === NEWLINE) {
        lineStart = true;
        line++;
        if (depth === 0) this.#flushStray(text, i, strayFrom);
        else if (
          text.charCodeAt(i + 1) === OPEN_BRACE && !(topArray && depth === 1 && !inString) &&
          !(this.#splitting !== null && depth === 2 && !inString)
        ) {
          // an element of an array may start its line (`{"spans": [` and then objects at column
          // 0): after the array's `[` or a comma, the `{` is read as one, the line kept in case
          if (
            !inString && depth < 31 && (arrays >>> depth & 1) === 1 &&
            (lastChar === OPEN_BRACKET || lastChar === COMMA)
          ) {
            if (this.#resume === null && !members) {
              let held = 0;
              for (const p of this.#pieces) held += p.length;
              this.#resume = { offset: held + i + 1 - start, line: line };
            }
            continue;
          }
          this.#problem(this.#startLine, "truncated_object", importMessages.truncatedObject());
          this.#readAgain(text, start, i);
          if (this.#done) return;
          depth = 0;
          inString = false;
          escaped = false;
          this.#pieces = [];
          this.#endSplit();
        }
        continue;
      }
      if (!isBlank(c)) lineStart = false;
      if (depth === 0) {
        if (isBlank(c) || (c === 0xfeff && i === 0 && this.#offset === 0)) continue;
        if (this.#awaitArray) {
          this.#awaitArray = false;
          if (c === OPEN_BRACKET && !members) {
            this.#elements = true;
            this.#arrayLine = line;
            continue;
          }
        }
        // between and after elements
        if (this.#elements && (c === COMMA || c === CLOSE_BRACKET)) {
          if (c === CLOSE_BRACKET) this.#arrayLine = 0;
          continue;
        }
        if (c === OPEN_BRACE && atLineStart && !members && this.#stray === null) {
          // a whole line that is one JSON value (JSON Lines, the common case) is parsed as it is,
          // not scanned character by character; any other line is scanned below, as always. Only
          // where a line starts: values run together on one line (`jq -sc`) are scanned (tried at
          // each of them, a line of 60,000 took 12 s). An element of an array read element by
          // element may end its line with the comma after it.
          const nl = text.indexOf("\n", i);
          const end = nl >= 0 ? nl : last ? n : -1;
          if (end > i) {
            let value: unknown, parsed = true;
            let stop = end;
            if (this.#elements) {
              while (stop > i && isBlank(text.charCodeAt(stop - 1))) stop--;
              if (text.charCodeAt(stop - 1) !== COMMA) stop = end;
              else stop--;
            }
            try {
              value = parseJsonValue(text.slice(i, stop));
            } catch {
              parsed = false;
            }
            if (parsed) {
              this.#onValue({ line, value });
              if (++this.#count >= this.#limit) {
                this.#done = true;
                return;
              }
              i = end - 1; // the newline (or the end) next
              continue;
            }
          }
        }
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.#flushStray(text, i, strayFrom);
          start = i;
          this.#pieces = [];
          this.#startLine = line;
          depth = 1;
          topArray = c === OPEN_BRACKET;
          arrays = topArray ? 2 : 0;
          lastChar = c;
          this.#resume = null;
        } else if (this.#stray === null) {
          this.#stray = "";
          strayFrom = i;
          this.#strayLine = line;
        }
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          // a member's name, in full (with its start in earlier pieces)
          if (members && depth === 1) {
            this.#name = nameFrom >= 0 ? namePart + text.slice(nameFrom, i + 1) : null;
            nameFrom = -1;
          }
        }
        continue;
      }
      if (!isBlank(c)) lastChar = c;
      if (c === QUOTE) {
        inString = true;
        if (members && depth === 1) {
          nameFrom = i;
          namePart = "";
        }
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (members && !topArray) {
          if (depth === 1 && c === OPEN_BRACKET) this.#startSplit();
          else if (depth === 2 && this.#splitting !== null) {
            // an element: read apart, a placeholder in the object's text
            this.#pieces.push(text.slice(start, i) + "0");
            this.#inElement = true;
            this.#elementPieces = [];
            this.#elementLine = line;
            elementFrom = i;
          }
        }
        depth++;
        if (depth < 31) arrays = c === OPEN_BRACKET ? arrays | 1 << depth : arrays & ~(1 << depth);
      } else if (c === COMMA) {
        if (depth === 2 && this.#splitting !== null) this.#splitting.index++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (this.#inElement && depth === 2) {
          const piece = text.slice(elementFrom, i + 1);
          this.#element(this.#elementPieces.length ? this.#elementPieces.join("") + piece : piece);
          start = i + 1;
        } else if (depth === 1 && this.#splitting !== null) this.#splitting = null;
        if (depth === 0) {
          const piece = text.slice(start, i + 1);
          const whole = this.#pieces.length ? this.#pieces.join("") + piece : piece;
          this.#pieces = [];
          let value: unknown, parsed = true;
          try {
            value = parseJsonValue(whole);
          } catch (e) {
            parsed = false;
            this.#problem(
              this.#startLine,
              "invalid_json",
              importMessages.invalidJson((e as Error).message),
            );
          }
          if (parsed) {
            this.#onValue({ line: this.#startLine, value: this.#withoutGiven(value) });
            this.#count++;
          }
          this.#endSplit();
          if (this.#count >= this.#limit) {
            this.#done = true;
            return;
          }
        }
      }
    }
    // a member name cut here: its start, kept for the next piece (a name, so short)
    const part = members && inString && depth === 1 && nameFrom >= 0
      ? namePart + text.slice(nameFrom, n)
      : null;
    this.#namePart = part !== null && part.length <= 256 ? part : null;
    // what this piece holds of the open value (or element) and of the stray text, kept for the next
    if (depth > 0) {
      if (this.#inElement) this.#elementPieces.push(text.slice(elementFrom, n));
      else this.#pieces.push(text.slice(start, n));
    }
    if (this.#stray !== null && this.#stray.length < 80) {
      this.#stray = (this.#stray + text.slice(strayFrom, Math.min(n, strayFrom + 80))).slice(0, 80);
    }
    this.#line = line;
    this.#lineStart = lineStart;
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
    this.#topArray = topArray;
    this.#arrays = arrays;
    this.#last = lastChar;
  }
}

/**
 * Split `text` into its top-level JSON values (objects or arrays). A value that
 * does not parse, a value still open at the end of the text, and any other text
 * outside a value each give one `error` diagnostic (one per line of stray text).
 *
 * Recovery: a `{` at the start of a line while a value is still open ends the
 * open value as truncated and starts a new one, so one broken object does not
 * swallow the rest of the file. Pretty-printers indent nested objects, so this
 * never splits a valid value of such a file. A `{` that starts a line inside an
 * array, after its `[` or a comma, is an element (a document's objects written
 * at column 0); were the value cut after all, its text from that line is read
 * again as values of their own.
 *
 * With a `limit`, it stops after that many values (the text after them is not
 * looked at: no diagnostics for it).
 *
 * @example
 * ```ts
 * import { parseJsonValues } from "./_json_values.ts";
 * const text = '{"a":"x\\"}"}\n{"b":\n"y"}\n[1]\n';
 * const { values } = parseJsonValues(text, "f.jsonl");
 * if (values.length !== 3 || values[1]!.line !== 2 || values[2]!.line !== 4) throw new Error();
 * if (parseJsonValues(text, "f.jsonl", 1).values.length !== 1) throw new Error();
 * ```
 */
export function parseJsonValues(
  text: string,
  file: string,
  limit: number = Infinity,
  elements: boolean = false,
): { values: JsonValue[]; diagnostics: Diagnostic[] } {
  const values: JsonValue[] = [];
  const reader = new JsonValueReader(file, (v) => values.push(v), { limit, elements });
  reader.push(text, true);
  return { values, diagnostics: reader.end() };
}

/**
 * The records of a text: its top-level values ({@link parseJsonValues}), or,
 * when the text is one JSON array (JSON Lines gathered by `jq -s`), the
 * elements of that array, each with the line it starts on.
 *
 * @example
 * ```ts
 * import { parseJsonRecords } from "./_json_values.ts";
 * const { values, diagnostics } = parseJsonRecords('[\n{"a":1},\n{"a":2}\n]\n', "f.json");
 * if (values.length !== 2 || values[1]!.line !== 3 || diagnostics.length !== 0) throw new Error();
 * ```
 */
export function parseJsonRecords(
  text: string,
  file: string,
): { values: JsonValue[]; diagnostics: Diagnostic[] } {
  const at = text.search(/[^\s\uFEFF]/);
  if (at < 0 || text[at] !== "[") return parseJsonValues(text, file);
  // the opening bracket becomes a blank: the elements are the values, lines unchanged
  return parseJsonValues(text.slice(0, at) + " " + text.slice(at + 1), file, Infinity, true);
}
