/** The Markdown summaries (compare.md, report.md) escape trace strings and keep their tables whole. */
import assert from "node:assert/strict";
import { mdCell, modelTableMarkdown, reportMarkdown } from "../../src/report/markdown.ts";
import { SAMPLE_INPUT, XSS } from "../fixtures/report/sample_input.ts";

Deno.test("mdCell() escapes HTML and the characters Markdown reads, and keeps one line", () => {
  assert.equal(mdCell("a|b"), "a\\|b");
  assert.equal(mdCell("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  assert.equal(
    mdCell("**bold** _it_ `code` [link](x)"),
    "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[link\\](x)",
  );
  assert.equal(mdCell("two\nlines"), "two lines");
});

Deno.test("report.md: the headline and the model table, every model name escaped", () => {
  const md = reportMarkdown(SAMPLE_INPUT.summary, { title: XSS.title });
  assert.ok(!md.includes("<script"), md);
  // Every table row has the header's number of cells (no stray | from a name).
  const rows = md.split("\n").filter((l) => l.startsWith("| "));
  const cells = (l: string) => l.split(/(?<!\\)\|/).length;
  assert.ok(rows.length >= 3);
  for (const r of rows) assert.equal(cells(r), cells(rows[0]!), r);
  // The sample: 5 requests, 3 responses, 2 errors of 5 finished calls = 40.0%.
  assert.ok(md.includes("5 requests, 3 responses, 2 errors (40.0% of finished calls)"), md);
  assert.ok(modelTableMarkdown([]).includes("No model calls"));
});
