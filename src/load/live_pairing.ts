/**
 * The loader's pairing as events arrive (`watch`): each batch is paired by the
 * one pairing, {@link pairCalls}, together with the events still open (requests
 * without an outcome yet, outcomes without a request yet), and each call takes
 * its model by the one model rule, {@link modelOf}. So a response read in a
 * later poll than its request, a response read before its request, an orphan, a
 * duplicate request id and an error without a model count as `loadTraces`
 * counts them on the same lines.
 *
 * A call with both its request and its outcome is settled: it is reported once
 * and dropped. Lines are appended to a file in order, so a later line cannot
 * change an earlier settled pair (the pairing takes, for each outcome, the first
 * request of its key without one).
 *
 * @module
 */
import type { EventRecord } from "./_event.ts";
import { modelOf, pairCalls } from "./_pair.ts";

/** One call as paired so far. */
export interface LiveCall {
  /** Its `llm_request`, if read. */
  request?: EventRecord;
  /** Its `llm_response` or `llm_error`, if read. */
  outcome?: EventRecord;
  /** Its model by the model rule: requested, else the response's, else `"unknown"`. */
  model: string;
}

/** What one {@link LivePairing.add} found. */
export interface LivePairs {
  /** Calls completed (request and outcome) by these events: final, reported once. */
  settled: LiveCall[];
  /** Every call still open: requests waiting for their outcome, outcomes without a request. */
  open: LiveCall[];
}

const paired = (type: string) =>
  type === "llm_request" || type === "llm_response" || type === "llm_error";

const byFileLine = (x: EventRecord, y: EventRecord) =>
  x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line;

/**
 * Requests and outcomes paired batch by batch, as the loader pairs them all at once.
 *
 * @example
 * ```ts
 * import { LivePairing } from "./live_pairing.ts";
 * import type { EventRecord } from "./_event.ts";
 * const e = (type: string, line: number, model: string | null) =>
 *   ({ type, line, file: "f", session_id: "s", request_id: "r", model, ts: line * 1e6 }) as EventRecord;
 * const pairing = new LivePairing();
 * // a request with no model, then its response (served as gpt-4o-2024-08-06) in a later batch
 * const first = pairing.add([e("llm_request", 1, null)]);
 * if (first.settled.length !== 0 || first.open[0]!.model !== "unknown") throw new Error("open");
 * const second = pairing.add([e("llm_response", 2, "gpt-4o-2024-08-06")]);
 * if (second.settled[0]!.model !== "gpt-4o-2024-08-06" || second.open.length !== 0) throw new Error("settled");
 * ```
 */
export class LivePairing {
  /** The events of the open calls, in file then line order. */
  #open: EventRecord[] = [];

  /** Pair new events (in file then line order) with the open ones. */
  add(events: EventRecord[]): LivePairs {
    const fresh = events.filter((e) => paired(e.type));
    const pool = this.#open.length ? this.#open.concat(fresh).sort(byFileLine) : fresh;
    const settled: LiveCall[] = [], open: LiveCall[] = [];
    const still: EventRecord[] = [];
    for (const { request, outcome } of pairCalls(pool).calls) {
      const call: LiveCall = { request, outcome, model: modelOf(request, outcome) };
      if (request && outcome) settled.push(call);
      else {
        open.push(call);
        still.push((request ?? outcome)!);
      }
    }
    this.#open = still; // calls come in file then line order of their one event
    return { settled, open };
  }
}
