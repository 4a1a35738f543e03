import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { renderSchemaFile, SCHEMA_PATH } from "../../scripts/write_schema.ts";

Deno.test("schema/trace-event.schema.json is what `deno task schema` writes (run it when this fails)", () => {
  const committed = readFileSync(join(ROOT, SCHEMA_PATH), "utf8");
  assert.equal(committed, renderSchemaFile());
});

Deno.test("the JSON Schema describes every known event type and custom events", () => {
  const schema = JSON.parse(renderSchemaFile());
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  const text = JSON.stringify(schema);
  for (
    const type of [
      "session_start",
      "session_metadata",
      "llm_request",
      "llm_response",
      "llm_error",
      "session_end",
    ]
  ) {
    assert.ok(text.includes(`"const":"${type}"`), type);
  }
  assert.ok(text.includes('"duration_seconds"'));
});
