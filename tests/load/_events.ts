/** Hand-made loader events for the tests of pairing and sessions. */
import { bareEvent, type EventRecord } from "../../src/load/_event.ts";

/** An event of session s1 in a.jsonl at `line` seconds after the epoch; the fields not given are null. */
export function ev(
  line: number,
  type: string,
  request_id: string | null,
  extra: Partial<EventRecord> = {},
): EventRecord {
  return {
    ...bareEvent({
      file: "a.jsonl",
      line,
      type,
      ts: line * 1_000_000,
      session_id: "s1",
      request_id,
    }),
    ...extra,
  };
}

/**
 * A usage record: 10 input, 5 output, 15 in all, 2 cache-write tokens, 1 of them to the
 * 1-hour cache, 3 web searches; cache-read and reasoning null.
 */
export const usage = {
  input_tokens: 10,
  output_tokens: 5,
  total_tokens: 15,
  cache_read_tokens: null,
  cache_write_tokens: 2,
  reasoning_tokens: null,
  cache_write_1h_tokens: 1,
  web_search_requests: 3,
};
