/**
 * The seed's response-time histogram: `plt.hist(response_times, bins=10)`.
 *
 * @module
 */
import * as Plot from "npm:@observablehq/plot@0.6.17";
import type pl from "npm:nodejs-polars@0.25.2";
import type { Figure } from "./figure.ts";
import { histogramBins } from "./_bins.ts";
import { completedCalls, maxOf, numbers, requireColumns } from "./_data.ts";
import { renderFigure } from "./_render.ts";
import { AXIS, COLORS, countAxis, LAYOUT, plural } from "./_style.ts";

/** Options of {@linkcode latencyHistogram}. */
export interface LatencyHistogramOptions {
  /** @default {"Distribution of Response Times"} */
  title?: string;
  /** Number of equal-width bins between the minimum and the maximum. @default {10} */
  bins?: number;
  /** @default {720} */
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
 * is "Response Time (seconds)", the y axis "Frequency".
 *
 * @example
 * ```ts ignore
 * const fig = await latencyHistogram(traces.calls);
 * await Deno.writeFile("response_times.png", fig.toPNG());
 * ```
 */
export async function latencyHistogram(
  calls: pl.DataFrame,
  options: LatencyHistogramOptions = {},
): Promise<Figure> {
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
  const bins = histogramBins(values, o.bins);
  return await renderFigure({
    title: o.title,
    subtitle: `${plural(values.length, "completed call")}, ${o.bins} bins`,
    width: o.width,
    height: o.height,
    plot: {
      marginLeft: 60,
      marginBottom: 50,
      marginRight: 24,
      x: {
        ...AXIS,
        label: "Response Time (seconds)",
        labelAnchor: "center",
        labelOffset: 40,
        domain: [bins[0]!.x0, bins.at(-1)!.x1],
      },
      y: {
        ...countAxis(maxOf(bins.map((b) => b.count)), "Frequency"),
        labelAnchor: "center",
        labelOffset: 48,
      },
      marks: [
        Plot.rectY(bins, {
          x1: "x0",
          x2: "x1",
          y: "count",
          fill: COLORS.primary,
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (b: { x0: number; x1: number; count: number }) =>
            `${b.x0.toFixed(3)}–${b.x1.toFixed(3)} s: ${b.count}`,
        }),
        Plot.ruleY([0]),
      ],
    },
  });
}
