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
import { renderSummaryText, type SummaryTextInput } from "../report/summary_text.ts";

/** The symbol a Deno notebook calls to get a value's MIME bundle. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type → content. */
export type MimeBundle = Record<string, string>;

/** Options of {@linkcode toHTML}, {@linkcode show} and {@linkcode frameHTML}. */
export interface DisplayOptions {
  /**
   * Rows shown of a frame; a longer frame shows its first and last rows around an ellipsis.
   * @default {20}
   */
  maxRows?: number;
  /**
   * Columns shown of a frame; the rest are counted in the caption.
   * @default {30}
   */
  maxColumns?: number;
  /**
   * Characters shown of a text cell; longer text is cut with `…`.
   * @default {80}
   */
  maxChars?: number;
  /** A caption above a frame's table (escaped). */
  caption?: string;
}

const DEFAULTS = { maxRows: 20, maxColumns: 30, maxChars: 80 } as const;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escape text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHTML } from "./display.ts";
 * escapeHTML('<script>alert("x")</script>'); // "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
 * ```
 */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

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

function formatNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** One cell value as display text (not yet escaped), or `null` for a null. */
export function formatCell(value: unknown, maxChars: number = DEFAULTS.maxChars): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (value instanceof Date) {
    text = Number.isNaN(value.getTime())
      ? "Invalid Date"
      : value.toISOString().replace("T", " ").replace(".000Z", "Z");
  } else if (typeof value === "number") text = formatNumber(value);
  else if (typeof value === "bigint") text = value.toString();
  else if (typeof value === "string") text = value;
  else if (typeof value === "object") {
    text = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v) ??
      String(value);
  } else text = String(value);
  return text.length > maxChars ? `${text.slice(0, Math.max(1, maxChars - 1))}…` : text;
}

const TABLE_STYLE = "border-collapse:collapse;font-size:12px;font-family:ui-monospace,monospace";
const CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd;white-space:nowrap";
const NUMERIC = /^(Int|UInt|Float|Decimal)/;

function dtypeName(dtype: unknown): string {
  // DataType prints as "DataType(Int64)"; its JSON names the variant.
  const s = String(dtype);
  const m = /^DataType\((.*)\)$/.exec(s);
  return m ? m[1]! : s;
}

/**
 * A DataFrame as an HTML table: its shape, column names and types, and at most
 * `maxRows` rows (the first and last halves around an ellipsis row).
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { frameHTML } from "./display.ts";
 * const html = frameHTML(pl.DataFrame({ model: ["<b>gpt</b>"] }));
 * html.includes("&lt;b&gt;gpt&lt;/b&gt;"); // true
 * ```
 */
export function frameHTML(df: pl.DataFrame, options: DisplayOptions = {}): string {
  const { maxRows, maxColumns, maxChars } = { ...DEFAULTS, ...options };
  const columns = df.columns.slice(0, maxColumns);
  const hidden = df.width - columns.length;
  const dtypes = columns.map((c) => dtypeName(df.getColumn(c).dtype));
  const narrow = df.select(...columns);
  let head: Record<string, unknown>[];
  let tail: Record<string, unknown>[] = [];
  if (df.height > maxRows) {
    const top = Math.ceil(maxRows / 2);
    head = narrow.head(top).toRecords();
    tail = narrow.tail(maxRows - top).toRecords();
  } else {
    head = narrow.toRecords();
  }
  const row = (r: Record<string, unknown>) =>
    "<tr>" + columns.map((c, i) => {
      const text = formatCell(r[c], maxChars);
      const align = NUMERIC.test(dtypes[i]!) ? "text-align:right;" : "text-align:left;";
      return text === null
        ? `<td style="${CELL_STYLE};${align}color:#999">null</td>`
        : `<td style="${CELL_STYLE};${align}">${escapeHTML(text)}</td>`;
    }).join("") + "</tr>";
  const shape = `shape: (${df.height.toLocaleString("en-US")}, ${df.width})` +
    (hidden > 0 ? `, ${hidden} more column${hidden === 1 ? "" : "s"} not shown` : "");
  const caption = (options.caption ? `<b>${escapeHTML(options.caption)}</b> · ` : "") +
    escapeHTML(shape);
  const ellipsis = tail.length > 0
    ? `<tr>${columns.map(() => `<td style="${CELL_STYLE};color:#999">…</td>`).join("")}</tr>`
    : "";
  return [
    `<div class="tracebook-frame" style="overflow-x:auto">`,
    `<table style="${TABLE_STYLE}">`,
    `<caption style="text-align:left;caption-side:top;color:#555">${caption}</caption>`,
    "<thead><tr>",
    columns.map((c, i) =>
      `<th style="${CELL_STYLE};text-align:left">${
        escapeHTML(c)
      }<br><small style="color:#888;font-weight:normal">${escapeHTML(dtypes[i]!)}</small></th>`
    ).join(""),
    "</tr></thead><tbody>",
    head.map(row).join(""),
    ellipsis,
    tail.map(row).join(""),
    "</tbody></table></div>",
  ].join("");
}

function keyValueTable(rows: [string, string | number | null][]): string {
  return `<table style="${TABLE_STYLE}"><tbody>` +
    rows.map(([k, v]) =>
      `<tr><th style="${CELL_STYLE};text-align:left">${escapeHTML(k)}</th>` +
      `<td style="${CELL_STYLE};text-align:right">${
        v === null ? "n/a" : escapeHTML(typeof v === "number" ? formatNumber(v) : v)
      }</td></tr>`
    ).join("") + "</tbody></table>";
}

function htmlTable(header: string[], body: (string | number | null)[][]): string {
  return `<table style="${TABLE_STYLE}"><thead><tr>` +
    header.map((h) => `<th style="${CELL_STYLE};text-align:left">${escapeHTML(h)}</th>`).join("") +
    "</tr></thead><tbody>" +
    body.map((r) =>
      "<tr>" + r.map((v) =>
        typeof v === "number"
          ? `<td style="${CELL_STYLE};text-align:right">${escapeHTML(formatNumber(v))}</td>`
          : `<td style="${CELL_STYLE}">${v === null ? "n/a" : escapeHTML(v)}</td>`
      ).join("") + "</tr>"
    ).join("") + "</tbody></table>";
}

const seconds = (x: number | null | undefined) =>
  x === null || x === undefined ? null : `${x.toFixed(2)} s`;
const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? null : `${(x * 100).toFixed(1)}%`;
const usd = (x: number | null | undefined) =>
  x === null || x === undefined ? null : `$${x.toFixed(6)}`;

/**
 * The summary (`summarize()`'s object, the `summary.json` of DESIGN.md) as HTML:
 * the headline numbers, then one row per model.
 *
 * @example
 * ```ts ignore
 * import { summaryHTML } from "./display.ts";
 * summaryHTML(summarize(traces)); // "<div class=\"tracebook-summary\">…"
 * ```
 */
export function summaryHTML(s: SummaryTextInput): string {
  const rt = s.response_time;
  const headline = keyValueTable([
    ["Total requests", s.request_count],
    ["Successful responses", s.response_count],
    ["Errors", s.error_count],
    ["Response time mean", seconds(rt.mean)],
    ["Response time p50 / p95", rt.p50 === null ? null : `${seconds(rt.p50)} / ${seconds(rt.p95)}`],
    ["Response time min / max", rt.min === null ? null : `${seconds(rt.min)} / ${seconds(rt.max)}`],
    ["Tokens in / out", `${s.tokens.input} / ${s.tokens.output}`],
    ["Cost", usd(s.cost_usd.total)],
    [
      "Sessions (complete / unfinished)",
      `${s.sessions.count} (${s.sessions.complete} / ${s.sessions.unfinished})`,
    ],
    ["Diagnostics", s.diagnostics.count],
  ]);
  const models = htmlTable(
    ["model", "calls", "ok", "errors", "error rate", "mean", "p50", "p95", "cost"],
    s.by_model.map((m) => [
      m.model,
      m.calls,
      m.ok,
      m.errors,
      percent(m.error_rate),
      seconds(m.latency.mean),
      seconds(m.latency.p50),
      seconds(m.latency.p95),
      m.cost_usd === null ? "unpriced" : usd(m.cost_usd),
    ]),
  );
  return `<div class="tracebook-summary"><b>Trace summary</b>${headline}<br><b>By model</b>${models}</div>`;
}

/** The one-line headline of a TraceSet (`12 files · 240 calls (…) · …`). */
export function traceSetHeadline(traces: TraceSet): string {
  const status = traces.calls.height > 0 && traces.calls.columns.includes("status")
    ? traces.calls.getColumn("status").valueCounts().toRecords() as {
      status: string;
      count: number;
    }[]
    : [];
  const by = Object.fromEntries(status.map((r) => [r.status, Number(r.count)]));
  const plural = (n: number, word: string) =>
    `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  return [
    plural(traces.files.length, "file"),
    `${plural(traces.calls.height, "call")} (${by.ok ?? 0} ok, ${by.error ?? 0} error, ${
      by.pending ?? 0
    } pending)`,
    plural(traces.sessions.height, "session"),
    plural(traces.events.height, "event"),
    plural(traces.diagnostics.height, "diagnostic"),
  ].join(" · ");
}

/**
 * A TraceSet as HTML: its headline, then the first rows of `calls`, `sessions`
 * and (when there are any) `diagnostics`.
 */
export function traceSetHTML(traces: TraceSet, options: DisplayOptions = {}): string {
  const rows = { maxRows: 10, ...options };
  const parts = [
    `<div class="tracebook-traces"><b>TraceSet</b>: ${escapeHTML(traceSetHeadline(traces))}`,
    frameHTML(traces.calls, { ...rows, caption: "calls" }),
    frameHTML(traces.sessions, { ...rows, caption: "sessions" }),
  ];
  if (traces.diagnostics.height > 0) {
    parts.push(frameHTML(traces.diagnostics, { ...rows, caption: "diagnostics" }));
  }
  parts.push("</div>");
  return parts.join("");
}

/**
 * Any value as HTML: a DataFrame, a TraceSet or a summary as tables, a Figure
 * as its inline SVG, anything else as escaped JSON in a `<pre>`.
 *
 * @example
 * ```ts
 * import { toHTML } from "./display.ts";
 * toHTML({ prompt: "<script>" }); // '<pre>{\n  &quot;prompt&quot;: &quot;&lt;script&gt;&quot;\n}</pre>'
 * ```
 */
export function toHTML(x: unknown, options: DisplayOptions = {}): string {
  if (isDataFrame(x)) return frameHTML(x, options);
  if (isTraceSet(x)) return traceSetHTML(x, options);
  if (isSummary(x)) return summaryHTML(x);
  if (isSvgLike(x)) return x.toSVG();
  return `<pre>${escapeHTML(toText(x))}</pre>`;
}

/** Any value as plain text: polars' table for a frame, `summary.txt` for a summary. */
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
 * shown.html.includes("shape: (3, 1)"); // true
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
