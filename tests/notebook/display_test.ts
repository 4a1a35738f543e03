import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  escapeHTML,
  formatCell,
  frameHTML,
  JUPYTER_DISPLAY,
  mimeBundle,
  show,
  summaryHTML,
  toHTML,
  toText,
  traceSetHeadline,
} from "../../src/notebook/mod.ts";
import type { TraceSet } from "../../src/frames/columns.ts";
import { Figure } from "../../src/figures/figure.ts";

const XSS = `<script>alert("x")</script>`;

function rowsOf(html: string): number {
  return (html.match(/<tr>/g) ?? []).length;
}

Deno.test("escapeHTML() escapes the five HTML-significant characters", () => {
  assert.equal(
    escapeHTML(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

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

const SUMMARY = {
  schema: "tracebook.summary/1",
  generated_at: "2025-04-08T19:42:09",
  inputs: ["traces/"],
  request_count: 3,
  response_count: 2,
  error_count: 1,
  response_time: {
    count: 2,
    mean: 1.5,
    std: 0.7071,
    min: 1,
    max: 2,
    p50: 1.5,
    p90: 1.9,
    p95: 1.95,
    p99: 1.99,
  },
  models_used: { [XSS]: 3 },
  calls: { total: 3, ok: 2, error: 1, pending: 0 },
  tokens: { input: 10, output: 20, total: 30, calls_with_usage: 2 },
  cost_usd: { total: null, priced_calls: 0, unpriced_models: [XSS] },
  sessions: { count: 1, complete: 1, unfinished: 0 },
  by_model: [{
    model: XSS,
    calls: 3,
    ok: 2,
    errors: 1,
    error_rate: 1 / 3,
    latency: { mean: 1.5, p50: 1.5, p90: 1.9, p95: 1.95, p99: 1.99, min: 1, max: 2, count: 2 },
    input_tokens: 10,
    output_tokens: 20,
    cost_usd: null,
  }],
  diagnostics: { count: 0, by_code: {} },
};

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

Deno.test("toText() of a summary is the seed's summary.txt", () => {
  const text = toText(SUMMARY);
  assert.ok(text.startsWith("Trace Analysis Summary\n=====================\n"));
  assert.ok(text.includes("Total Requests: 3\nSuccessful Responses: 2\nErrors: 1\n"));
});

function traceSet(): TraceSet {
  return {
    calls: pl.DataFrame({ status: ["ok", "ok", "error", "pending"], model: ["a", "a", "b", XSS] }),
    sessions: pl.DataFrame({ session_id: ["s1"] }),
    events: pl.DataFrame({ type: ["x", "y"] }),
    diagnostics: pl.DataFrame({ code: [] as string[] }),
    files: ["a.jsonl", "b.jsonl"],
    inputs: ["traces/"],
  };
}

Deno.test("traceSetHeadline() counts files, calls by status, sessions, events and diagnostics", () => {
  assert.equal(
    traceSetHeadline(traceSet()),
    "2 files · 4 calls (2 ok, 1 error, 1 pending) · 1 session · 2 events · 0 diagnostics",
  );
});

Deno.test("toHTML() of a TraceSet shows calls and sessions, escaped, and no empty diagnostics table", () => {
  const html = toHTML(traceSet());
  assert.ok(html.includes("<b>calls</b>"));
  assert.ok(html.includes("<b>sessions</b>"));
  assert.ok(!html.includes("<b>diagnostics</b>"));
  assert.ok(!html.includes("<script>"));
});

Deno.test("mimeBundle() of a Figure is its own bundle; of an SVG-like its SVG; of anything else escaped HTML and text", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>';
  assert.deepEqual(mimeBundle({ toSVG: () => svg, title: "T" }), {
    "image/svg+xml": svg,
    "text/plain": "Figure: T",
  });
  const fig = new Figure(svg, { title: XSS, width: 1, height: 1 });
  const bundle = mimeBundle(fig);
  assert.deepEqual(Object.keys(bundle), ["text/html", "image/svg+xml", "image/png", "text/plain"]);
  assert.ok(
    bundle["text/html"]!.startsWith(
      '<img alt="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;"',
    ),
  );
  assert.equal(bundle["text/plain"], `Figure: ${XSS}`);
  assert.deepEqual(mimeBundle({ prompt: XSS }), {
    "text/html":
      "<pre>{\n  &quot;prompt&quot;: &quot;&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;&quot;\n}</pre>",
    "text/plain": '{\n  "prompt": "<script>alert(\\"x\\")</script>"\n}',
  });
});

Deno.test('show() returns a value a Deno notebook displays through Symbol.for("Jupyter.display")', () => {
  const shown = show(pl.DataFrame({ a: [1, 2, 3] }));
  const bundle = shown[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(bundle), ["text/html", "text/plain"]);
  assert.ok(bundle["text/html"]!.includes("shape: (3, 1)"));
  assert.equal(shown.text, bundle["text/plain"]);
});

Deno.test("plotFigure() draws a Plot chart as a Figure with the title escaped", async () => {
  const Plot = await import("@observablehq/plot");
  const { plotFigure } = await import("../../src/notebook/mod.ts");
  const fig = await plotFigure({
    title: XSS,
    width: 300,
    height: 200,
    plot: { marks: [Plot.barY([{ m: "a", n: 2 }, { m: "b", n: 3 }], { x: "m", y: "n" })] },
  });
  const svg = fig.toSVG();
  assert.match(svg, /^<svg[^>]*\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(!svg.includes("<script>"));
  assert.ok(svg.includes("&lt;script&gt;"));
  assert.equal(fig.width, 300);
  assert.equal(fig.title, XSS);
  assert.equal((svg.match(/<rect /g) ?? []).length >= 2, true);
});
