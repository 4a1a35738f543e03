/**
 * The ordered set of figures the report embeds.
 *
 * @module
 */
import type { TraceSet } from "../frames/columns.ts";
import type { Figure } from "./figure.ts";
import { callsOverTimeFigure } from "./calls_over_time.ts";
import { costByModel } from "./cost_by_model.ts";
import { inFlightFigure } from "./in_flight.ts";
import { latencyByModel } from "./latency_by_model.ts";
import { latencyEcdf } from "./latency_ecdf.ts";
import { latencyHistogram } from "./latency_histogram.ts";
import { modelsUsed } from "./models_used.ts";
import { sessionTimeline } from "./session_timeline.ts";
import { tokensVsLatency } from "./tokens_vs_latency.ts";
import { LAYOUT } from "./_style.ts";
import { SETTLE_CALLS, settleWhenGrown } from "../load/_memory.ts";

/** A figure with the name it is saved under and its title. */
export interface NamedFigure {
  /** A file-name stem (`response_times`, `models_used`, …), stable across versions. */
  name: string;
  /** The figure's title, as drawn at its top. */
  title: string;
  /** The figure itself. */
  figure: Figure;
}

/** Options of {@linkcode allFigures}. */
export interface AllFiguresOptions {
  /** The width of every figure. @default {720} */
  width?: number;
  /**
   * Figures already drawn from the same calls with the same width and their default
   * options, by name, used as they are instead of drawn again (`analyze` draws the seed's
   * `models_used` before the report).
   */
  drawn?: Partial<Record<typeof FIGURE_NAMES[number], Figure>>;
}

/** The name of one of {@linkcode allFigures}' figures. */
type FigureName = typeof FIGURE_NAMES[number];

/** The figures of {@linkcode allFigures}, in report order. */
export const FIGURE_NAMES = [
  "response_times",
  "models_used",
  "latency_by_model",
  "latency_ecdf",
  "calls_over_time",
  "session_timeline",
  "tokens_vs_latency",
  "cost_by_model",
  "in_flight",
] as const;

/**
 * Every figure of a trace set, named and in report order: the seed's two
 * (`response_times`, `models_used`), then latency by model, its ECDF, calls and errors
 * over time, the session timeline, tokens versus latency, cost by model and
 * calls in flight. An empty trace set gives empty-state figures, never an error.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { allFigures, FIGURE_NAMES } from "./all_figures.ts";
 * const figures = await allFigures(await loadTraces("traces/"));
 * // One figure per name, in FIGURE_NAMES' order, each an SVG (`analysis/${name}.svg`).
 * if (figures.map((f) => f.name).join() !== FIGURE_NAMES.join()) throw new Error("names");
 * if (!figures.every(({ figure }) => figure.toSVG().startsWith("<svg"))) throw new Error("svg");
 * ```
 */
export async function allFigures(
  traces: TraceSet,
  options: AllFiguresOptions = {},
): Promise<NamedFigure[]> {
  const width = options.width ?? LAYOUT.width;
  const { calls, sessions } = traces;
  const figures: [FigureName, () => Promise<Figure>][] = [
    ["response_times", () => latencyHistogram(calls, { width })],
    ["models_used", () => modelsUsed(calls, { width })],
    ["latency_by_model", () => latencyByModel(calls, { width })],
    ["latency_ecdf", () => latencyEcdf(calls, { width })],
    ["calls_over_time", () => callsOverTimeFigure(calls, { width })],
    ["session_timeline", () => sessionTimeline(calls, { width, sessions })],
    ["tokens_vs_latency", () => tokensVsLatency(calls, { width })],
    ["cost_by_model", () => costByModel(calls, { width })],
    ["in_flight", () => inFlightFigure(calls, { width, sessions })],
  ];
  // Drawn here, one after the other, not on a worker thread while the caller computes the
  // summary and the tables: tried on 2 cores with 200,000 calls (the figures' 13 calls columns
  // to the worker as LZ4 Arrow IPC, 4.5 MB), the worker's Polars work and the caller's share
  // one thread pool, and the summary took 1.2 s instead of 0.75. `report` from the frames
  // cache: 3.08-3.75 s (median 3.45) against 3.38-3.76 (3.48), at 444-456 MB against 351-353;
  // a cold `analyze`: median 10.07 s against 10.10, at 447-459 MB against 382-398, 0.8-1.9 s
  // more CPU. Of the figures' ~1 s, Plot and linkedom draw 0.25-0.37 s; the rest is Polars.
  const out: NamedFigure[] = [];
  const large = calls.height >= SETTLE_CALLS;
  for (const [name, draw] of figures) {
    const drawn = options.drawn?.[name];
    const figure = drawn ?? await draw();
    out.push({ name, title: figure.title, figure });
    if (drawn) continue;
    // a figure's garbage holds Polars' intermediates until collected: let it go as it piles up
    if (large) await settleWhenGrown();
  }
  return out;
}
