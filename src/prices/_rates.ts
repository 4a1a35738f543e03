/**
 * A model's prices as linear rates: each model is resolved once in genai-prices'
 * bundled data (or a user override), and the rates of each price set and
 * prompt-size tier are measured through `calcPrice`, so that `applyPrices` can
 * price every call with one Polars expression.
 *
 * @module
 */
// Deferred: genai-prices evaluates its bundled price data (~2 MB) on first use, not on import.
import defer * as genai from "npm:@pydantic/genai-prices@0.1.8";
import type { ModelInfo, PriceCalculation, Provider } from "npm:@pydantic/genai-prices@0.1.8";
import type { PriceOverride, PriceOverrides } from "./overrides.ts";

/** Linear rates (USD per token, USD per call) valid for prompts in `(lo, hi]` tokens. */
export interface Bracket {
  lo: number;
  hi: number;
  c0: number;
  cIn: number;
  cCacheRead: number;
  cCacheWrite: number;
  /** A write to the 1-hour cache (`cache_write_1h_mtok`; the 5-minute rate when the model has none). */
  cCacheWrite1h: number;
  cOut: number;
  /** A server-side web search (`web_searches_kcount`, per 1,000: Anthropic's $10), per search. */
  cSearch: number;
}

/** A model as resolved once: its provider and how to measure its rates. */
export interface Resolved {
  providerId: string;
  model: ModelInfo;
  options: { providerId?: string; provider?: Provider };
  /** True when the price depends on the date or time of day. */
  dated: boolean;
  /** The name it was priced by, when not the trace's (`gpt-4o` of `openai/gpt-4o`). */
  name?: string;
}

const MTOK = 1e6;

function overrideProvider(name: string, o: PriceOverride): Provider {
  const prices: Record<string, number> = { input_mtok: o.input, output_mtok: o.output };
  if (o.cache_read !== undefined) prices.cache_read_mtok = o.cache_read;
  if (o.cache_write !== undefined) prices.cache_write_mtok = o.cache_write;
  return {
    id: o.provider ?? "custom",
    name: "--prices override",
    api_pattern: "(?!)",
    models: [{ id: name, match: { equals: name }, prices }],
  };
}

/** A provider id (or alias: `gemini`, `vertex_ai`, `bedrock`…) the price data knows. */
function knownProvider(id: string): boolean {
  try {
    return id !== "" && genai.findProvider({ providerId: id }) !== undefined;
  } catch {
    return false;
  }
}

/** The vendors whose models Bedrock serves, as its model ids name them (`amazon.nova-pro-v1:0`). */
const BEDROCK_VENDORS = [
  "anthropic",
  "amazon",
  "meta",
  "mistral",
  "cohere",
  "ai21",
  "deepseek",
  "qwen",
  "openai",
  "writer",
];

/** A Bedrock model id: `[region.]vendor.model…` with a vendor Bedrock serves. */
const BEDROCK_ID = new RegExp(
  `^(?:(?:us|eu|apac|global|us-gov|jp|au|ca)\\.)?(?:${
    BEDROCK_VENDORS.join("|")
  })\\.([a-z0-9][^:]*?)(?:-v\\d+(?::\\d+)?)?$`,
);

/**
 * The names a trace gives Amazon Bedrock as the provider: the GenAI conventions' `aws.bedrock`
 * (`gen_ai.provider.name`), OpenInference's `aws` (`llm.provider`), genai-prices' and LiteLLM's
 * `bedrock`.
 */
const BEDROCK_PROVIDER = /^(?:aws\.bedrock|aws|bedrock)$/;

/**
 * The model a Bedrock model id names, as the vendor's API names it
 * (`us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`); any
 * other name as it is.
 *
 * @example
 * ```ts
 * import { bedrockModel } from "./_rates.ts";
 * if (bedrockModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0") !== "claude-sonnet-4-5-20250929") throw new Error();
 * if (bedrockModel("gpt-4o") !== "gpt-4o") throw new Error();
 * ```
 */
export function bedrockModel(model: string): string {
  return BEDROCK_ID.exec(model)?.[1] ?? model;
}

/** Vertex AI's resource name of a model: its last part, the model's id (`@` version kept). */
const VERTEX_NAME = /^(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/[^/]+\/models\/([^/]+)$/;

/** Resolve `model` once: a user override, else genai-prices with the trace's provider, else by name alone; null when unknown. */
export function resolve(
  model: string,
  provider: string | null,
  overrides: PriceOverrides,
): Resolved | null {
  const o = Object.hasOwn(overrides, model) ? overrides[model] : undefined;
  if (o) {
    const p = overrideProvider(model, o);
    const r = genai.calcPrice({}, model, { provider: p })!;
    const inferred = o.provider ?? provider ?? resolve(model, null, {})?.providerId ?? "";
    return { providerId: inferred, model: r.model, options: { provider: p }, dated: false };
  }
  const tries: ({ providerId?: string })[] = provider ? [{ providerId: provider }, {}] : [{}];
  for (const options of tries) {
    let r: PriceCalculation | null = null;
    try {
      r = genai.calcPrice({}, model, options);
    } catch {
      r = null;
    }
    if (r) {
      return {
        providerId: r.provider.id,
        model: r.model,
        options: { providerId: r.provider.id },
        dated: Array.isArray(r.model.prices),
      };
    }
  }
  // Amazon Bedrock's model ids (`anthropic.claude-…-v1:0`, `amazon.nova-pro-v1:0`, and the
  // cross-region inference profiles before them, `us.` / `eu.` / `apac.` / `global.`: Claude Code on
  // Bedrock names its models so, whatever provider the trace names): priced as Bedrock's
  if (provider !== "bedrock" && BEDROCK_ID.test(model)) {
    const r = resolve(model, "bedrock", overrides);
    if (r) return r;
  }
  // a Bedrock model id with its vendor taken off (`nova-pro-v1:0` of `amazon.nova-pro-v1:0` or
  // `us.amazon.nova-pro-v1:0`), as OpenLLMetry's and OpenInference's Bedrock instrumentations
  // record the model, under a provider naming Bedrock: each vendor tried before it, on Bedrock
  if (provider !== null && BEDROCK_PROVIDER.test(provider) && !BEDROCK_ID.test(model)) {
    for (const vendor of BEDROCK_VENDORS) {
      const id = `${vendor}.${model}`;
      const r = resolve(id, "bedrock", overrides);
      if (r) return { ...r, name: r.name ?? id };
    }
  }
  // Vertex AI's resource name of a model (`projects/{p}/locations/{l}/publishers/{publisher}/
  // models/{model}`, or from `publishers/` on: a Vertex call's model as Google's SDKs and
  // Langfuse's traces of them record it): the model after `models/`, on Vertex AI unless the
  // trace names a provider
  const vertex = VERTEX_NAME.exec(model);
  if (vertex) {
    const name = vertex[1]!;
    const r = resolve(name, provider ?? "google-vertex", overrides);
    return r && { ...r, name: r.name ?? name };
  }
  // a router's or proxy's name that the data does not know whole, `provider/model` (LiteLLM's
  // `anthropic/claude-…`, OpenRouter's `openai/gpt-4o`, Gemini's `models/gemini-…`): priced as
  // the model after the last `/` (or its override), its first part tried as the provider; only
  // when that part is a provider the data knows (`lemonade/openai/deepseek-r1-8b` is a local
  // model, not DeepSeek's hosted R1)
  const slash = model.lastIndexOf("/");
  const prefix = model.slice(0, Math.max(0, model.indexOf("/")));
  if (slash > 0 && slash < model.length - 1 && (prefix === "models" || knownProvider(prefix))) {
    const name = model.slice(slash + 1);
    const r = resolve(name, provider ?? prefix, overrides);
    return r && { ...r, name: r.name ?? name };
  }
  // Pydantic AI's `provider:model` (`openai:gpt-5.1`, `anthropic:claude-sonnet-4-5`): the same,
  // when the part before the first `:` is a provider the data knows (`…-v1:0` is a Bedrock version)
  const colon = model.indexOf(":");
  const named = model.slice(0, Math.max(0, colon));
  if (colon > 0 && colon < model.length - 1 && !named.includes("/") && knownProvider(named)) {
    const name = model.slice(colon + 1);
    const r = resolve(name, provider ?? named, overrides);
    return r && { ...r, name: r.name ?? name };
  }
  return null;
}

/** Whether every date or time-of-day boundary of a model's prices falls on a whole minute. */
export function onWholeMinutes(r: Resolved): boolean {
  const sets = Array.isArray(r.model.prices) ? r.model.prices : [];
  return sets.every(({ constraint: c }) =>
    !c || c.type === "start_date" ||
    [c.start_time, c.end_time].every((t) => /^\d{2}:\d{2}(:00(\.0*)?)?(Z|[+-]\d{2}:\d{2})$/.test(t))
  );
}

function tierStarts(modelPrice: Record<string, unknown>): number[] {
  const starts = new Set<number>();
  for (const v of Object.values(modelPrice)) {
    if (v && typeof v === "object" && Array.isArray((v as { tiers?: unknown }).tiers)) {
      for (const t of (v as { tiers: { start: number }[] }).tiers) starts.add(t.start);
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/** Measure the linear rates of one price set, per prompt-size tier, through `calcPrice`. */
export function brackets(r: Resolved, timestamp: Date): Bracket[] {
  const price = (usage: Record<string, number>) =>
    genai.calcPrice(usage, modelName(r), { ...r.options, timestamp })!.total_price;
  const first = genai.calcPrice({ input_tokens: 0 }, modelName(r), { ...r.options, timestamp })!;
  const starts = tierStarts(first.model_price as Record<string, unknown>);
  // a price of its own for writes to the 1-hour cache (Anthropic's), else they cost as the others
  const hasHour = (first.model_price as Record<string, unknown>).cache_write_1h_mtok != null;
  // A tier applies when the prompt is strictly above its `start`.
  const bounds = [-1, ...starts, Number.POSITIVE_INFINITY];
  const c0 = price({ input_tokens: 0 });
  const out: Bracket[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = bounds[i]!, hi = bounds[i + 1]!;
    // A prompt size inside (lo, hi] at which to measure the rates of this tier.
    const rep = Number.isFinite(hi) ? hi : Math.max(lo + 1, MTOK);
    const per = (usd: number) => (rep > 0 ? (usd - c0) / rep : 0);
    const base = price({ input_tokens: rep });
    out.push({
      lo,
      hi: Number.isFinite(hi) ? hi : Number.MAX_VALUE,
      c0,
      cIn: per(base),
      cCacheRead: per(price({ input_tokens: rep, cache_read_tokens: rep })),
      cCacheWrite: per(price({ input_tokens: rep, cache_write_tokens: rep })),
      cCacheWrite1h: hasHour
        ? per(price({ input_tokens: rep, cache_write_tokens: rep, cache_write_1h_tokens: rep }))
        : per(price({ input_tokens: rep, cache_write_tokens: rep })),
      cOut: (price({ input_tokens: rep, output_tokens: MTOK }) - base) / MTOK,
      // genai-prices' usage key for them is `web_searches` (its Anthropic extractor's name for
      // `server_tool_use.web_search_requests`)
      cSearch: (price({ input_tokens: rep, web_searches: 1000 }) - base) / 1000,
    });
  }
  return out;
}

// calcPrice matches on the model name it is given; keep the trace's name so that
// the same match (and date-stripping fallback) is used when measuring rates.
/** The trace's model name of each resolved model (set by `applyPrices`). */
export const NAMES = new WeakMap<Resolved, string>();
/** The name `calcPrice` is given for `r`: the one it was priced by, the trace's, else the matched model id. */
export function modelName(r: Resolved): string {
  return r.name ?? NAMES.get(r) ?? r.model.id;
}
