/**
 * Which format a trace file holds, from its first bytes (never from its name).
 *
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";

/** The formats `loadTraces` reads. */
export type TraceFormat = "native" | "otlp" | "openai_batch";

/**
 * Keys of the first JSON object of `head` (the first element when the text
 * starts with an array), in order, as far as `head` goes; `closed` is true when
 * that object ends inside `head`. Works on a cut-off prefix.
 */
export function firstObjectKeys(head: string): { keys: string[]; closed: boolean } {
  const keys: string[] = [];
  let i = 0;
  const n = head.length;
  while (i < n && /[\s\uFEFF]/.test(head[i]!)) i++;
  if (head[i] === "[") {
    i++;
    while (i < n && /\s/.test(head[i]!)) i++;
  }
  if (head[i] !== "{") return { keys, closed: false };
  let depth = 0, inString = false, escaped = false, stringStart = -1;
  for (; i < n; i++) {
    const c = head[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
        if (depth === 1) {
          let j = i + 1;
          while (j < n && /\s/.test(head[j]!)) j++;
          if (head[j] === ":") {
            try {
              keys.push(JSON.parse(head.slice(stringStart, i + 1)));
            } catch { /* not a key we can read */ }
          }
        }
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return { keys, closed: true };
    }
  }
  return { keys, closed: false };
}

/**
 * The format of a text from its beginning: OTLP/JSON when the first object has
 * `resourceSpans` or `scopeSpans` (or the old `instrumentationLibrarySpans`);
 * OpenAI Batch output when it has `custom_id` and `response` or `error` and no
 * `type`; native otherwise. `undecided` when the head ends before the first
 * object names its keys.
 *
 * @example
 * ```ts
 * import { detectTraceFormatOfText } from "./detect.ts";
 * if (detectTraceFormatOfText('{"custom_id":"r1","response":null,"error":{}}') !== "openai_batch") throw new Error();
 * ```
 */
export function detectTraceFormatOfText(head: string): TraceFormat | "undecided" {
  const { keys, closed } = firstObjectKeys(head);
  const has = (k: string) => keys.includes(k);
  if (has("resourceSpans") || has("scopeSpans") || has("instrumentationLibrarySpans")) {
    return "otlp";
  }
  if (has("custom_id") && (has("response") || has("error")) && !has("type")) return "openai_batch";
  if (closed || has("type") || keys.length === 0 && head.trimStart().length > 1) return "native";
  // a ResourceSpans object starts with a long `resource` block: read further
  return keys.length === 0 || has("resource") || has("id") || has("custom_id")
    ? "undecided"
    : "native";
}

/** Bytes read from the start of a file, each size tried while the first object is undecided. */
const HEADS = [4 * 1024, 64 * 1024, 1024 * 1024];

/**
 * The format of a file, from its first 4 KiB (64 KiB, then 1 MiB, when the first object is
 * longer). A file that cannot be told apart is native.
 *
 * @example
 * ```ts
 * import { detectTraceFormat } from "./detect.ts";
 * if (detectTraceFormat("traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl") !== "native") throw new Error();
 * ```
 */
export function detectTraceFormat(file: string): TraceFormat {
  const fd = openSync(file, "r");
  try {
    for (const size of HEADS) {
      const buf = new Uint8Array(size);
      const n = readSync(fd, buf, 0, size, 0);
      const format = detectTraceFormatOfText(new TextDecoder().decode(buf.subarray(0, n)));
      if (format !== "undecided") return format;
      if (n < size) break;
    }
    return "native";
  } finally {
    closeSync(fd);
  }
}
