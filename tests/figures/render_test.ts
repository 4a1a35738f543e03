import assert from "node:assert/strict";
import { Event as DomEvent, parseHTML } from "linkedom";
import { modelsUsed } from "../../src/figures/models_used.ts";
import { callsFrame } from "./_calls.ts";

// A figure's nodes are made without linkedom's listener maps while it is drawn
// (`listenerlessNodes` in _render.ts); the nodes of any other linkedom document keep them.
Deno.test("after a figure is drawn, linkedom's own nodes still take and fire listeners", async () => {
  const figure = await modelsUsed(callsFrame([{ model: "m" }, { model: "m" }, { model: "n" }]));
  // m: 2 requests, n: 1 — the figure is drawn (two bars), not an empty state
  assert.equal(figure.empty, false);
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>");
  const button = document.createElement("button");
  document.body.append(button);
  const seen: string[] = [];
  button.addEventListener("click", (e: { type: string }) => seen.push(e.type));
  document.body.addEventListener("click", () => seen.push("body"));
  button.dispatchEvent(new DomEvent("click", { bubbles: true }) as unknown as Event);
  // the button's listener, then the body's as the event bubbles
  assert.deepEqual(seen, ["click", "body"]);
});
