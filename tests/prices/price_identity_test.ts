/** `priceIdentity` and `priceCalls`: what the per-file cache keeps prices under, and when it keeps none. */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { applyPrices, priceCalls, priceIdentity } from "../../src/prices/apply.ts";
import { resolve } from "../../src/prices/_rates.ts";

const calls = (model: string, started: Date | null) =>
  pl.DataFrame([
    pl.Series("model", [model], pl.Utf8),
    pl.Series("provider", [null], pl.Utf8),
    pl.Series("started_at", [started], pl.Datetime("us", "UTC")),
    pl.Series("input_tokens", [1000], pl.Int64),
    pl.Series("output_tokens", [100], pl.Int64),
  ]);

Deno.test("priceIdentity() changes with the overrides' content and list prices, not with defaults spelt out", () => {
  const base = priceIdentity({});
  assert.equal(priceIdentity({ overrides: {}, listPrices: false }), base);
  assert.equal(priceIdentity(), base);
  assert.notEqual(priceIdentity({ listPrices: true }), base);
  const a = { "gpt-4o": { input: 1, output: 2 } };
  assert.notEqual(priceIdentity({ overrides: a }), base);
  // the same content in another object: the same identity
  assert.equal(
    priceIdentity({ overrides: { "gpt-4o": { input: 1, output: 2 } } }),
    priceIdentity({ overrides: a }),
  );
  // one rate changed, or another model named: another identity
  assert.notEqual(
    priceIdentity({ overrides: { "gpt-4o": { input: 1, output: 3 } } }),
    priceIdentity({ overrides: a }),
  );
  assert.notEqual(
    priceIdentity({ overrides: { "gpt-4o-mini": { input: 1, output: 2 } } }),
    priceIdentity({ overrides: a }),
  );
});

Deno.test("priceCalls() gives applyPrices' frame, and no identity when a call is priced at the current time", () => {
  // deepseek-chat's prices depend on the time of day; gpt-4o's do not
  assert.equal(resolve("deepseek-chat", null, {})?.dated, true);
  assert.equal(resolve("gpt-4o", null, {})?.dated, false);
  const noTime = priceCalls(calls("deepseek-chat", null));
  assert.equal(noTime.identity, null);
  const timed = priceCalls(calls("deepseek-chat", new Date(Date.UTC(2025, 3, 8, 10))));
  assert.equal(timed.identity, priceIdentity({}));
  const plain = priceCalls(calls("gpt-4o", null), { listPrices: true });
  assert.equal(plain.identity, priceIdentity({ listPrices: true }));
  // gpt-4o: 1000 × $2.50/M + 100 × $10/M = 0.0035
  assert.ok(Math.abs((plain.calls.getColumn("cost_usd").toArray()[0] as number) - 0.0035) < 1e-12);
  assert.deepEqual(
    plain.calls.toRecords(),
    applyPrices(calls("gpt-4o", null), { listPrices: true }).toRecords(),
  );
});
