/**
 * Live totals of trace events as they are read (`watch`): requests, responses,
 * errors and pending calls overall and per model, paired by the loader's one
 * pairing and model rule (`load/live_pairing.ts`), latency percentiles over a window of the traces' own clock (the one
 * quantile, {@link quantileSorted}), and calls in the last minute.
 *
 * @module
 */
import type { Diagnostic, EventRecord } from "../load/mod.ts";
import { type LiveCall, LivePairing } from "../load/live_pairing.ts";
import { quantileSorted as quantile } from "./stats.ts";

/** Latency samples kept at most (the window is also bounded by `--window` minutes). */
const MAX_SAMPLES = 1000;

/** Counts of one model. */
export interface ModelTotals {
  /** Calls with an `llm_request` (not orphans): `summary.models_used`. */
  requests: number;
  /** Calls answered `ok` (orphans included). */
  responses: number;
  /** Calls that failed (orphan errors included). */
  errors: number;
  /** Requests still waiting for a response or error. */
  pending: number;
}

/** The totals at one moment (what `watch --json` prints). */
export interface LiveStatus {
  /** Wall-clock time of the status, ISO 8601. */
  time: string;
  /** Files followed. */
  files: number;
  /** Calls with an `llm_request` (`summary.request_count`). */
  requests: number;
  /** Calls answered `ok`, orphans included (`summary.response_count`). */
  responses: number;
  /** Calls that failed, orphans included (`summary.error_count`). */
  errors: number;
  /** Requests still waiting for a response or error. */
  pending: number;
  /** errors / (responses + errors); null before any outcome. */
  error_rate: number | null;
  /** Median latency over the window, seconds; null without samples. */
  latency_p50_s: number | null;
  /** 95th-percentile latency over the window, seconds. */
  latency_p95_s: number | null;
  /** Latencies in the window (at most 1,000, the newest). */
  latency_samples: number;
  /** Requests in the last minute of the traces' clock. */
  calls_per_minute: number;
  /** Lines that were not a valid event. */
  bad_lines: number;
  /** The counts and median latency per model (the model rule). */
  by_model: Record<string, ModelTotals & { latency_p50_s: number | null }>;
  /** The last status (`watch` is stopping). */
  final: boolean;
}

/** A call's counts: one request unless an orphan, and its status. */
function count(into: ModelTotals, call: LiveCall): void {
  if (call.request) into.requests++;
  if (!call.outcome) into.pending++;
  else if (call.outcome.type === "llm_error") into.errors++;
  else into.responses++;
}

const zero = (): ModelTotals => ({ requests: 0, responses: 0, errors: 0, pending: 0 });

/**
 * Running totals of everything read so far. Calls are paired by the loader's
 * one pairing and model rule ({@link LivePairing}), so the counts equal those of
 * `summarize(await loadTraces(files))` on the same lines, however they were
 * split between reads.
 */
export class LiveTotals {
  /** Lines that were not a valid event. */
  badLines = 0;
  readonly #pairing = new LivePairing();
  /** Counts of the settled calls (request and outcome), overall and per model. */
  readonly #settled = zero();
  readonly #settledByModel = new Map<string, ModelTotals>();
  /** The calls still open after the last batch. */
  #open: LiveCall[] = [];
  /** The last responses' latencies (µs timestamp, model, seconds). */
  #samples: { ts: number; model: string; seconds: number }[] = [];
  /** Request timestamps of the last minute (trace clock). */
  #recent: number[] = [];
  #newestTs: number | null = null;
  #newestAt = 0;

  /** Latency percentiles cover the last `windowMinutes` of the traces' clock. */
  constructor(readonly windowMinutes: number) {}

  /** Calls with an `llm_request`. */
  get requests(): number {
    return this.#totals().all.requests;
  }
  /** Calls answered `ok` (orphans included). */
  get responses(): number {
    return this.#totals().all.responses;
  }
  /** Calls that failed (orphans included). */
  get errors(): number {
    return this.#totals().all.errors;
  }
  /** Counts per model (the model rule). */
  get byModel(): ReadonlyMap<string, ModelTotals> {
    return this.#totals().byModel;
  }

  /** Settled counts plus those of the open calls. */
  #totals(): { all: ModelTotals; byModel: Map<string, ModelTotals> } {
    const all = { ...this.#settled };
    const byModel = new Map([...this.#settledByModel].map(([k, v]) => [k, { ...v }]));
    for (const call of this.#open) {
      count(all, call);
      let m = byModel.get(call.model);
      if (!m) byModel.set(call.model, m = zero());
      count(m, call);
    }
    return { all, byModel };
  }

  /**
   * Count a batch of events (in file then line order). Returns the new
   * `llm_error` events with their call's model (the model rule).
   */
  add(events: EventRecord[], diagnostics: Diagnostic[]): { event: EventRecord; model: string }[] {
    // a row past the listing limit counts several lines
    for (const d of diagnostics) if (d.severity === "error") this.badLines += d.count ?? 1;
    for (const e of events) {
      if (this.#newestTs === null || e.ts > this.#newestTs) {
        this.#newestTs = e.ts;
        this.#newestAt = Date.now();
      }
      if (e.type === "llm_request") this.#recent.push(e.ts);
    }
    const { settled, open } = this.#pairing.add(events);
    for (const call of settled) {
      count(this.#settled, call);
      let m = this.#settledByModel.get(call.model);
      if (!m) this.#settledByModel.set(call.model, m = zero());
      count(m, call);
    }
    this.#open = open;
    // the calls of this batch's outcomes, in the batch's order
    const callOf = new Map<EventRecord, LiveCall>();
    for (const c of settled) callOf.set(c.outcome!, c);
    for (const c of open) if (c.outcome) callOf.set(c.outcome, c);
    const errors: { event: EventRecord; model: string }[] = [];
    for (const e of events) {
      const call = callOf.get(e);
      if (!call) continue;
      if (e.type === "llm_error") {
        errors.push({ event: e, model: call.model });
        continue;
      }
      // the loader's duration (`_assemble.ts`): the response's, else response − request
      const seconds = e.duration ?? (call.request ? (e.ts - call.request.ts) / 1e6 : null);
      if (seconds !== null && seconds > 0) {
        this.#samples.push({ ts: e.ts, model: call.model, seconds });
        if (this.#samples.length > 2 * MAX_SAMPLES) {
          this.#samples = this.#samples.slice(-MAX_SAMPLES);
        }
      }
    }
    return errors;
  }

  /** The status now; `files` is the number of files followed. */
  status(files: number, final = false): LiveStatus {
    const now = this.#newestTs === null
      ? null
      : this.#newestTs + (Date.now() - this.#newestAt) * 1000;
    const windowStart = now === null ? 0 : now - this.windowMinutes * 60e6;
    const samples = this.#samples.slice(-MAX_SAMPLES).filter((s) => s.ts >= windowStart);
    const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
    const all = sorted(samples.map((s) => s.seconds));
    this.#recent = now === null ? [] : this.#recent.filter((ts) => ts > now - 60e6);
    const totals = this.#totals();
    const outcomes = totals.all.responses + totals.all.errors;
    const byModel: LiveStatus["by_model"] = {};
    for (const name of [...totals.byModel.keys()].sort()) {
      const mine = sorted(samples.filter((s) => s.model === name).map((s) => s.seconds));
      byModel[name] = { ...totals.byModel.get(name)!, latency_p50_s: quantile(mine, 0.5) };
    }
    return {
      time: new Date().toISOString(),
      files,
      requests: totals.all.requests,
      responses: totals.all.responses,
      errors: totals.all.errors,
      pending: totals.all.pending,
      error_rate: outcomes === 0 ? null : totals.all.errors / outcomes,
      latency_p50_s: quantile(all, 0.5),
      latency_p95_s: quantile(all, 0.95),
      latency_samples: all.length,
      calls_per_minute: this.#recent.length,
      bad_lines: this.badLines,
      by_model: byModel,
      final,
    };
  }
}
