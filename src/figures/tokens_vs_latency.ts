/**
 * Tokens versus latency: one dot per completed call, coloured by model.
 *
 * @module
 */
import { formatFixed, formatInt } from "../log/format.ts";
import pl from "../frames/polars.ts";
import type { Figure } from "./figure.ts";
import {
  colorOf,
  completedCalls,
  groupsOf,
  maxOf,
  modelColors,
  requireColumns,
  rows,
  sampleNote,
  sampleRows,
} from "./_data.ts";
import { loadPlot, renderFigure } from "./_render.ts";
import { AXIS, groupPanels, LAYOUT, leftAxisSpace, niceCeiling, plural } from "./_style.ts";

/** Options of {@linkcode tokensVsLatency}. */
export interface TokensVsLatencyOptions {
  /** The title drawn at the top. @default {"Tokens vs Latency"} */
  title?: string;
  /** The token count on the x axis. @default {"output_tokens"} */
  tokens?: "output_tokens" | "input_tokens" | "total_tokens";
  /**
   * At most this many dots: beyond it exactly this many calls, evenly sampled (the
   * subtitle says how many of how many). @default {5000}
   */
  maxPoints?: number;
  /** Width in pixels (SVG units). @default {720} */
  width?: number;
  /** Height in pixels (SVG units). @default {420} */
  height?: number;
}

const DEFAULTS: Required<TokensVsLatencyOptions> = {
  title: "Tokens vs Latency",
  tokens: "output_tokens",
  maxPoints: 5000,
  width: LAYOUT.width,
  height: 420,
};

const TOKEN_LABELS = {
  output_tokens: "Output tokens",
  input_tokens: "Input tokens",
  total_tokens: "Total tokens",
} as const;

/**
 * One dot per completed call (status `"ok"`, `duration_s > 0`) with a token
 * count: x the tokens (output tokens by default), y the response time,
 * coloured by model. Calls without usage are left out and counted in the subtitle.
 * On a compare page (a `group` column with two values or more), one panel per run.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { tokensVsLatency } from "./tokens_vs_latency.ts";
 * const traces = await loadTraces("traces/");
 * const fig = await tokensVsLatency(traces.calls, { tokens: "total_tokens" });
 * if (fig.title !== "Tokens vs Latency" || fig.empty || fig.width !== 720) throw new Error(fig.title);
 * ```
 */
export async function tokensVsLatency(
  calls: pl.DataFrame,
  options: TokensVsLatencyOptions = {},
): Promise<Figure> {
  const Plot = await loadPlot();
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["model", "status", "duration_s", o.tokens], "tokensVsLatency()");
  const colors = modelColors(calls);
  // On a compare page, one panel per run.
  const groups = groupsOf(calls);
  const columns = ["model", o.tokens, "duration_s", ...(groups ? ["group"] : [])];
  const done = completedCalls(calls, columns);
  const withTokens = done.filter(pl.col(o.tokens).isNotNull());
  if (withTokens.height === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No completed calls with token usage",
    });
  }
  const shown = sampleRows(withTokens, o.maxPoints);
  const data = rows<Record<string, unknown>>(shown.frame, columns)
    .map((r) => ({
      model: r.model as string,
      tokens: Number(r[o.tokens]),
      duration_s: r.duration_s as number,
      group: (r.group ?? null) as string | null,
    }));
  const models = colors.domain.filter((m) => data.some((d) => d.model === m));
  const withUsage = `${plural(withTokens.height, "completed call")} with usage`;
  const notes = [shown.sampled ? sampleNote(shown.frame.height, withUsage) : withUsage];
  const without = done.height - withTokens.height;
  if (without > 0) notes.push(`${formatInt(without)} without usage left out`);
  if (groups) notes.push("one panel per run");
  const panels = groupPanels(groups, o.height);
  const seconds = maxOf(data.map((d) => d.duration_s));
  // Tick labels of seconds: at most the rounded-up maximum with one decimal.
  const space = leftAxisSpace([niceCeiling(seconds).toLocaleString("en-US") + ".5"]);
  return await renderFigure({
    title: o.title,
    subtitle: notes.join("; "),
    width: o.width,
    height: panels.height,
    legend: models.map((m) => ({ label: m, color: colorOf(colors, m) })),
    plot: {
      marginLeft: space.marginLeft,
      marginRight: Math.max(24, panels.marginRight),
      marginBottom: 50,
      ...(panels.fy ? { fy: panels.fy } : {}),
      x: {
        ...AXIS,
        label: TOKEN_LABELS[o.tokens],
        labelAnchor: "center",
        labelOffset: 40,
        grid: true,
        nice: true,
        zero: true,
        tickFormat: (d: number) => (Number.isInteger(d) ? formatInt(d) : ""),
      },
      y: {
        ...AXIS,
        label: "Response Time (seconds)",
        labelAnchor: groups ? "top" : "center",
        labelOffset: groups ? undefined : space.labelOffset,
        grid: true,
        nice: true,
        zero: true,
      },
      marks: [
        Plot.dot(data, {
          x: "tokens",
          y: "duration_s",
          ...(groups ? { fy: "group" } : {}),
          stroke: (d: { model: string }) => colorOf(colors, d.model),
          r: 3,
          strokeWidth: 1.5,
          title: (d: { model: string; tokens: number; duration_s: number }) =>
            `${d.model}: ${d.tokens} tokens, ${formatFixed(d.duration_s, 3)} s`,
        }),
      ],
    },
  });
}
