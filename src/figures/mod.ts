/**
 * Figures: `(frame, options) => Promise<Figure>` factories drawn with Observable
 * Plot, and the {@linkcode Figure} they return (standalone SVG, PNG through
 * resvg, inline display in a Deno notebook).
 *
 * Every figure function is async: Observable Plot and the DOM it draws into
 * (linkedom) are imported lazily on the first figure, so loading this module
 * stays cheap.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { latencyHistogram } from "./mod.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await latencyHistogram(traces.calls, { width: 600 });
 * // A standalone SVG of the asked width; `fig` alone in a notebook cell shows it inline.
 * if (!fig.toSVG().startsWith("<svg") || fig.width !== 600) throw new Error("figure");
 * ```
 *
 * @module
 */
export { Figure, type FigureInfo, type PngOptions } from "./figure.ts";
export { latencyHistogram, type LatencyHistogramOptions } from "./latency_histogram.ts";
export {
  type EcdfPoint,
  ecdfPoints,
  latencyEcdf,
  type LatencyEcdfOptions,
} from "./latency_ecdf.ts";
export { modelsUsed, type ModelsUsedOptions, requestsPerModel } from "./models_used.ts";
export {
  type LatencyBox,
  latencyBoxes,
  latencyByModel,
  type LatencyByModelOptions,
} from "./latency_by_model.ts";
export {
  type CallBucket,
  callBuckets,
  callsOverTimeFigure,
  type CallsOverTimeFigureOptions,
} from "./calls_over_time.ts";
export { sessionTimeline, type SessionTimelineOptions } from "./session_timeline.ts";
export { tokensVsLatency, type TokensVsLatencyOptions } from "./tokens_vs_latency.ts";
export { costByModel, type CostByModelOptions, costPerModel } from "./cost_by_model.ts";
export {
  inFlightFigure,
  type InFlightOptions,
  type InFlightPoint,
  inFlightSeries,
} from "./in_flight.ts";
export {
  allFigures,
  type AllFiguresOptions,
  FIGURE_NAMES,
  type NamedFigure,
} from "./all_figures.ts";
// LegendItem is public (PlotFigureSpec.legend); the rest of _render.ts stays private.
export type { LegendItem } from "./_render.ts";
