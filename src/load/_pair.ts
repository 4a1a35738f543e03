/**
 * Pairing: each request with its outcome (response or error), by session and
 * request id, and the model rule of a call.
 *
 * @module
 */
import type { Diagnostic, EventRecord } from "./_event.ts";
import { CODED_WIDTH, EventTable, SESSION, TYPE } from "./_event_columns.ts";
import { messages } from "./messages.ts";

/**
 * The model rule (DESIGN.md) from the model a call's request asked for and the
 * one its outcome names: the requested one; when there is none (or it is
 * `"unknown"`), the one the response names; else `"unknown"`.
 */
export function modelRule(requested: string | null, served: string | null): string {
  if (requested !== null && requested !== "unknown") return requested;
  return served ?? requested ?? "unknown";
}

/** The model rule (DESIGN.md) of a call's request and outcome events. */
export function modelOf(
  request: EventRecord | undefined,
  outcome: EventRecord | undefined,
): string {
  return modelRule(request?.model ?? null, outcome?.model ?? null);
}

/** A call being assembled: its request, its outcome, or both. */
export interface Slot {
  request?: EventRecord;
  outcome?: EventRecord;
}

/** Calls as indexes into an {@link EventTable}: request `request[k]` and outcome `outcome[k]` of call `k` (-1: none). */
export interface Pairs {
  request: Int32Array;
  outcome: Int32Array;
  /** Duplicate ids and outcomes without a request, in the order they were met. */
  warnings: Diagnostic[];
}

/**
 * Pair requests with their outcome by (`session_id`, `request_id`): each
 * `llm_response`/`llm_error` takes the first request of its key that has no
 * outcome yet, whatever the order of lines. Keeps the invariant the metrics
 * rely on: one call per request, plus one orphan call per outcome without one.
 * Calls come in file then line order of their request (of the outcome for an orphan).
 */
export function pairEvents(t: EventTable): Pairs {
  const warnings: Diagnostic[] = [];
  const REQUEST = t.code("llm_request"), RESPONSE = t.code("llm_response");
  const ERROR = t.code("llm_error");
  const types = t.codes, width = CODED_WIDTH;
  // session code → request_id → its slot (or slots, for a duplicated request_id)
  const bySession = new Map<number, Map<string | null, number | number[]>>();
  const request: number[] = [], outcome: number[] = [];
  // events mostly come session after session: the last session's map is looked up once
  let lastSession = -1;
  let byRequest: Map<string | null, number | number[]> | undefined;
  const n = t.n;
  if (REQUEST !== 0) {
    for (let i = 0; i < n; i++) {
      if (types[i * width + TYPE] !== REQUEST) continue;
      const session = types[i * width + SESSION]!;
      if (session !== lastSession) {
        byRequest = bySession.get(session);
        if (!byRequest) bySession.set(session, byRequest = new Map());
        lastSession = session;
      }
      const id = t.requestId.get(i);
      const slot = request.length;
      const found = byRequest!.get(id);
      if (found !== undefined) {
        const list = typeof found === "number" ? [found] : found;
        warnings.push({
          file: t.file(i),
          line: t.line[i]!,
          code: "duplicate_request_id",
          message: messages.duplicateRequestId(id ?? "", t.line[request[list[0]!]!]!),
          severity: "warning",
        });
        list.push(slot);
        byRequest!.set(id, list);
      } else byRequest!.set(id, slot);
      request.push(i);
      outcome.push(-1);
    }
  }
  lastSession = -1;
  byRequest = undefined;
  let sorted = true;
  if (RESPONSE !== 0 || ERROR !== 0) {
    for (let i = 0; i < n; i++) {
      const type = types[i * width + TYPE];
      if (type !== RESPONSE && type !== ERROR) continue;
      const session = types[i * width + SESSION]!;
      if (session !== lastSession) {
        byRequest = bySession.get(session);
        lastSession = session;
      }
      const id = t.requestId.get(i);
      const found = byRequest?.get(id);
      const free = found === undefined
        ? -1
        : typeof found === "number"
        ? (outcome[found] === -1 ? found : -1)
        : found.find((s) => outcome[s] === -1) ?? -1;
      if (free >= 0) {
        outcome[free] = i;
        continue;
      }
      const typeName = t.str(i, TYPE)!;
      warnings.push({
        file: t.file(i),
        line: t.line[i]!,
        code: found !== undefined ? "duplicate_outcome" : "orphan_response",
        message: found !== undefined
          ? messages.duplicateOutcome(typeName, id ?? "")
          : messages.orphanResponse(typeName, id ?? ""),
        severity: "warning",
      });
      request.push(-1);
      outcome.push(i);
      sorted = false;
    }
  }
  const pairs = { request: Int32Array.from(request), outcome: Int32Array.from(outcome), warnings };
  // requests come in event order, so the sort is needed only when orphans were appended
  return sorted ? pairs : sortPairs(t, pairs);
}

/** The calls of `pairs` in file then line order of their request (or outcome). */
function sortPairs(t: EventTable, pairs: Pairs): Pairs {
  const anchor = (k: number) => pairs.request[k]! >= 0 ? pairs.request[k]! : pairs.outcome[k]!;
  const before = (a: number, b: number) => {
    const x = anchor(a), y = anchor(b);
    const fx = t.file(x), fy = t.file(y);
    return fx < fy ? -1 : fx > fy ? 1 : t.line[x]! - t.line[y]!;
  };
  const order = Array.from({ length: pairs.request.length }, (_, k) => k);
  let inOrder = true;
  for (let k = 1; k < order.length && inOrder; k++) inOrder = before(k - 1, k) <= 0;
  if (inOrder) return pairs;
  order.sort(before); // stable: calls of the same line keep their order
  return {
    request: Int32Array.from(order, (k) => pairs.request[k]!),
    outcome: Int32Array.from(order, (k) => pairs.outcome[k]!),
    warnings: pairs.warnings,
  };
}

/** {@link pairEvents} of event records: each call's request and outcome records. */
export function pairCalls(events: EventRecord[]): { calls: Slot[]; warnings: Diagnostic[] } {
  const { request, outcome, warnings } = pairEvents(EventTable.from(events, false));
  const calls = Array.from(request, (r, k): Slot => {
    const o = outcome[k]!;
    const slot: Slot = r >= 0 ? { request: events[r]! } : { outcome: events[o]! };
    if (r >= 0 && o >= 0) slot.outcome = events[o]!;
    return slot;
  });
  return { calls, warnings };
}
