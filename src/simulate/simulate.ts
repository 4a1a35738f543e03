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
import { BufferedFileWriter, Tracer, type TraceWriter } from "../tracing/mod.ts";
import { Random } from "./prng.ts";
import { DEFAULT_MODELS, type ModelProfile, profileOf } from "./models.ts";
import { drawFailure, type SimulatedApiError } from "./errors.ts";
import { CATEGORIES, outputText, PROJECTS, SYSTEM_PROMPT, userPrompt, USERS } from "./_content.ts";

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Output folder. @default "analysis/simulated" */
  out?: string;
  /** Number of sessions. @default 5 */
  sessions?: number;
  /** Total number of model calls (requests) over all sessions. @default 60 */
  calls?: number;
  /** Models to simulate (names genai-prices knows get prices). @default gpt-4o-mini, gpt-4o, claude-3-5-sonnet-20241022 */
  models?: string[];
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Base error rate per call, scaled per model (claude-3-5-sonnet fails most, gpt-4o-mini least). @default 0.05 */
  errorRate?: number;
  /** Number of sessions left unfinished (no `session_end`). @default 1 in 10, at least 1 when there are 3 sessions or more */
  unfinished?: number;
  /** Write every session into this one file (name inside `out`) instead of one file per session. */
  singleFile?: string;
  /** Simulated start time. @default 2025-04-08T09:00:00 */
  start?: Date;
  /** Share of calls that are streamed. @default 0.2 */
  streamRate?: number;
  /** Share of steps that fan out into 2–4 parallel calls. @default 0.15 */
  parallelRate?: number;
  /** Called every 1,000 calls and at the end. */
  onProgress?: (callsDone: number, callsTotal: number) => void;
}

/** What {@link simulate} wrote. */
export interface SimulationResult {
  /** The trace files written. */
  files: string[];
  /** Sessions simulated. */
  sessions: number;
  /** Sessions left without a `session_end`. */
  unfinishedSessions: number;
  /** Model calls made. */
  calls: number;
  /** Calls that got a response. */
  responses: number;
  /** Calls that failed. */
  errors: number;
  /** Calls left without a response or error. */
  pending: number;
  /** Calls that retry an earlier failed call (`retry_of`). */
  retries: number;
  /** Streamed calls. */
  streamed: number;
}

interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  temperature: number;
  max_tokens: number;
  stream?: boolean;
}

const MAX_TOKENS = 1024;

interface Plan {
  profile: ModelProfile;
  request: ChatRequest;
  startUs: number;
  endUs: number;
  ttftUs: number;
  output: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  finishLength: boolean;
  failure?: { error: SimulatedApiError; retryable: boolean };
  retryOf?: string;
  requestId?: string;
  pending?: boolean;
}

/** Defaults of {@link SimulateOptions}. */
export const SIMULATE_DEFAULTS = {
  out: "analysis/simulated",
  sessions: 5,
  calls: 60,
  seed: 1,
  errorRate: 0.05,
  start: new Date("2025-04-08T09:00:00Z"),
  streamRate: 0.2,
  parallelRate: 0.15,
} as const;

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

interface SessionContext {
  rng: Random;
  nowUs: number;
  models: ModelProfile[];
  primary: ModelProfile;
  errorRate: number;
  streamRate: number;
  result: SimulationResult;
  totalCalls: number;
  onProgress: ((done: number, total: number) => void) | undefined;
  category: string;
}

async function simulateSession(
  ctx: SessionContext,
  sessionId: string,
  writer: TraceWriter,
  calls: number,
  parallelRate: number,
  unfinished: boolean,
): Promise<void> {
  const { rng } = ctx;
  let lastId = "";
  const tracer = new Tracer({
    writer,
    sessionId,
    clock: () => ctx.nowUs / 1000,
    newId: () => (lastId = rng.uuid()),
    endOnExit: false,
    onWarn: (m) => {
      throw new Error(`The simulator wrote an invalid trace: ${m}`);
    },
  });
  const subs = CATEGORIES[ctx.category]!;
  ctx.nowUs += rng.int(500, 20_000);
  tracer.logMetadata({
    user: rng.pick(USERS),
    project: rng.pick(PROJECTS),
    version: `1.2.${rng.int(0, 4)}`,
    planner_model: ctx.primary.name,
    category: ctx.category,
  });
  const plans = new WeakMap<ChatRequest, { outcome: Promise<unknown> }>();
  const chat = tracer.traceModelCall(
    { retryOf: (args) => retryOfs.get(args[0] as ChatRequest) },
  )(async function chat(request: ChatRequest): Promise<unknown> {
    return await plans.get(request)!.outcome;
  });
  const retryOfs = new WeakMap<ChatRequest, string>();

  let done = 0;
  let retry: Plan | undefined;
  let nodes = 1;
  const pendingAt = unfinished && rng.chance(0.6) ? calls - 1 : -1;
  while (done < calls) {
    ctx.nowUs += Math.round(rng.exponential(retry ? 1.5 : 0.8) * 1e6);
    const fan = !retry && rng.chance(parallelRate) ? Math.min(rng.int(2, 4), calls - done) : 1;
    const batch: Plan[] = [];
    for (let i = 0; i < fan; i++) {
      const plan = makePlan(ctx, subs, retry);
      if (done + i === pendingAt) plan.pending = true;
      batch.push(plan);
    }
    retry = undefined;
    batch.sort((a, b) => a.startUs - b.startUs);
    // start every call of the step (a few ms apart), then end them in the order they finish
    const running: { plan: Plan; promise: Promise<unknown>; settle: (ok: boolean) => void }[] = [];
    for (const plan of batch) {
      ctx.nowUs = plan.startUs;
      let resolve!: (v: unknown) => void;
      let reject!: (e: unknown) => void;
      const outcome = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      plans.set(plan.request, { outcome });
      if (plan.retryOf) retryOfs.set(plan.request, plan.retryOf);
      const promise = chat(plan.request);
      plan.requestId = lastId;
      promise.catch(() => {});
      running.push({
        plan,
        promise,
        settle: (
          ok,
        ) => (ok
          ? resolve(plan.request.stream ? streamOf(ctx, plan) : responseOf(plan))
          : reject(plan.failure!.error)),
      });
    }
    running.sort((a, b) => a.plan.endUs - b.plan.endUs);
    let stepEnd = ctx.nowUs;
    for (const r of running) {
      if (r.plan.pending) continue; // the run crashes before this call returns
      ctx.nowUs = r.plan.request.stream && !r.plan.failure ? r.plan.startUs : r.plan.endUs;
      r.settle(!r.plan.failure);
      try {
        const value = await r.promise;
        if (r.plan.request.stream) {
          for await (
            const _ of value as AsyncIterable<unknown>
          ) { /* the consumer reads every chunk */ }
          ctx.result.streamed++;
        }
        ctx.result.responses++;
        nodes += afterSuccess(ctx, tracer, r.plan);
      } catch {
        ctx.result.errors++;
        if (r.plan.failure!.retryable && !retry && rng.chance(0.6)) {
          retry = r.plan;
        }
      }
      stepEnd = Math.max(stepEnd, ctx.nowUs);
    }
    ctx.nowUs = stepEnd;
    ctx.result.calls += batch.length;
    done += batch.length;
    if (batch.some((p) => p.pending)) {
      ctx.result.pending++;
      break;
    }
    if (retry && done >= calls) retry = undefined;
    if (
      ctx.onProgress &&
      Math.floor(ctx.result.calls / 1000) !== Math.floor((ctx.result.calls - batch.length) / 1000)
    ) {
      ctx.onProgress(ctx.result.calls, ctx.totalCalls);
    }
  }
  if (unfinished) {
    tracer.abandon();
    return;
  }
  ctx.nowUs += rng.int(200, 5000);
  tracer.logEvent("taxonomy_output", {
    category: ctx.category,
    output_path: `output/us_jurisdictions/${ctx.category.toLowerCase()}_taxonomy.json`,
    subcategory_count: Math.min(subs.length, Math.max(1, Math.round(nodes / 4))),
    total_nodes: nodes,
  });
  ctx.nowUs += rng.int(10, 500);
  tracer.close();
}

function makePlan(ctx: SessionContext, subs: readonly string[], retryOf: Plan | undefined): Plan {
  const { rng } = ctx;
  const profile = retryOf?.profile ?? (rng.chance(0.75) ? ctx.primary : rng.pick(ctx.models));
  const sub = rng.pick(subs);
  const depth = rng.int(1, 3);
  const stream = !retryOf && rng.chance(ctx.streamRate);
  const request: ChatRequest = retryOf ? { ...retryOf.request } : {
    model: profile.name,
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: userPrompt(ctx.category, sub, depth) },
    ],
    temperature: rng.pick([0, 0.2, 0.7]),
    max_tokens: MAX_TOKENS,
  };
  if (stream) request.stream = true;
  const startUs = ctx.nowUs + rng.int(0, 15_000);
  const inputTokens = Math.max(40, Math.round(rng.lognormal(650, 0.5)));
  const cachedTokens = rng.chance(0.3) ? Math.floor(inputTokens * rng.uniform(0.3, 0.8)) : 0;
  const outputTokens = Math.min(
    MAX_TOKENS,
    Math.max(1, Math.round(rng.lognormal(profile.outputTokens, 0.55))),
  );
  const reasoningTokens = profile.reasoningTokens
    ? Math.round(rng.lognormal(profile.reasoningTokens, 0.5))
    : 0;
  const ttft = rng.lognormal(profile.ttft, profile.sigma);
  let latency = ttft + (outputTokens + reasoningTokens) * profile.tpot * rng.lognormal(1, 0.2);
  if (rng.chance(0.02)) latency *= rng.uniform(2.5, 6); // a queueing spike: the long tail
  const plan: Plan = {
    profile,
    request,
    startUs,
    ttftUs: startUs + Math.round(ttft * 1e6),
    endUs: startUs + Math.round(latency * 1e6),
    output: outputText(rng, sub, Math.min(60 + outputTokens, 260)),
    inputTokens,
    outputTokens,
    cachedTokens,
    reasoningTokens,
    finishLength: outputTokens === MAX_TOKENS,
    retryOf: retryOf?.requestId,
  };
  if (retryOf) ctx.result.retries++;
  if (rng.chance(ctx.errorRate * profile.errorWeight)) {
    const f = drawFailure(rng, profile.name, profile.shape, latency);
    plan.failure = { error: f.error, retryable: f.retryable };
    plan.endUs = startUs + Math.round(f.latency * 1e6);
  }
  return plan;
}

function responseOf(plan: Plan): unknown {
  const { profile, output } = plan;
  switch (profile.shape) {
    case "anthropic":
      return {
        type: "message",
        role: "assistant",
        model: profile.name,
        content: [{ type: "text", text: output }],
        stop_reason: plan.finishLength ? "max_tokens" : "end_turn",
        usage: {
          input_tokens: plan.inputTokens - plan.cachedTokens,
          output_tokens: plan.outputTokens,
          cache_read_input_tokens: plan.cachedTokens,
        },
      };
    case "gemini":
      return {
        candidates: [{
          content: { role: "model", parts: [{ text: output }] },
          finishReason: plan.finishLength ? "MAX_TOKENS" : "STOP",
        }],
        usageMetadata: {
          promptTokenCount: plan.inputTokens,
          candidatesTokenCount: plan.outputTokens,
          totalTokenCount: plan.inputTokens + plan.outputTokens,
          cachedContentTokenCount: plan.cachedTokens || undefined,
        },
        modelVersion: profile.name,
      };
    default:
      return {
        object: "chat.completion",
        model: profile.name,
        choices: [{
          index: 0,
          message: { role: "assistant", content: output },
          finish_reason: plan.finishLength ? "length" : "stop",
        }],
        usage: openaiUsage(plan),
      };
  }
}

function openaiUsage(plan: Plan) {
  return {
    prompt_tokens: plan.inputTokens,
    completion_tokens: plan.outputTokens + plan.reasoningTokens,
    total_tokens: plan.inputTokens + plan.outputTokens + plan.reasoningTokens,
    prompt_tokens_details: { cached_tokens: plan.cachedTokens },
    completion_tokens_details: { reasoning_tokens: plan.reasoningTokens },
  };
}

/** The chunks of a streamed response; each chunk moves the simulated clock. */
async function* streamOf(ctx: SessionContext, plan: Plan): AsyncGenerator<unknown> {
  const half = plan.output.length >> 1;
  const a = plan.output.slice(0, half);
  const b = plan.output.slice(half);
  const mid = plan.ttftUs + ((plan.endUs - plan.ttftUs) >> 1);
  const name = plan.profile.name;
  if (plan.profile.shape === "anthropic") {
    ctx.nowUs = plan.ttftUs;
    yield {
      type: "message_start",
      message: { model: name, usage: { input_tokens: plan.inputTokens, output_tokens: 1 } },
    };
    yield { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: a } };
    ctx.nowUs = mid;
    yield { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: b } };
    ctx.nowUs = plan.endUs;
    yield {
      type: "message_delta",
      delta: { stop_reason: plan.finishLength ? "max_tokens" : "end_turn" },
      usage: { output_tokens: plan.outputTokens },
    };
    return;
  }
  if (plan.profile.shape === "gemini") {
    ctx.nowUs = plan.ttftUs;
    yield { candidates: [{ content: { parts: [{ text: a }] } }], modelVersion: name };
    ctx.nowUs = plan.endUs;
    yield {
      candidates: [{
        content: { parts: [{ text: b }] },
        finishReason: plan.finishLength ? "MAX_TOKENS" : "STOP",
      }],
      usageMetadata: {
        promptTokenCount: plan.inputTokens,
        candidatesTokenCount: plan.outputTokens,
      },
    };
    return;
  }
  ctx.nowUs = plan.ttftUs;
  yield {
    object: "chat.completion.chunk",
    model: name,
    choices: [{ index: 0, delta: { role: "assistant", content: a } }],
  };
  ctx.nowUs = mid;
  yield {
    object: "chat.completion.chunk",
    model: name,
    choices: [{ index: 0, delta: { content: b } }],
  };
  ctx.nowUs = plan.endUs;
  yield {
    object: "chat.completion.chunk",
    model: name,
    choices: [{ index: 0, delta: {}, finish_reason: plan.finishLength ? "length" : "stop" }],
  };
  yield { object: "chat.completion.chunk", model: name, choices: [], usage: openaiUsage(plan) };
}

/** Custom events after a successful call, as the seed's planner logs them; returns nodes added. */
function afterSuccess(ctx: SessionContext, tracer: Tracer, plan: Plan): number {
  const { rng } = ctx;
  const x = rng.next();
  if (x < 0.12) {
    ctx.nowUs += rng.int(100, 2000);
    tracer.logEvent("json_extraction_start", { response_length: plan.output.length });
    ctx.nowUs += rng.int(100, 3000);
    const count = rng.int(2, 8);
    tracer.logEvent("json_parsing_success", { category_count: count, depth: rng.int(1, 3) });
    return count;
  }
  if (x < 0.14) {
    ctx.nowUs += rng.int(100, 2000);
    tracer.logEvent("json_parsing_error", {
      error: "Expecting ',' delimiter: line 12 column 5 (char 311)",
    });
    return 0;
  }
  if (x < 0.17) {
    ctx.nowUs += rng.int(50, 500);
    tracer.logEvent("cache_hit", { key: `${ctx.category.toLowerCase()}:${rng.int(1, 40)}` });
  }
  return 1;
}
