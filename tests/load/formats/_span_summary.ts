/**
 * The figures the span-format tests check on a loaded TraceSet: calls, ok,
 * errors, pending, models, tokens (input, output, cache read) and latency
 * (n, p50 with linear interpolation, max) over ok calls with a duration > 0,
 * as DESIGN.md defines them. Computed here, in the test, from the calls frame.
 * @module
 */
import type pl from "nodejs-polars";

/** The checked figures of a file. */
export interface Figures {
  calls: number;
  ok: number;
  errors: number;
  pending: number;
  /** Calls per model, sorted by model. */
  models: Record<string, number>;
  input: number;
  output: number;
  cache_read: number;
  latency: { n: number; p50: number | null; max: number | null };
}

/** Linear-interpolation percentile (numpy's default) of sorted values. */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Figures of the given call rows (status, model, tokens, duration_s). */
export function figuresOfRows(rows: Record<string, unknown>[]): Figures {
  const models: Record<string, number> = {};
  for (const r of [...rows].sort((a, b) => String(a.model).localeCompare(String(b.model)))) {
    models[String(r.model)] = (models[String(r.model)] ?? 0) + 1;
  }
  const sum = (k: string) =>
    rows.reduce((s, r) => s + (typeof r[k] === "number" ? r[k] as number : 0), 0);
  const durations = rows
    .filter((r) => r.status === "ok" && typeof r.duration_s === "number" && r.duration_s > 0)
    .map((r) => r.duration_s as number)
    .sort((a, b) => a - b);
  return {
    calls: rows.length,
    ok: rows.filter((r) => r.status === "ok").length,
    errors: rows.filter((r) => r.status === "error").length,
    pending: rows.filter((r) => r.status === "pending").length,
    models,
    input: sum("input_tokens"),
    output: sum("output_tokens"),
    cache_read: sum("cache_read_tokens"),
    latency: {
      n: durations.length,
      p50: percentile(durations, 0.5),
      max: durations.length ? durations.at(-1)! : null,
    },
  };
}

/** Figures of a loaded calls frame. */
export function figures(calls: pl.DataFrame): Figures {
  return figuresOfRows(calls.toRecords() as Record<string, unknown>[]);
}

/** Round durations to the µs, so float noise does not fail an exact comparison. */
export function rounded(f: Figures): Figures {
  const r = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);
  return { ...f, latency: { n: f.latency.n, p50: r(f.latency.p50), max: r(f.latency.max) } };
}
