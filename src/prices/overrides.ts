/**
 * User price overrides (`--prices FILE`): a small JSON object, USD per million
 * tokens, by exact model name, validated by a zod schema; errors are one
 * sentence naming the file and the problem.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { z } from "../schema/zod.ts";
import { UserError } from "../log/mod.ts";

/** The price of one model given by the user, in USD per million tokens. */
export interface PriceOverride {
  /** USD per million input (prompt) tokens. */
  input: number;
  /** USD per million output (completion) tokens. */
  output: number;
  /** USD per million cache-read input tokens. @default the input price */
  cache_read?: number;
  /** USD per million cache-write input tokens. @default the input price */
  cache_write?: number;
  /** Provider to fill in when the trace names none. */
  provider?: string;
}

/** User price overrides: USD per million tokens, by exact model name. */
export interface PriceOverrides {
  /** The prices of one model, by its exact name. */
  [model: string]: PriceOverride;
}

const perMillion = z.number({ error: "must be a number" }).finite().nonnegative({
  error: "must not be negative",
});

/** The zod schema of a `--prices` file. */
export const priceOverridesSchema: z.ZodType<PriceOverrides> = z.record(
  z.string().min(1, { error: "a model name must not be empty" }),
  z.strictObject({
    input: perMillion,
    output: perMillion,
    cache_read: perMillion.optional(),
    cache_write: perMillion.optional(),
    provider: z.string().min(1).optional(),
  }),
);

/**
 * Parse the text of a `--prices` file: a JSON object mapping model names to
 * prices in USD per million tokens. `source` names the file in error messages.
 *
 * @throws {UserError} naming the file and what is wrong.
 * @example
 * ```ts
 * import { parsePriceOverrides } from "./overrides.ts";
 * const prices = parsePriceOverrides('{"my-model": {"input": 0.5, "output": 1.5, "cache_read": 0.05}}');
 * if (prices["my-model"]?.output !== 1.5) throw new Error("expected 1.5");
 * ```
 */
export function parsePriceOverrides(text: string, source = "prices"): PriceOverrides {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new UserError(`Cannot parse ${source}: ${(error as Error).message}.`, { cause: error });
  }
  const result = priceOverridesSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length
      ? issue.path.map((p) => JSON.stringify(String(p))).join(".")
      : "the file";
    const what = issue.code === "unrecognized_keys"
      ? `has unknown field ${
        issue.keys.map((k) => JSON.stringify(k)).join(", ")
      } (expected input, output, cache_read, cache_write, provider)`
      : issue.code === "invalid_type" && issue.path.length === 0
      ? 'must be a JSON object like {"my-model": {"input": 0.5, "output": 1.5}}'
      : issue.code === "invalid_type" && valueAt(value, issue.path) === undefined
      ? "is missing"
      : issue.message;
    throw new UserError(`Invalid prices in ${source}: ${where} ${what}.`, { cause: result.error });
  }
  return result.data;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Read and validate a `--prices` file (see {@link parsePriceOverrides}).
 *
 * The file is a small JSON object, USD per million tokens, by exact model name:
 * `{ "my-model": { "input": 0.5, "output": 1.5, "cache_read": 0.05 } }`
 * (`cache_read`, `cache_write` and `provider` are optional).
 *
 * @throws {UserError} when the file cannot be read or is not valid.
 * @example
 * ```ts
 * import { loadPriceOverrides } from "./overrides.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".json" });
 * Deno.writeTextFileSync(path, '{"my-model": {"input": 0.5, "output": 1.5}}');
 * if (loadPriceOverrides(path)["my-model"]?.input !== 0.5) throw new Error("expected 0.5");
 * ```
 */
export function loadPriceOverrides(path: string): PriceOverrides {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT"
      ? "no such file"
      : code === "EISDIR"
      ? "it is a directory"
      : (error as Error).message;
    throw new UserError(`Cannot read prices file ${path}: ${why}.`, { cause: error });
  }
  return parsePriceOverrides(text, path);
}
