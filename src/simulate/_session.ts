/**
 * One simulated session written through the tracer: metadata, steps of calls
 * (some fanned out in parallel, failed ones sometimes retried), custom events
 * after successful calls, and the session's end (or none for an unfinished one).
 *
 * @module
 */
import { Tracer, type TraceWriter } from "../tracing/mod.ts";
import { type ChatRequest, makePlan, type Plan, type SessionContext } from "./_plan.ts";
import { responseOf, streamOf } from "./_responses.ts";
import { CATEGORIES, PROJECTS, USERS } from "./_content.ts";

/** Simulate one session of `calls` calls into `writer`. */
export async function simulateSession(
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
