/**
 * Cost by model: total cost in US dollars per model, unpriced models named.
 *
 * @module
 */
import { formatUsdShort } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import { colorOf, groupsOf, modelColors, perGroup, requireColumns, rows } from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import {
  AXIS,
  FONT_SIZE,
  formatUsdTick,
  groupColor,
  LAYOUT,
  maxLabelWidth,
  modelGroupLabel,
  shortLabel,
} from "./_style.ts";

/** Options of {@linkcode costByModel}. */
export interface CostByModelOptions {
  /** The title drawn at the top. @default {"Cost by Model"} */
  title?: string;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height of one model's row. @default {32} */
  rowHeight?: number;
}

const DEFAULTS: Required<CostByModelOptions> = {
  title: "Cost by Model",
  width: LAYOUT.width,
  rowHeight: 32,
};

/** Cost per model: priced models by total cost (highest first), and the models with no price. */
export function costPerModel(calls: pl.DataFrame): {
  priced: { model: string; cost_usd: number; calls: number }[];
  unpriced: string[];
} {
  if (calls.height === 0) return { priced: [], unpriced: [] };
  const per = calls.select("model", "cost_usd").groupBy("model").agg(
    pl.col("cost_usd").sum().alias("cost_usd"),
    pl.col("cost_usd").count().alias("calls"),
  );
  const priced = rows<{ model: string; cost_usd: number; calls: number }>(
    per.filter(pl.col("calls").gt(0)).sort(["cost_usd", "model"], [true, false]),
    ["model", "cost_usd", "calls"],
  ).map((r) => ({ ...r, calls: Number(r.calls) }));
  const unpriced = (per.filter(pl.col("calls").eq(0)).getColumn("model").toArray() as string[])
    .sort();
  return { priced, unpriced };
}

/**
 * Total cost per model as horizontal bars, highest first, each labelled in
 * dollars. Models with no price are named in the subtitle, never shown as $0. On a
 * compare page, one bar per model and run, coloured by run.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { costByModel } from "./cost_by_model.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await costByModel(traces.calls);
 * if (fig.title !== "Cost by Model" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * ```
 */
export async function costByModel(
  calls: pl.DataFrame,
  options: CostByModelOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["model", "cost_usd"], "costByModel()");
  const colors = modelColors(calls);
  const { priced, unpriced } = costPerModel(calls);
  const subtitle = unpriced.length ? `no price for ${unpriced.join(", ")}` : undefined;
  if (priced.length === 0) {
    return await renderFigure({
      title: o.title,
      subtitle: subtitle && `N${subtitle.slice(1)}`,
      width: o.width,
      height: 0,
      message: "No priced calls",
    });
  }
  const total = priced.reduce((s, p) => s + p.cost_usd, 0);
  // On a compare page, one bar per model and run, coloured by run.
  const groups = groupsOf(calls);
  type Bar = { model: string; cost_usd: number; calls: number; group?: string };
  const bars: Bar[] = groups
    ? perGroup(calls, groups, (part) => costPerModel(part).priced)
    : priced;
  const keyOf = (b: { model: string; group?: string }) =>
    groups ? `${b.model}\u0000${b.group}` : b.model;
  const domain = groups
    ? priced.flatMap((m) =>
      groups.filter((g) => bars.some((b) => b.model === m.model && b.group === g))
        .map((g) => keyOf({ model: m.model, group: g }))
    )
    : priced.map((p) => p.model);
  const labelOf = (key: string) => {
    const [model, group] = key.split("\u0000");
    return group === undefined ? shortLabel(model!) : modelGroupLabel(model!, group);
  };
  return await renderFigure({
    title: o.title,
    subtitle: [`${formatUsdShort(total)} in total`, subtitle].filter(Boolean).join("; "),
    width: o.width,
    height: domain.length * o.rowHeight + 70,
    legend: groups?.map((g, i) => ({ label: g, color: groupColor(i) })),
    plot: {
      marginLeft: Math.max(60, maxLabelWidth(domain.map(labelOf), FONT_SIZE.tick) + 16),
      marginRight: 80,
      marginBottom: 50,
      x: {
        ...AXIS,
        label: "Cost (USD)",
        labelAnchor: "center",
        labelOffset: 40,
        grid: true,
        nice: true,
        tickFormat: formatUsdTick,
      },
      y: {
        ...AXIS,
        label: null,
        domain,
        padding: 0.2,
        tickFormat: labelOf,
        tickSize: 0,
      },
      marks: [
        Plot.barX(bars, {
          y: keyOf,
          x: "cost_usd",
          fill: (p: Bar) =>
            groups ? groupColor(groups.indexOf(p.group!)) : colorOf(colors, p.model),
          title: (p: Bar) =>
            `${p.model}${p.group ? ` (${p.group})` : ""}: ${
              formatUsdShort(p.cost_usd)
            } over ${p.calls} priced calls`,
        }),
        Plot.text(bars, {
          y: keyOf,
          x: "cost_usd",
          text: (p: { cost_usd: number }) => formatUsdShort(p.cost_usd),
          dx: 6,
          textAnchor: "start",
        }),
        Plot.ruleX([0]),
      ],
    },
  });
}
