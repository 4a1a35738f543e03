/**
 * Golden SVG snapshots, normalized the way Observable Plot's own tests do:
 * numbers rounded to 3 decimals, Plot's generated class (`plot-d6a7b5`)
 * renamed `plot`, clip/marker/gradient/pattern ids renumbered in order of
 * first appearance only with `UPDATE_SNAPSHOTS=1`, which rewrites the files (refused in CI).
 * @module
 */
import { assertGolden } from "../_golden.ts";
import { JSDOM } from "jsdom";

const DIR = new URL("./__snapshots__/", import.meta.url);

/** The normalized, one-element-per-line form of an SVG. */
export function normalizeSvg(svg: string): string {
  const ids = new Map<string, string>();
  const counters = new Map<string, number>();
  return svg
    .replace(/\d+\.\d+(e[+-]\d+)?/g, (d) => String(+(+d).toFixed(3)))
    .replace(/\bplot-[0-9a-f]{6}\b/g, "plot")
    .replace(/\bplot-(clip|marker|gradient|pattern)-\d+\b/g, (id, kind: string) => {
      if (!ids.has(id)) {
        const n = (counters.get(kind) ?? 0) + 1;
        counters.set(kind, n);
        ids.set(id, `plot-${kind}-${n}`);
      }
      return ids.get(id)!;
    })
    .replace(/></g, ">\n<") + "\n";
}

/** Compare `svg` with `__snapshots__/<name>.svg` after normalization (or write it). */
export function assertSnapshot(name: string, svg: string): void {
  assertGolden(new URL(`${name}.svg`, DIR), normalizeSvg(svg));
}

/** Parse an SVG string into a DOM to read facts from it. */
export function parseSvg(svg: string): Element {
  const { window } = new JSDOM("");
  const doc = new window.DOMParser().parseFromString(svg, "image/svg+xml");
  const err = doc.querySelector("parsererror");
  if (err) throw new Error(`Invalid SVG: ${err.textContent}`);
  return doc.documentElement as unknown as Element;
}

/** The elements of the Plot mark with `aria-label` = `mark` (e.g. "rect", "bar", "dot"). */
export function markElements(root: Element, mark: string, tag: string): Element[] {
  return [
    ...root.querySelectorAll(
      `g[aria-label="${mark}"] > ${tag}, g[aria-label="${mark}"] > g > ${tag}`,
    ),
  ];
}

/** The text of every tick label of an axis (`"x-axis"` or `"y-axis"`). */
export function tickLabels(root: Element, axis: "x-axis" | "y-axis"): string[] {
  return [...root.querySelectorAll(`g[aria-label="${axis} tick label"] text`)].map((t) =>
    t.textContent ?? ""
  );
}

/** The text of every `<text>` element of the figure. */
export function texts(root: Element): string[] {
  return [...root.querySelectorAll("text")].map((t) => t.textContent ?? "");
}
