/**
 * The figures are the only raw HTML in the report, so trace strings drawn in them
 * (model names on axes and legends, titles) must come out of Plot and jsdom's
 * serializer as text, never as markup.
 */
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { allFigures } from "../../src/figures/mod.ts";
import { fromTraceText } from "../../src/load/mod.ts";
import { ROOT } from "../_helpers.ts";

const MODEL = `<script>window.__xss=1</script><img src=x onerror=alert(1)>`;

Deno.test("every figure serializes a model name holding <script> as escaped text", async () => {
  const text = Deno.readTextFileSync(`${ROOT}tests/fixtures/report/xss.jsonl`)
    .replaceAll(
      JSON.stringify("<script>window.__xss=1</script>evil-model").slice(1, -1),
      MODEL.replaceAll('"', '\\"'),
    );
  const traces = fromTraceText(text, { file: "xss.jsonl" });
  assert.ok(
    traces.calls.getColumn("model").toArray().includes(MODEL),
    "the fixture now names the hostile model",
  );
  const figures = await allFigures(traces);
  let drawn = 0;
  for (const { name, figure } of figures) {
    const svg = figure.toSVG();
    assert.ok(
      !/<script|<img|onerror=/i.test(svg.replace(/&lt;[^&]*?&gt;/g, "")),
      `${name}: no markup from the trace`,
    );
    assert.ok(!svg.includes(MODEL), `${name}: the raw name is not in the SVG`);
    // Parsed as HTML (as the report inlines it), the SVG holds no element but SVG's own.
    const doc = new JSDOM(`<body>${svg}</body>`).window.document;
    assert.equal(doc.querySelectorAll("script, img, foreignObject").length, 0, name);
    if (doc.body.textContent!.includes("<script>")) drawn++;
  }
  // The name does show (as text) in the figures that label models.
  assert.ok(drawn >= 3, `the model name is drawn as text in ${drawn} figures`);
});
