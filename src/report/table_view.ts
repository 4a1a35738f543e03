/**
 * The view types of a table (cells, columns, the table) that the templates print,
 * shared by the report's view (`_view.ts`) and the comparison section
 * (`comparison.ts`) without an import cycle between them.
 *
 * @module
 */

/** One table cell: the text shown and, for numbers and times, the exact value it sorts by. */
export interface CellView {
  /** The text shown (escaped). */
  text: string;
  /** The exact value (`data-value`): a number's full precision, a timestamp's ISO text. */
  value?: string;
  /** The best value of its column (model comparison). */
  best?: boolean;
  /** Extra classes: `num`, `bad`, `muted`, `mono`. */
  className?: string;
  /** A tooltip (the full text of a cut value). */
  title?: string;
}

/** One column of a table. */
export interface ColumnView {
  /** The header's text (escaped). */
  label: string;
  /** Numbers: right-aligned, sorted numerically. */
  num?: boolean;
  /** A tooltip on the header saying what the column means. */
  title?: string;
}

/** A sortable table. */
export interface TableView {
  /** The table's id: the element is `#table-{id}`. */
  id: string;
  /** The columns, in order. */
  columns: ColumnView[];
  /** The rows: one cell per column. */
  rows: CellView[][];
  /** "Showing the first N of M." when the list was cut. */
  note?: string;
  /** What to say when there are no rows. */
  empty: string;
}
