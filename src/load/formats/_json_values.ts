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
}

const OPEN_BRACE = 123, OPEN_BRACKET = 91, CLOSE_BRACE = 125, CLOSE_BRACKET = 93;
const QUOTE = 34, BACKSLASH = 92, NEWLINE = 10, COMMA = 44;

/** JSON's own white space (a BOM only opens the text: a BOM, NBSP or U+2028 elsewhere is stray text). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/**
 * Split `text` into its top-level JSON values (objects or arrays). A value that
 * does not parse, a value still open at the end of the text, and any other text
 * outside a value each give one `error` diagnostic (one per line of stray text).
 *
 * Recovery: a `{` at the start of a line while a value is still open (and that
 * value is not an array holding objects at column 0) ends the open value as
 * truncated and starts a new one, so one broken object does not swallow the
 * rest of the file. Pretty-printers indent nested objects, so this never splits
 * a valid value of such a file.
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
  const diagnostics: Diagnostic[] = [];
  // bounded however many lines are bad: past 100 of a code, counted in one row
  const out: ParsedTrace = { events: [], diagnostics };
  const problem = (line: number, code: string, message: string) =>
    addDiagnostic(out, { file, line, code, message, severity: "error" });
  let line = 1, depth = 0, inString = false, escaped = false, topArray = false;
  let start = -1, startLine = 0;
  let stray = -1, strayLine = 0;
  const flushStray = (end: number) => {
    if (stray < 0) return;
    problem(
      strayLine,
      "stray_text",
      importMessages.strayText(text.slice(stray, Math.min(end, stray + 80)).trim()),
    );
    stray = -1;
  };
  const n = text.length;
  // inside a string only a quote, a backslash or a newline matter: jump to the next one
  let nextQuote = -1, nextBackslash = -1, nextNewline = -1;
  const next = (ch: string, from: number) => {
    const at = text.indexOf(ch, from);
    return at < 0 ? n : at;
  };
  for (let i = 0; i < n; i++) {
    if (inString && !escaped) {
      if (nextQuote < i) nextQuote = next('"', i);
      if (nextBackslash < i) nextBackslash = next("\\", i);
      if (nextNewline < i) nextNewline = next("\n", i);
      const stop = Math.min(nextQuote, nextBackslash, nextNewline);
      if (stop >= n) break;
      i = stop;
    }
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      line++;
      if (depth === 0) flushStray(i);
      else if (text.charCodeAt(i + 1) === OPEN_BRACE && !(topArray && depth === 1 && !inString)) {
        problem(startLine, "truncated_object", importMessages.truncatedObject());
        depth = 0;
        inString = false;
        escaped = false;
      }
      continue;
    }
    if (depth === 0) {
      if (isBlank(c) || (c === 0xfeff && i === 0)) continue;
      if (elements && (c === COMMA || c === CLOSE_BRACKET)) continue; // between and after elements
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        flushStray(i);
        start = i;
        startLine = line;
        depth = 1;
        topArray = c === OPEN_BRACKET;
      } else if (stray < 0) {
        stray = i;
        strayLine = line;
      }
      continue;
    }
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        try {
          values.push({ line: startLine, value: JSON.parse(text.slice(start, i + 1)) });
        } catch (e) {
          problem(startLine, "invalid_json", importMessages.invalidJson((e as Error).message));
        }
        if (values.length >= limit) {
          foldDiagnostics(out);
          return {
            values,
            diagnostics: diagnostics.sort((a, b) => a.line - b.line),
          };
        }
      }
    }
  }
  if (depth > 0) problem(startLine, "truncated_object", importMessages.truncatedObject());
  flushStray(n);
  foldDiagnostics(out);
  diagnostics.sort((a, b) => a.line - b.line);
  return { values, diagnostics };
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
