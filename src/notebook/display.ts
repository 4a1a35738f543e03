/**
 * Rich display for notebooks: a DataFrame, a `TraceSet`, a summary (the
 * `summary.json` object) and a `Figure` each become an HTML table or an inline
 * SVG, with a plain-text fallback.
 *
 * - Deno kernel: a value with a `[Symbol.for("Jupyter.display")]()` method shows
 *   as its MIME bundle, so a cell that ends with `show(x)` displays `x`.
 *   Figures already carry that method; nodejs-polars DataFrames carry one too
 *   (50 rows, no types), and `show(df)` gives the richer table below.
 * - tslab kernel (Node): tslab shows the last value as text; rich output goes
 *   through its display API: `tslab.display.html(toHTML(x))`.
 *
 * Trace content is untrusted: every string (column names, values, models,
 * titles) is escaped. The only raw markup is our own SVG.
 *
 * @module
 */
import type pl from "npm:nodejs-polars@0.25.2";
import type { TraceSet } from "../frames/columns.ts";
import { escapeHTML } from "../log/html.ts";
import { renderSummaryText, type SummaryTextInput } from "../report/summary_text.ts";
import { type DisplayOptions, frameHTML } from "./frame_html.ts";
import { summaryHTML, traceSetHeadline, traceSetHTML } from "./summary_html.ts";

/** The symbol a Deno notebook calls to get a value's MIME bundle. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type → content. */
export type MimeBundle = Record<string, string>;

/** True for a nodejs-polars DataFrame. */
export function isDataFrame(x: unknown): x is pl.DataFrame {
  return typeof x === "object" && x !== null &&
    (x as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === "DataFrame";
}

/** True for a `TraceSet` (the result of `loadTraces`). */
export function isTraceSet(x: unknown): x is TraceSet {
  if (typeof x !== "object" || x === null) return false;
  const t = x as Partial<Record<keyof TraceSet, unknown>>;
  return isDataFrame(t.calls) && isDataFrame(t.sessions) && isDataFrame(t.events) &&
    isDataFrame(t.diagnostics) && Array.isArray(t.files);
}

/** True for the summary object of `summarize()` (`"schema": "tracebook.summary/1"`). */
export function isSummary(x: unknown): x is SummaryTextInput & { schema: string } {
  return typeof x === "object" && x !== null &&
    typeof (x as { schema?: unknown }).schema === "string" &&
    (x as { schema: string }).schema.startsWith("tracebook.summary/");
}

/** Something that renders itself to SVG (a `Figure`). */
interface SvgLike {
  toSVG(): string;
  title?: string;
}

function isSvgLike(x: unknown): x is SvgLike {
  return typeof x === "object" && x !== null && typeof (x as SvgLike).toSVG === "function";
}

/**
 * Any value as HTML: a DataFrame, a TraceSet or a summary as tables, a Figure
 * as its inline SVG, anything else as escaped JSON in a `<pre>`.
 *
 * @example
 * ```ts
 * import { toHTML } from "./display.ts";
 * const html = toHTML({ prompt: "<script>" });
 * // JSON, escaped: no markup from the value survives.
 * if (html !== "<pre>{\n  &quot;prompt&quot;: &quot;&lt;script&gt;&quot;\n}</pre>") throw new Error(html);
 * ```
 */
export function toHTML(x: unknown, options: DisplayOptions = {}): string {
  if (isDataFrame(x)) return frameHTML(x, options);
  if (isTraceSet(x)) return traceSetHTML(x, options);
  if (isSummary(x)) return summaryHTML(x);
  if (isSvgLike(x)) return x.toSVG();
  return `<pre>${escapeHTML(toText(x))}</pre>`;
}

/**
 * Any value as plain text: polars' table for a frame, `summary.txt` for a summary.
 *
 * @example
 * ```ts
 * import { toText } from "./display.ts";
 * if (toText("as is") !== "as is") throw new Error("string");
 * if (toText({ n: 1n }) !== '{\n  "n": "1"\n}') throw new Error("bigint as text");
 * ```
 */
export function toText(x: unknown): string {
  if (isDataFrame(x)) return x.toString();
  if (isTraceSet(x)) return `TraceSet: ${traceSetHeadline(x)}`;
  if (isSummary(x)) return renderSummaryText(x);
  if (isSvgLike(x)) return `Figure: ${x.title ?? "(untitled)"}`;
  if (typeof x === "string") return x;
  try {
    return JSON.stringify(x, (_k, v) => typeof v === "bigint" ? v.toString() : v, 2) ?? String(x);
  } catch {
    return String(x);
  }
}

/**
 * The MIME bundle of a value: a Figure's own (SVG, PNG and an HTML `<img>`),
 * `image/svg+xml` for another SVG-like value, `text/html` for the rest, always
 * with `text/plain`.
 *
 * @example
 * ```ts
 * import { mimeBundle } from "./display.ts";
 * const svg = { title: "Mine", toSVG: () => "<svg></svg>" };
 * const bundle = mimeBundle(svg);
 * if (bundle["image/svg+xml"] !== "<svg></svg>" || bundle["text/plain"] !== "Figure: Mine") {
 *   throw new Error(JSON.stringify(bundle));
 * }
 * if (Object.keys(mimeBundle([1])).join() !== "text/html,text/plain") throw new Error("html");
 * ```
 */
export function mimeBundle(x: unknown, options: DisplayOptions = {}): MimeBundle {
  const own = (x as { [JUPYTER_DISPLAY]?: unknown } | null)?.[JUPYTER_DISPLAY];
  if (isSvgLike(x) && typeof own === "function") {
    return { ...(own.call(x) as MimeBundle), "text/plain": toText(x) };
  }
  if (isSvgLike(x) && !isDataFrame(x)) {
    return { "image/svg+xml": x.toSVG(), "text/plain": toText(x) };
  }
  return { "text/html": toHTML(x, options), "text/plain": toText(x) };
}

/** A value wrapped for display: a Deno notebook shows it; a console prints its text. */
export interface Displayable {
  /** The MIME bundle a Deno notebook shows. */
  [JUPYTER_DISPLAY](): MimeBundle;
  /** The HTML form. */
  readonly html: string;
  /** The plain-text form. */
  readonly text: string;
}

/**
 * Wrap a value so that a Deno notebook cell ending with `show(x)` displays it
 * richly: a DataFrame, a TraceSet or a summary as HTML tables, a Figure inline.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { show } from "./display.ts";
 * const shown = show(pl.DataFrame({ a: [1, 2, 3] }), { maxRows: 2 });
 * if (!shown.html.includes("shape: (3, 1)")) throw new Error(shown.html);
 * ```
 */
export function show(x: unknown, options: DisplayOptions = {}): Displayable {
  const bundle = mimeBundle(x, options);
  const text = bundle["text/plain"]!;
  return {
    [JUPYTER_DISPLAY]: () => bundle,
    html: bundle["text/html"] ?? bundle["image/svg+xml"]!,
    text,
    [Symbol.for("nodejs.util.inspect.custom")]: () => text,
  } as Displayable;
}
