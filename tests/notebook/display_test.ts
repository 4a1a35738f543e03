import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { JUPYTER_DISPLAY, mimeBundle, show, toHTML, toText } from "../../src/notebook/mod.ts";
import { Figure } from "../../src/figures/figure.ts";
import { SUMMARY, traceSet, XSS } from "./_values.ts";

Deno.test("toText() of a summary is the seed's summary.txt", () => {
  const text = toText(SUMMARY);
  assert.ok(text.startsWith("Trace Analysis Summary\n=====================\n"));
  assert.ok(text.includes("Total Requests: 3\nSuccessful Responses: 2\nErrors: 1\n"));
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
