import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { formatCell, frameHTML } from "../../src/notebook/frame_html.ts";

const XSS = `<script>alert("x")</script>`;

function rowsOf(html: string): number {
  return (html.match(/<tr>/g) ?? []).length;
}

Deno.test("formatCell() formats dates, floats, bigints, nulls and long text", () => {
  assert.equal(formatCell(new Date("2025-04-08T19:42:09Z")), "2025-04-08 19:42:09Z");
  assert.equal(formatCell(new Date("2025-04-08T19:42:09.345Z")), "2025-04-08 19:42:09.345Z");
  assert.equal(formatCell(1.23456789), "1.23457");
  assert.equal(formatCell(0.000123456789), "0.000123457");
  assert.equal(formatCell(42), "42");
  assert.equal(formatCell(12n), "12");
  assert.equal(formatCell(null), null);
  assert.equal(formatCell([1, 2]), "[1,2]");
  assert.equal(formatCell("abcdefghij", 5), "abcd…");
});

Deno.test("frameHTML() escapes column names and values from traces", () => {
  const df = pl.DataFrame({ [XSS]: [XSS] });
  const html = frameHTML(df);
  assert.ok(!html.includes("<script>"));
  assert.equal(html.split("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;").length - 1, 2);
});

Deno.test("frameHTML() shows the shape, the dtypes and at most maxRows rows around an ellipsis", () => {
  const df = pl.DataFrame({
    i: Array.from({ length: 100 }, (_, k) => k),
    s: Array.from({ length: 100 }, (_, k) => `r${k}`),
  });
  const html = frameHTML(df, { maxRows: 6 });
  assert.ok(html.includes("shape: (100, 2)"));
  assert.ok(html.includes(">Float64<"));
  // header + 3 head rows + ellipsis + 3 tail rows
  assert.equal(rowsOf(html), 1 + 3 + 1 + 3);
  for (const kept of ["r0", "r2", "r97", "r99"]) assert.ok(html.includes(`>${kept}<`), kept);
  for (const cut of ["r3", "r96"]) assert.ok(!html.includes(`>${cut}<`), cut);
  assert.equal(rowsOf(frameHTML(df.head(5), { maxRows: 6 })), 1 + 5);
});

Deno.test("frameHTML() limits columns and says how many are hidden", () => {
  const df = pl.DataFrame({ a: [1], b: [2], c: [3] });
  const html = frameHTML(df, { maxColumns: 2 });
  assert.ok(html.includes("shape: (1, 3), 1 more column not shown"));
  assert.ok(!html.includes(">c<"));
});

Deno.test("frameHTML() shows nulls as a grey null", () => {
  const html = frameHTML(pl.DataFrame({ a: [null, 1] }));
  assert.ok(html.includes('color:#999">null</td>'));
});
