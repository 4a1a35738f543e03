/**
 * `plotFigure`: a custom figure from any Observable Plot chart, drawn with the
 * house style (title, subtitle, legend) into the same `Figure` the built-in
 * figures return: inline in a notebook, SVG and PNG headless.
 *
 * @module
 */
import type * as Plot from "npm:@observablehq/plot@0.6.17";
import type { Figure } from "../figures/figure.ts";
import { type LegendItem, renderFigure } from "../figures/_render.ts";
import { LAYOUT } from "../figures/_style.ts";

/**
 * Observable Plot's options (`marks`, scales, …), which Plot documents
 * (https://observablehq.com/plot/features/plots); left out of tracebook's docs.
 *
 * @ignore
 */
export type PlotOptions = Plot.PlotOptions;

/** What {@linkcode plotFigure} draws. */
export interface PlotFigureSpec {
  /** The title drawn at the top (text from traces is escaped by SVG serialization). */
  title: string;
  /** One line under the title. */
  subtitle?: string;
  /** Plot's options (`marks`, scales, …) without `document`, `width` and `height`. */
  plot: PlotOptions;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of the plot area. @default {320} */
  height?: number;
  /** Legend entries drawn under the title. */
  legend?: LegendItem[];
}

/**
 * Draw an Observable Plot chart as a {@linkcode Figure}.
 *
 * @example
 * ```ts
 * import * as Plot from "npm:@observablehq/plot@0.6.17";
 * import { loadTraces } from "../load/mod.ts";
 * import { plotFigure } from "./plot_figure.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await plotFigure({
 *   title: "Output tokens per call",
 *   plot: { marks: [Plot.dot(traces.calls.toRecords(), { x: "started_at", y: "output_tokens" })] },
 * });
 * const svg = fig.toSVG();
 * if (!svg.startsWith("<svg") || !svg.includes("Output tokens per call") || fig.width !== 720) {
 *   throw new Error("figure");
 * }
 * ```
 */
export function plotFigure(spec: PlotFigureSpec): Promise<Figure> {
  return renderFigure({
    title: spec.title,
    subtitle: spec.subtitle,
    legend: spec.legend,
    width: spec.width ?? LAYOUT.width,
    height: spec.height ?? 320,
    plot: spec.plot,
  });
}
