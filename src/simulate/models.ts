/**
 * How each simulated model behaves: latency (time to first token and time per
 * output token, log-normal), output length, error proneness and the shape of
 * its responses. Names are ones genai-prices knows, so costs show up.
 *
 * @module
 */

/** The response shape a model's SDK returns. */
export type ResponseShape = "openai" | "anthropic" | "gemini";

/** A model's simulated behaviour. */
export interface ModelProfile {
  /** The model name written on requests. */
  name: string;
  /** The response shape of the model's SDK. */
  shape: ResponseShape;
  /** Median time to first token, seconds. */
  ttft: number;
  /** Median seconds per output token. */
  tpot: number;
  /** Median output tokens. */
  outputTokens: number;
  /** Multiplies the error rate. */
  errorWeight: number;
  /** Median reasoning tokens (reasoning models), else 0. */
  reasoningTokens: number;
  /** Spread of the latency (log-normal sigma). */
  sigma: number;
}

/** The built-in profiles, by model name. */
export const MODEL_PROFILES: Record<string, ModelProfile> = Object.fromEntries(
  ([
    ["gpt-4o-mini", "openai", 0.3, 0.011, 170, 0.4, 0, 0.35],
    ["gpt-4o", "openai", 0.45, 0.018, 240, 0.8, 0, 0.4],
    ["gpt-4.1-mini", "openai", 0.35, 0.012, 200, 0.5, 0, 0.35],
    ["gpt-4", "openai", 0.7, 0.045, 240, 1, 0, 0.45],
    ["o1-mini", "openai", 2.5, 0.009, 450, 1, 900, 0.6],
    ["claude-3-5-sonnet-20241022", "anthropic", 0.8, 0.022, 300, 3, 0, 0.5],
    ["claude-3-5-haiku-20241022", "anthropic", 0.45, 0.014, 200, 1, 0, 0.4],
    ["gemini-1.5-flash", "gemini", 0.3, 0.006, 210, 0.8, 0, 0.35],
    ["gemini-2.0-flash", "gemini", 0.28, 0.005, 220, 0.8, 0, 0.35],
  ] as const).map((
    [name, shape, ttft, tpot, outputTokens, errorWeight, reasoningTokens, sigma],
  ) => [
    name,
    { name, shape, ttft, tpot, outputTokens, errorWeight, reasoningTokens, sigma },
  ]),
);

/** The models simulated by default: one fast and cheap, one mid, one slower with more errors. */
export const DEFAULT_MODELS = ["gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet-20241022"];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/**
 * The profile of `name`: the built-in one, else a plausible one derived from
 * the name (stable: the same name always behaves the same).
 */
export function profileOf(name: string): ModelProfile {
  const known = MODEL_PROFILES[name];
  if (known) return known;
  const h = hash(name);
  const shape: ResponseShape = name.startsWith("claude")
    ? "anthropic"
    : name.startsWith("gemini")
    ? "gemini"
    : "openai";
  return {
    name,
    shape,
    ttft: 0.3 + h * 0.8,
    tpot: 0.008 + h * 0.03,
    outputTokens: 150 + Math.round(h * 200),
    errorWeight: 0.5 + h * 1.5,
    reasoningTokens: 0,
    sigma: 0.4,
  };
}
