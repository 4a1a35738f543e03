/**
 * The seed's "Models Used" bar chart: requests per model.
 *
 * @module
 */
import { formatInt } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import { groupsOf, maxOf, perGroup, requestedCalls, requireColumns, rows } from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import {
  AXIS,
  COLORS,
  countAxis,
  countAxisSpace,
  FONT_SIZE,
  groupPanels,
  LAYOUT,
  plural,
  shortLabel,
  textWidth,
} from "./_style.ts";

/** Options of {@linkcode modelsUsed}. */
export interface ModelsUsedOptions {
  /** The title drawn at the top. @default {"Models Used"} */
  title?: string;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of the plot area, without the room rotated model names take. @default {400} */
  height?: number;
}

const DEFAULTS: Required<ModelsUsedOptions> = {
  title: "Models Used",
  width: LAYOUT.width,
  height: LAYOUT.plotHeight,
};

/** Tick-label rotation (degrees) when model names are wider than their bars. */
const ROTATE = 30;
const PADDING = 0.2;

/** Requests per model, most requested first (ties by name). */
export function requestsPerModel(calls: pl.DataFrame): { model: string; requests: number }[] {
  const counted = requestedCalls(calls, ["model"])
    .groupBy("model")
    .agg(pl.len().alias("requests"))
    .sort(["requests", "model"], [true, false]);
  return rows<{ model: string; requests: number }>(counted, ["model", "requests"])
    .map((r) => ({ model: r.model, requests: Number(r.requests) }));
}

/**
 * The number of requests per model as vertical bars (the seed's figure: x
 * "Model", y "Number of Requests"), most requested first, ties by name. Orphan
 * responses have no request and are not counted, as in the seed. Model names
 * wider than their bar are rotated, with margins sized so none is cut off.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { modelsUsed } from "./models_used.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await modelsUsed(traces.calls);
 * if (fig.title !== "Models Used" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * // traces/ asks three models: each is named on its bar.
 * const svg = fig.toSVG();
 * for (const m of ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022"]) {
 *   if (!svg.includes(`>${m}<`)) throw new Error(m);
 * }
 * ```
 */
export async function modelsUsed(
  calls: pl.DataFrame,
  options: ModelsUsedOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["model"], "modelsUsed()");
  const data = requestsPerModel(calls);
  // On a compare page, one panel per run, models in the overall order.
  const groups = groupsOf(calls);
  const bars: { model: string; requests: number; group?: string }[] = groups
    ? perGroup(calls, groups, requestsPerModel)
    : data;
  if (data.length === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No model requests",
    });
  }
  const labels = data.map((d) => shortLabel(d.model));
  const widths = labels.map((l) => textWidth(l, FONT_SIZE.tick));
  const maxWidth = Math.max(...widths);
  const max = maxOf(bars.map((d) => d.requests));
  const space = countAxisSpace(max);
  const panels = groupPanels(groups, o.height);
  let marginLeft = space.marginLeft;
  const marginRight = Math.max(24, panels.marginRight);
  const step = (o.width - marginLeft - marginRight) / data.length;
  const rotate = maxWidth > step * (1 - PADDING) - 4;
  let marginBottom = 50;
  if (rotate) {
    const sin = Math.sin((ROTATE * Math.PI) / 180);
    const cos = Math.cos((ROTATE * Math.PI) / 180);
    marginBottom = Math.ceil(16 + maxWidth * sin + FONT_SIZE.tick * cos + 30);
    // A rotated label reaches left of its tick; the first ones must not leave the figure.
    const reach = Math.max(...widths.map((w, i) => w * cos - (i + 0.5) * step));
    marginLeft = Math.max(marginLeft, Math.ceil(reach + 16));
  }
  return await renderFigure({
    title: o.title,
    subtitle: `${plural(data.reduce((s, d) => s + d.requests, 0), "request")}, ${
      plural(data.length, "model")
    }${groups ? "; one panel per run" : ""}`,
    width: o.width,
    height: panels.height + marginBottom - 50,
    plot: {
      ...(panels.fy ? { fy: panels.fy } : {}),
      marginLeft,
      marginRight,
      marginBottom,
      x: {
        ...AXIS,
        label: "Model",
        labelAnchor: "center",
        labelOffset: marginBottom - 12,
        domain: data.map((d) => d.model),
        padding: PADDING,
        tickRotate: rotate ? -ROTATE : 0,
        tickFormat: (m: string) => shortLabel(m),
      },
      y: {
        ...countAxis(max, "Number of Requests"),
        labelAnchor: groups ? "top" : "center",
        labelOffset: groups ? undefined : space.labelOffset,
      },
      marks: [
        Plot.barY(bars, {
          x: "model",
          y: "requests",
          ...(groups ? { fy: "group" } : {}),
          fill: COLORS.primary,
          title: (d: { model: string; requests: number }) => `${d.model}: ${d.requests} requests`,
        }),
        Plot.text(bars, {
          x: "model",
          y: "requests",
          ...(groups ? { fy: "group" } : {}),
          text: (d: { requests: number }) => formatInt(d.requests),
          dy: -8,
        }),
        Plot.ruleY([0]),
      ],
    },
  });
}
