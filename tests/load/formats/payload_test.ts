/**
 * Event payloads (`compactPayload`): clipped strings, cut arrays and deep
 * objects, the clip mark written as the escape `\u2026`, and the values given
 * back whole by JSON.parse.
 * @module
 */
import assert from "node:assert/strict";
import { compactPayload } from "../../../src/load/formats/_util.ts";

Deno.test("compactPayload: clips written with the mark escaped, the same values parsed", () => {
  const value = {
    text: "ab".repeat(200),
    list: Array.from({ length: 22 }, (_, i) => i),
    deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
    short: "é",
  };
  const json = compactPayload(value);
  assert.equal(
    json,
    '{"text":"' + "ab".repeat(150) + '\\u2026 (400 characters)","list":[' +
      Array.from({ length: 20 }, (_, i) => i).join(",") +
      ',"\\u2026 (22 elements)"],"deep":{"a":{"b":{"c":{"d":{"e":{"f":"\\u2026"}}}}}},"short":"é"}',
  );
  assert.deepEqual(JSON.parse(json), {
    text: "ab".repeat(150) + "… (400 characters)",
    list: [...Array.from({ length: 20 }, (_, i) => i), "… (22 elements)"],
    deep: { a: { b: { c: { d: { e: { f: "…" } } } } } },
    short: "é",
  });
});

Deno.test("compactPayload: a text holding the mark's control character or its escape's letters keeps the mark as …", () => {
  for (const odd of ["\u0001", "\\u0001", "u0001"]) {
    for (const where of ["value", "key"]) {
      const value = where === "value"
        ? { odd, long: "x".repeat(301) }
        : { [odd]: 1, long: "x".repeat(301) };
      const json = compactPayload(value);
      assert.ok(
        json.includes("… (301 characters)"),
        `${JSON.stringify(odd)} in a ${where}: ${json}`,
      );
      assert.deepEqual(JSON.parse(json), {
        ...value,
        long: "x".repeat(300) + "… (301 characters)",
      });
    }
  }
  // nothing clipped: the text as JSON.stringify writes it
  assert.equal(compactPayload({ a: "\u0001" }), JSON.stringify({ a: "\u0001" }));
});
