/**
 * Pairing: each request with its outcome (response or error), by session and
 * request id, and the model rule of a call.
 *
 * @module
 */
import type { Diagnostic, EventRecord } from "./_event.ts";
import { messages } from "./messages.ts";

/** An outcome of a request: its response or its error. */
const isOutcome = (type: string) => type === "llm_response" || type === "llm_error";

/**
 * The model rule (DESIGN.md): the model the request asked for; when no request
 * names one (or names `"unknown"`), the model the response names; else `"unknown"`.
 */
export function modelOf(
  request: EventRecord | undefined,
  outcome: EventRecord | undefined,
): string {
  const requested = request?.model ?? null;
  if (requested !== null && requested !== "unknown") return requested;
  return outcome?.model ?? requested ?? "unknown";
}

/** A call being assembled: its request, its outcome, or both. */
export interface Slot {
  request?: EventRecord;
  outcome?: EventRecord;
}

/**
 * Pair requests with their outcome by (`session_id`, `request_id`): each
 * `llm_response`/`llm_error` takes the first request of its key that has no
 * outcome yet, whatever the order of lines. Keeps the invariant the metrics
 * rely on: one call per request, plus one orphan call per outcome without one.
 * Calls come in file then line order of their request (of the outcome for an orphan).
 */
export function pairCalls(events: EventRecord[]): { calls: Slot[]; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  // session_id → request_id → its slot (or slots, for a duplicated request_id); nested maps
  // spare a concatenated key per event
  const bySession = new Map<string, Map<string | null, Slot | Slot[]>>();
  const slots: Slot[] = [];
  // events mostly come session after session: the last session's map is looked up once
  let lastSession: string | null = null;
  let byRequest: Map<string | null, Slot | Slot[]> | undefined;
  for (const e of events) {
    if (e.type !== "llm_request") continue;
    if (e.session_id !== lastSession) {
      byRequest = bySession.get(e.session_id);
      if (!byRequest) bySession.set(e.session_id, byRequest = new Map());
      lastSession = e.session_id;
    }
    const slot: Slot = { request: e };
    const found = byRequest!.get(e.request_id);
    if (found) {
      const list = Array.isArray(found) ? found : [found];
      warnings.push({
        file: e.file,
        line: e.line,
        code: "duplicate_request_id",
        message: messages.duplicateRequestId(e.request_id ?? "", list[0]!.request!.line),
        severity: "warning",
      });
      list.push(slot);
      byRequest!.set(e.request_id, list);
    } else byRequest!.set(e.request_id, slot);
    slots.push(slot);
  }
  lastSession = null;
  for (const e of events) {
    if (!isOutcome(e.type)) continue;
    if (e.session_id !== lastSession) {
      byRequest = bySession.get(e.session_id);
      lastSession = e.session_id;
    }
    const found = byRequest?.get(e.request_id);
    const free = found === undefined
      ? undefined
      : Array.isArray(found)
      ? found.find((s) => !s.outcome)
      : found.outcome
      ? undefined
      : found;
    if (free) {
      free.outcome = e;
      continue;
    }
    warnings.push({
      file: e.file,
      line: e.line,
      code: found ? "duplicate_outcome" : "orphan_response",
      message: found
        ? messages.duplicateOutcome(e.type, e.request_id ?? "")
        : messages.orphanResponse(e.type, e.request_id ?? ""),
      severity: "warning",
    });
    slots.push({ outcome: e });
  }
  const before = (a: Slot, b: Slot) => {
    const x = (a.request ?? a.outcome)!, y = (b.request ?? b.outcome)!;
    return x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line;
  };
  // requests come in event order, so the sort is needed only when orphans were appended
  let sorted = true;
  for (let i = 1; i < slots.length && sorted; i++) sorted = before(slots[i - 1]!, slots[i]!) <= 0;
  if (!sorted) slots.sort(before);
  return { calls: slots, warnings };
}
