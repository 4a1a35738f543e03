/** The report says how batch results were priced, under the model table. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadTraces } from "../../src/load/mod.ts";
import { buildReportInput, renderReport } from "../../src/report/mod.ts";

const BATCH = fileURLToPath(
  new URL("../load/formats/fixtures/anthropic_batch_mixed.jsonl", import.meta.url),
);

async function html(inputs: string, listPrices: boolean) {
  const traces = await loadTraces(inputs, { listPrices });
  const input = await buildReportInput(traces, { figures: false, calls: false, listPrices });
  return renderReport(input, { title: "t" });
}

Deno.test("report: batch results priced at the batch rate (half the list price), or at list prices with --list-prices", async () => {
  // anthropic_batch_mixed.jsonl: 6 results, all batch calls
  const batch = await html(BATCH, false);
  assert.ok(
    batch.includes(
      '<p class="note" id="price-note">6 batch results priced at the batch rate (half the list price); --list-prices prices them at the list price.</p>',
    ),
  );
  const list = await html(BATCH, true);
  assert.ok(
    list.includes(
      '<p class="note" id="price-note">6 batch results priced at the list price (--list-prices).</p>',
    ),
  );
  // no batch call, no note
  const native = await html("traces/trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl", false);
  assert.ok(!native.includes('id="price-note"'));
});
