/**
 * Applying prices: per-call cost through `@pydantic/genai-prices` with its **bundled**
 * data (never a network fetch: nothing here calls `updatePrices`), plus user
 * overrides (`--prices FILE`, parsed in `overrides.ts`).
 *
 * How a call is priced:
 * - The model is looked up once per distinct `(provider, model)`: with the
 *   trace's provider when it names one that genai-prices knows, else from the
 *   model name alone (the provider is then inferred and filled in when the trace
 *   had none). A user override for the exact model name wins over the bundled data.
 * - genai-prices' own rules apply: `input_tokens` is the whole prompt, cache-read
 *   and cache-write tokens are the parts of it billed at their own rates (at the
 *   input rate when the model has no cache price), tiered prices by prompt size,
 *   and prices that depend on the date or the time of day (the call's `started_at`).
 *   `loadTraces` gives the whole prompt in every format (Anthropic's count, which
 *   leaves the cache out, has it added where it is read: `wholePrompt` in
 *   `src/schema/usage.ts`); in a frame made elsewhere, cache tokens that exceed
 *   `input_tokens` are taken to have been left out of it, as that rule takes them.
 * - Server-side web searches (`web_search_requests`, Anthropic's
 *   `server_tool_use.web_search_requests`) cost the model's price per search
 *   (`web_searches_kcount`), beside the tokens; at that price in a batch too (the
 *   batch rate halves the tokens).
 * - Prices are linear within one tier and one dated price set, so the rates are
 *   measured once per model through `calcPrice` and applied to every call as a
 *   Polars expression: 200k calls take milliseconds, not seconds.
 * - `cost_usd` is null for a model with no known price (never a silent 0) and for
 *   a call that reports no token usage (input and output tokens both null).
 *
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { createHash } from "node:crypto";
// Deferred: genai-prices evaluates its bundled price data (~2 MB) on first use, not on import.
import defer * as genai from "npm:@pydantic/genai-prices@0.1.8";
import type { PriceOverrides } from "./overrides.ts";
import {
  type Bracket,
  brackets,
  modelName,
  NAMES,
  onWholeMinutes,
  resolve,
  type Resolved,
} from "./_rates.ts";

/** Options of {@link applyPrices}. */
export interface ApplyPricesOptions {
  /** Per-model overrides that win over the bundled data. */
  overrides?: PriceOverrides;
  /**
   * Price batch results (`batch` column true) at list prices instead of the
   * providers' batch rate (OpenAI and Anthropic: half the list price).
   * @default {false}
   */
  listPrices?: boolean;
}

/** The batch rate of OpenAI's and Anthropic's batch APIs, as a fraction of the list price. */
export const BATCH_PRICE_FACTOR = 0.5;

/**
 * Fill `cost_usd` (null when the model has no known price, or the call reports
 * no usage) and `provider` (when null, inferred from the model name) of a
 * `calls` frame. Uses genai-prices' bundled data only; `overrides` win.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { applyPrices } from "./apply.ts";
 * const calls = pl.DataFrame({
 *   model: ["gpt-4o", "my-model", "unknown"],
 *   provider: [null, null, null],
 *   input_tokens: [1000, 1000, 10],
 *   output_tokens: [100, 100, 10],
 *   cache_read_tokens: [null, null, null],
 *   started_at: [null, null, null],
 * });
 * const priced = applyPrices(calls, { overrides: { "my-model": { input: 1, output: 2 } } });
 * // gpt-4o: 1000 × $2.50/M + 100 × $10/M; my-model: 1000 × $1/M + 100 × $2/M
 * const cost = priced.getColumn("cost_usd").toArray() as (number | null)[];
 * if (Math.abs(cost[0]! - 0.0035) > 1e-12 || Math.abs(cost[1]! - 0.0012) > 1e-12) throw new Error("bad cost");
 * if (cost[2] !== null) throw new Error("an unknown model has no price");
 * if (priced.getColumn("provider").toArray()[0] !== "openai") throw new Error("provider not inferred");
 * ```
 */
export function applyPrices(calls: pl.DataFrame, options: ApplyPricesOptions = {}): pl.DataFrame {
  return priceCalls(calls, options).calls;
}

/** The version of `@pydantic/genai-prices` whose bundled data prices calls (as imported above). */
const GENAI_PRICES_VERSION = "0.1.8";

/**
 * What prices calls besides the calls themselves, as a hash: genai-prices'
 * version (its bundled data), the overrides and `listPrices`. Two pricings
 * with the same identity give each call the same `cost_usd` and `provider`,
 * unless a call was priced at the current time ({@link priceCalls} then keeps
 * none). Overrides are compared by content (as JSON: the same overrides
 * written in another order only give another identity).
 *
 * @example
 * ```ts
 * import { priceIdentity } from "./apply.ts";
 * const none = priceIdentity({});
 * if (none !== priceIdentity({ overrides: {}, listPrices: false })) throw new Error("the defaults");
 * if (none === priceIdentity({ listPrices: true })) throw new Error("list prices");
 * const a = priceIdentity({ overrides: { m: { input: 1, output: 2 } } });
 * if (a === none || a === priceIdentity({ overrides: { m: { input: 1, output: 3 } } })) throw new Error();
 * ```
 */
export function priceIdentity(options: ApplyPricesOptions = {}): string {
  return createHash("sha256").update(
    JSON.stringify([GENAI_PRICES_VERSION, options.overrides ?? {}, options.listPrices ?? false]),
  ).digest("hex").slice(0, 32);
}

/**
 * {@link applyPrices}, and the identity its prices can be kept under
 * ({@link priceIdentity}): null when a call of a model whose prices change
 * with the date or the time of day has no time (it is priced at the current
 * time: another pricing may give it another price). The per-file cache keeps
 * the prices of a file's calls with their identity, so that a later load
 * with the same identity does not price them again.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { priceCalls, priceIdentity } from "./apply.ts";
 * const calls = pl.DataFrame({
 *   model: ["gpt-4o"],
 *   provider: [null],
 *   input_tokens: [1000],
 *   output_tokens: [100],
 *   started_at: [null],
 * });
 * const priced = priceCalls(calls);
 * // gpt-4o's price does not depend on the date: kept, whatever the time
 * if (priced.identity !== priceIdentity()) throw new Error(String(priced.identity));
 * // 1000 × $2.50/M + 100 × $10/M
 * if (Math.abs((priced.calls.getColumn("cost_usd").get(0) as number) - 0.0035) > 1e-12) throw new Error();
 * ```
 */
export function priceCalls(
  calls: pl.DataFrame,
  options: ApplyPricesOptions = {},
): { calls: pl.DataFrame; identity: string | null } {
  let clock = false;
  const overrides = options.overrides ?? {};
  const has = (name: string) => calls.columns.includes(name);
  const utf8 = (name: string) =>
    (has(name) ? pl.col(name).cast(pl.Utf8) : pl.lit(null).cast(pl.Utf8)).fillNull("");
  const f64 = (name: string) =>
    has(name) ? pl.col(name).cast(pl.Float64) : pl.lit(null).cast(pl.Float64);
  const time = (name: string) =>
    has(name)
      ? pl.col(name).cast(pl.Datetime("us", "UTC")).cast(pl.Int64)
      : pl.lit(null).cast(pl.Int64);

  const inTok = f64("input_tokens"), outTok = f64("output_tokens");
  const cr = f64("cache_read_tokens").fillNull(0), cw = f64("cache_write_tokens").fillNull(0);
  // of the cache writes, those to the 1-hour cache (never more than the writes)
  const cwHour = f64("cache_write_1h_tokens").fillNull(0);
  const cw1h = pl.when(cwHour.gt(cw)).then(cw).otherwise(cwHour);
  const searches = f64("web_search_requests").fillNull(0);
  const cache = cr.add(cw);
  const prompt = pl.when(cache.gt(inTok.fillNull(0))).then(inTok.fillNull(0).add(cache)).otherwise(
    inTok.fillNull(0),
  );
  // The model rule: prices follow the served model when the response names one,
  // unless an override names the requested model.
  const overridden = Object.keys(overrides);
  const notOverridden = overridden.length
    ? utf8("model").isIn(overridden).not() // a JS array: a Series here is deprecated in Polars
    : pl.lit(true);
  const priceModel = has("served_model")
    ? pl.when(pl.col("served_model").isNotNull().and(notOverridden))
      .then(pl.col("served_model").cast(pl.Utf8)).otherwise(utf8("model"))
    : utf8("model");
  const batchFactor = has("batch") && !options.listPrices
    ? pl.when(pl.col("batch").fillNull(false)).then(pl.lit(BATCH_PRICE_FACTOR)).otherwise(
      pl.lit(1.0),
    )
    : pl.lit(1.0);
  const work = calls.lazy().select(
    utf8("provider").alias("__pk"),
    priceModel.alias("__model"),
    batchFactor.cast(pl.Float64).alias("__factor"),
    // Start (else end) to the second: what dated prices depend on.
    time("started_at").fillNull(time("ended_at")).div(1_000_000).floor().cast(pl.Int64).alias(
      "__second",
    ),
    prompt.alias("__prompt"),
    cr.alias("__cr"),
    cw.alias("__cw"),
    cw1h.alias("__cw1h"),
    outTok.fillNull(0).alias("__out"),
    searches.alias("__ws"),
    inTok.isNotNull().or(outTok.isNotNull()).alias("__has_usage"),
  ).withRowIndex("__row").collectSync();

  // One lookup per distinct (provider, model).
  const pairs = work.select("__pk", "__model").unique().toRecords() as {
    __pk: string;
    __model: string;
  }[];
  const rateRows: Record<string, unknown>[] = [];
  const addRates = (pk: string, model: string, set: number, provider: string, list: Bracket[]) => {
    for (const b of list) {
      rateRows.push({ __pk: pk, __model: model, __set: set, __provider: provider, ...b });
    }
  };
  const dated = new Map<string, Resolved>();
  const providers: { __pk: string; __model: string; __provider: string | null }[] = [];
  for (const { __pk: pk, __model: model } of pairs) {
    const r = model ? resolve(model, pk || null, overrides) : null;
    providers.push({ __pk: pk, __model: model, __provider: pk || r?.providerId || null });
    if (!r) continue;
    NAMES.set(r, model);
    if (r.dated) dated.set(`${pk}\u0000${model}`, r);
    else addRates(pk, model, 0, r.providerId, brackets(r, new Date(0)));
  }

  let keyed = work.lazy().withColumns(pl.lit(0).cast(pl.Int64).alias("__set"));
  if (dated.size) {
    // Prices that depend on the date or the time of day: find the price set of
    // each distinct second (minute, when every boundary is on a whole minute),
    // and measure the rates of each set once.
    const step = [...dated.values()].every(onWholeMinutes) ? 60 : 1;
    if (step > 1) {
      keyed = keyed.withColumns(
        pl.col("__second").div(step).floor().mul(step).cast(pl.Int64).alias("__second"),
      );
    }
    const isDated = pl.concatString(["__pk", "__model"], "\u0000").isIn([...dated.keys()]);
    const seconds = keyed.filter(isDated).select("__pk", "__model", "__second").unique()
      .collectSync().toRecords() as {
        __pk: string;
        __model: string;
        __second: number | null;
      }[];
    const measured = new Set<string>();
    const sets = seconds.map((s) => {
      const r = dated.get(`${s.__pk}\u0000${s.__model}`)!;
      if (s.__second === null) clock = true; // priced at the current time: not to be kept
      const when = s.__second === null ? new Date() : new Date(Number(s.__second) * 1000);
      const chosen =
        genai.calcPrice({}, modelName(r), { ...r.options, timestamp: when })!.model_price;
      const set = (r.model.prices as { prices: unknown }[]).findIndex((c) => c.prices === chosen) +
        1;
      const id = `${s.__pk}\u0000${s.__model}\u0000${set}`;
      if (!measured.has(id)) {
        measured.add(id);
        addRates(s.__pk, s.__model, set, r.providerId, brackets(r, when));
      }
      return { ...s, __dated_set: set };
    });
    const setFrame = pl.DataFrame([
      pl.Series("__pk", sets.map((s) => s.__pk), pl.Utf8),
      pl.Series("__model", sets.map((s) => s.__model), pl.Utf8),
      pl.Series("__second", sets.map((s) => s.__second), pl.Int64),
      pl.Series("__dated_set", sets.map((s) => s.__dated_set), pl.Int64),
    ]);
    keyed = keyed
      .join(
        setFrame.lazy(),
        { on: ["__pk", "__model", "__second"], how: "left", joinNulls: true } as never,
      )
      .withColumns(pl.col("__dated_set").fillNull(0).cast(pl.Int64).alias("__set"))
      .drop("__dated_set");
  }

  const num = (k: keyof Bracket) =>
    pl.Series(`__${k}`, rateRows.map((r) => r[k] as number), pl.Float64);
  const rateFrame = pl.DataFrame([
    pl.Series("__pk", rateRows.map((r) => r.__pk as string), pl.Utf8),
    pl.Series("__model", rateRows.map((r) => r.__model as string), pl.Utf8),
    pl.Series("__set", rateRows.map((r) => r.__set as number), pl.Int64),
    num("lo"),
    num("hi"),
    num("c0"),
    num("cIn"),
    num("cCacheRead"),
    num("cCacheWrite"),
    num("cCacheWrite1h"),
    num("cOut"),
    num("cSearch"),
  ]);
  const c = (k: string) => pl.col(`__${k}`);
  const costs = keyed
    .join(rateFrame.lazy(), { on: ["__pk", "__model", "__set"], how: "inner" })
    .filter(c("prompt").gt(c("lo")).and(c("prompt").ltEq(c("hi"))))
    .select(
      c("row"),
      pl.when(c("has_usage"))
        .then(
          c("c0")
            .add(c("cIn").mul(c("prompt").sub(c("cr")).sub(c("cw"))))
            .add(c("cCacheRead").mul(c("cr")))
            .add(c("cCacheWrite").mul(c("cw")))
            .add(c("cCacheWrite1h").sub(c("cCacheWrite")).mul(c("cw1h")))
            .add(c("cOut").mul(c("out")))
            .mul(c("factor"))
            // web searches at their own price, batch or not
            .add(c("cSearch").mul(c("ws")))
            // to a millionth of a millionth of a dollar: the sum of rates times counts leaves
            // binary noise in the last digits (0.000042000000000000004 for 0.000042)
            .round(12),
        )
        .otherwise(pl.lit(null).cast(pl.Float64))
        .alias("cost_usd"),
    );
  const providerFrame = pl.DataFrame([
    pl.Series("__pk", providers.map((p) => p.__pk), pl.Utf8),
    pl.Series("__model", providers.map((p) => p.__model), pl.Utf8),
    pl.Series("provider", providers.map((p) => p.__provider), pl.Utf8),
  ]);
  const filled = work.lazy()
    .select("__row", "__pk", "__model")
    .join(providerFrame.lazy(), { on: ["__pk", "__model"], how: "left" })
    .join(costs, { on: "__row", how: "left" })
    .sort("__row")
    .collectSync();
  return {
    calls: calls.withColumns(filled.getColumn("cost_usd"), filled.getColumn("provider")),
    identity: clock ? null : priceIdentity(options),
  };
}

/**
 * The genai-prices price of one model, or `null` when neither the overrides nor
 * the bundled data know it. For display ("price per million tokens") and checks.
 *
 * @example
 * ```ts
 * import { lookupPrice } from "./apply.ts";
 * const p = lookupPrice("gpt-4o");
 * if (p?.provider !== "openai") throw new Error("expected openai");
 * if (lookupPrice("unknown") !== null) throw new Error("unknown has no price");
 * ```
 */
export function lookupPrice(
  model: string,
  options: { provider?: string | null; overrides?: PriceOverrides } = {},
): { provider: string | null; model: string; prices: unknown } | null {
  const r = resolve(model, options.provider ?? null, options.overrides ?? {});
  if (!r) return null;
  return { provider: r.providerId || null, model: r.model.id, prices: r.model.prices };
}
