/**
 * Live totals of trace events as they are read (`watch`): requests, responses,
 * errors and pending calls overall and per model (the model rule: the requested
 * model), latency percentiles over a window of the traces' own clock (the one
 * quantile, {@link quantileSorted}), and calls in the last minute.
 *
 * @module
 */
import type { Diagnostic, EventRecord } from "../load/mod.ts";
import { quantileSorted as quantile } from "./stats.ts";

/** Latency samples kept at most (the window is also bounded by `--window` minutes). */
const MAX_SAMPLES = 1000;

/** Counts of one model. */
export interface ModelTotals {
  /** `llm_request` events read. */
  requests: number;
  /** `llm_response` events read (orphans included). */
  responses: number;
  /** `llm_error` events read. */
  errors: number;
}

/** The totals at one moment (what `watch --json` prints). */
export interface LiveStatus {
  /** Wall-clock time of the status, ISO 8601. */
  time: string;
  /** Files followed. */
  files: number;
  /** `llm_request` events read. */
  requests: number;
  /** `llm_response` events read (orphans included). */
  responses: number;
  /** `llm_error` events read. */
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
  /** The counts and median latency per model (the requested model). */
  by_model: Record<string, ModelTotals & { latency_p50_s: number | null }>;
  /** The last status (`watch` is stopping). */
  final: boolean;
}

/** Running totals of everything read so far. */
export class LiveTotals {
  /** `llm_request` events read. */
  requests = 0;
  /** `llm_response` events read (orphans included). */
  responses = 0;
  /** `llm_error` events read. */
  errors = 0;
  /** Lines that were not a valid event. */
  badLines = 0;
  /** Counts per model (the requested model). */
  readonly byModel = new Map<string, ModelTotals>();
  /** session_id \0 request_id → requests still waiting for their outcome. */
  readonly #open = new Map<string, EventRecord[]>();
  #pending = 0;
  /** The last responses' latencies (µs timestamp, model, seconds). */
  #samples: { ts: number; model: string; seconds: number }[] = [];
  /** Request timestamps of the last minute (trace clock). */
  #recent: number[] = [];
  #newestTs: number | null = null;
  #newestAt = 0;

  /** Latency percentiles cover the last `windowMinutes` of the traces' clock. */
  constructor(readonly windowMinutes: number) {}

  #model(name: string): ModelTotals {
    let m = this.byModel.get(name);
    if (!m) this.byModel.set(name, m = { requests: 0, responses: 0, errors: 0 });
    return m;
  }

  /**
   * Count a batch of events; requests first, so an outcome read with its request
   * pairs. Returns the `llm_error` events with their model (the model rule: the
   * request's model, else the response's).
   */
  add(events: EventRecord[], diagnostics: Diagnostic[]): { event: EventRecord; model: string }[] {
    const errors: { event: EventRecord; model: string }[] = [];
    this.badLines += diagnostics.filter((d) => d.severity === "error").length;
    for (const e of events) {
      if (this.#newestTs === null || e.ts > this.#newestTs) {
        this.#newestTs = e.ts;
        this.#newestAt = Date.now();
      }
      if (e.type !== "llm_request") continue;
      this.requests++;
      this.#pending++;
      this.#model(e.model ?? "unknown").requests++;
      this.#recent.push(e.ts);
      const key = `${e.session_id}\0${e.request_id}`;
      const list = this.#open.get(key);
      if (list) list.push(e);
      else this.#open.set(key, [e]);
    }
    for (const e of events) {
      if (e.type !== "llm_response" && e.type !== "llm_error") continue;
      const key = `${e.session_id}\0${e.request_id}`;
      const list = this.#open.get(key);
      const request = list?.shift();
      if (list && list.length === 0) this.#open.delete(key);
      if (request) this.#pending--;
      // The model rule (DESIGN.md): the requested model; without a request, the response's.
      const model = request?.model ?? e.model ?? "unknown";
      const m = this.#model(model);
      if (e.type === "llm_error") {
        this.errors++;
        m.errors++;
        errors.push({ event: e, model });
        continue;
      }
      this.responses++;
      m.responses++;
      const seconds = e.duration ?? (request ? (e.ts - request.ts) / 1e6 : null);
      if (seconds !== null && seconds > 0) {
        this.#samples.push({ ts: e.ts, model, seconds });
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
    const outcomes = this.responses + this.errors;
    const byModel: LiveStatus["by_model"] = {};
    for (const name of [...this.byModel.keys()].sort()) {
      const mine = sorted(samples.filter((s) => s.model === name).map((s) => s.seconds));
      byModel[name] = { ...this.byModel.get(name)!, latency_p50_s: quantile(mine, 0.5) };
    }
    return {
      time: new Date().toISOString(),
      files,
      requests: this.requests,
      responses: this.responses,
      errors: this.errors,
      pending: this.#pending,
      error_rate: outcomes === 0 ? null : this.errors / outcomes,
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
