/**
 * Calls and errors over time: stacked bars of calls per time bucket by status.
 *
 * @module
 */
import { formatInt } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import { callsOverTime as countCallsOverTime } from "../metrics/throughput.ts";
import {
  chooseInterval,
  groupsOf,
  intervalOf,
  maxOf,
  minOf,
  perGroup,
  requireColumns,
  rows,
  timeExtent,
  type TimeInterval,
} from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import {
  countAxis,
  countAxisSpace,
  groupPanels,
  LAYOUT,
  plural,
  STATUS_COLORS,
  TIME_MARGIN_BOTTOM,
  TIME_MARGIN_RIGHT,
  timeAxis,
} from "./_style.ts";

/** Options of {@linkcode callsOverTimeFigure}. */
export interface CallsOverTimeFigureOptions {
  /** The title drawn at the top. @default {"Calls and Errors over Time"} */
  title?: string;
  /**
   * The bucket width as a Polars duration of the ladder (`"1s"`, `"5s"`, `"10s"`,
   * `"30s"`, `"1m"`, `"5m"`, `"10m"`, `"30m"`, `"1h"`, `"3h"`, `"6h"`, `"12h"`,
   * `"1d"`, `"7d"`); by default the narrowest giving at most `maxBuckets` buckets.
   */
  interval?: string;
  /** At most this many time buckets: without `interval`, the narrowest interval of the ladder that fits. @default {60} */
  maxBuckets?: number;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height in pixels (SVG units). @default {360} */
  height?: number;
}

const DEFAULTS = {
  title: "Calls and Errors over Time",
  maxBuckets: 60,
  width: LAYOUT.width,
  height: 360,
};

const STATUSES = ["ok", "error", "pending"];

/** One stacked segment: the calls of one status in one bucket. */
export interface CallBucket {
  start: Date;
  end: Date;
  status: string;
  calls: number;
  /** Stack offsets. */
  y1: number;
  y2: number;
}

/**
 * Calls per bucket of `started_at` and status, stacked ok, error, pending, from
 * `callsOverTime` of `src/metrics/` (calls with no start time are left out;
 * the loader gives an orphan response the start its duration implies).
 */
export function callBuckets(
  calls: pl.DataFrame,
  options: { interval?: string; maxBuckets?: number } = {},
): { buckets: CallBucket[]; interval: TimeInterval } {
  // Only the two columns read: filtering copies every column of the frame it is given.
  const timed = calls.select("started_at", "status").filter(pl.col("started_at").isNotNull());
  const extent = timeExtent(timed, "started_at");
  if (!extent) return { buckets: [], interval: intervalOf("1m") };
  const span = extent[1].getTime() - extent[0].getTime();
  const interval = options.interval
    ? intervalOf(options.interval)
    : chooseInterval(span, options.maxBuckets ?? 60);
  const counted = rows<{ time: Date; ok: number; errors: number; pending: number }>(
    countCallsOverTime(timed, { every: interval.every }),
    ["time", "ok", "errors", "pending"],
  );
  const buckets: CallBucket[] = [];
  for (const r of counted) {
    let top = 0;
    const end = new Date(r.time.getTime() + interval.ms);
    for (
      const [status, n] of [["ok", r.ok], ["error", r.errors], ["pending", r.pending]] as const
    ) {
      const calls = Number(n);
      if (calls === 0) continue;
      buckets.push({ start: r.time, end, status, calls, y1: top, y2: top + calls });
      top += calls;
    }
  }
  return { buckets, interval };
}

/**
 * Calls started per time bucket as stacked bars, coloured by status (ok,
 * error, pending), so bursts and error spikes show at a glance. Time is UTC.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { callsOverTimeFigure } from "./calls_over_time.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await callsOverTimeFigure(traces.calls, { interval: "1m" });
 * if (fig.title !== "Calls and Errors over Time" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * ```
 */
export async function callsOverTimeFigure(
  calls: pl.DataFrame,
  options: CallsOverTimeFigureOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["started_at", "status"], "callsOverTimeFigure()");
  const whole = callBuckets(calls, o);
  const { interval } = whole;
  // On a compare page, one panel per run, bucketed alike.
  const groups = groupsOf(calls);
  const buckets: (CallBucket & { group?: string })[] = groups
    ? perGroup(calls, groups, (part) => callBuckets(part, { interval: interval.every }).buckets)
    : whole.buckets;
  if (buckets.length === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No calls with a time",
    });
  }
  const totals = new Map<string, number>();
  for (const b of buckets) totals.set(b.status, (totals.get(b.status) ?? 0) + b.calls);
  const statuses = STATUSES.filter((s) => totals.has(s));
  const peak = maxOf(buckets.map((b) => b.y2));
  const total = [...totals.values()].reduce((s, n) => s + n, 0);
  const errors = totals.get("error") ?? 0;
  const panels = groupPanels(groups, o.height);
  const space = countAxisSpace(peak);
  const starts = whole.buckets.map((b) => b.start.getTime());
  return await renderFigure({
    title: o.title,
    subtitle: `${plural(total, "call")}, ${plural(errors, "error")}, per ${interval.name}${
      groups ? "; one panel per run" : ""
    }`,
    width: o.width,
    height: panels.height,
    legend: statuses.map((s) => ({
      label: `${s} (${formatInt(totals.get(s)!)})`,
      color: STATUS_COLORS[s] ?? "#999",
    })),
    plot: {
      marginLeft: space.marginLeft,
      marginRight: Math.max(TIME_MARGIN_RIGHT, panels.marginRight),
      marginBottom: TIME_MARGIN_BOTTOM,
      x: timeAxis(
        new Date(minOf(starts)),
        new Date(maxOf(starts) + interval.ms),
        o.width,
      ),
      y: {
        ...countAxis(peak, `Calls per ${interval.name}`),
        labelAnchor: groups ? "top" : "center",
        labelOffset: groups ? undefined : space.labelOffset,
      },
      ...(panels.fy ? { fy: panels.fy } : {}),
      marks: [
        Plot.rectY(buckets, {
          x1: "start",
          x2: "end",
          y1: "y1",
          y2: "y2",
          ...(groups ? { fy: "group" } : {}),
          fill: (b: CallBucket) => STATUS_COLORS[b.status] ?? "#999",
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (b: CallBucket) => `${b.start.toISOString()}: ${b.calls} ${b.status}`,
        }),
        Plot.ruleY([0]),
      ],
    },
  });
}
