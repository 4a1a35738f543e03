/**
 * The session timeline: every call a bar from start to end on its session's
 * row, coloured by model, errors marked.
 *
 * @module
 */
import { formatInt } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import {
  colorOf,
  drawnEnds,
  groupsOf,
  maxOf,
  minOf,
  modelColors,
  requireColumns,
  rows,
  sampleNote,
  sampleRows,
  timeExtent,
} from "./_data.ts";
import type { LegendItem } from "./_render.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import {
  AXIS,
  FONT_SIZE,
  LAYOUT,
  maxLabelWidth,
  plural,
  shortLabel,
  STATUS_COLORS,
  TIME_MARGIN_BOTTOM,
  TIME_MARGIN_RIGHT,
  timeAxis,
} from "./_style.ts";

/** Options of {@linkcode sessionTimeline}. */
export interface SessionTimelineOptions {
  /** The title drawn at the top. @default {"Session Timeline"} */
  title?: string;
  /** At most this many sessions (rows) are drawn, the earliest first. @default {30} */
  maxSessions?: number;
  /**
   * `"absolute"`: a shared UTC time axis. `"relative"`: seconds since each session's
   * first call, for sessions far apart in time. `"auto"` picks relative when the
   * sessions span more than 20 times the longest one.
   * @default {"auto"}
   */
  time?: "auto" | "absolute" | "relative";
  /**
   * At most this many calls are drawn: beyond it exactly this many, evenly sampled (the
   * subtitle says how many of how many). @default {2000}
   */
  maxCalls?: number;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of one session's row. @default {26} */
  rowHeight?: number;
  /**
   * The sessions frame: a pending call is drawn to its session's last event (its
   * `ended_at`). Without it, to the last start or end among its session's calls.
   */
  sessions?: pl.DataFrame;
}

const DEFAULTS: Required<Omit<SessionTimelineOptions, "sessions">> = {
  title: "Session Timeline",
  maxSessions: 30,
  time: "auto",
  maxCalls: 2000,
  width: LAYOUT.width,
  rowHeight: 26,
};

interface Bar {
  session: string;
  model: string;
  status: string;
  request_id: string | null;
  x1: Date | number;
  x2: Date | number;
}

/** Session labels: the first 8 characters when those are unique, else the ids. */
function sessionLabels(ids: string[]): Map<string, string> {
  const short = ids.map((id) => (id.length > 12 ? id.slice(0, 8) + "…" : id));
  const unique = new Set(short).size === ids.length;
  return new Map(ids.map((id, i) => [id, unique ? short[i]! : shortLabel(id, 40)]));
}

/**
 * Each call as a bar from `started_at` to `ended_at` on its session's row,
 * coloured by model; a pending call runs to its session's last event (never
 * to the end of the whole run) with a grey dashed outline; an error is marked with a red × at its end. Sessions are
 * ordered by their first call; at most `maxSessions` rows. On a compare page (a
 * `group` column with two values or more), each run's sessions are together, their
 * rows labelled with the run, an equal share of the rows each.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { sessionTimeline } from "./session_timeline.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await sessionTimeline(traces.calls, { time: "relative" });
 * if (fig.title !== "Session Timeline" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * ```
 */
export async function sessionTimeline(
  calls: pl.DataFrame,
  options: SessionTimelineOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(
    calls,
    ["session_id", "model", "started_at", "ended_at", "status"],
    "sessionTimeline()",
  );
  const colors = modelColors(calls);
  // On a compare page, each run's sessions together, labelled with the run.
  const groups = groupsOf(calls);
  const timed = drawnEnds(
    calls
      .select(
        "session_id",
        "request_id",
        "model",
        "status",
        "started_at",
        "ended_at",
        ...(groups ? ["group"] : []),
      )
      .filter(pl.col("started_at").isNotNull()),
    options.sessions,
  );
  if (timed.height === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: 160,
      message: "No calls with a start time",
    });
  }
  const lastTime = new Date(
    Math.max(
      timeExtent(timed, "started_at")![1].getTime(),
      timeExtent(timed, "drawn_end")?.[1].getTime() ?? 0,
    ),
  );
  const sessions = timed
    .groupBy("session_id")
    .agg(
      pl.col("started_at").min().alias("first"),
      pl.col("drawn_end").fillNull(pl.col("started_at")).max().alias("last"),
      (groups ? pl.col("group") : pl.lit(null)).first().alias("group"),
    )
    .sort(["first", "session_id"]);
  const all = rows<{ session_id: string; first: Date; last: Date; group: string | null }>(
    sessions,
    ["session_id", "first", "last", "group"],
  );
  // The first sessions of each run, an equal share of maxSessions each.
  const perRun = groups ? Math.max(1, Math.floor(o.maxSessions / groups.length)) : o.maxSessions;
  const shownSessions = groups
    ? groups.flatMap((g) => all.filter((s) => s.group === g).slice(0, perRun))
    : all.slice(0, o.maxSessions);
  const shownIds = shownSessions.map((s) => s.session_id);
  const firstOf = new Map(shownSessions.map((s) => [s.session_id, s.first.getTime()]));
  const longest = maxOf(all.map((s) => s.last.getTime() - s.first.getTime()));
  const span = maxOf(all.map((s) => s.last.getTime())) - minOf(all.map((s) => s.first.getTime()));
  const relative = o.time === "relative" ||
    (o.time === "auto" && all.length > 1 && span > 20 * Math.max(longest, 1));

  const short = sessionLabels(shownIds);
  const runOf = new Map(shownSessions.map((s) => [s.session_id, s.group]));
  const labels = new Map(
    shownIds.map((id) => [
      id,
      groups ? `${shortLabel(runOf.get(id) ?? "(none)", 16)} · ${short.get(id)}` : short.get(id)!,
    ]),
  );
  const inShown = timed.filter(pl.col("session_id").isIn(shownIds));
  const shownCalls = sampleRows(inShown, o.maxCalls);
  const pos = (sid: string, d: Date) => (relative ? (d.getTime() - firstOf.get(sid)!) / 1000 : d);
  const bars: Bar[] = rows<{
    session_id: string;
    request_id: string | null;
    model: string;
    status: string;
    started_at: Date;
    drawn_end: Date;
  }>(shownCalls.frame, [
    "session_id",
    "request_id",
    "model",
    "status",
    "started_at",
    "drawn_end",
  ]).map((r) => ({
    session: labels.get(r.session_id)!,
    model: r.model,
    status: r.status,
    request_id: r.request_id,
    x1: pos(r.session_id, r.started_at),
    // A pending call has no end: it runs to its session's last event (drawnEnds).
    x2: pos(r.session_id, r.drawn_end),
  }));
  const done = bars.filter((b) => b.status !== "pending");
  const pending = bars.filter((b) => b.status === "pending");
  const errors = bars.filter((b) => b.status === "error");

  const models = colors.domain.filter((m) => bars.some((b) => b.model === m));
  const legend: LegendItem[] = models.map((m) => ({ label: m, color: colorOf(colors, m) }));
  if (errors.length) legend.push({ label: "error", color: STATUS_COLORS.error!, symbol: "times" });
  if (pending.length) legend.push({ label: "pending", color: STATUS_COLORS.pending! });

  const domain = shownIds.map((id) => labels.get(id)!);
  const inSessions = `${plural(inShown.height, "call")} in ${plural(shownIds.length, "session")}`;
  const notes = [shownCalls.sampled ? sampleNote(bars.length, inSessions) : inSessions];
  if (all.length > shownIds.length) {
    notes.push(
      groups
        ? `first ${perRun} sessions of each run shown, ${shownIds.length} of ${
          formatInt(all.length)
        }`
        : `first ${shownIds.length} of ${formatInt(all.length)} sessions shown`,
    );
  }
  if (relative) notes.push("time since each session's first call");
  const fillOf = (b: Bar) => colorOf(colors, b.model);
  const title = (b: Bar) => `${b.model} ${b.status}${b.request_id ? ` (${b.request_id})` : ""}`;
  return await renderFigure({
    title: o.title,
    subtitle: notes.join("; "),
    width: o.width,
    height: domain.length * o.rowHeight + 80,
    legend,
    plot: {
      marginLeft: Math.max(60, maxLabelWidth(domain, FONT_SIZE.tick) + 16),
      marginRight: relative ? 24 : TIME_MARGIN_RIGHT,
      marginBottom: relative ? 50 : TIME_MARGIN_BOTTOM,
      x: relative
        ? {
          ...AXIS,
          type: "linear",
          label: "Seconds since session start",
          labelAnchor: "center",
          labelOffset: 40,
          grid: true,
        }
        : {
          ...timeAxis(
            new Date(minOf(shownSessions.map((s) => s.first.getTime()))),
            lastTime,
            o.width,
          ),
          grid: true,
        },
      y: { ...AXIS, label: null, domain, padding: 0.25, tickSize: 0 },
      marks: [
        Plot.barX(done, {
          y: "session",
          x1: "x1",
          x2: "x2",
          fill: fillOf,
          fillOpacity: 0.85,
          title,
        }),
        Plot.barX(pending, {
          y: "session",
          x1: "x1",
          x2: "x2",
          fill: fillOf,
          fillOpacity: 0.25,
          stroke: STATUS_COLORS.pending!,
          strokeDasharray: "3,2",
          title,
        }),
        // A start tick keeps calls of a few milliseconds visible at any zoom.
        Plot.tickX(bars, { y: "session", x: "x1", stroke: fillOf, strokeWidth: 1.5 }),
        Plot.dot(errors, {
          y: "session",
          x: "x2",
          symbol: "times",
          r: 5,
          stroke: STATUS_COLORS.error!,
          strokeWidth: 2,
          title,
        }),
      ],
    },
  });
}
