import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadPriceOverrides, parsePriceOverrides } from "../../src/prices/overrides.ts";
import { UserError } from "../../src/log/mod.ts";

Deno.test("parsePriceOverrides() reads the documented JSON", () => {
  assert.deepEqual(
    parsePriceOverrides('{ "my-model": { "input": 0.5, "output": 1.5, "cache_read": 0.05 } }'),
    {
      "my-model": { input: 0.5, output: 1.5, cache_read: 0.05 },
    },
  );
});

Deno.test("parsePriceOverrides() rejects bad files with one sentence naming the file and the problem", () => {
  const cases: [string, string][] = [
    ['{"m": {"input": 1}}', 'Invalid prices in p.json: "m"."output" is missing.'],
    [
      '{"m": {"input": -1, "output": 1}}',
      'Invalid prices in p.json: "m"."input" must not be negative.',
    ],
    [
      '{"m": {"input": "1", "output": 1}}',
      'Invalid prices in p.json: "m"."input" must be a number.',
    ],
    [
      '{"m": {"input": 1, "output": 1, "cached": 1}}',
      'Invalid prices in p.json: "m" has unknown field "cached" (expected input, output, cache_read, cache_write, provider).',
    ],
    [
      "[1]",
      'Invalid prices in p.json: the file must be a JSON object like {"my-model": {"input": 0.5, "output": 1.5}}.',
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePriceOverrides(text, "p.json"), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, message);
      assert.equal(e.exitCode, 1);
      return true;
    });
  }
  assert.throws(() => parsePriceOverrides("{\n  oops\n}", "p.json"), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /^Cannot parse p\.json: .*line 2.*\.$/);
    return true;
  });
});

Deno.test("loadPriceOverrides() reads a file, and names a missing one", () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-prices-"));
  const path = join(dir, "prices.json");
  writeFileSync(path, '{"my-model": {"input": 2, "output": 4}}');
  assert.deepEqual(loadPriceOverrides(path), { "my-model": { input: 2, output: 4 } });
  assert.throws(() => loadPriceOverrides(join(dir, "nope.json")), {
    name: "UserError",
    message: `Cannot read prices file ${join(dir, "nope.json")}: no such file.`,
  });
});
