/**
 * The empirical cumulative distribution (ECDF) of latency per model: for each
 * response time x, the share of a model's successful calls that took at most x.
 *
 * @module
 */
import { formatInt } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import {
  colorOf,
  completedCalls,
  groupsOf,
  maxOf,
  minOf,
  modelColors,
  requireColumns,
} from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import {
  AXIS,
  FONT_SIZE,
  LAYOUT,
  leftAxisSpace,
  maxLabelWidth,
  plural,
  shortLabel,
} from "./_style.ts";

/** Options of {@linkcode latencyEcdf}. */
export interface LatencyEcdfOptions {
  /** The title drawn at the top. @default {"Latency ECDF by Model"} */
  title?: string;
  /** The x scale: `"log"` spreads long-tailed latencies. @default {"linear"} */
  scale?: "linear" | "log";
  /** At most this many points per model (evenly spaced ranks beyond it). @default {1000} */
  maxPoints?: number;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of the plot area (of each group's panel on a compare page). @default {320} */
  height?: number;
}

const DEFAULTS: Required<LatencyEcdfOptions> = {
  title: "Latency ECDF by Model",
  scale: "linear",
  maxPoints: 1000,
  width: LAYOUT.width,
  height: 320,
};

/** One step of an ECDF: the share `y` of calls that took at most `x` seconds. */
export interface EcdfPoint {
  model: string;
  /** The comparison group, on a compare page. */
  group: string | null;
  x: number;
  y: number;
}

/**
 * The ECDF steps of the successful calls' latency, per model (and group): for the
 * i-th smallest of n durations, the point (x(i), i / n), after a first point
 * (x(1), 0). Beyond `maxPoints` per series, evenly spaced ranks and the last one.
 *
 * @example
 * ```ts
 * import pl from "npm:nodejs-polars@0.25.2";
 * import { ecdfPoints } from "./latency_ecdf.ts";
 * const calls = pl.DataFrame({ model: ["a", "a"], status: ["ok", "ok"], duration_s: [2, 1] });
 * const p = ecdfPoints(calls).map((q) => [q.x, q.y]);
 * if (JSON.stringify(p) !== "[[1,0],[1,0.5],[2,1]]") throw new Error(JSON.stringify(p));
 * ```
 */
export function ecdfPoints(calls: pl.DataFrame, maxPoints = DEFAULTS.maxPoints): EcdfPoint[] {
  const hasGroup = calls.columns.includes("group");
  const keys = hasGroup ? ["group", "model"] : ["model"];
  const done = completedCalls(calls, [...keys, "duration_s"]);
  if (done.height === 0) return [];
  // One series per key, in key order (nulls last); each sorts only its own durations,
  // and only the points drawn become JS values (not 200,000 rows).
  const parts = done.partitionBy(keys, true, true);
  const order = pl.concat(
    parts.map((part, i) => part.head(1).select(...keys, pl.lit(i).cast(pl.Int64).alias("__p"))),
  ).sort(keys, false, true).getColumn("__p").toArray().map(Number);
  const out: EcdfPoint[] = [];
  for (const p of order) {
    const part = parts[p]!;
    const model = part.getColumn("model").get(0) as string;
    const group = hasGroup ? (part.getColumn("group").get(0) as string | null) ?? null : null;
    const n = part.height;
    // Every rank when the series is short enough, else the first, every step-th and the last.
    const step = Math.ceil(n / maxPoints);
    const ranks: number[] = [];
    if (Number.isInteger(step) && step > 1) {
      ranks.push(1);
      for (let r = step; r < n; r += step) ranks.push(r);
      if (n > 1) ranks.push(n);
    } else {
      for (let r = 1; r <= n; r++) {
        if (r === 1 || r === n || step <= 1 || r % step === 0) ranks.push(r);
      }
    }
    const xs = part.getColumn("duration_s").sort().gather(ranks.map((r) => r - 1)).toArray();
    ranks.forEach((rank, i) => {
      const x = Number(xs[i]);
      // Each series starts at (x(1), 0).
      if (rank === 1) out.push({ model, group, x, y: 0 });
      if (step <= 1 || rank % step === 0 || rank === n) out.push({ model, group, x, y: rank / n });
    });
  }
  return out;
}

/**
 * The ECDF of latency per model, one step line each: read the share of calls done
 * within a time off the y axis, or the time within which a share of them finished
 * (the median at 0.5, p95 at 0.95) off the x axis; the line further left is faster.
 * Successful calls with a positive duration, as the other latency figures. On a
 * compare page (a `group` column with two values or more), one panel per group.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { latencyEcdf } from "./latency_ecdf.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await latencyEcdf(traces.calls, { scale: "log" });
 * if (fig.title !== "Latency ECDF by Model" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * ```
 */
export async function latencyEcdf(
  calls: pl.DataFrame,
  options: LatencyEcdfOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["model", "status", "duration_s"], "latencyEcdf()");
  const colors = modelColors(calls);
  const points = ecdfPoints(calls, o.maxPoints);
  if (points.length === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No completed calls with a response time",
    });
  }
  const groups = groupsOf(calls);
  const lo = minOf(points.map((p) => p.x));
  const hi = maxOf(points.map((p) => p.x));
  const models = colors.domain.filter((m) => points.some((p) => p.model === m));
  const n = points.filter((p) => p.y > 0).length;
  const total = completedCalls(calls, ["model"]).height;
  const notes = [`${plural(total, "completed call")} of ${plural(models.length, "model")}`];
  if (n < total) notes.push(`at most ${formatInt(o.maxPoints)} steps per model drawn`);
  if (groups) notes.push(`one panel per ${groups.length === 2 ? "run" : "group"}`);
  const groupLabels = groups?.map((g) => shortLabel(g, 24)) ?? [];
  // the title clear of the widest tick label, "100%" (at 48 px it sat on "30%"–"50%")
  const yAxis = leftAxisSpace(["100%"]);
  return await renderFigure({
    title: o.title,
    subtitle: notes.join("; "),
    width: o.width,
    height: o.height * (groups?.length ?? 1),
    legend: models.map((m) => ({ label: m, color: colorOf(colors, m) })),
    plot: {
      marginLeft: Math.max(60, yAxis.marginLeft),
      marginRight: groups ? Math.max(24, maxLabelWidth(groupLabels, FONT_SIZE.tick) + 16) : 24,
      marginBottom: 50,
      x: {
        ...AXIS,
        type: o.scale,
        label: o.scale === "log" ? "Response Time (seconds, log scale)" : "Response Time (seconds)",
        labelAnchor: "center",
        labelOffset: 40,
        grid: true,
        // Linear from 0 (a single value still gets a proper axis); log over the data, widened
        // when it is one value.
        domain: o.scale === "log"
          ? (lo === hi ? [lo / 2, hi * 2] : [lo, hi])
          : [0, hi > 0 ? hi : 1],
        nice: true,
      },
      y: {
        ...AXIS,
        // Over facets, a centred label would sit between two panels: it goes on top.
        label: "Share of calls",
        labelAnchor: groups ? "top" : "center",
        labelOffset: groups ? undefined : yAxis.labelOffset,
        domain: [0, 1],
        grid: true,
        tickFormat: (d: number) => `${Math.round(d * 100)}%`,
      },
      ...(groups
        ? {
          fy: {
            ...AXIS,
            label: null,
            domain: groups,
            padding: 0.15,
            tickFormat: (g: string) => shortLabel(g, 24),
          },
        }
        : {}),
      marks: [
        Plot.ruleY([0.5, 0.95], {
          stroke: "currentColor",
          strokeOpacity: 0.3,
          strokeDasharray: "4,3",
        }),
        Plot.line(points, {
          x: "x",
          y: "y",
          z: "model",
          ...(groups ? { fy: "group" } : {}),
          stroke: (p: EcdfPoint) => colorOf(colors, p.model),
          strokeWidth: 1.75,
          curve: "step-after",
        }),
        Plot.ruleY([0]),
      ],
    },
  });
}
