/**
 * Prices: per-call cost through `@pydantic/genai-prices` with its bundled data
 * (never a network fetch), plus user overrides.
 *
 * - `apply.ts`: {@linkcode applyPrices} adds `cost_usd` to a calls frame (how a
 *   call is priced is described there); {@linkcode lookupPrice} shows one model's price.
 * - `overrides.ts`: the `--prices FILE` format, {@linkcode parsePriceOverrides}
 *   and {@linkcode loadPriceOverrides}.
 *
 * @module
 */
export { applyPrices, type ApplyPricesOptions, BATCH_PRICE_FACTOR, lookupPrice } from "./apply.ts";
export {
  loadPriceOverrides,
  parsePriceOverrides,
  type PriceOverride,
  type PriceOverrides,
  priceOverridesSchema,
} from "./overrides.ts";
