/**
 * Benchmark of prices and metrics on a synthetic `calls` frame of 200,000 calls
 * (6 models: linear, cached, tiered and time-of-day prices, one unpriced; 500
 * sessions). Prints a Markdown table of wall times. Run: `deno task bench metrics`.
 *
 * @module
 */
import pl from "nodejs-polars";
import { applyPrices } from "../src/prices/mod.ts";
import {
  callsOverTime,
  compareGroups,
  inFlight,
  sessionTable,
  summarize,
} from "../src/metrics/mod.ts";
import type { TraceSet } from "../src/frames/columns.ts";

const N = Number(Deno.env.get("BENCH_CALLS") ?? 200_000);
const SESSIONS = 500;
const MODELS = [
  "gpt-4o",
  "gpt-4o-mini",
  "claude-sonnet-4-20250514",
  "gemini-2.5-pro",
  "unknown",
  "deepseek-chat",
];
const t0 = Date.UTC(2025, 3, 8);
const idx = Array.from({ length: N }, (_, i) => i);
const status = idx.map((i) => (i % 50 === 0 ? "error" : i % 997 === 0 ? "pending" : "ok"));
const start = idx.map((i) => t0 + i * 431);
const dur = idx.map((i) => (status[i] === "pending" ? null : 0.2 + ((i * 7919) % 10_000) / 1000));
const us = pl.Datetime("us", "UTC");
const calls = pl.DataFrame([
  pl.Series("session_id", idx.map((i) => `s${i % SESSIONS}`), pl.Utf8),
  pl.Series("request_id", idx.map((i) => `r${i}`), pl.Utf8),
  pl.Series("model", idx.map((i) => MODELS[i % MODELS.length]!), pl.Utf8),
  pl.Series("provider", idx.map(() => null), pl.Utf8),
  pl.Series("started_at", start.map((t) => new Date(t)), us),
  pl.Series(
    "ended_at",
    idx.map((i) => (dur[i] === null ? null : new Date(start[i]! + dur[i]! * 1000))),
    us,
  ),
  pl.Series("duration_s", dur, pl.Float64),
  pl.Series("status", status, pl.Utf8),
  pl.Series(
    "error",
    idx.map((
      i,
    ) => (status[i] === "error" ? `Rate limit (429) request req_${i.toString(36)}xyz${i}` : null)),
    pl.Utf8,
  ),
  pl.Series(
    "input_tokens",
    idx.map((i) => (status[i] === "ok" ? (i * 7919) % 300_000 : null)),
    pl.Int64,
  ),
  pl.Series(
    "output_tokens",
    idx.map((i) => (status[i] === "ok" ? (i * 31) % 2000 : null)),
    pl.Int64,
  ),
  pl.Series("total_tokens", idx.map(() => null), pl.Int64),
  pl.Series("cache_read_tokens", idx.map((i) => (i * 13) % 500), pl.Int64),
  pl.Series("reasoning_tokens", idx.map(() => null), pl.Int64),
  pl.Series("ttft_s", idx.map((i) => (i % 3 === 0 ? 0.1 : null)), pl.Float64),
  pl.Series("cost_usd", idx.map(() => null), pl.Float64),
  pl.Series("file", idx.map(() => "bench.jsonl"), pl.Utf8),
  pl.Series("line", idx, pl.Int64),
  pl.Series("orphan", idx.map(() => false), pl.Bool),
]);
const sessions = pl.DataFrame([
  pl.Series("session_id", Array.from({ length: SESSIONS }, (_, i) => `s${i}`), pl.Utf8),
  pl.Series("file", Array.from({ length: SESSIONS }, () => "bench.jsonl"), pl.Utf8),
  pl.Series("started_at", Array.from({ length: SESSIONS }, (_, i) => new Date(t0 + i * 431)), us),
  pl.Series("ended_at", Array.from({ length: SESSIONS }, () => null), us),
  pl.Series("duration_s", Array.from({ length: SESSIONS }, () => N * 0.431), pl.Float64),
  pl.Series("complete", Array.from({ length: SESSIONS }, (_, i) => i % 10 !== 0), pl.Bool),
  pl.Series("calls", Array.from({ length: SESSIONS }, () => N / SESSIONS), pl.Int64),
  pl.Series("errors", Array.from({ length: SESSIONS }, () => 0), pl.Int64),
]);

const rows: [string, number][] = [];
function time<T>(name: string, f: () => T): T {
  const s = performance.now();
  const out = f();
  rows.push([name, performance.now() - s]);
  return out;
}
const priced = time("applyPrices (all models)", () => applyPrices(calls));
time(
  "applyPrices (no time-of-day model)",
  () => applyPrices(calls.filter(pl.col("model").neq(pl.lit("deepseek-chat")))),
);
const traces: TraceSet = {
  calls: priced,
  sessions,
  events: pl.DataFrame({}),
  diagnostics: pl.DataFrame([
    pl.Series("file", [], pl.Utf8),
    pl.Series("line", [], pl.Int64),
    pl.Series("code", [], pl.Utf8),
    pl.Series("message", [], pl.Utf8),
    pl.Series("severity", [], pl.Utf8),
  ]),
  files: ["bench.jsonl"],
  inputs: ["bench.jsonl"],
};
time("summarize", () => summarize(traces));
time("compareGroups by model", () => compareGroups(traces));
time("callsOverTime 1m", () => callsOverTime(priced));
time("inFlight", () => inFlight(priced));
time("sessionTable", () => sessionTable(priced, sessions));

console.log(`${N.toLocaleString("en")} calls, ${SESSIONS} sessions\n`);
console.log("| step | ms |\n|---|---:|");
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(0)} |`);
