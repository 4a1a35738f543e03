/**
 * The loader's hand-written check (`fastValid`) must never accept what zod
 * rejects: it only lets the common well-formed line skip zod. Here it must agree
 * with zod on every line of the fixtures and bundled traces, and on thousands of
 * deterministic mutations of them.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, seeded } from "../_helpers.ts";
import { fastValid } from "../../src/load/_event.ts";
import { parseTimestamp } from "../../src/load/timestamp.ts";
import { validateEvent } from "../../src/schema/mod.ts";

function jsonlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsonlFiles(join(dir, e.name))
      : e.name.endsWith(".jsonl")
      ? [join(dir, e.name)]
      : []
  );
}

/** The JSON objects of every parseable line of tests/fixtures/**.jsonl and traces/*.jsonl. */
function fixtureObjects(): Record<string, unknown>[] {
  const files = [...jsonlFiles(join(ROOT, "tests/fixtures")), ...jsonlFiles(join(ROOT, "traces"))];
  const objects: Record<string, unknown>[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, "utf8").replace(/^\uFEFF/, "").split("\n")) {
      try {
        const value = JSON.parse(line);
        if (value && typeof value === "object" && !Array.isArray(value)) objects.push(value);
      } catch {
        // not JSON: never reaches either check
      }
    }
  }
  return objects;
}

/** The loader calls `fastValid` only once `type` is a non-empty string and `timestamp` parsed. */
function reachesCheck(obj: Record<string, unknown>): boolean {
  return typeof obj.type === "string" && obj.type !== "" && typeof obj.timestamp === "string" &&
    parseTimestamp(obj.timestamp) !== null;
}

function agree(obj: Record<string, unknown>, what: string): void {
  if (!reachesCheck(obj)) return;
  const zod = validateEvent(obj).success;
  const fast = fastValid(obj);
  if (fast) {
    assert.ok(
      zod,
      `fast check accepts what zod rejects: ${what}: ${JSON.stringify(obj).slice(0, 300)}`,
    );
  }
  assert.equal(
    fast,
    zod,
    `fast check and zod disagree: ${what}: ${JSON.stringify(obj).slice(0, 300)}`,
  );
}

Deno.test("fastValid() agrees with zod on every line of the fixtures and bundled traces", () => {
  const objects = fixtureObjects();
  assert.ok(objects.length > 100);
  for (const [i, obj] of objects.entries()) agree(obj, `fixture object ${i}`);
});

Deno.test("fastValid() accepts every line of the bundled traces (the fast path is the common path)", () => {
  for (const file of jsonlFiles(join(ROOT, "traces"))) {
    for (const line of readFileSync(file, "utf8").split("\n").filter((l) => l.trim())) {
      assert.ok(fastValid(JSON.parse(line)), `${file}: ${line.slice(0, 120)}`);
    }
  }
});

const ODD_VALUES: unknown[] = [
  undefined, // delete the field
  null,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  2 ** 53 - 1,
  1e308,
  "",
  "x",
  "12",
  [],
  ["a"],
  [{ content: "hi" }],
  {},
  { a: 1 },
  { cached_tokens: 3 },
  { cached_tokens: -3 },
  { reasoning_tokens: 1.5 },
  { input_tokens: 1 },
  { input_tokens: "1" },
];

const EXTRA_KEYS = [
  "type",
  "timestamp",
  "session_id",
  "data",
  "duration_seconds",
  "request_id",
  "model",
  "params",
  "messages",
  "provider",
  "operation",
  "stream",
  "retry_of",
  "success",
  "output",
  "usage",
  "ttft_seconds",
  "finish_reason",
  "error",
  "error_type",
  "cached_tokens",
  "prompt_tokens_details",
  "completion_tokens_details",
  "input_tokens_details",
  "output_tokens_details",
  "reasoning_tokens",
  "input_tokens",
  "prompt_tokens",
  "cache_creation_input_tokens",
  "cache_creation",
  "ephemeral_1h_input_tokens",
  "cache_write_1h_tokens",
  "server_tool_use",
  "web_search_requests",
];

const TYPES = [
  "session_start",
  "session_metadata",
  "llm_request",
  "llm_response",
  "llm_error",
  "session_end",
  "step",
];

/** Deterministic PRNG (mulberry32). */
const random = seeded;

/** The objects (at any depth, arrays excluded) of `value`, as parent objects to mutate. */
function objectsIn(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (value && typeof value === "object") {
    if (!Array.isArray(value)) out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) objectsIn(v, out);
  }
  return out;
}

Deno.test("fastValid() agrees with zod on 40,000 mutations of the fixture lines", () => {
  const base = fixtureObjects().filter(reachesCheck);
  const rand = random(7);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
  for (let i = 0; i < 40_000; i++) {
    const obj = structuredClone(pick(base));
    if (rand() < 0.3) obj.type = pick(TYPES);
    const mutations = 1 + Math.floor(rand() * 3);
    for (let m = 0; m < mutations; m++) {
      const parent = pick(objectsIn(obj));
      if (parent === obj && rand() < 0.5) continue; // keep type/timestamp reachable most of the time
      const keys = Object.keys(parent);
      const key = rand() < 0.5 && keys.length ? pick(keys) : pick(EXTRA_KEYS);
      const value = structuredClone(pick(ODD_VALUES));
      if (value === undefined) delete parent[key];
      else parent[key] = value;
    }
    agree(obj, `mutation ${i}`);
  }
});
