/**
 * Helpers shared by the format tests: a fixture's path, a loaded frame's rows, a file loaded
 * without the cache, and the figures the tests check on a loaded `calls` frame (calls, ok,
 * errors, pending, models, tokens, latency), computed here, in the test, from the frame's rows
 * or from rows read independently from a fixture.
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type pl from "nodejs-polars";
import { detectFormat, loadTraces, sampleFile } from "../../../src/load/mod.ts";
import { missing, SHARED } from "../../_helpers.ts";

/** Absolute path of a file in `tests/load/formats/fixtures/`. */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The rows of a frame's columns, as records. */
export const rows = (df: pl.DataFrame, ...cols: string[]): Record<string, unknown>[] =>
  df.select(...cols).toRecords();

/** The token columns most tests compare together. */
export const TOKENS = [
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cache_read_tokens",
  "reasoning_tokens",
];

/** A file loaded without the cache. */
export const load = (file: string) => loadTraces(file, { cache: false });

/** A file loaded without the cache, once detection is asserted to name `format`. */
export async function loadAs(file: string, format: string): ReturnType<typeof load> {
  assert.equal(detectFormat(sampleFile(file))?.name, format);
  return await load(file);
}

/** The checked figures of a file. */
export interface Figures {
  calls: number;
  ok: number;
  errors: number;
  pending: number;
  /** Calls per model, sorted by model. */
  models: Record<string, number>;
  input: number | null;
  output: number | null;
  cache_read: number | null;
  latency: { n: number; p50: number | null; max: number | null };
}

/** How the figures are counted. */
export interface FigureOptions {
  /**
   * The calls the latency is over: `"ok"`, ok calls with a duration > 0 (DESIGN.md's
   * latency, as the span formats are checked); `"all"`, every call with a duration (as the
   * agent-log formats are checked).
   */
  latency: "ok" | "all";
  /** A token total when no call has that count: 0 (default), or null. */
  noTokens?: 0 | null;
}

/**
 * Linear-interpolation percentile (numpy's default) of sorted values; for q = 0.5 and an even
 * count, the mean of the two middle values.
 */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos), f = pos - lo;
  return sorted[lo]! * (1 - f) + sorted[hi]! * f;
}

/** The median (mean of the two middle values for an even count), or null. */
export function median(xs: number[]): number | null {
  return percentile([...xs].sort((a, b) => a - b), 0.5);
}

/** Figures of the given call rows (status, model, *_tokens, duration_s). */
export function figuresOfRows(rows: Record<string, unknown>[], options: FigureOptions): Figures {
  const models: Record<string, number> = {};
  for (const r of [...rows].sort((a, b) => String(a.model).localeCompare(String(b.model)))) {
    models[String(r.model)] = (models[String(r.model)] ?? 0) + 1;
  }
  const noTokens = options.noTokens === undefined ? 0 : options.noTokens;
  const sum = (k: string) => {
    const values = rows.map((r) => r[k]).filter((v): v is number => typeof v === "number");
    return values.length ? values.reduce((s, v) => s + v, 0) : noTokens;
  };
  const timed = options.latency === "ok"
    ? rows.filter((r) => r.status === "ok" && typeof r.duration_s === "number" && r.duration_s > 0)
    : rows.filter((r) => typeof r.duration_s === "number");
  const durations = timed.map((r) => r.duration_s as number).sort((a, b) => a - b);
  const status = (s: string) => rows.filter((r) => r.status === s).length;
  return {
    calls: rows.length,
    ok: status("ok"),
    errors: status("error"),
    pending: status("pending"),
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

/** Figures of a loaded `calls` frame. */
export function figures(calls: pl.DataFrame, options: FigureOptions): Figures {
  return figuresOfRows(calls.toRecords() as Record<string, unknown>[], options);
}

/** Round durations to the µs, so float noise does not fail an exact comparison. */
export function rounded(f: Figures): Figures {
  const r = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);
  return { ...f, latency: { n: f.latency.n, p50: r(f.latency.p50), max: r(f.latency.max) } };
}

/** The span formats' figures: latency over ok calls (DESIGN.md); a token total of no call is 0. */
export const SPAN: FigureOptions = { latency: "ok" };

/** The agent-log formats' figures: latency over every timed call; a token total of no call is null. */
export const AGENT_LOG: FigureOptions = { latency: "all", noTokens: null };

/**
 * Every fixture file of the formats, sorted: ours (`fixtures/`) and the real
 * ones of `../shared/fixtures/real/` (a skip where they are missing).
 */
export function allFixtures(): string[] {
  const real = join(SHARED, "fixtures", "real");
  const roots = [fixture("")];
  if (!missing("../shared/fixtures/real/", existsSync(real))) roots.unshift(real);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(jsonl?|txt|csv)$/.test(f)) out.push(p);
    }
  };
  roots.forEach(walk);
  return out;
}

/** The span formats read value by value (or line by line) into a `SpanList`, and read again for texts. */
export const STREAMED_SPAN_FORMATS = [
  "genkit",
  "jaeger",
  "openinference",
  "otel_go",
  "otel_js",
  "otel_python",
  "otlp",
  "zipkin",
];

/** The formats read value by value or line by line: those, batch results and per-call logs. */
export const STREAMED_FORMATS = [
  "anthropic_batch",
  "gemini_batch",
  "generic",
  "openai_batch",
  ...STREAMED_SPAN_FORMATS,
].sort();

/**
 * The `ai.prompt.messages` of an AI SDK 6 (ai 6.0.326) tool round trip run against a local mock of
 * OpenAI's chat API (a `generateText` call's second model call): its texts are "Be brief." (9
 * characters), "Weather in Paris?" (17) and the tool's result, an object the model is given as its
 * JSON text `{"city":"Paris","forecast":"sunny","celsius":21}` (48): 74 in all.
 */
export const AI_SDK_TOOL_ROUND_TRIP = [
  { role: "system", content: "Be brief." },
  { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
  {
    role: "assistant",
    content: [{
      type: "tool-call",
      toolCallId: "call_1",
      toolName: "get_weather",
      input: { city: "Paris" },
    }],
  },
  {
    role: "tool",
    content: [{
      type: "tool-result",
      toolCallId: "call_1",
      toolName: "get_weather",
      output: { type: "json", value: { city: "Paris", forecast: "sunny", celsius: 21 } },
    }],
  },
];
