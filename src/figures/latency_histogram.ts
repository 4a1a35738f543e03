/**
 * The seed's response-time histogram: `plt.hist(response_times, bins=10)`.
 *
 * @module
 */
import { formatFixed } from "../log/format.ts";
import type { Figure } from "./figure.ts";
import { type Bin, histogramBins } from "./_bins.ts";
import pl from "../frames/polars.ts";
import { completedCalls, groupsOf, maxOf, numbers, requireColumns } from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import { AXIS, COLORS, countAxis, countAxisSpace, groupPanels, LAYOUT, plural } from "./_style.ts";

/** Options of {@linkcode latencyHistogram}. */
export interface LatencyHistogramOptions {
  /** The title drawn at the top. @default {"Distribution of Response Times"} */
  title?: string;
  /** Number of equal-width bins between the minimum and the maximum. @default {10} */
  bins?: number;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of the plot area. @default {400} */
  height?: number;
}

const DEFAULTS: Required<LatencyHistogramOptions> = {
  title: "Distribution of Response Times",
  bins: 10,
  width: LAYOUT.width,
  height: LAYOUT.plotHeight,
};

/**
 * The distribution of response times: calls with status `"ok"` and
 * `duration_s > 0` (the seed's population), in equal-width bins between the
 * minimum and the maximum exactly as numpy and matplotlib bin them. The x axis
 * is "Response Time (seconds)", the y axis "Frequency". On a compare page (a
 * `group` column with two values or more), one panel per run over the same bins.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { latencyHistogram } from "./latency_histogram.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await latencyHistogram(traces.calls);
 * if (fig.title !== "Distribution of Response Times" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * const png = fig.toPNG(); // what Deno.writeFile("response_times.png", png) would write
 * if (png[0] !== 0x89 || String.fromCharCode(...png.subarray(1, 4)) !== "PNG") throw new Error("PNG");
 * ```
 */
export async function latencyHistogram(
  calls: pl.DataFrame,
  options: LatencyHistogramOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["status", "duration_s"], "latencyHistogram()");
  const values = numbers(completedCalls(calls, ["duration_s"]), "duration_s");
  if (values.length === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No completed calls with a response time",
    });
  }
  const all = histogramBins(values, o.bins);
  // On a compare page, one histogram per run over the same edges.
  const groups = groupsOf(calls);
  const range = [all[0]!.x0, all.at(-1)!.x1] as const;
  const bins: (Bin & { group?: string })[] = groups
    ? groups.flatMap((group) =>
      histogramBins(
        numbers(
          completedCalls(calls, ["duration_s", "group"]).filter(pl.col("group").eq(pl.lit(group))),
          "duration_s",
        ),
        o.bins,
        range,
      ).map((b) => ({ ...b, group }))
    )
    : all;
  const max = maxOf(bins.map((b) => b.count));
  const panels = groupPanels(groups, o.height);
  const space = countAxisSpace(max);
  return await renderFigure({
    title: o.title,
    subtitle: `${plural(values.length, "completed call")}, ${o.bins} bins${
      groups ? "; one panel per run" : ""
    }`,
    width: o.width,
    height: panels.height,
    plot: {
      marginLeft: space.marginLeft,
      marginBottom: 50,
      marginRight: Math.max(24, panels.marginRight),
      ...(panels.fy ? { fy: panels.fy } : {}),
      x: {
        ...AXIS,
        label: "Response Time (seconds)",
        labelAnchor: "center",
        labelOffset: 40,
        domain: [bins[0]!.x0, bins.at(-1)!.x1],
      },
      y: {
        ...countAxis(max, "Frequency"),
        // Over panels a centred title would sit between two of them: it goes on top.
        labelAnchor: groups ? "top" : "center",
        labelOffset: groups ? undefined : space.labelOffset,
      },
      marks: [
        Plot.rectY(bins, {
          x1: "x0",
          x2: "x1",
          y: "count",
          ...(groups ? { fy: "group" } : {}),
          fill: COLORS.primary,
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (b: { x0: number; x1: number; count: number }) =>
            `${formatFixed(b.x0, 3)}–${formatFixed(b.x1, 3)} s: ${b.count}`,
        }),
        Plot.ruleY([0]),
      ],
    },
  });
}
