/**
 * Terminal safety: text from a trace or a file name is escaped before it
 * reaches a terminal, so that a model name, request id, error message or file
 * name cannot set the window title, write the clipboard, clear the screen or
 * fake a line (ESC/CSI/OSC sequences, BEL, C1 controls, line breaks, and the
 * bidirectional overrides that reorder what is shown).
 *
 * @module
 */

/**
 * Control characters: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F), the line
 * and paragraph separators, and the bidirectional embeddings, overrides and
 * isolates.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Options of {@link escapeControl}. */
export interface EscapeControlOptions {
  /**
   * The text is JSON from `JSON.stringify`: escape as `\uXXXX`, which keeps it
   * valid and equal in meaning (`JSON.stringify` leaves C1 and the bidi
   * controls raw), and keep tab and line breaks (its indentation).
   * @default false: `\xHH` below U+0100, `\u{HHHH}` above
   */
  json?: boolean;
}

/**
 * `text` with every control character escaped so that a terminal shows it
 * instead of obeying it. Everything printed from a trace or a file name goes
 * through this.
 *
 * @example
 * ```ts
 * import { escapeControl } from "./terminal.ts";
 * const title = "gpt-4o\u001b]0;pwned\u0007";
 * if (escapeControl(title) !== "gpt-4o\\x1b]0;pwned\\x07") throw new Error(escapeControl(title));
 * const json = JSON.stringify({ model: "a\u009bb" });
 * if (escapeControl(json, { json: true }) !== '{"model":"a\\u009bb"}') throw new Error("json");
 * ```
 */
export function escapeControl(text: string, options: EscapeControlOptions = {}): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (options.json) {
      // tab and line breaks are JSON's own whitespace (inside strings JSON.stringify escapes them)
      return c === "\t" || c === "\n" || c === "\r"
        ? c
        : `\\u${code.toString(16).padStart(4, "0")}`;
    }
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
