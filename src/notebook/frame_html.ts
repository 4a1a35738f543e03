/**
 * A DataFrame as an HTML table for a notebook: shape, column names and types, the
 * first and last rows; every name and value escaped.
 *
 * @module
 */
import type pl from "npm:nodejs-polars@0.25.2";
import { formatInt, formatSignificant } from "../log/format.ts";
import { escapeHTML } from "../log/html.ts";
import { CELL_STYLE, TABLE_STYLE } from "./_table_style.ts";

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

/** The defaults of {@linkcode DisplayOptions}. */
export const DISPLAY_DEFAULTS = { maxRows: 20, maxColumns: 30, maxChars: 80 } as const;

function formatNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return formatSignificant(v, 6);
}

/** One cell value as display text (not yet escaped), or `null` for a null. */
export function formatCell(
  value: unknown,
  maxChars: number = DISPLAY_DEFAULTS.maxChars,
): string | null {
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
 * import { frameHTML } from "./frame_html.ts";
 * const html = frameHTML(pl.DataFrame({ model: ["<b>gpt</b>"] }));
 * if (!html.includes("&lt;b&gt;gpt&lt;/b&gt;") || html.includes("<b>gpt")) throw new Error(html);
 * ```
 */
export function frameHTML(df: pl.DataFrame, options: DisplayOptions = {}): string {
  const { maxRows, maxColumns, maxChars } = { ...DISPLAY_DEFAULTS, ...options };
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
  const shape = `shape: (${formatInt(df.height)}, ${df.width})` +
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
