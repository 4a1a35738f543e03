/**
 * Tokens versus latency: one dot per completed call, coloured by model.
 *
 * @module
 */
import * as Plot from "npm:@observablehq/plot@0.6.17";
import pl from "npm:nodejs-polars@0.25.2";
import type { Figure } from "./figure.ts";
import { colorOf, completedCalls, modelColors, requireColumns, rows, thin } from "./_data.ts";
import { renderFigure } from "./_render.ts";
import { AXIS, formatCount, LAYOUT, plural } from "./_style.ts";

/** Options of {@linkcode tokensVsLatency}. */
export interface TokensVsLatencyOptions {
  /** @default {"Tokens vs Latency"} */
  title?: string;
  /** The token count on the x axis. @default {"output_tokens"} */
  tokens?: "output_tokens" | "input_tokens" | "total_tokens";
  /** At most this many dots (every k-th call beyond it). @default {5000} */
  maxPoints?: number;
  /** @default {720} */
  width?: number;
  /** @default {420} */
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
 *
 * @example
 * ```ts ignore
 * const fig = await tokensVsLatency(traces.calls, { tokens: "total_tokens" });
 * ```
 */
export async function tokensVsLatency(
  calls: pl.DataFrame,
  options: TokensVsLatencyOptions = {},
): Promise<Figure> {
  const o = { ...DEFAULTS, ...options };
  requireColumns(calls, ["model", "status", "duration_s", o.tokens], "tokensVsLatency()");
  const colors = modelColors(calls);
  const done = completedCalls(calls, ["model", o.tokens, "duration_s"]);
  const withTokens = done.filter(pl.col(o.tokens).isNotNull());
  if (withTokens.height === 0) {
    return await renderFigure({
      title: o.title,
      width: o.width,
      height: o.height,
      message: "No completed calls with token usage",
    });
  }
  const shown = thin(withTokens, o.maxPoints);
  const data = rows<Record<string, unknown>>(shown.frame, ["model", o.tokens, "duration_s"])
    .map((r) => ({
      model: r.model as string,
      tokens: Number(r[o.tokens]),
      duration_s: r.duration_s as number,
    }));
  const models = colors.domain.filter((m) => data.some((d) => d.model === m));
  const notes = [`${plural(withTokens.height, "completed call")} with usage`];
  const without = done.height - withTokens.height;
  if (without > 0) notes.push(`${formatCount(without)} without usage left out`);
  if (shown.step > 1) notes.push(`1 in ${shown.step} calls drawn`);
  return await renderFigure({
    title: o.title,
    subtitle: notes.join("; "),
    width: o.width,
    height: o.height,
    legend: models.map((m) => ({ label: m, color: colorOf(colors, m) })),
    plot: {
      marginLeft: 60,
      marginRight: 24,
      marginBottom: 50,
      x: {
        ...AXIS,
        label: TOKEN_LABELS[o.tokens],
        labelAnchor: "center",
        labelOffset: 40,
        grid: true,
        nice: true,
        zero: true,
        tickFormat: (d: number) => formatCount(d),
      },
      y: {
        ...AXIS,
        label: "Response Time (seconds)",
        labelAnchor: "center",
        labelOffset: 48,
        grid: true,
        nice: true,
        zero: true,
      },
      marks: [
        Plot.dot(data, {
          x: "tokens",
          y: "duration_s",
          stroke: (d: { model: string }) => colorOf(colors, d.model),
          r: 3,
          strokeWidth: 1.5,
          title: (d: { model: string; tokens: number; duration_s: number }) =>
            `${d.model}: ${d.tokens} tokens, ${d.duration_s.toFixed(3)} s`,
        }),
      ],
    },
  });
}
