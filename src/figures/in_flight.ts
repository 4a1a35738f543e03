/**
 * In-flight calls over time: how many calls were running at each moment.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type pl from "nodejs-polars";
import { inFlight as countInFlight } from "../metrics/throughput.ts";
import type { Figure } from "./figure.ts";
import { chooseInterval, maxOf, requireColumns, rows } from "./_data.ts";
import { renderFigure } from "./_render.ts";
import {
  COLORS,
  countAxis,
  LAYOUT,
  TIME_MARGIN_BOTTOM,
  TIME_MARGIN_RIGHT,
  timeAxis,
} from "./_style.ts";

/** Options of {@linkcode inFlight}. */
export interface InFlightOptions {
  /** @default {"Calls in Flight"} */
  title?: string;
  /** Beyond this many change points the series is reduced to its maximum per time bucket. @default {2000} */
  maxPoints?: number;
  /** @default {720} */
  width?: number;
  /** @default {320} */
  height?: number;
}

const DEFAULTS: Required<InFlightOptions> = {
  title: "Calls in Flight",
  maxPoints: 2000,
  width: LAYOUT.width,
  height: 320,
};

/** The number of calls in flight from `t` until the next point. */
export interface InFlightPoint {
  t: Date;
  in_flight: number;
}

/**
 * The in-flight series from `inFlight` of `src/metrics/`: the number of calls
 * running just after each instant a call starts or ends (a call ending when
 * another starts is not counted twice; a pending call stays in flight to the
 * end; calls without a start time are left out).
 *
 * @example
 * ```ts ignore
 * inFlightSeries(calls); // [{ t, in_flight: 1 }, { t, in_flight: 2 }, …, { t, in_flight: 0 }]
 * ```
 */
export function inFlightSeries(calls: pl.DataFrame): InFlightPoint[] {
  return rows<{ time: Date; in_flight: number }>(countInFlight(calls), ["time", "in_flight"])
    .map((p) => ({ t: p.time, in_flight: Number(p.in_flight) }));
}

/** The maximum per bucket, as a step series (one point per bucket start). */
function reduceToMax(points: InFlightPoint[], ms: number): InFlightPoint[] {
  const out: InFlightPoint[] = [];
  let level = 0; // the level carried into a bucket from the one before
  for (const p of points) {
    const start = Math.floor(p.t.getTime() / ms) * ms;
    const last = out.at(-1);
    if (last && last.t.getTime() === start) last.in_flight = Math.max(last.in_flight, p.in_flight);
    else out.push({ t: new Date(start), in_flight: Math.max(level, p.in_flight) });
    level = p.in_flight;
  }
  return out;
}

/**
 * The number of calls in flight over time as a step area: concurrency peaks,
 * idle gaps and calls left pending at the end of a trace. Time is UTC.
 *
 * @example
 * ```ts ignore
 * const fig = await inFlight(traces.calls);
 * ```
 */
export async function inFlight(
  calls: pl.DataFrame,
  options: InFlightOptions = {},
): Promise<Figure> {
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["started_at", "ended_at"], "inFlight()");
  let points = inFlightSeries(calls);
  if (points.length === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No calls with a start time",
    });
  }
  const peak = maxOf(points.map((p) => p.in_flight));
  const peakAt = points.find((p) => p.in_flight === peak)!.t;
  const notes = [
    `peak ${peak} at ${peakAt.toISOString().replace("T", " ").replace(/\.\d+Z$|Z$/, "")} UTC`,
  ];
  const last = points.at(-1)!;
  if (points.length > o.maxPoints) {
    const span = last.t.getTime() - points[0]!.t.getTime();
    const interval = chooseInterval(span, o.maxPoints / 2);
    points = reduceToMax(points, interval.ms);
    // The series still ends at the level after the last change.
    if (points.at(-1)!.t.getTime() < last.t.getTime()) points.push(last);
    notes.push(`maximum per ${interval.name}`);
  }
  const pending = last.in_flight;
  if (pending > 0) notes.push(`${pending} still in flight at the end`);
  return await renderFigure({
    title: o.title,
    subtitle: notes.join("; "),
    width: o.width,
    height: o.height,
    plot: {
      marginLeft: 60,
      marginRight: TIME_MARGIN_RIGHT,
      marginBottom: TIME_MARGIN_BOTTOM,
      x: timeAxis(points[0]!.t, last.t, o.width),
      y: { ...countAxis(peak, "Calls in flight"), labelAnchor: "center", labelOffset: 48 },
      marks: [
        Plot.areaY(points, {
          x: "t",
          y: "in_flight",
          curve: "step-after",
          fill: COLORS.primary,
          fillOpacity: 0.25,
        }),
        Plot.lineY(points, {
          x: "t",
          y: "in_flight",
          curve: "step-after",
          stroke: COLORS.primary,
          strokeWidth: 1.5,
        }),
        Plot.ruleY([0]),
      ],
    },
  });
}
