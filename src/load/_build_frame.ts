/**
 * DataFrames from JS values: rows or one array per column, with exactly the
 * columns and dtypes of the frame contract; each column converted inside Polars
 * in one go when its values allow (numbers, strings through a dictionary, booleans).
 *
 * @module
 */
import pl, { type DataType } from "../frames/polars.ts";

/** Column name → dtype, in frame order. */
export type Columns = Record<string, DataType>;
/** One row as an object. */
export type Row = Record<string, unknown>;

/** Build a DataFrame with exactly `columns` (in order) from row objects. */
export function frameFromRows(rows: Row[], columns: Columns): pl.DataFrame {
  return frameFromItems(
    rows,
    columns,
    Object.fromEntries(Object.keys(columns).map((name) => [name, (r: Row) => r[name] ?? null])),
  );
}

/**
 * Build a DataFrame with exactly `columns` (in order) from `items`, each
 * column's value of an item computed by its getter, in one pass over the items
 * (each item is visited once, while it is in the CPU's cache: one pass per
 * column measured 0.25 s slower on 200,000 calls). Numbers go straight into
 * Float64Arrays, never into arrays of boxed numbers.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { frameFromItems } from "./_build_frame.ts";
 * const df = frameFromItems([{ a: 1 }, { a: 2 }], { a: pl.Float64, twice: pl.Int64, s: pl.Utf8 }, {
 *   a: (r) => r.a,
 *   twice: (r) => 2 * r.a,
 *   s: (r) => (r.a === 1 ? null : "x"),
 * });
 * if (df.getColumn("twice").toArray().join() !== "2,4" || df.getColumn("s").get(0) !== null) throw new Error();
 * ```
 */
export function frameFromItems<T>(
  items: T[],
  columns: Columns,
  getters: Record<string, (item: T) => unknown>,
): pl.DataFrame {
  const n = items.length;
  const names = Object.keys(columns);
  const gets = names.map((name) => {
    const get = getters[name];
    if (!get) throw new Error(`no values for column ${name}`);
    return get;
  });
  const variants = names.map((name) => columns[name]!.variant as string);
  const integer = variants.map((v) => v === "Int64" || v === "Datetime");
  // a Float64Array for a column of numbers, else an array of values
  const stores: (Float64Array | unknown[])[] = variants.map((v, c) =>
    n > 0 && (integer[c] || v === "Float64") ? new Float64Array(n) : new Array<unknown>(n)
  );
  const nulls = names.map(() => false);
  // a column of numbers that met another value: its values are gathered again, as values
  const irregular = names.map(() => false);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    for (let c = 0; c < gets.length; c++) {
      const store = stores[c]!;
      const v = gets[c]!(item);
      if (!(store instanceof Float64Array)) store[i] = v;
      else if (v === null || v === undefined) {
        store[i] = NaN;
        nulls[c] = true;
      } else if (isPlainNumber(v, integer[c]!)) store[i] = v as number;
      else irregular[c] = true;
    }
  }
  return pl.DataFrame(names.map((name, c) => {
    const dtype = columns[name]!;
    let store = stores[c]!;
    stores[c] = [];
    if (store instanceof Float64Array && !irregular[c]) {
      const series = floatSeries(name, store, nulls[c]!, integer[c]!);
      return variants[c] === "Datetime" ? series.cast(dtype) : series;
    }
    if (store instanceof Float64Array) store = items.map(gets[c]!);
    return seriesOf(name, store as unknown[], dtype);
  }));
}

/**
 * A Series of `dtype` from plain values (null for a missing value). Numbers go
 * through a Float64Array and strings through a dictionary of their distinct
 * values (one JS→Rust conversion per distinct string): each value crossing into
 * Polars alone costs ~0.2 µs. Values of another kind than the column's take the
 * plain `pl.Series` constructor, as before.
 */
export function seriesOf(name: string, values: unknown[], dtype: DataType): pl.Series {
  if (values.length > 0) {
    const variant = dtype.variant as string;
    const fast = variant === "Utf8" || variant === "String"
      ? stringSeries(name, values)
      : variant === "Float64"
      ? numberSeries(name, values, false)
      : variant === "Int64" || variant === "Datetime"
      ? numberSeries(name, values, true)
      : variant === "Bool"
      ? boolSeries(name, values)
      : null;
    if (fast) return variant === "Datetime" ? fast.cast(dtype) : fast;
  }
  if (values.includes(undefined)) values = values.map((v) => v ?? null);
  if (dtype.variant === "Datetime") {
    return pl.Series(name, values as (number | null)[], pl.Int64).cast(dtype);
  }
  return pl.Series(name, values, dtype);
}

/** Float64 (or Int64 when `integer`) from numbers and nulls, or null for any other value. */
function numberSeries(name: string, values: unknown[], integer: boolean): pl.Series | null {
  const n = values.length;
  const array = new Float64Array(n);
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      array[i] = NaN;
      nulls = true;
    } else if (isPlainNumber(v, integer)) array[i] = v as number;
    else return null;
  }
  return floatSeries(name, array, nulls, integer);
}

/** A number a Float64 (or, when `integer`, an Int64) column holds as it is. */
function isPlainNumber(v: unknown, integer: boolean): boolean {
  return typeof v === "number" && (integer ? Number.isSafeInteger(v) : v === v) &&
    !Object.is(v, -0);
}

/** The Series of `array`, its NaNs null when `nulls`, cast to Int64 when `integer`. */
export function floatSeries(
  name: string,
  array: Float64Array,
  nulls: boolean,
  integer: boolean,
): pl.Series {
  const series = pl.Series(name, array);
  if (!nulls && !integer) return series;
  let expr = pl.col(name);
  if (nulls) expr = expr.fillNan(null as unknown as number);
  if (integer) expr = expr.cast(pl.Int64);
  return pl.DataFrame([series]).select(expr.alias(name)).getColumn(name);
}

/** Values looked at before choosing between a dictionary and one-by-one conversion. */
const SAMPLE = 4096;

/** Utf8 from strings and nulls, or null for any other value. */
function stringSeries(name: string, values: unknown[]): pl.Series | null {
  const n = values.length;
  const codes = new Uint32Array(n);
  const index = new Map<string, number>();
  const dictionary: (string | null)[] = [];
  let nullCode = -1;
  for (let i = 0; i < n; i++) {
    // mostly distinct values (ids): the dictionary would not pay, convert them one by one
    if (i === SAMPLE && dictionary.length * 4 > SAMPLE) {
      return allStrings(values, i) ? pl.Series(name, values, pl.Utf8) : null;
    }
    const v = values[i];
    if (v === null || v === undefined) {
      if (nullCode < 0) {
        nullCode = dictionary.length;
        dictionary.push(null);
      }
      codes[i] = nullCode;
    } else if (typeof v === "string") {
      let code = index.get(v);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(v);
        index.set(v, code);
      }
      codes[i] = code;
    } else return null;
  }
  return dictionarySeries(name, codes, dictionary);
}

/** Values from `from` on are strings or nulls. */
function allStrings(values: unknown[], from: number): boolean {
  for (let i = from; i < values.length; i++) {
    const v = values[i];
    if (v !== null && typeof v !== "string") return false;
  }
  return true;
}

/**
 * Utf8 Series `dictionary[codes[i]]`, gathered inside Polars (the dictionary
 * as values, or as a Utf8 Series already made, to share between columns).
 */
export function dictionarySeries(
  name: string,
  codes: Uint32Array,
  dictionary: (string | null)[] | pl.Series,
): pl.Series {
  return pl.DataFrame([pl.Series("codes", codes)])
    .select(gathered(name, "codes", dictionary))
    .getColumn(name);
}

/**
 * The values of `series` at `indexes` (each one below its length), gathered
 * inside Polars from the typed array: the indexes go in as a column of the
 * series' own frame (padded to its length, then cut back), not as a JS array
 * converted value by value. 200,000 of 432,000 ids: 29–46 ms against 48–85
 * for `series.gather(Array.from(indexes))`. More indexes than values (a
 * column that long cannot be the series' own) go the slow way.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { gatherAt } from "./_build_frame.ts";
 * const ids = pl.Series("id", ["a", "b", "c"], pl.Utf8);
 * const got = gatherAt(ids, Int32Array.of(2, 0));
 * if (got.name !== "id" || got.toArray().join() !== "c,a") throw new Error(String(got.toArray()));
 * ```
 */
export function gatherAt(series: pl.Series, indexes: Int32Array): pl.Series {
  if (indexes.length > series.length) return series.gather(Array.from(indexes));
  const padded = new Int32Array(series.length);
  padded.set(indexes);
  return pl.DataFrame([series.alias("values"), pl.Series("indexes", padded)])
    .select(pl.col("values").gather(pl.col("indexes").head(indexes.length)).alias(series.name))
    .getColumn(series.name);
}

/** The expression of `dictionary[code]` for the codes of column `codes`, named `name`. */
function gathered(name: string, codes: string, dictionary: (string | null)[] | pl.Series): pl.Expr {
  const values = Array.isArray(dictionary) ? pl.Series(name, dictionary, pl.Utf8) : dictionary;
  return pl.lit(values).explode().gather(pl.col(codes)).alias(name);
}

/**
 * `value` of each row 0 to n − 1 written into `array` (NaN for null or
 * undefined); whether any was null, or null when a value is not a number the
 * column holds as it is ({@link isPlainNumber}).
 */
function fillNumbers(
  array: Float64Array,
  n: number,
  value: (k: number) => unknown,
  integer: boolean,
): boolean | null {
  let nulls = false;
  for (let k = 0; k < n; k++) {
    const v = value(k);
    if (v === null || v === undefined) {
      array[k] = NaN;
      nulls = true;
    } else if (isPlainNumber(v, integer)) array[k] = v as number;
    else return null;
  }
  return nulls;
}

/** Raw columns a {@link ColumnBatch} holds at most before it makes their columns. */
const BATCH_RAW = 12;

/**
 * Columns of `n` rows made together: each from a raw column copied from JS
 * once (numbers, dictionary codes, 0s and 1s), the columns of a dozen raw
 * ones made in one Polars `select`, whose expressions (nulls for NaN, casts,
 * gathers from a dictionary) run on Polars' threads side by side, where a
 * frame and a `select` for each column ran one after the other on one. The
 * columns come out in the order they were added. 200,000 calls, the 32
 * columns of the calls frame: 0.63–0.72 s one by one.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { ColumnBatch } from "./_build_frame.ts";
 * const batch = new ColumnBatch(3);
 * batch.number("n", pl.Int64, (k) => (k === 1 ? null : 10 * k));
 * batch.codes("s", Uint32Array.from([0, 2, 1]), [null, "a", "b"]);
 * batch.constant("c", "x");
 * const df = batch.frame();
 * if (df.getColumn("n").toArray().join() !== "0,,20" || df.getColumn("s").toArray().join() !== ",b,a") throw new Error();
 * ```
 */
export class ColumnBatch {
  /** Rows of every column. */
  readonly n: number;
  #raw: pl.Series[] = [];
  #exprs: pl.Expr[] = [];
  #done: pl.DataFrame[] = [];
  #names = 0;
  /**
   * The arrays each column's values are written into, one for all the columns
   * (Polars copies them): a new one for each column of 200,000 rows was 400
   * new pages, about 5 ms on a host that charges 12 µs a page.
   */
  #f64: Float64Array | null = null;
  #u32: Uint32Array | null = null;

  constructor(n: number) {
    this.n = n;
  }

  /** A raw column's name (no column of a frame is named so). */
  #name(): string {
    return `\u0000raw${this.#names++}`;
  }

  #add(raw: pl.Series | null, expr: pl.Expr): void {
    if (raw) this.#raw.push(raw);
    this.#exprs.push(expr);
    if (this.#raw.length >= BATCH_RAW) this.#flush();
  }

  /** The columns added since the last flush, made. */
  #flush(): void {
    if (this.#exprs.length === 0) return;
    // the height: a literal alone would make one row
    const height = pl.Series(this.#name(), new Uint8Array(this.n));
    this.#done.push(pl.DataFrame([height, ...this.#raw]).select(...this.#exprs));
    this.#raw = [];
    this.#exprs = [];
  }

  /** A column made already. */
  series(series: pl.Series): void {
    const raw = this.#name();
    this.#add(series.alias(raw), pl.col(raw).alias(series.name));
  }

  /**
   * A column of numbers of `dtype` (Float64, Int64 or Datetime) from `value`
   * of each row (null for a missing value), through a Float64Array, as
   * {@link frameFromItems} converts a column.
   */
  number(name: string, dtype: DataType, value: (k: number) => unknown): void {
    const variant = dtype.variant as string;
    const integer = variant === "Int64" || variant === "Datetime";
    const n = this.n, array = this.#f64 ??= new Float64Array(n);
    const nulls = fillNumbers(array, n, value, integer);
    // a value the dtype does not hold as it is: the whole column through seriesOf, as
    // frameFromItems sends it
    if (nulls === null) {
      return this.series(seriesOf(name, Array.from({ length: n }, (_, k) => value(k)), dtype));
    }
    const raw = this.#name();
    let expr = pl.col(raw);
    if (nulls) expr = expr.fillNan(null as unknown as number);
    if (integer) expr = expr.cast(pl.Int64);
    if (variant === "Datetime") expr = expr.cast(dtype);
    this.#add(pl.Series(raw, array), expr.alias(name));
  }

  /**
   * Utf8 `dictionary[code]` for the code of each row (an array of codes, or
   * the code of row `k`); the dictionary a Utf8 Series made already (to share
   * between columns), or values.
   */
  codes(
    name: string,
    code: Uint32Array | ((k: number) => number),
    dictionary: (string | null)[] | pl.Series,
  ): void {
    let codes: Uint32Array;
    if (typeof code === "function") {
      codes = this.#u32 ??= new Uint32Array(this.n);
      for (let k = 0; k < this.n; k++) codes[k] = code(k);
    } else codes = code;
    const raw = this.#name();
    this.#add(pl.Series(raw, codes), gathered(name, raw, dictionary));
  }

  /** Utf8 `value` on every row. */
  constant(name: string, value: string | null): void {
    this.#add(null, (value === null ? pl.lit(null) : pl.lit(value)).cast(pl.Utf8).alias(name));
  }

  /** Bool from 0s and 1s. */
  bool(name: string, values: Uint8Array): void {
    // (a Uint8Array of its own: 200,000 rows are 49 pages)
    const raw = this.#name();
    this.#add(pl.Series(raw, values), pl.col(raw).cast(pl.Bool).alias(name));
  }

  /** The columns, in the order they were added (the batch is then empty). */
  frame(): pl.DataFrame {
    this.#flush();
    const parts = this.#done;
    this.#done = [];
    if (parts.length === 0) return pl.DataFrame([]);
    return parts.length === 1 ? parts[0]! : pl.DataFrame(parts.flatMap((p) => p.getColumns()));
  }
}

/** A Bool Series from 0s and 1s. */
export function boolColumn(name: string, values: Uint8Array): pl.Series {
  return pl.Series(name, values).cast(pl.Bool);
}

/** Bool from booleans (no nulls), or null otherwise. */
function boolSeries(name: string, values: unknown[]): pl.Series | null {
  const n = values.length;
  const array = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === true) array[i] = 1;
    else if (v !== false) return null;
  }
  return boolColumn(name, array);
}
