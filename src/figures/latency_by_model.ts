/**
 * Latency by model: one horizontal box plot per model.
 *
 * @module
 */
import { formatFixed, formatInt } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import {
  colorOf,
  completedCalls,
  groupsOf,
  modelColors,
  requireColumns,
  rows,
  sampleNote,
  sampleRows,
} from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import {
  AXIS,
  FONT_SIZE,
  groupColor,
  LAYOUT,
  maxLabelWidth,
  modelGroupLabel,
  plural,
  shortLabel,
} from "./_style.ts";

/** Options of {@linkcode latencyByModel}. */
export interface LatencyByModelOptions {
  /** The title drawn at the top. @default {"Latency by Model"} */
  title?: string;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of one model's row. @default {44} */
  rowHeight?: number;
  /** The x scale: `"log"` suits latencies spread over orders of magnitude. @default {"linear"} */
  scale?: "linear" | "log";
  /**
   * At most this many outlier dots are drawn (shared equally by the runs of a compare
   * page): beyond it exactly this many, evenly sampled, said in the subtitle. @default {2000}
   */
  maxOutliers?: number;
}

const DEFAULTS: Required<LatencyByModelOptions> = {
  title: "Latency by Model",
  width: LAYOUT.width,
  rowHeight: 44,
  scale: "linear",
  maxOutliers: 2000,
};

/** The five numbers of one model's box, in seconds. */
export interface LatencyBox {
  model: string;
  count: number;
  /** Lowest value within 1.5 × IQR below the first quartile. */
  low: number;
  q1: number;
  median: number;
  q3: number;
  /** Highest value within 1.5 × IQR above the third quartile. */
  high: number;
}

/**
 * Box statistics of the response time per model (completed calls, `duration_s > 0`),
 * quartiles with linear interpolation (numpy's default), fastest median first.
 */
export function latencyBoxes(calls: pl.DataFrame): { boxes: LatencyBox[]; outliers: pl.DataFrame } {
  const done = completedCalls(calls, ["model", "duration_s"]);
  const d = pl.col("duration_s");
  const stats = done.groupBy("model").agg(
    pl.len().alias("count"),
    d.quantile(0.25, "linear").alias("q1"),
    d.quantile(0.5, "linear").alias("median"),
    d.quantile(0.75, "linear").alias("q3"),
  ).withColumns(
    pl.col("q1").sub(pl.col("q3").sub(pl.col("q1")).mul(1.5)).alias("lo_fence"),
    pl.col("q3").add(pl.col("q3").sub(pl.col("q1")).mul(1.5)).alias("hi_fence"),
  );
  // Lazily: the calls with their model's fences are never a frame of their own (every
  // completed call, eight columns, held until a collection); the two queries join again.
  const joined = done.lazy().join(stats.lazy(), { on: "model" });
  const inside = d.gtEq(pl.col("lo_fence")).and(d.ltEq(pl.col("hi_fence")));
  const whiskers = joined.filter(inside).groupBy("model").agg(
    d.min().alias("low"),
    d.max().alias("high"),
  ).collectSync();
  const table = stats.join(whiskers, { on: "model" }).sort(["median", "model"]);
  const boxes = rows<LatencyBox>(table, ["model", "count", "low", "q1", "median", "q3", "high"])
    .map((b) => ({ ...b, count: Number(b.count) }));
  const outliers = joined.filter(inside.not()).select("model", "duration_s").sort([
    "model",
    "duration_s",
  ]).collectSync();
  return { boxes, outliers };
}

/**
 * The response time of completed calls per model as horizontal box plots: the
 * box spans the 25th to 75th percentile, the black tick is the median, the
 * whiskers reach the farthest values within 1.5 × IQR, dots are the calls
 * beyond. Models are sorted by median, fastest at the top. On a compare page (a
 * `group` column with two values or more), each model has one box per run, coloured
 * by run.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { latencyByModel } from "./latency_by_model.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await latencyByModel(traces.calls, { scale: "log" });
 * if (fig.title !== "Latency by Model" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * ```
 */
export async function latencyByModel(
  calls: pl.DataFrame,
  options: LatencyByModelOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["model", "status", "duration_s"], "latencyByModel()");
  const colors = modelColors(calls);
  const overall = latencyBoxes(calls);
  // On a compare page, one box per model and run, side by side, coloured by run.
  const groups = groupsOf(calls);
  // Each run's boxes and outliers, computed once.
  const runs = groups?.map((group) => ({
    group,
    ...latencyBoxes(calls.filter(pl.col("group").eq(pl.lit(group)))),
  }));
  const boxes: (LatencyBox & { group?: string })[] = runs
    ? runs.flatMap((r) => r.boxes.map((b) => ({ ...b, group: r.group })))
    : overall.boxes;
  if (boxes.length === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: 200,
      message: "No completed calls with a response time",
    });
  }
  let outliers = 0;
  let sampled = false;
  const outlierRows = (all: pl.DataFrame) => {
    const shown = sampleRows(all, o.maxOutliers / (groups?.length ?? 1));
    outliers += shown.total;
    sampled ||= shown.sampled;
    return rows<{ model: string; duration_s: number }>(shown.frame, ["model", "duration_s"]);
  };
  const dots: { model: string; duration_s: number; group?: string }[] = runs
    ? runs.flatMap((r) => outlierRows(r.outliers).map((d) => ({ ...d, group: r.group })))
    : outlierRows(overall.outliers);
  const keyOf = (b: { model: string; group?: string }) =>
    groups ? `${b.model}\u0000${b.group}` : b.model;
  // Models by their overall median, fastest first; within a model, the runs in order.
  const domain = groups
    ? overall.boxes.flatMap((m) =>
      groups.filter((g) => boxes.some((b) => b.model === m.model && b.group === g))
        .map((g) => keyOf({ model: m.model, group: g }))
    )
    : boxes.map((b) => b.model);
  const labelOf = (key: string) => {
    const [model, group] = key.split("\u0000");
    return group === undefined ? shortLabel(model!) : modelGroupLabel(model!, group);
  };
  const marginLeft = Math.max(60, maxLabelWidth(domain.map(labelOf)) + 16);
  const total = boxes.reduce((s, b) => s + b.count, 0);
  const fill = (b: LatencyBox & { group?: string }) =>
    groups ? groupColor(groups.indexOf(b.group!)) : colorOf(colors, b.model);
  const notes = [
    `${plural(total, "completed call")}; box 25th–75th percentile, tick median, whiskers 1.5 × IQR`,
  ];
  if (sampled) notes.push(sampleNote(dots.length, plural(outliers, "outlier")));
  return await renderFigure({
    title: o.title,
    subtitle: notes.join("; "),
    width: o.width,
    height: domain.length * o.rowHeight + 70,
    legend: groups?.map((g, i) => ({ label: g, color: groupColor(i) })),
    plot: {
      marginLeft,
      marginRight: 72,
      marginBottom: 50,
      x: {
        ...AXIS,
        type: o.scale,
        label: "Response Time (seconds)",
        labelAnchor: "center",
        labelOffset: 40,
        grid: true,
        nice: true,
        // Latencies start at zero; this also gives a single value a proper axis.
        zero: o.scale === "linear",
      },
      y: {
        ...AXIS,
        label: null,
        domain,
        padding: 0.3,
        tickFormat: labelOf,
        tickSize: 0,
      },
      marks: [
        Plot.ruleY(boxes, { y: keyOf, x1: "low", x2: "high" }),
        Plot.barX(boxes, {
          y: keyOf,
          x1: "q1",
          x2: "q3",
          fill,
          fillOpacity: 0.75,
          stroke: "currentColor",
          strokeWidth: 0.75,
          title: (b: LatencyBox) =>
            `${b.model}${
              groups ? ` (${(b as { group?: string }).group})` : ""
            }: n=${b.count}, median ${formatFixed(b.median, 3)} s, IQR ${formatFixed(b.q1, 3)}–${
              formatFixed(b.q3, 3)
            } s`,
        }),
        Plot.tickX(boxes, { y: keyOf, x: "median", strokeWidth: 2.5 }),
        Plot.dot(dots, {
          y: keyOf,
          x: "duration_s",
          r: 2.5,
          stroke: "currentColor",
          strokeOpacity: 0.6,
        }),
        Plot.text(boxes, {
          y: keyOf,
          frameAnchor: "right",
          text: (b: LatencyBox) => `n=${formatInt(b.count)}`,
          dx: 8,
          textAnchor: "start",
          fontSize: FONT_SIZE.tick - 1,
          fill: "#555",
        }),
      ],
    },
  });
}
