import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { fromTraceText } from "../../src/load/mod.ts";
import { allFigures } from "../../src/figures/all_figures.ts";

const ev = (type: string, ts: string, data: Record<string, unknown>, session = "s\u0007ession") =>
  JSON.stringify({ type, timestamp: ts, session_id: session, data });

// a model name and a session id holding characters XML forbids even as references
const HOSTILE = "gpt\u0000-\u001b]0;title\u0007-\ufffe-\ud800-4o";

Deno.test("every figure of a trace whose names hold characters XML forbids is well-formed SVG and renders to PNG", async () => {
  const text = [
    ev("session_start", "2025-01-01T00:00:00", {}),
    ev("llm_request", "2025-01-01T00:00:00", { request_id: "a", model: HOSTILE }),
    ev("llm_response", "2025-01-01T00:00:02", {
      request_id: "a",
      duration_seconds: 2,
      model: HOSTILE,
      usage: { input_tokens: 10, output_tokens: 5 },
    }),
    ev("llm_request", "2025-01-01T00:00:03", { request_id: "b", model: "gpt-4o" }),
    ev("llm_error", "2025-01-01T00:00:04", {
      request_id: "b",
      duration_seconds: 1,
      error: "x\u0000y",
    }),
  ].join("\n") + "\n";
  const traces = fromTraceText(text);
  assert.equal(traces.calls.height, 2);
  const parser = new new JSDOM("").window.DOMParser();
  for (const { name, figure } of await allFigures(traces)) {
    const svg = figure.toSVG();
    // deno-lint-ignore no-control-regex
    assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(svg), name);
    const doc = parser.parseFromString(svg, "image/svg+xml");
    assert.equal(
      doc.getElementsByTagName("parsererror").length,
      0,
      `${name} is not well-formed XML`,
    );
    const png = figure.toPNG();
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${name} PNG`); // "PNG"
  }
});
