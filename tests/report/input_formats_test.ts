import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { buildReportInput, renderReport } from "../../src/report/mod.ts";

Deno.test("the report lists each input file with the format it was read as", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-report-formats-" });
  try {
    copyFileSync(
      join(ROOT, "tests/load/formats/fixtures/batch_small.jsonl"),
      join(dir, "a_batch.jsonl"),
    );
    copyFileSync(
      join(ROOT, "traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl"),
      join(dir, "b_native.jsonl"),
    );
    writeFileSync(join(dir, "c_config.json"), JSON.stringify({ name: "app", version: "1.0.0" }));
    const traces = await loadTraces(dir, { cache: false });
    const input = await buildReportInput(traces, { figures: false });
    assert.deepEqual(input.files?.map((f) => [f.file.slice(dir.length + 1), f.format]), [
      ["a_batch.jsonl", "openai_batch"],
      ["b_native.jsonl", "native"],
      // seen, but not a trace: listed so that nothing is skipped without a word
      ["c_config.json", null],
    ]);
    const html = renderReport(input);
    const table = html.slice(html.indexOf('id="table-files"'));
    assert.match(table, /<th[^>]*>Format<\/th>/);
    assert.ok(
      table.indexOf("openai_batch") > 0 &&
        table.indexOf("openai_batch") < table.indexOf("b_native.jsonl"),
    );
    assert.ok(table.indexOf("not a trace") > table.indexOf("c_config.json"));
    // the config file is not a trace: one warning in data quality, not a row of calls
    assert.deepEqual(
      traces.diagnostics.filter(pl.col("file").str.endsWith("c_config.json")).select(
        "code",
        "severity",
      ).toRecords(),
      [{ code: "not_a_trace", severity: "warning" }],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
