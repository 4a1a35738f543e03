import assert from "node:assert/strict";
import { Figure } from "../../src/figures/figure.ts";
import { latencyHistogram } from "../../src/figures/latency_histogram.ts";
import { at, callsFrame } from "./_calls.ts";
import { parseSvg } from "./_snapshot.ts";

const calls = callsFrame([
  { started_at: at(0), ended_at: at(1), duration_s: 1 },
  { started_at: at(1), ended_at: at(3), duration_s: 2 },
]);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

Deno.test("Figure.toSVG() is a standalone SVG document with the SVG namespace", async () => {
  const fig = await latencyHistogram(calls);
  const svg = fig.toSVG();
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const root = parseSvg(svg);
  assert.equal(root.getAttribute("width"), String(fig.width));
  assert.equal(root.getAttribute("height"), String(fig.height));
  assert.equal(root.getAttribute("viewBox"), `0 0 ${fig.width} ${fig.height}`);
  assert.match(root.getAttribute("font-family")!, /"DejaVu Sans", sans-serif$/);
  assert.equal(root.querySelector("title")?.textContent, "Distribution of Response Times");
});

Deno.test("Figure.toPNG() renders a PNG at twice the SVG size by default", async () => {
  const fig = await latencyHistogram(calls);
  const png = fig.toPNG();
  assert.deepEqual([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual(pngSize(png), [fig.width * 2, fig.height * 2]);
  assert.deepEqual(pngSize(fig.toPNG({ scale: 1 })), [fig.width, fig.height]);
});

Deno.test("Figure.toPNGAsync() gives toPNG()'s bytes, at any scale", async () => {
  const fig = await latencyHistogram(calls);
  assert.deepEqual(await fig.toPNGAsync(), fig.toPNG());
  const small = await fig.toPNGAsync({ scale: 1 });
  assert.deepEqual(pngSize(small), [fig.width, fig.height]);
  assert.deepEqual(small, fig.toPNG({ scale: 1 }));
});

Deno.test("Figure offers Jupyter its SVG, a PNG and an HTML <img> of the SVG", async () => {
  const fig = await latencyHistogram(calls);
  const display = (fig as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]!;
  const bundle = display.call(fig);
  assert.deepEqual(Object.keys(bundle), ["text/html", "image/svg+xml", "image/png", "text/plain"]);
  assert.equal(bundle["image/svg+xml"], fig.toSVG());
  assert.deepEqual(atob(bundle["image/png"]!).slice(1, 4), "PNG");
  const img =
    /^<img alt="([^"]*)" width="(\d+)" style="[^"]*" src="data:image\/svg\+xml;base64,([^"]+)">$/
      .exec(bundle["text/html"]!);
  assert.ok(img, bundle["text/html"]!.slice(0, 80));
  assert.equal(Number(img[2]), fig.width);
  const svgBytes = Uint8Array.from(atob(img[3]!), (c) => c.charCodeAt(0));
  assert.equal(new TextDecoder().decode(svgBytes), fig.toSVG());
  assert.equal(bundle["text/plain"], `Figure: ${fig.title}`);
});

Deno.test("new Figure() refuses an SVG without the SVG namespace (resvg cannot render it)", () => {
  assert.throws(
    () => new Figure('<svg width="1" height="1"></svg>', { title: "t", width: 1, height: 1 }),
    TypeError,
  );
});

Deno.test("a model name holding markup stays text in the SVG", async () => {
  const { modelsUsed } = await import("../../src/figures/models_used.ts");
  const evil = '<script>alert(1)</script><img src=x onerror="alert(2)">';
  const fig = await modelsUsed(callsFrame([{ model: evil }]));
  const svg = fig.toSVG();
  assert.ok(!svg.includes("<script>"));
  assert.ok(!svg.includes("<img"));
  const root = parseSvg(svg);
  assert.equal(root.querySelectorAll("script, img").length, 0);
  assert.ok([...root.querySelectorAll("text")].some((t) => t.textContent === evil));
});
