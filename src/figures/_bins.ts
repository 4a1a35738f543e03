/**
 * Equal-width histogram bins computed exactly as numpy's `np.histogram(x, bins=n)`
 * (which matplotlib's `plt.hist(x, bins=n)` calls), so bar heights match the
 * seed's figure for the same data.
 *
 * @module
 */

/** One bin: `[x0, x1)`, the last one closed `[x0, x1]`. */
export interface Bin {
  x0: number;
  x1: number;
  count: number;
}

/**
 * Count `values` in `n` equal-width bins between their minimum and maximum,
 * the numpy way: edges from `linspace(min, max, n + 1)`, every bin half-open
 * but the last, and a single distinct value spread over `[v − 0.5, v + 0.5]`.
 * Returns no bins for no values. Non-finite values are ignored. With `range`, the
 * edges span it instead of the values' minimum and maximum (shared by several series).
 *
 * @example
 * ```ts
 * import { histogramBins } from "./_bins.ts";
 * // Edges 1, 2, 3: [1, 2) holds 1; the last bin [2, 3] is closed and holds 2, 2, 3.
 * const counts = histogramBins([1, 2, 2, 3], 2).map((b) => b.count);
 * if (counts.join() !== "1,3") throw new Error(counts.join());
 * ```
 */
export function histogramBins(
  values: readonly number[] | Float64Array,
  n: number,
  range?: readonly [number, number],
): Bin[] {
  // The finite values (within `range`), copied into one typed array: no JS value per call.
  const keep = new Float64Array(values.length);
  let kept = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x) && (!range || (x >= range[0] && x <= range[1]))) keep[kept++] = x;
  }
  if ((kept === 0 && !range) || n < 1) return [];
  let first = Infinity;
  let last = -Infinity;
  if (range) {
    // Shared edges (one histogram per run of a comparison): values outside are left out.
    [first, last] = range;
  } else {
    for (let k = 0; k < kept; k++) {
      const x = keep[k]!;
      if (x < first) first = x;
      if (x > last) last = x;
    }
  }
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  // np.linspace: start + i * step, the last edge set to stop exactly.
  const step = (last - first) / n;
  const edges = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) edges[i] = i === n ? last : first + i * step;
  // Typed arrays and indexed loops: one pass per step over 200,000 values, cheap even
  // before the JIT has warmed up (a CLI run draws each histogram once).
  const counts = new Float64Array(n);
  const norm = n / (last - first);
  for (let k = 0; k < kept; k++) {
    const x = keep[k]!;
    // np.histogram's fast path for equal bins, with its two corrections for
    // values that rounding put on the wrong side of an edge.
    let i = Math.trunc((x - first) * norm);
    if (i === n) i -= 1;
    if (x < edges[i]!) i -= 1;
    else if (i !== n - 1 && x >= edges[i + 1]!) i += 1;
    counts[i]!++;
  }
  return Array.from(counts, (count, i) => ({ x0: edges[i]!, x1: edges[i + 1]!, count }));
}
