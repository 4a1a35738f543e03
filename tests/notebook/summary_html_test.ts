import assert from "node:assert/strict";
import { summaryHTML, traceSetHeadline } from "../../src/notebook/summary_html.ts";
import { SUMMARY, traceSet } from "./_values.ts";

Deno.test("summaryHTML() shows the headline numbers and one escaped row per model", () => {
  const html = summaryHTML(SUMMARY);
  assert.ok(!html.includes("<script>"));
  assert.ok(
    html.includes(
      '>Total requests</th><td style="padding:2px 8px;border-bottom:1px solid #ddd;white-space:nowrap;text-align:right">3</td>',
    ),
  );
  assert.ok(html.includes(">1.50 s / 1.95 s<"));
  assert.ok(html.includes(">33.3%<"));
  assert.ok(html.includes(">unpriced<"));
  assert.ok(html.includes("&lt;script&gt;"));
});

Deno.test("traceSetHeadline() counts files, calls by status, sessions, events and diagnostics", () => {
  assert.equal(
    traceSetHeadline(traceSet()),
    "2 files · 4 calls (2 ok, 1 error, 1 pending) · 1 session · 2 events · 0 diagnostics",
  );
});
