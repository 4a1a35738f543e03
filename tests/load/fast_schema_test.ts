import assert from "node:assert/strict";
import { FAST_SCHEMA } from "../../src/load/_fast_read.ts";
import { llmErrorDataSchema, llmRequestDataSchema, llmResponseDataSchema, usageSchema } from "../../src/schema/mod.ts";

Deno.test("the Polars reader's schema declares only fields the zod schemas define", () => {
  const zodData = new Set([
    ...Object.keys(llmRequestDataSchema.shape),
    ...Object.keys(llmResponseDataSchema.shape),
    ...Object.keys(llmErrorDataSchema.shape),
  ]);
  const data = FAST_SCHEMA.data as unknown as { fields: { name: string; dtype: { fields?: { name: string }[] } }[] };
  const names = data.fields.map((f) => f.name);
  assert.deepEqual(names.filter((n) => !zodData.has(n)), []);
  const usage = data.fields.find((f) => f.name === "usage")!.dtype.fields!.map((f) => f.name);
  assert.deepEqual(usage.filter((n) => !(n in usageSchema.shape)), []);
});
