/**
 * `deno task schema`: write the JSON Schema of one trace line, generated from
 * the zod schemas of `src/schema/`, to `schema/trace-event.schema.json`
 * (committed; `tests/schema/json_schema_test.ts` fails when it is stale).
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { traceEventJsonSchema } from "../src/schema/mod.ts";
import { parseCli } from "./_cli.ts";

/** Where the schema file lives, relative to the repository root. */
export const SCHEMA_PATH = "schema/trace-event.schema.json";

/** The text of the schema file: pretty-printed JSON with a final newline. */
export function renderSchemaFile(): string {
  return JSON.stringify(traceEventJsonSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  parseCli(
    `Usage: deno task schema\n\nWrites ${SCHEMA_PATH}, the JSON Schema of one trace line, from the zod schemas.`,
    {},
  );
  const path = fileURLToPath(new URL(`../${SCHEMA_PATH}`, import.meta.url));
  writeFileSync(path, renderSchemaFile());
  console.log(`wrote ${SCHEMA_PATH}`);
}
