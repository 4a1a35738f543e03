/**
 * Prices: per-call cost through `@pydantic/genai-prices` with its bundled data
 * (never a network fetch), plus user overrides (`--prices FILE`).
 *
 * NOTE: signature fixed by the frame contract; implementation owned by the
 * metrics work (issue 3). Until then it returns the calls unchanged.
 *
 * @module
 */
import type pl from "nodejs-polars";

/** User price overrides: USD per million tokens, by model name. */
export interface PriceOverrides {
  [model: string]: {
    input: number;
    output: number;
    cache_read?: number;
    cache_write?: number;
    provider?: string;
  };
}

/** Options of {@link applyPrices}. */
export interface ApplyPricesOptions {
  /** Per-model overrides that win over the bundled data. */
  overrides?: PriceOverrides;
}

/**
 * Fill `cost_usd` (null when the model has no known price) and `provider`
 * (when null, inferred from the model name) of a `calls` frame.
 */
export function applyPrices(calls: pl.DataFrame, _options: ApplyPricesOptions = {}): pl.DataFrame {
  return calls;
}
