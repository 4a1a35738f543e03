/// <reference lib="dom" />
/**
 * Rendering shared by every figure: Observable Plot draws the chart into a
 * linkedom document (imported lazily, on first use: ~0.07 s, where jsdom took
 * ~0.25 s, and several times faster to build a figure of thousands of marks),
 * then the chart is composed with a title, a subtitle and a legend into one
 * standalone SVG that resvg and browsers both render.
 *
 * Plot's own `title` and `legend` options produce HTML (`<figure>`, `<div>`),
 * which neither an `.svg` file nor resvg can hold, so both are drawn here in SVG.
 *
 * @module
 */
import type * as PlotModule from "npm:@observablehq/plot@0.6.17";
import type * as Linkedom from "npm:linkedom@0.18.15";
import { lazyImport } from "../log/_lazy.ts";
import { Figure } from "./figure.ts";
import { COLORS, EMPTY_HEIGHT, FONT_FAMILY, FONT_SIZE, LAYOUT, textWidth } from "./_style.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Observable Plot, imported on the first figure (never by a command that does not draw). */
export type Plot = typeof PlotModule;

interface Dom {
  document: Document;
  Plot: Plot;
  serialize(node: Node): string;
  /** Run `draw`, its new nodes made without a listener map ({@link listenerlessNodes}). */
  withoutListeners<T>(draw: () => T): T;
}

/**
 * linkedom's `Node` constructor gives every node, every attribute too, a map for its
 * event listeners, kept in a WeakMap: a figure of 5,000 dots makes about 40,000 of them
 * (a third of its drawing), and their WeakMap entries (ephemerons) slow every full
 * collection after it. A figure's nodes never take a listener: they are drawn,
 * serialized and dropped. So while a figure is drawn, `Node`'s base class is one whose
 * constructor does nothing; the nodes are the same otherwise, and the one thing they
 * cannot do is take a listener (`addEventListener` throws a `TypeError`). Returns the
 * function that runs a drawing so, or one that only runs it when this linkedom is not
 * laid out as expected (its `Node` not a direct subclass of its `EventTarget`).
 * 200,000 calls, a cold `analyze`: 0.12 s less CPU (1.48 → 1.36 s, median of 6).
 */
function listenerlessNodes(
  linkedom: typeof Linkedom,
  document: Document,
): <T>(draw: () => T) => T {
  const base = linkedom.EventTarget as unknown as object;
  let proto: { constructor: object } | null = Object.getPrototypeOf(
    document.createElementNS(SVG_NS, "g"),
  );
  while (proto && Object.getPrototypeOf(proto.constructor) !== base) {
    proto = Object.getPrototypeOf(proto);
  }
  if (!proto) return (draw) => draw();
  const node = proto.constructor;
  const none = class {};
  return (draw) => {
    Object.setPrototypeOf(node, none);
    try {
      return draw();
    } finally {
      Object.setPrototypeOf(node, base);
    }
  };
}

let dom: Promise<Dom> | undefined;

/**
 * The shared linkedom document and Observable Plot, imported on first use (through
 * `lazyImport`: a literal `import("npm:…")` would put both packages in the module
 * graph of every importer of tracebook).
 */
function loadDom(): Promise<Dom> {
  dom ??= Promise.all([
    lazyImport<typeof Linkedom>("npm:linkedom@0.18.15", import.meta.url),
    lazyImport<Plot>("npm:@observablehq/plot@0.6.17", import.meta.url),
  ])
    .then(([linkedom, Plot]) => {
      const { document } = linkedom.parseHTML("<!DOCTYPE html><html><body></body></html>");
      return {
        document: document as unknown as Document,
        Plot,
        serialize: (node: Node) => serializeSvg(node as Element) ?? xmlSafe(String(node)),
        withoutListeners: listenerlessNodes(linkedom, document as unknown as Document),
      };
    });
  return dom;
}

/** Observable Plot (imported lazily, with the DOM it draws into): for the figure files' marks. */
export async function loadPlot(): Promise<Plot> {
  return (await loadDom()).Plot;
}

/**
 * Characters XML 1.0 forbids even as character references (C0 controls but tab,
 * newline and return; U+FFFE, U+FFFF; lone surrogates): a model name or label
 * from a trace that holds one would make the SVG unreadable (and the PNG step
 * throw), so they are written as U+FFFD.
 */
const XML_FORBIDDEN =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const xmlSafe = (s: string) => s.replace(XML_FORBIDDEN, "\ufffd");
const escapeText = (s: string) =>
  xmlSafe(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (s: string) =>
  xmlSafe(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  )
    .replace(/\t/g, "&#x9;").replace(/\n/g, "&#xA;").replace(/\r/g, "&#xD;");
// deno-lint-ignore no-control-regex
const NEEDS_ESCAPE = /[&<>"\t\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;

/**
 * The XML serialization of a figure's SVG tree: the DOM Parsing algorithm
 * (`XMLSerializer`, `requireWellFormed` off, as jsdom writes it) for the trees
 * figures build: SVG-namespace elements whose attributes have no namespace, and
 * text. linkedom lists an element's attributes last added first, so they are
 * written in reverse: in the order they were added. Returns null for any other
 * tree (a comment, another namespace, a prefixed attribute), which the caller
 * then writes with linkedom's own serializer.
 */
function serializeSvg(root: Element): string | null {
  if (root.namespaceURI !== SVG_NS || root.getAttribute("xmlns") !== SVG_NS) return null;
  const out: string[] = [];
  const element = (node: Element, isRoot: boolean): boolean => {
    if (node.namespaceURI !== SVG_NS) return false;
    const name = node.localName;
    let markup = "<" + name;
    // By name, not through `attributes`: linkedom's is a Proxy, whose every read of an
    // index or the length is a trap (half the time of serializing 5,000 dots).
    const names = node.getAttributeNames();
    for (let i = names.length - 1; i >= 0; i--) {
      const local = names[i]!;
      // Only the root's default-namespace declaration; no other namespaced attribute.
      if ((local === "xmlns" && !isRoot) || local.includes(":")) return false;
      const v = node.getAttributeNode(local)!.value;
      markup += " " + local + '="' + (NEEDS_ESCAPE.test(v) ? escapeAttr(v) : v) + '"';
    }
    const children = node.childNodes;
    if (children.length === 0) {
      out.push(markup + "/>");
      return true;
    }
    out.push(markup + ">");
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.nodeType === 1) {
        if (!element(child as Element, false)) return false;
      } else if (child.nodeType === 3) {
        const data = (child as Text).data;
        out.push(NEEDS_ESCAPE.test(data) ? escapeText(data) : data);
      } else return false;
    }
    out.push("</" + name + ">");
    return true;
  };
  return element(root, true) ? out.join("") : null;
}

/** One entry of a figure's legend. */
export interface LegendItem {
  /** The text of the entry. */
  label: string;
  /** The swatch colour (any CSS colour). */
  color: string;
  /** How the swatch is drawn. @default {"square"} */
  symbol?: "square" | "times";
}

/** What a figure file hands to {@linkcode renderFigure}. */
export interface FigureSpec {
  title: string;
  /** One line under the title (counts, what was left out). */
  subtitle?: string;
  /** Total width of the figure. */
  width: number;
  /** Height of the plot area below the title block. */
  height: number;
  legend?: LegendItem[];
  /** Plot options without `document`, `width` and `height`; absent for an empty-state figure. */
  plot?: PlotModule.PlotOptions;
  /** The message of an empty-state figure (used when `plot` is absent). */
  message?: string;
}

/** Draw Plot's chart into the linkedom document and collect the warnings Plot emits. */
function plotWithWarnings(
  Plot: Plot,
  options: PlotModule.PlotOptions,
): { svg: SVGSVGElement; warnings: string[] } {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  try {
    const svg = Plot.plot(options) as unknown as SVGSVGElement;
    return { svg, warnings };
  } finally {
    console.warn = warn;
  }
}

function el(document: Document, name: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function text(
  document: Document,
  content: string,
  attrs: Record<string, string | number>,
): SVGElement {
  const node = el(document, "text", attrs);
  node.textContent = content;
  return node;
}

/** Break `line` at spaces into lines at most `width` pixels wide. */
function wrap(line: string, width: number, fontSize: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of line.split(" ")) {
    const next = current ? `${current} ${word}` : word;
    if (current && textWidth(next, fontSize) > width) {
      lines.push(current);
      current = word;
    } else current = next;
  }
  if (current) lines.push(current);
  return lines;
}

/** Lay the legend out in rows that fit `width`; returns the group and its height. */
function legendGroup(
  document: Document,
  items: LegendItem[],
  width: number,
): { g: SVGElement; height: number } {
  const g = el(document, "g", {
    "aria-label": "legend",
    "font-size": FONT_SIZE.legend,
    "text-anchor": "start",
  });
  const size = 12;
  const rowHeight = 20;
  let x = LAYOUT.pad;
  let y = 0;
  for (const item of items) {
    const w = size + 6 + textWidth(item.label, FONT_SIZE.legend) + 18;
    if (x > LAYOUT.pad && x + w > width - LAYOUT.pad) {
      x = LAYOUT.pad;
      y += rowHeight;
    }
    const swatch = el(document, "g", { transform: `translate(${x},${y})` });
    if (item.symbol === "times") {
      swatch.append(
        el(document, "path", {
          d: "M2,2L10,10M10,2L2,10",
          stroke: item.color,
          "stroke-width": 2,
          fill: "none",
        }),
      );
    } else {
      swatch.append(el(document, "rect", { width: size, height: size, fill: item.color }));
    }
    swatch.append(text(document, item.label, { x: size + 6, y: size / 2, dy: "0.35em" }));
    g.append(swatch);
    x += w;
  }
  return { g, height: items.length ? y + rowHeight : 0 };
}

/**
 * Render a figure: Plot's chart (or the empty-state message) under a title,
 * an optional subtitle and an optional legend, as one standalone SVG.
 */
export async function renderFigure(spec: FigureSpec): Promise<Figure> {
  const dom = await loadDom();
  return dom.withoutListeners(() => drawFigure(dom, spec));
}

/** {@link renderFigure} once the DOM is loaded: draw, compose and serialize. */
function drawFigure({ document, serialize, Plot }: Dom, spec: FigureSpec): Figure {
  const { width } = spec;

  const root = el(document, "svg", {
    width,
    height: 0,
    viewBox: "",
    role: "img",
    "aria-label": spec.title,
    "font-family": FONT_FAMILY,
    "font-size": FONT_SIZE.tick,
  });
  root.setAttribute("xmlns", SVG_NS);
  const title = el(document, "title", {});
  title.textContent = spec.title;
  root.append(title);
  const background = el(document, "rect", {
    width: "100%",
    height: "100%",
    fill: COLORS.background,
  });
  root.append(background);

  let top = LAYOUT.pad;
  root.append(
    text(document, spec.title, {
      x: LAYOUT.pad,
      y: top + FONT_SIZE.title,
      "font-size": FONT_SIZE.title,
      "font-weight": "bold",
      fill: COLORS.text,
    }),
  );
  top += FONT_SIZE.title + 6;
  for (
    const line of spec.subtitle
      ? wrap(spec.subtitle, width - 2 * LAYOUT.pad, FONT_SIZE.subtitle)
      : []
  ) {
    root.append(
      text(document, line, {
        x: LAYOUT.pad,
        y: top + FONT_SIZE.subtitle + 2,
        "font-size": FONT_SIZE.subtitle,
        fill: COLORS.muted,
      }),
    );
    top += FONT_SIZE.subtitle + 6;
  }
  top += 8;
  if (spec.legend?.length) {
    const legend = legendGroup(document, spec.legend, width);
    legend.g.setAttribute("transform", `translate(0,${top})`);
    root.append(legend.g);
    top += legend.height + 4;
  }

  let warnings: string[] = [];
  if (spec.plot) {
    const rendered = plotWithWarnings(Plot, { ...spec.plot, width, height: spec.height, document });
    warnings = rendered.warnings;
    const chart = rendered.svg;
    // The chart's class carries Plot's stylesheet; it moves to the root so the
    // stylesheet applies to the standalone figure.
    const cls = chart.getAttribute("class");
    if (cls) root.setAttribute("class", cls);
    const g = el(document, "g", { "aria-label": "chart", transform: `translate(0,${top})` });
    for (const name of ["fill", "font-variant", "text-anchor"]) {
      const value = chart.getAttribute(name);
      if (value !== null) g.setAttribute(name, value);
    }
    while (chart.firstChild) g.append(chart.firstChild);
    // Plot's stylesheet must stay a direct child of the root for resvg.
    for (const style of g.querySelectorAll("style")) root.insertBefore(style, background);
    root.append(g);
  } else {
    const h = EMPTY_HEIGHT;
    const g = el(document, "g", { "aria-label": "empty", transform: `translate(0,${top})` });
    g.append(
      el(document, "rect", {
        x: LAYOUT.pad,
        y: 0,
        width: width - 2 * LAYOUT.pad,
        height: h - LAYOUT.pad,
        fill: "none",
        stroke: COLORS.faint,
        "stroke-dasharray": "4,4",
      }),
      text(document, spec.message ?? "No data", {
        x: width / 2,
        y: (h - LAYOUT.pad) / 2,
        dy: "0.35em",
        "text-anchor": "middle",
        "font-size": FONT_SIZE.message,
        fill: COLORS.muted,
      }),
    );
    root.append(g);
  }

  const height = top + (spec.plot ? spec.height : EMPTY_HEIGHT);
  root.setAttribute("height", String(height));
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  return new Figure(serialize(root), {
    title: spec.title,
    width,
    height,
    warnings,
    empty: !spec.plot,
  });
}
