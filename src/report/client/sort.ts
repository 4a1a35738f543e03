/**
 * The report's only script: click a column header of a `table.sortable` to sort
 * its rows (again to reverse). Bundled by esbuild into `src/report/_client_bundle.ts`
 * (`deno task build:report-js`) and inlined into the report; it loads nothing.
 *
 * Cells sort by their `data-value` when present (numbers, timestamps), else by their
 * text. A header with `data-type="num"` sorts numerically; empty values go last
 * in both directions. Without JavaScript the tables read the same, unsorted.
 *
 * @module
 */

type Direction = "ascending" | "descending";

function cellKey(row: HTMLTableRowElement, index: number): string {
  const cell = row.cells[index];
  if (!cell) return "";
  return cell.dataset.value ?? cell.textContent?.trim() ?? "";
}

/** Compare two keys; empty keys sort last whatever the direction. */
function compareKeys(a: string, b: string, numeric: boolean, direction: Direction): number {
  if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
  const sign = direction === "ascending" ? 1 : -1;
  if (numeric) {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return sign * (x - y);
  }
  return sign * a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
}

/** Sort the body rows of `table` by column `index`. */
export function sortTable(table: HTMLTableElement, index: number, direction: Direction): void {
  const header = table.tHead?.rows[0]?.cells[index];
  const numeric = header?.dataset.type === "num";
  for (const body of Array.from(table.tBodies)) {
    const rows = Array.from(body.rows);
    // Stable: ties keep their original order.
    const order = rows.map((row, i) => ({ row, i, key: cellKey(row, index) }));
    order.sort((p, q) => compareKeys(p.key, q.key, numeric, direction) || p.i - q.i);
    for (const { row } of order) body.appendChild(row);
  }
  const headers = table.tHead?.rows[0]?.cells ?? [];
  for (let i = 0; i < headers.length; i++) {
    const th = headers[i]!;
    if (i === index) th.setAttribute("aria-sort", direction);
    else th.removeAttribute("aria-sort");
  }
}

/** Turn each header of each `table.sortable` into a sort button. */
export function enableSorting(root: Document): void {
  for (const table of Array.from(root.querySelectorAll<HTMLTableElement>("table.sortable"))) {
    const headers = table.tHead?.rows[0]?.cells;
    if (!headers) continue;
    for (let i = 0; i < headers.length; i++) {
      const th = headers[i]!;
      const button = root.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", () => {
        // Numbers sort largest first on the first click, text A to Z.
        const first: Direction = th.dataset.type === "num" ? "descending" : "ascending";
        const current = th.getAttribute("aria-sort");
        const next: Direction = current === first
          ? (first === "ascending" ? "descending" : "ascending")
          : first;
        sortTable(table, i, next);
      });
    }
  }
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => enableSorting(document));
  } else {
    enableSorting(document);
  }
}
