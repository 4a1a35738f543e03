/** src/prices/_rates.ts: a model resolved once and its prices measured as linear rates. */
import assert from "node:assert/strict";
import { brackets, modelName, onWholeMinutes, resolve } from "../../src/prices/_rates.ts";

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-18 + 1e-9 * Math.abs(b), `${what}: ${a} != ${b}`);

Deno.test("resolve() finds a bundled model, an override, or nothing", () => {
  const gpt = resolve("gpt-4o", null, {})!;
  assert.equal(gpt.providerId, "openai");
  assert.equal(gpt.dated, false);
  assert.equal(modelName(gpt), "gpt-4o");
  assert.equal(resolve("no-such-model", null, {}), null);
  // an override wins and keeps the name; no provider is known for a made-up model
  const mine = resolve("mine", null, { mine: { input: 1, output: 2 } })!;
  assert.equal(mine.model.id, "mine");
  assert.equal(mine.providerId, "");
  assert.equal(
    resolve("mine", null, { mine: { input: 1, output: 2, provider: "acme" } })!.providerId,
    "acme",
  );
});

Deno.test("brackets() measures one rate per token kind: gpt-4o $2.50/M in, $1.25/M cached, $10/M out", () => {
  const [b, ...rest] = brackets(resolve("gpt-4o", null, {})!, new Date(0));
  assert.equal(rest.length, 0); // no prompt-size tiers
  assert.equal(b!.lo, -1);
  assert.equal(b!.hi, Number.MAX_VALUE);
  near(b!.c0, 0, "per call");
  near(b!.cIn, 2.5e-6, "input");
  near(b!.cCacheRead, 1.25e-6, "cache read");
  near(b!.cOut, 10e-6, "output");
  assert.equal(onWholeMinutes(resolve("gpt-4o", null, {})!), true); // no dated price sets
});

Deno.test("brackets() splits tiered prices at the tier start: gemini-2.5-pro above 200k prompt tokens", () => {
  const [low, high, ...rest] = brackets(resolve("gemini-2.5-pro", null, {})!, new Date(0));
  assert.equal(rest.length, 0);
  assert.deepEqual([low!.lo, low!.hi, high!.lo, high!.hi], [
    -1,
    200_000,
    200_000,
    Number.MAX_VALUE,
  ]);
  near(low!.cIn, 1.25e-6, "input up to 200k");
  near(low!.cOut, 10e-6, "output up to 200k");
  near(high!.cIn, 2.5e-6, "input above 200k");
  near(high!.cOut, 15e-6, "output above 200k");
});
