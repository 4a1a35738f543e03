/**
 * The native format (the seed's JSON Lines, written by tracebook's tracer).
 * Detection only: the loader reads native files itself, line by line
 * (`parse_trace_text.ts`), because they can be far larger
 * than one string can hold.
 *
 * @module
 */
import type { FormatAdapter } from "./adapter.ts";
import { isObj } from "./_util.ts";

/** The event types of the native format. */
const NATIVE_TYPES = new Set([
  "session_start",
  "session_metadata",
  "llm_request",
  "llm_response",
  "llm_error",
  "session_end",
]);

/** The native format. */
export const native: FormatAdapter = {
  name: "native",
  title: "tracebook / seed JSON Lines",
  reads:
    "llm_request + llm_response/llm_error pairs by request_id are calls; session_start/session_end are sessions; other types are custom events",
  example:
    '{"type": "llm_request", "timestamp": "2025-04-08T19:42:09", "session_id": "s1", "data": {"request_id": "r1", "model": "gpt-4o"}}',
  detect(sample) {
    // an empty trace file is a native one (a head of white space parses to no value: values are
    // asked first, so that a sample whose head is read lazily, see sampleFile, is not read whole)
    if (sample.values.length === 0 && sample.head.trim() === "") return true;
    if (sample.array) return false;
    if (
      sample.values.some((v) => isObj(v) && typeof v.type === "string" && NATIVE_TYPES.has(v.type))
    ) {
      return true;
    }
    // every native event names its session: a file of `type` and `timestamp` alone (another
    // tool's log) would be nothing but bad lines
    const nativeKeys = (keys: string[]) => keys.includes("type") && keys.includes("session_id");
    if (sample.values.some((v) => isObj(v) && nativeKeys(Object.keys(v)))) return true;
    // a first line too long for the sample, or a file whose first lines are all broken JSON
    if (sample.values.length === 0 && sample.head.trimStart().startsWith("{")) {
      return sample.keys.length === 0 || nativeKeys(sample.keys);
    }
    return false;
  },
};
