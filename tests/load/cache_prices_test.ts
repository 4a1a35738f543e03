/**
 * The prices a per-file cache entry keeps (`KEPT_PRICES`, under a `priceIdentity`):
 * taken by a load that prices calls the same way, never by another (other
 * overrides, list prices, another identity), never kept when a call was priced at
 * the current time; the calls are stored before prices as well.
 */
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { loadTraces } from "../../src/load/mod.ts";
import {
  cacheIdentity,
  cacheKeyOptions,
  KEPT_PRICES,
  readCached,
  readSet,
  writeCached,
  writeSet,
} from "../../src/load/cache.ts";
import { priceIdentity } from "../../src/prices/apply.ts";
import { identity, rewriteEntry } from "./_cache_entry.ts";

const line = (type: string, timestamp: string, data: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp, session_id: "s1", data });

/** One gpt-4o call (no provider in the trace) of `input` and `output` tokens. */
const call = (id: string, input: number, output: number) =>
  [
    line("llm_request", "2025-04-08T10:00:01", { request_id: id, model: "gpt-4o" }),
    line("llm_response", "2025-04-08T10:00:03", {
      request_id: id,
      duration_seconds: 2,
      model: "gpt-4o",
      usage: { input_tokens: input, output_tokens: output },
    }),
  ].join("\n") + "\n";

// gpt-4o in genai-prices' bundled data: $2.50/M input, $10/M output
// 1,000 in and 100 out: 1000 × 2.5e-6 + 100 × 10e-6 = 0.0025 + 0.001 = 0.0035
const BUNDLED = 0.0035;
// with the override $1/M input, $2/M output: 1000 × 1e-6 + 100 × 2e-6 = 0.0012
const OVERRIDDEN = 0.0012;
const OVERRIDES = { "gpt-4o": { input: 1, output: 2 } };

function setup(): { dir: string; cache: string; file: string } {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-prices-test-" });
  const file = join(dir, "run.jsonl");
  writeFileSync(file, call("a", 1000, 100));
  return { dir, cache: join(dir, "cache"), file };
}

const cost = (t: { calls: pl.DataFrame }) => t.calls.getColumn("cost_usd").toArray() as number[];
/** Each call's cost by its request id. */
const byRequest = (t: { calls: pl.DataFrame }) =>
  new Map(t.calls.select("request_id", "cost_usd").rows() as [string, number][]);
const near = (a: number | undefined, b: number, what: string) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

/** Rewrite the file's entry with the kept price 1.5 (and the identity `prices`): a load that shows 1.5 took it. */
function markKeptPrice(cache: string, file: string, prices: string): void {
  const frames = readCached(cache, identity(file), prices)!;
  const calls = frames.calls.withColumns(pl.lit(1.5).cast(pl.Float64).alias(KEPT_PRICES.cost));
  writeCached(cache, identity(file), { ...frames, calls }, undefined, prices);
}

Deno.test("an entry keeps its calls' prices under the load's price identity, and the calls before prices", async () => {
  const { dir, cache, file } = setup();
  try {
    const cold = await loadTraces(file, { cache });
    near(cost(cold)[0], BUNDLED, "cold");
    assert.equal(cold.calls.getColumn("provider").get(0), "openai"); // inferred from the model
    const kept = readCached(cache, identity(file), priceIdentity({}))!;
    near(kept.calls.getColumn(KEPT_PRICES.cost).get(0) as number, BUNDLED, "kept");
    assert.equal(kept.calls.getColumn(KEPT_PRICES.provider).get(0), "openai");
    // the calls as read, before prices: the trace names no provider
    assert.equal(kept.calls.getColumn("provider").get(0), null);
    // read for another identity (or none): no kept prices
    const other = readCached(cache, identity(file), priceIdentity({ listPrices: true }))!;
    assert.equal(other.calls.columns.includes(KEPT_PRICES.cost), false);
    assert.equal(
      readCached(cache, identity(file))!.calls.columns.includes(KEPT_PRICES.cost),
      false,
    );
    // no column of the load's frames is a kept one
    assert.deepEqual(cold.calls.columns.filter((c) => c.startsWith("\u0001")), []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a load priced the same way takes the entry's prices; other overrides, list prices or another identity price again", async () => {
  const { dir, cache, file } = setup();
  try {
    const cold = await loadTraces(file, { cache });
    markKeptPrice(cache, file, priceIdentity({}));
    const warm = await loadTraces(file, { cache });
    assert.deepEqual(cost(warm), [1.5]); // taken from the entry, not priced
    assert.deepEqual(warm.calls.columns, cold.calls.columns);
    // overrides: priced again (not 1.5)
    near(cost(await loadTraces(file, { cache, prices: OVERRIDES }))[0], OVERRIDDEN, "overrides");
    // list prices: another identity, priced again (the call is not a batch: the bundled price)
    near(cost(await loadTraces(file, { cache, listPrices: true }))[0], BUNDLED, "list prices");
    // an entry whose prices were kept under another identity: priced again
    markKeptPrice(cache, file, "another identity");
    near(cost(await loadTraces(file, { cache }))[0], BUNDLED, "another identity");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("prices kept with overrides are taken only with the same overrides", async () => {
  const { dir, cache, file } = setup();
  try {
    near(cost(await loadTraces(file, { cache, prices: OVERRIDES }))[0], OVERRIDDEN, "cold");
    // the entry is written once, by the first load: its prices are those of the overrides
    markKeptPrice(cache, file, priceIdentity({ overrides: OVERRIDES }));
    assert.deepEqual(cost(await loadTraces(file, { cache, prices: OVERRIDES })), [1.5]);
    // an override changed (a prices file edited): priced again, at 1000 × 3e-6 + 100 × 2e-6 = 0.0032
    const edited = { "gpt-4o": { input: 3, output: 2 } };
    near(cost(await loadTraces(file, { cache, prices: edited }))[0], 0.0032, "edited");
    // no overrides: the bundled price
    near(cost(await loadTraces(file, { cache }))[0], BUNDLED, "no overrides");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the entry of a grown file keeps the prices of all its calls", async () => {
  const { dir, cache, file } = setup();
  try {
    await loadTraces(file, { cache });
    // a second call: 2,000 in and 300 out: 2000 × 2.5e-6 + 300 × 10e-6 = 0.005 + 0.003 = 0.008
    appendFileSync(file, call("b", 2000, 300));
    const grown = await loadTraces(file, { cache });
    near(cost(grown)[0], BUNDLED, "first");
    near(cost(grown)[1], 0.008, "second");
    const kept = readCached(cache, identity(file), priceIdentity({}))!;
    const keptCosts = kept.calls.getColumn(KEPT_PRICES.cost).toArray() as number[];
    near(keptCosts[0], BUNDLED, "kept first");
    near(keptCosts[1], 0.008, "kept second");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a grown file's old calls keep their entry's prices: only the new calls are priced", async () => {
  const { dir, cache, file } = setup();
  try {
    await loadTraces(file, { cache });
    // the old call's kept price set to 1.5, the entry's place to read on from kept
    const prices = priceIdentity({});
    rewriteEntry(cache, file, (frames) => ({
      ...frames,
      calls: frames.calls.withColumns(pl.lit(1.5).cast(pl.Float64).alias(KEPT_PRICES.cost)),
    }), { prices });
    // a call of a new session (a call of a touched session is assembled again, and priced)
    appendFileSync(file, call("b", 2000, 300).replaceAll('"s1"', '"s2"'));
    const grown = byRequest(await loadTraces(file, { cache }));
    assert.equal(grown.get("a"), 1.5); // taken from the entry
    near(grown.get("b"), 0.008, "new"); // 2000 × 2.5e-6 + 300 × 10e-6
    // the new entry keeps both
    const kept = readCached(cache, identity(file), prices)!;
    assert.deepEqual(kept.calls.getColumn(KEPT_PRICES.cost).toArray().slice(0, 1), [1.5]);
    // priced another way, the grown file's calls are all priced again
    appendFileSync(file, call("c", 1000, 100));
    const overridden = byRequest(await loadTraces(file, { cache, prices: OVERRIDES }));
    near(overridden.get("a"), OVERRIDDEN, "a");
    near(overridden.get("b"), 2000 * 1e-6 + 300 * 2e-6, "b"); // 0.0026
    near(overridden.get("c"), OVERRIDDEN, "c");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a load of files from their entries and of a changed file prices them all alike", async () => {
  const { dir, cache, file } = setup();
  try {
    const other = join(dir, "other.jsonl");
    writeFileSync(other, call("c", 2000, 300).replaceAll('"s1"', '"s2"'));
    await loadTraces([file, other], { cache });
    markKeptPrice(cache, file, priceIdentity({}));
    // `other` replaced (read again, priced): the prices of `file` are still its entry's
    writeFileSync(other, call("c", 4000, 300).replaceAll('"s1"', '"s2"'));
    const both = byRequest(await loadTraces([file, other], { cache }));
    // 4000 × 2.5e-6 + 300 × 10e-6 = 0.01 + 0.003 = 0.013
    assert.equal(both.get("a"), 1.5);
    near(both.get("c"), 0.013, "other");
    // with overrides, both priced again
    const overridden = byRequest(await loadTraces([file, other], { cache, prices: OVERRIDES }));
    near(overridden.get("a"), OVERRIDDEN, "file");
    near(overridden.get("c"), 4000 * 1e-6 + 300 * 2e-6, "other"); // 0.0046
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("prices that depend on the current time are not kept: a call with no time of a model priced by the time of day", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-prices-test-" });
  try {
    const cache = join(dir, "cache");
    // an OpenAI batch result has no time; deepseek-chat's prices change with the time of day
    const body = (model: string) =>
      JSON.stringify({
        custom_id: `r-${model}`,
        response: {
          status_code: 200,
          body: { model, usage: { prompt_tokens: 1000, completion_tokens: 100 } },
        },
      });
    const id = (file: string) => cacheIdentity(file, cacheKeyOptions({}, "openai_batch", file))!;
    const dated = join(dir, "dated.jsonl");
    writeFileSync(dated, body("deepseek-chat") + "\n");
    const t = await loadTraces(dated, { cache });
    assert.equal(t.calls.getColumn("started_at").nullCount(), 1);
    const entry = readCached(cache, id(dated), priceIdentity({}))!;
    assert.ok(entry, "the file has an entry");
    assert.equal(entry.calls.columns.includes(KEPT_PRICES.cost), false);
    // gpt-4o's prices do not change with time: kept, with no time too
    const plain = join(dir, "plain.jsonl");
    writeFileSync(plain, body("gpt-4o") + "\n");
    await loadTraces(plain, { cache });
    const kept = readCached(cache, id(plain), priceIdentity({}))!;
    // a batch call at half the list price: 0.0035 / 2 = 0.00175
    near(kept.calls.getColumn(KEPT_PRICES.cost).get(0) as number, BUNDLED / 2, "gpt-4o batch");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a set entry (small files) keeps its calls' prices too, taken only by a load priced the same way", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-cache-prices-test-" });
  try {
    const cache = join(dir, "cache");
    const folder = join(dir, "traces");
    Deno.mkdirSync(folder);
    // four small files (a set entry from 4 on), one call each, in sessions of their own
    for (let k = 0; k < 4; k++) {
      writeFileSync(
        join(folder, `f${k}.jsonl`),
        call(`r${k}`, 1000, 100).replaceAll('"s1"', `"s${k}"`),
      );
    }
    const cold = await loadTraces(folder, { cache, prices: {} });
    assert.deepEqual([...byRequest(cold).values()].map((c) => Math.round(c * 1e6)), [
      3500,
      3500,
      3500,
      3500,
    ]);
    const sets = readdirSync(cache, { recursive: true }).map(String).filter((f) =>
      f.endsWith(".tbs")
    );
    assert.equal(sets.length, 1);
    const lineage = sets[0]!.split("/").at(-1)!.replace(/\.tbs$/, "");
    const all = (files: { name: string }[]) => new Set(files.map((f) => f.name));
    const entry = readSet(cache, lineage, all, priceIdentity({}))!;
    const kept = entry.frames!.calls.getColumn(KEPT_PRICES.cost).toArray() as number[];
    kept.forEach((c) => near(c, BUNDLED, "kept in the set"));
    assert.equal(
      readSet(cache, lineage, all, priceIdentity({ listPrices: true }))!.frames!.calls.columns
        .includes(KEPT_PRICES.cost),
      false,
    );
    // marked: a load priced the same way shows 1.5 for each call, another prices again
    const frames = entry.frames!;
    writeSet(cache, lineage, entry.files, {
      ...frames,
      calls: frames.calls.withColumns(pl.lit(1.5).cast(pl.Float64).alias(KEPT_PRICES.cost)),
    }, priceIdentity({}));
    assert.deepEqual([...byRequest(await loadTraces(folder, { cache })).values()], [
      1.5,
      1.5,
      1.5,
      1.5,
    ]);
    const overridden = [
      ...byRequest(await loadTraces(folder, { cache, prices: OVERRIDES })).values(),
    ];
    overridden.forEach((c) => near(c, OVERRIDDEN, "overrides"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
