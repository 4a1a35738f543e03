/**
 * Token usage: the schema of `data.usage` and its normalization to our names.
 *
 * Accepts our names (`input_tokens`, `output_tokens`, `total_tokens`,
 * `cache_read_tokens`, `cache_write_tokens`, `reasoning_tokens`,
 * `cache_write_1h_tokens`), OpenAI's
 * (`prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`,
 * `completion_tokens_details.reasoning_tokens`, and the Responses API's
 * `input_tokens_details.cached_tokens`, `output_tokens_details.reasoning_tokens`) and Anthropic's
 * (`cache_read_input_tokens`, `cache_creation_input_tokens`, and of those cache writes the
 * ones to the 1-hour cache, `cache_creation.ephemeral_1h_input_tokens`; the server-side web
 * searches, `server_tool_use.web_search_requests`, ours `web_search_requests`: not tokens, but
 * billed per search; the thinking share of the output, `output_tokens_details.thinking_tokens`,
 * ours `reasoning_tokens`).
 *
 * @module
 */
import { z } from "./zod.ts";

const count = z.number().int().nonnegative().nullable().optional();

/** The schema of `data.usage` (extra fields allowed). */
export const usageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  total_tokens: count,
  cache_read_tokens: count,
  cache_write_tokens: count,
  reasoning_tokens: count,
  cache_write_1h_tokens: count,
  web_search_requests: count,
  prompt_tokens: count,
  completion_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
  prompt_tokens_details: z.looseObject({ cached_tokens: count }).nullable().optional(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: count }).nullable().optional(),
  input_tokens_details: z.looseObject({ cached_tokens: count }).nullable().optional(),
  output_tokens_details: z.looseObject({ reasoning_tokens: count }).nullable().optional(),
  cache_creation: z.looseObject({ ephemeral_1h_input_tokens: count }).nullable().optional(),
  server_tool_use: z.looseObject({ web_search_requests: count }).nullable().optional(),
});

/**
 * Usage as it appears in a trace, in any of the accepted shapes: tracebook's names,
 * OpenAI's (`prompt_tokens`, `completion_tokens`, details) or Anthropic's
 * (`cache_read_input_tokens`, `cache_creation_input_tokens`). Counts are whole and ≥ 0.
 */
export interface RawUsage {
  /** Input (prompt) tokens. */
  input_tokens?: number | null;
  /** Output (completion) tokens. */
  output_tokens?: number | null;
  /** Input + output tokens, when the provider says. */
  total_tokens?: number | null;
  /** Input tokens read from the provider's prompt cache. */
  cache_read_tokens?: number | null;
  /** Input tokens written to the provider's prompt cache. */
  cache_write_tokens?: number | null;
  /** Output tokens spent on reasoning. */
  reasoning_tokens?: number | null;
  /** Of the cache writes, those to a 1-hour cache (billed at their own rate). */
  cache_write_1h_tokens?: number | null;
  /** Server-side web searches the model ran (billed per search). */
  web_search_requests?: number | null;
  /** OpenAI's name for input tokens. */
  prompt_tokens?: number | null;
  /** OpenAI's name for output tokens. */
  completion_tokens?: number | null;
  /** Anthropic's name for cache reads. */
  cache_read_input_tokens?: number | null;
  /** Anthropic's name for cache writes. */
  cache_creation_input_tokens?: number | null;
  /** OpenAI's details of the input: cached tokens. */
  prompt_tokens_details?: { cached_tokens?: number | null; [field: string]: unknown } | null;
  /** OpenAI's details of the output: reasoning tokens. */
  completion_tokens_details?: { reasoning_tokens?: number | null; [field: string]: unknown } | null;
  /** The Responses API's details of the input: cached tokens. */
  input_tokens_details?: { cached_tokens?: number | null; [field: string]: unknown } | null;
  /** The Responses API's details of the output: reasoning tokens. */
  output_tokens_details?: {
    reasoning_tokens?: number | null;
    thinking_tokens?: number | null;
    [field: string]: unknown;
  } | null;
  /** Anthropic's split of the cache writes by lifetime: the 1-hour ones. */
  cache_creation?: { ephemeral_1h_input_tokens?: number | null; [field: string]: unknown } | null;
  /** Anthropic's server tools: the web searches. */
  server_tool_use?: { web_search_requests?: number | null; [field: string]: unknown } | null;
  /** Fields the format does not name, kept as written. */
  [field: string]: unknown;
}

/** Usage in our names; a field is `null` when the trace does not say. */
export interface Usage {
  /**
   * Input (prompt) tokens: the whole prompt, its cache reads and writes included (OpenAI's,
   * Gemini's and the GenAI conventions' count; Anthropic's `input_tokens`, which leave the cache
   * out, have it added).
   */
  input_tokens: number | null;
  /** Output (completion) tokens, as the provider counts them. */
  output_tokens: number | null;
  /** Input + output tokens: the trace's total, else their sum when both are known. */
  total_tokens: number | null;
  /** Input tokens read from the prompt cache. */
  cache_read_tokens: number | null;
  /** Input tokens written to the prompt cache. */
  cache_write_tokens: number | null;
  /** Output tokens spent on reasoning. */
  reasoning_tokens: number | null;
  /**
   * Of `cache_write_tokens`, those written to a 1-hour cache (Anthropic's extended
   * lifetime, which Claude Code uses): billed at their own rate, twice the input's
   * where a 5-minute write is 1.25 times. Optional: usage written before it was
   * read has none.
   */
  cache_write_1h_tokens?: number | null;
  /**
   * Server-side web searches the model ran for the call (Anthropic's
   * `server_tool_use.web_search_requests`): not tokens, billed per search ($10 per
   * 1,000 on Anthropic's API). Optional, as `cache_write_1h_tokens`.
   */
  web_search_requests?: number | null;
}

/** The names of {@link Usage}, in order. */
export const USAGE_FIELDS = [
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cache_write_1h_tokens",
  "web_search_requests",
] as const;

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function first(...values: unknown[]): number | null {
  for (const v of values) {
    const n = num(v);
    if (n !== null) return n;
  }
  return null;
}

/**
 * The whole prompt of a usage whose input count is `input`: Anthropic's usage (its `input_tokens`
 * beside its cache names, `cache_read_input_tokens` / `cache_creation_input_tokens`, and no
 * OpenAI `prompt_tokens`) counts the cache apart from the input, so the cache is added; so it is
 * when the cache alone is more than the input (a writer of Anthropic's counts under other names,
 * as tracebook's tracer wrote them before 2026-12-03); any other input already holds its cache.
 *
 * @example
 * ```ts
 * import { wholePrompt } from "./usage.ts";
 * // Anthropic's: 5,000 new tokens and 2,000 read from the cache are a prompt of 7,000
 * if (wholePrompt(5000, { input_tokens: 5000, cache_read_input_tokens: 2000 }, 2000, null) !== 7000) {
 *   throw new Error("anthropic");
 * }
 * // OpenAI's prompt_tokens hold their cached tokens
 * if (wholePrompt(5000, { prompt_tokens: 5000 }, 2000, null) !== 5000) throw new Error("openai");
 * ```
 */
export function wholePrompt(
  input: number | null,
  raw: Record<string, unknown>,
  cacheRead: number | null,
  cacheWrite: number | null,
): number | null {
  if (input === null) return null;
  const cache = (cacheRead ?? 0) + (cacheWrite ?? 0);
  const anthropic = num(raw.prompt_tokens) === null && num(raw.input_tokens) !== null &&
    (num(raw.cache_read_input_tokens) !== null || num(raw.cache_creation_input_tokens) !== null);
  return anthropic || cache > input ? input + cache : input;
}

/**
 * Normalize usage from any accepted shape to our names. `total_tokens` is
 * computed as input + output when absent and both are known.
 *
 * @example
 * ```ts
 * import { normalizeUsage } from "./usage.ts";
 * const u = normalizeUsage({ prompt_tokens: 10, completion_tokens: 5 });
 * if (u.total_tokens !== 15) throw new Error("expected 15");
 * // the Responses API's usage: its details under their own names
 * const r = normalizeUsage({ input_tokens: 10, input_tokens_details: { cached_tokens: 4 },
 *   output_tokens: 16, output_tokens_details: { reasoning_tokens: 12 } });
 * if (r.cache_read_tokens !== 4 || r.reasoning_tokens !== 12) throw new Error("details");
 * // Anthropic's: cache writes, and of them those to the 1-hour cache
 * const a = normalizeUsage({ input_tokens: 3, cache_creation_input_tokens: 500,
 *   cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 300 } });
 * if (a.cache_write_tokens !== 500 || a.cache_write_1h_tokens !== 300) throw new Error("1h");
 * // and its server-side web searches
 * const w = normalizeUsage({ input_tokens: 3, server_tool_use: { web_search_requests: 2 } });
 * if (w.web_search_requests !== 2) throw new Error("web searches");
 * // and the thinking share of its output
 * const t = normalizeUsage({ output_tokens: 56, output_tokens_details: { thinking_tokens: 20 } });
 * if (t.reasoning_tokens !== 20) throw new Error("thinking");
 * ```
 */
export function normalizeUsage(raw: unknown): Usage {
  const u = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const promptDetails = (u.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const completionDetails = (u.completion_tokens_details ?? {}) as Record<string, unknown>;
  // the Responses API's names for the same details
  const inputDetails = (u.input_tokens_details ?? {}) as Record<string, unknown>;
  const outputDetails = (u.output_tokens_details ?? {}) as Record<string, unknown>;
  const cacheCreation = (u.cache_creation ?? {}) as Record<string, unknown>;
  const cacheRead = first(
    u.cache_read_tokens,
    u.cache_read_input_tokens,
    promptDetails.cached_tokens,
    inputDetails.cached_tokens,
  );
  const cacheWrite = first(u.cache_write_tokens, u.cache_creation_input_tokens);
  const serverTools = (u.server_tool_use ?? {}) as Record<string, unknown>;
  const output = first(u.output_tokens, u.completion_tokens);
  const input = wholePrompt(first(u.input_tokens, u.prompt_tokens), u, cacheRead, cacheWrite);
  const total = first(u.total_tokens) ??
    (input !== null && output !== null ? input + output : null);
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: total,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: first(
      u.reasoning_tokens,
      completionDetails.reasoning_tokens,
      outputDetails.reasoning_tokens,
      outputDetails.thinking_tokens,
    ),
    cache_write_1h_tokens: first(u.cache_write_1h_tokens, cacheCreation.ephemeral_1h_input_tokens),
    web_search_requests: first(u.web_search_requests, serverTools.web_search_requests),
  };
}

/** One sub-request of an Anthropic response, from its `usage.iterations`: see {@link usageIterations}. */
export interface UsageIteration {
  /** The iteration's type: `advisor_message` or `compaction`. */
  type: string;
  /** The model that ran it (an advisor's own, null when it names none; a compaction's is the response's). */
  model: string | null;
  /** Its usage, in our names. */
  usage: Usage;
}

/**
 * The sub-requests an Anthropic response's `usage.iterations` holds beyond its top-level usage.
 * The API writes one iteration per sampling step of the request: `message` for the response's own
 * (the top-level usage is theirs), `compaction` for server-side compaction's summary (an extra
 * sampling step, billed, run by the request's model, which the top-level usage leaves out) and
 * `advisor_message` for an advisor tool's sub-inference (its own `model`, billed at that model's
 * rates, also left out: Claude Code 2.1.332 prices it so, adding it to its cost). So a `compaction`
 * or `advisor_message` iteration is one more call, of `model` (the response's) or its own; any
 * other type with tokens (`fallback_message`…) is not read: its tokens are in `uncounted`.
 *
 * @example
 * ```ts
 * import { usageIterations } from "./usage.ts";
 * const { calls, uncounted } = usageIterations({
 *   input_tokens: 3,
 *   iterations: [
 *     { type: "compaction", input_tokens: 180000, output_tokens: 3500 },
 *     { type: "advisor_message", model: "claude-opus-4-5", input_tokens: 5000, output_tokens: 300 },
 *     { type: "message", input_tokens: 3, output_tokens: 2 },
 *     { type: "fallback_message", model: "claude-haiku-4-5", input_tokens: 7, output_tokens: 1 },
 *   ],
 * }, "claude-sonnet-4-5");
 * if (calls.length !== 2 || calls[0]!.model !== "claude-sonnet-4-5") throw new Error("compaction");
 * if (calls[1]!.model !== "claude-opus-4-5" || calls[1]!.usage.input_tokens !== 5000) throw new Error("advisor");
 * if (uncounted.tokens !== 8 || uncounted.types.join() !== "fallback_message") throw new Error("other");
 * ```
 */
export function usageIterations(
  raw: unknown,
  model: string | null,
): { calls: UsageIteration[]; uncounted: { tokens: number; types: string[] } } {
  const calls: UsageIteration[] = [];
  const uncounted = { tokens: 0, types: [] as string[] };
  const u = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  if (!Array.isArray(u.iterations)) return { calls, uncounted };
  for (const it of u.iterations) {
    if (!it || typeof it !== "object") continue;
    const i = it as Record<string, unknown>;
    const type = typeof i.type === "string" ? i.type : "";
    if (type === "message") continue;
    const usage = normalizeUsage(i);
    if (type === "compaction" || type === "advisor_message") {
      // an advisor's model is its own (none named: not known)
      const own = typeof i.model === "string" ? i.model : null;
      calls.push({ type, model: type === "compaction" ? model : own, usage });
      continue;
    }
    const tokens = (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
    if (tokens === 0) continue;
    uncounted.tokens += tokens;
    const name = type || "(no type)";
    if (!uncounted.types.includes(name)) uncounted.types.push(name);
  }
  return { calls, uncounted };
}
