import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { fromTraceText } from "../../../src/load/mod.ts";

Deno.test("openai_batch: a failed request given as response.status_code 400 with body.error (top-level error null) is an error", () => {
  // the shape of katchinsky/jewish-maps batch_errors.jsonl (SOURCES.md): every line failed this way
  const lines = Array.from({ length: 3 }, (_, i) =>
    JSON.stringify({
      id: `batch_req_${i}`,
      custom_id: `request-${i}`,
      response: {
        status_code: 400,
        request_id: `req_${i}`,
        body: {
          error: {
            message: `The model 'gpt-4-x' does not exist (${i})`,
            type: "invalid_request_error",
            param: "model",
            code: "model_not_found",
          },
        },
      },
      error: null,
    }));
  const t = fromTraceText(lines.join("\n") + "\n", { file: "batch_errors.jsonl" });
  assert.equal(t.formats?.["batch_errors.jsonl"], "openai_batch");
  assert.equal(t.calls.height, 3);
  assert.equal(t.calls.filter(pl.col("status").eq(pl.lit("error"))).height, 3);
  assert.deepEqual(t.calls.getColumn("error").toArray(), [
    "The model 'gpt-4-x' does not exist (0)",
    "The model 'gpt-4-x' does not exist (1)",
    "The model 'gpt-4-x' does not exist (2)",
  ]);
  assert.deepEqual(t.sessions.select("calls", "errors").toRecords(), [{ calls: 3, errors: 3 }]);
});
