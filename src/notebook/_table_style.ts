/** Inline styles of the notebook's HTML tables (a notebook keeps no stylesheet). */
export const TABLE_STYLE =
  "border-collapse:collapse;font-size:12px;font-family:ui-monospace,monospace";
/** Inline style of a table cell. */
export const CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd;white-space:nowrap";
