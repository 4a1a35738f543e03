/**
 * One simulated model call, drawn before it is made: its request, start and end
 * on the simulated clock, time to first token, token usage, output and failure.
 *
 * @module
 */
import type { Random } from "./prng.ts";
import type { ModelProfile } from "./models.ts";
import { drawFailure, type SimulatedApiError } from "./errors.ts";
import type { SimulationResult } from "./options.ts";
import { outputText, SYSTEM_PROMPT, userPrompt } from "./_content.ts";

/** The request a simulated call sends (OpenAI chat shape). */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  temperature: number;
  max_tokens: number;
  stream?: boolean;
}

/** The `max_tokens` of every simulated request; an output this long ends with `length`. */
export const MAX_TOKENS = 1024;

/** A call drawn in advance: times in microseconds on the simulated clock. */
export interface Plan {
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

/** The state one session's simulation shares: the PRNG, the clock, the running totals. */
export interface SessionContext {
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

/** Draw the next call of a session (a retry keeps the failed call's model and request). */
export function makePlan(
  ctx: SessionContext,
  subs: readonly string[],
  retryOf: Plan | undefined,
): Plan {
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
