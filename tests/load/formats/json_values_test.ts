import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JsonValueReader, parseJsonValues } from "../../../src/load/formats/_json_values.ts";
import type { JsonValue } from "../../../src/load/formats/_json_values.ts";
import { allFixtures } from "./_helpers.ts";

/** The values and diagnostics of `text` fed to the reader in the pieces `cuts` makes. */
function inPieces(
  text: string,
  cuts: number[],
  elements = false,
  members: readonly string[] = [],
) {
  const values: JsonValue[] = [];
  const reader = new JsonValueReader("f", (v) => values.push(v), { elements, members });
  let at = 0;
  for (const cut of cuts) {
    reader.push(text.slice(at, cut));
    at = cut;
  }
  reader.push(text.slice(at));
  return { values, diagnostics: reader.end() };
}

/** An array of `length` with these values at their indexes, holes elsewhere. */
const sparse = (length: number, values: Record<number, unknown>) =>
  Object.assign(new Array(length), values) as unknown[];

/** Cuts every `step` characters. */
const every = (text: string, step: number) =>
  Array.from({ length: Math.floor(text.length / step) }, (_, i) => (i + 1) * step);

/** Texts whose values and diagnostics the pieces must not change. */
const CASES: [string, string][] = [
  ["JSON Lines", '{"a":1}\n{"b":"x\\"}{"}\n\n{"c":[1,2]}\n'],
  ["pretty-printed, concatenated", '{\n  "a": {\n    "b": "x\\ny"\n  }\n}\n{\n  "c": 2\n}'],
  ["a BOM, then CRLF", '\ufeff{"a":1}\r\n{"b":2}\r\n'],
  ["a BOM mid-text is stray", '{"a":1}\n\ufeff\n{"b":2}\n'],
  ["stray text, long and short", `banner ${"x".repeat(200)}\n{"a":1}\nmid {"b":2}\nlast words`],
  ["a value cut off by the next object", '{"a": {"b": 1,\n{"c": 2}\n'],
  ["a value open at the end", '{"a":1}\n{"b": [1, 2,'],
  ["invalid JSON", '{"a": 01}\n{"b": tru}\n{"c": 3}\n'],
  ["a string open at the end", '{"a":"abc'],
  ["an escaped backslash before a quote", '{"a":"x\\\\"}\n{"b":"\\\\\\""}\n'],
  ["arrays at the top", '[1,\n2]\n[{"a":1},\n{"b":2}]\n'],
  ["surrogate pairs", '{"a":"😀😀"}\n{"b":"\\ud83d\\ude00"}\n'],
  ["no newline at all", '{"a":1}{"b":2} trailing'],
  ["a document's array of objects at column 0", '{"spans": [\n{\n  "a": 1\n},\n{"a": 2}\n]}\n'],
  ["a line cut after a comma, then JSON Lines", '{"a": [1,\n{"b": 2}\n{"c": 3}\n'],
  ["a line cut after a comma at the end", '{"x": 0}\n{"a": [1,\n{"b": 2}\n'],
  ["a line cut after a bracket, then objects", '{"a": [\n{\n "b": 2\n}\n{"c": 3}\n'],
  ["an array cut between its elements", '[\n  {"a": 1},\n  {\n    "b": 2\n  },\n'],
  ["an array cut inside an element", '[\n  {"a": 1},\n  {\n    "b": 2\n  },\n  {"c": '],
];

for (const [name, text] of CASES) {
  Deno.test(`JsonValueReader: ${name}: the same values and diagnostics in pieces of any size`, () => {
    const whole = parseJsonValues(text, "f");
    for (const step of [1, 2, 3, 5, 8, 13]) {
      assert.deepEqual(inPieces(text, every(text, step)), whole, `pieces of ${step}`);
    }
  });
}

Deno.test("JsonValueReader: the cases' values and diagnostics, worked out by hand", () => {
  const lines = (t: string) => {
    const r = parseJsonValues(t, "f");
    return {
      values: r.values.map((v) => v.line),
      problems: r.diagnostics.map((d) => `${d.line}:${d.code}`),
    };
  };
  assert.deepEqual(lines(CASES[0]![1]), { values: [1, 2, 4], problems: [] });
  assert.deepEqual(lines(CASES[1]![1]), { values: [1, 6], problems: [] });
  assert.deepEqual(lines(CASES[2]![1]), { values: [1, 2], problems: [] });
  assert.deepEqual(lines(CASES[3]![1]), { values: [1, 3], problems: ["2:stray_text"] });
  assert.deepEqual(lines(CASES[4]![1]), {
    values: [2, 3],
    problems: ["1:stray_text", "3:stray_text", "4:stray_text"],
  });
  assert.deepEqual(lines(CASES[5]![1]), { values: [2], problems: ["1:truncated_object"] });
  assert.deepEqual(lines(CASES[6]![1]), { values: [1], problems: ["2:truncated_object"] });
  assert.deepEqual(lines(CASES[7]![1]), {
    values: [3],
    problems: ["1:invalid_json", "2:invalid_json"],
  });
  // a `{` starting a line inside an array, after its `[` or a comma, is an element; were the
  // value cut there, the lines from it are values of their own
  assert.deepEqual(lines(CASES[13]![1]), { values: [1], problems: [] });
  assert.deepEqual(parseJsonValues(CASES[13]![1], "f").values[0]!.value, {
    spans: [{ a: 1 }, { a: 2 }],
  });
  assert.deepEqual(lines(CASES[14]![1]), { values: [2, 3], problems: ["1:truncated_object"] });
  assert.deepEqual(lines(CASES[15]![1]), { values: [1, 3], problems: ["2:truncated_object"] });
  assert.deepEqual(lines(CASES[16]![1]), { values: [2, 5], problems: ["1:truncated_object"] });
  assert.deepEqual(parseJsonValues(CASES[16]![1], "f").values.map((v) => v.value), [
    { b: 2 },
    { c: 3 },
  ]);
  // a top-level array cut off: its whole elements, each with its line, and one problem, at its
  // `[` when cut between elements, else at the element cut
  assert.deepEqual(lines(CASES[17]![1]), { values: [2, 3], problems: ["1:truncated_object"] });
  assert.match(
    parseJsonValues(CASES[17]![1], "f").diagnostics[0]!.message,
    /JSON array never ends/,
  );
  assert.deepEqual(parseJsonValues(CASES[17]![1], "f").values.map((v) => v.value), [
    { a: 1 },
    { b: 2 },
  ]);
  assert.deepEqual(lines(CASES[18]![1]), { values: [2, 3], problems: ["6:truncated_object"] });
  // the stray text's message quotes its start (57 characters of the quoted text)
  assert.equal(
    parseJsonValues(CASES[4]![1], "f").diagnostics[0]!.message,
    `text outside any JSON object: "banner ${"x".repeat(49)}...`,
  );
  assert.deepEqual(parseJsonValues(CASES[11]![1], "f").values.map((v) => v.value), [
    { a: "😀😀" },
    { b: "😀" },
  ]);
});

Deno.test("JsonValueReader: a limit stops at that many values, whatever the pieces", () => {
  const text = '{"a":1}\n{"b":2}\n{"c":3}\n';
  for (const step of [1, 4, 100]) {
    const values: JsonValue[] = [];
    const reader = new JsonValueReader("f", (v) => values.push(v), { limit: 2 });
    let more = true;
    for (const cut of [...every(text, step), text.length]) {
      if (!more) break;
      more = reader.push(text.slice(cut - Math.min(step, cut), cut));
    }
    reader.end();
    assert.deepEqual(values.map((v) => v.line), [1, 2], `pieces of ${step}`);
  }
});

Deno.test("JsonValueReader: elements of a top-level array (its bracket blanked)", () => {
  const text = ' \n{"a":1},\n{"b":2}\n]\n';
  const whole = parseJsonValues(text, "f", Infinity, true);
  assert.deepEqual(whole.values.map((v) => v.line), [2, 3]);
  assert.deepEqual(whole.diagnostics, []);
  for (const step of [1, 2, 7]) assert.deepEqual(inPieces(text, every(text, step), true), whole);
});

Deno.test("JsonValueReader: arrayElements: a text opening with `[` is read element by element, a comma after the last element no problem", () => {
  // as Helicone's JSON export writes it: "[\n", each row pretty-printed with ",\n" after it, "]\n"
  const text = '[\n{\n  "a": 1\n},\n{\n  "b": [2]\n},\n]\n';
  for (const step of [1, 2, 3, 7, text.length]) {
    const values: JsonValue[] = [];
    const reader = new JsonValueReader("f", (v) => values.push(v), { arrayElements: true });
    for (let at = 0; at < text.length; at += step) reader.push(text.slice(at, at + step));
    // the elements start on lines 2 and 5; the text read whole is one invalid array
    assert.deepEqual(reader.end(), [], `pieces of ${step}`);
    assert.deepEqual(values, [{ line: 2, value: { a: 1 } }, { line: 5, value: { b: [2] } }]);
  }
  assert.equal(parseJsonValues(text, "f").values.length, 0);
  // a text that does not open with `[` is read as always: a later array is one value
  const values: JsonValue[] = [];
  const reader = new JsonValueReader("f", (v) => values.push(v), { arrayElements: true });
  reader.push('{"a":1}\n[{"b":2}]\n', true);
  assert.deepEqual(reader.end(), []);
  assert.deepEqual(values.map((v) => v.value), [{ a: 1 }, [{ b: 2 }]]);
});

Deno.test("JsonValueReader: arrayElements: an array no `]` closes (a cut file) is one truncated_object at its `[`, its elements read", () => {
  // cut after the comma that follows its second element: both elements whole, the array open
  const cut = '[\n{"a": 1},\n{"b": 2},\n';
  for (const step of [1, 2, 5, cut.length]) {
    const values: JsonValue[] = [];
    const reader = new JsonValueReader("f", (v) => values.push(v), { arrayElements: true });
    for (let at = 0; at < cut.length; at += step) reader.push(cut.slice(at, at + step));
    const problems = reader.end().map((d) => `${d.line}:${d.code}:${d.severity}`);
    // the `[` is on line 1; the elements on lines 2 and 3
    assert.deepEqual(problems, ["1:truncated_object:error"], `pieces of ${step}`);
    assert.deepEqual(values, [{ line: 2, value: { a: 1 } }, { line: 3, value: { b: 2 } }]);
  }
  // cut inside an element: that element is the truncated value (line 3), reported once
  const values: JsonValue[] = [];
  const reader = new JsonValueReader("f", (v) => values.push(v), { arrayElements: true });
  reader.push('[\n{"a": 1},\n{"b": ', true);
  assert.deepEqual(reader.end().map((d) => `${d.line}:${d.code}`), ["3:truncated_object"]);
  assert.deepEqual(values, [{ line: 2, value: { a: 1 } }]);
  // closed by its `]` (after a comma, as Helicone writes it): no problem
  const closed = new JsonValueReader("f", () => {}, { arrayElements: true });
  closed.push('[{"a": 1},\n]', true);
  assert.deepEqual(closed.end(), []);
});

Deno.test("JsonValueReader: every fixture gives the same values and diagnostics in pieces", () => {
  const files = allFixtures().filter((p) => !p.endsWith(".csv"));
  assert.ok(files.length >= 20, `${files.length} fixtures`);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const whole = parseJsonValues(text, "f");
    // pieces of a few sizes, cut at odd places (inside strings, escapes, surrogate pairs)
    for (const step of [997, 4096, 65_537]) {
      assert.deepEqual(inPieces(text, every(text, step)), whole, `${file}, pieces of ${step}`);
    }
  }
});

Deno.test("JsonValueReader: members: a top-level object's arrays read element by element, the object last without them", () => {
  const text =
    '{"data": [\n{"a": 1},\n  5,\n  {"b": "x,]}\\""}\n], "x": [1, 2], "y": {"z": [{"q": 1}]}, "n": 2}\n' +
    '{"data":[{"a":1},{"bad":}],"errors":["e"]}\n[{"top":1},{"top":2}]\n{"data":[{"cut":1}, {"b":';
  const whole = inPieces(text, [], false, ["data", "x", "y", "z"]);
  // by hand: the objects and arrays of the arrays `data` and `x` come on their own, each with
  // its line and place; scalars stay in the object; `y.z` is not an array of the top object
  assert.deepEqual(whole.values, [
    { line: 2, value: { a: 1 }, path: "data[0]" },
    { line: 4, value: { b: 'x,]}"' }, path: "data[2]" },
    // holes where the elements were: the scalar 5 keeps its index
    { line: 1, value: { data: sparse(3, { 1: 5 }), x: [1, 2], y: { z: [{ q: 1 }] }, n: 2 } },
    { line: 6, value: { a: 1 }, path: "data[0]" },
    // the element that does not parse is one problem, and out of the object
    { line: 6, value: { data: sparse(2, {}), errors: ["e"] } },
    // a top-level array is one value, as without members
    { line: 7, value: [{ top: 1 }, { top: 2 }] },
    // a document cut off: its whole elements were read
    { line: 8, value: { cut: 1 }, path: "data[0]" },
  ]);
  assert.deepEqual(whole.diagnostics.map((d) => [d.line, d.code]), [
    [6, "invalid_json"],
    [8, "truncated_object"],
  ]);
  for (const step of [1, 2, 3, 5, 8, 13]) {
    assert.deepEqual(
      inPieces(text, every(text, step), false, ["data", "x", "y", "z"]),
      inPieces(text, [], false, ["data", "x", "y", "z"]),
      `pieces of ${step}`,
    );
  }
});

/** Arrays of the fixtures' documents (Jaeger's traces, Langfuse's observations, MLflow's spans, …). */
const NAMES = ["data", "observations", "spans", "traces", "resourceSpans", "messages", "steps"];

Deno.test("JsonValueReader: members: without members, and in values of every fixture, the same values as the document read whole", () => {
  // without the option nothing is split
  assert.deepEqual(inPieces('{"data":[{"a":1}]}', []).values, [{
    line: 1,
    value: { data: [{ a: 1 }] },
  }]);
  // with it, each fixture's values put back in their arrays are the values read whole
  for (const file of allFixtures().filter((p) => !p.endsWith(".csv"))) {
    const text = readFileSync(file, "utf8");
    const whole = parseJsonValues(text, "f");
    // every array of a top-level object of these names: the names of the fixtures' documents
    const split = inPieces(text, every(text, 4096), false, NAMES);
    const rebuilt: JsonValue[] = [];
    let held: { path: string; value: unknown }[] = [];
    for (const v of split.values) {
      if (v.path !== undefined) {
        held.push({ path: v.path, value: v.value });
        continue;
      }
      const object = v.value as Record<string, unknown[]>;
      // each element back at its index (its path), the scalars kept in order around them
      const byKey = new Map<string, { at: number; value: unknown }[]>();
      for (const h of held) {
        const [, key, at] = /^(.*)\[(\d+)\]$/.exec(h.path)!;
        if (!byKey.has(key!)) byKey.set(key!, []);
        byKey.get(key!)!.push({ at: Number(at), value: h.value });
      }
      for (const [key, items] of byKey) {
        // the elements back in their holes
        const list = object[key]!;
        for (const { at, value } of items) list[at] = value;
        object[key] = list;
      }
      rebuilt.push({ line: v.line, value: object });
      held = [];
    }
    assert.deepEqual(rebuilt, whole.values, file);
    assert.deepEqual(split.diagnostics, whole.diagnostics, file);
  }
});

Deno.test("JsonValueReader: values run together on one line, and elements one per line with their commas", () => {
  const read = (text: string, elements = false) => {
    const out: unknown[] = [];
    const r = new JsonValueReader("f.json", (v) => out.push([v.line, v.value]), { elements });
    r.push(text, true);
    return { values: out, diagnostics: r.end().length };
  };
  // jq -sc's one line of objects: three values on line 1, then one on line 2
  assert.deepEqual(read('{"a":1}{"b":2} {"c":3}\n{"d":4}\n'), {
    values: [[1, { a: 1 }], [1, { b: 2 }], [1, { c: 3 }], [2, { d: 4 }]],
    diagnostics: 0,
  });
  // an array's elements one per line (its bracket blanked): the comma after each is a separator
  assert.deepEqual(read(' \n{"a":1},\n{"b":[1,2]} ,\n{"c":3}\n]\n', true), {
    values: [[2, { a: 1 }], [3, { b: [1, 2] }], [4, { c: 3 }]],
    diagnostics: 0,
  });
});
