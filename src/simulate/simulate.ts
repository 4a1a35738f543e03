/**
 * The simulator: realistic, seeded traces written THROUGH the tracer, with a
 * simulated clock. Per-model long-tailed latency (log-normal time to first
 * token plus time per output token, with rare queueing spikes), token usage,
 * errors named like the SDKs' (some retried, with `retry_of`), streamed calls
 * (time to first token), fan-outs of parallel calls, custom events between
 * calls, session metadata, and some unfinished sessions (no `session_end`,
 * sometimes a call left pending). Same options and seed → byte-identical files.
 *
 * @module
 */
import { join } from "node:path";
import { BufferedFileWriter, type TraceWriter } from "../tracing/mod.ts";
import { Random } from "./prng.ts";
import { DEFAULT_MODELS, profileOf } from "./models.ts";
import { CATEGORIES } from "./_content.ts";
import { SIMULATE_DEFAULTS, type SimulateOptions, type SimulationResult } from "./options.ts";
import type { SessionContext } from "./_plan.ts";
import { simulateSession } from "./_session.ts";

/**
 * Write simulated traces; returns what was written.
 *
 * @example
 * ```ts
 * import { simulate } from "./simulate.ts";
 * const r = await simulate({ out: Deno.makeTempDirSync(), sessions: 3, calls: 30, seed: 7 });
 * if (r.calls !== 30) throw new Error("expected 30 calls");
 * ```
 */
export async function simulate(options: SimulateOptions = {}): Promise<SimulationResult> {
  const o = { ...SIMULATE_DEFAULTS, ...options };
  const models = (options.models?.length ? options.models : DEFAULT_MODELS).map(profileOf);
  const sessions = Math.max(1, Math.floor(o.sessions));
  const totalCalls = Math.max(0, Math.floor(o.calls));
  if (!Number.isFinite(o.errorRate) || o.errorRate < 0 || o.errorRate > 1) {
    throw new RangeError(`The error rate must be between 0 and 1, got ${o.errorRate}.`);
  }
  const rng = new Random(o.seed);
  const unfinishedCount = Math.min(
    sessions,
    options.unfinished ?? (sessions >= 3 ? Math.max(1, Math.round(sessions / 10)) : 0),
  );
  const order = Array.from({ length: sessions }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const unfinished = new Set(order.slice(0, unfinishedCount));
  // split the calls over the sessions with log-normal weights, exactly
  const weights = Array.from({ length: sessions }, () => rng.lognormal(1, 0.5));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const perSession = weights.map((w) => Math.floor((w / wsum) * totalCalls));
  for (
    let k = totalCalls - perSession.reduce((a, b) => a + b, 0), i = 0;
    k > 0;
    k--, i = (i + 1) % sessions
  ) {
    perSession[i]!++;
  }

  const result: SimulationResult = {
    files: [],
    sessions,
    unfinishedSessions: unfinishedCount,
    calls: 0,
    responses: 0,
    errors: 0,
    pending: 0,
    retries: 0,
    streamed: 0,
  };
  const single = o.singleFile
    ? new BufferedFileWriter(join(o.out, o.singleFile), { truncate: true })
    : undefined;
  if (single) result.files.push(single.path);
  let sessionStartUs = o.start.getTime() * 1000;
  const categories = Object.keys(CATEGORIES);
  try {
    for (let s = 0; s < sessions; s++) {
      sessionStartUs += Math.round(rng.exponential(240) * 1e6) + rng.int(0, 999_999);
      const sessionId = rng.uuid();
      const writer: TraceWriter = single ??
        new BufferedFileWriter(join(o.out, `trace_${sessionId}.jsonl`), { truncate: true });
      if (!single) result.files.push(writer.path!);
      const ctx: SessionContext = {
        rng,
        nowUs: sessionStartUs,
        models,
        primary: models[s % models.length]!,
        errorRate: o.errorRate,
        streamRate: o.streamRate,
        result,
        totalCalls,
        onProgress: options.onProgress,
        category: categories[s % categories.length]!,
      };
      await simulateSession(
        ctx,
        sessionId,
        writer,
        perSession[s]!,
        o.parallelRate,
        unfinished.has(s),
      );
      if (!single) (writer as BufferedFileWriter).close();
    }
  } finally {
    single?.close();
  }
  options.onProgress?.(result.calls, totalCalls);
  return result;
}
