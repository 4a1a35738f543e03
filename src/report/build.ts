/**
 * `buildReportInput`: everything the report shows, computed from a `TraceSet`:
 * the summary (`summarize`, the numbers of `summary.json`), every figure
 * (`allFigures`) and the row listings (`reportTables`).
 *
 * @module
 */
import pl from "../frames/polars.ts";
import { SETTLE_CALLS, settleWhenGrown } from "../load/_memory.ts";
import type { TraceSet } from "../frames/columns.ts";
import type { CallTextReader } from "../load/call_texts.ts";
import { summarize } from "../metrics/summary.ts";
import { allFigures, type AllFiguresOptions } from "../figures/all_figures.ts";
import type { ReportFigure, ReportSummary } from "./input.ts";
import { type ReportLimits, reportTables, runTables, type RunTraces } from "./tables.ts";
import {
  callsExplorer,
  type CallsExplorerOptions,
  type ReportInputWithCalls,
} from "./calls_explorer.ts";

/** Options of {@linkcode buildReportInput}. */
export interface BuildReportOptions {
  /** Use this summary instead of computing `summarize(traces)` (e.g. one with user metrics). */
  summary?: ReportSummary;
  /**
   * Draw the figures (Observable Plot into a linkedom document; the slowest part).
   * @default {true}
   */
  figures?: boolean;
  /**
   * Figures already drawn from these traces with the report's width and their default
   * options, by name (`allFigures`' `drawn`): `analyze` passes its seed `models_used`.
   */
  drawn?: AllFiguresOptions["drawn"];
  /** How many rows each listing shows at most. */
  limits?: ReportLimits;
  /**
   * Add a comparison by this field (a calls column or a session-metadata field, see
   * `groupByFields`) as `summary.by_group`; the report shows it after the models.
   */
  groupBy?: string;
  /** Group labels listed first in the comparison, in this order (e.g. baseline, candidate). */
  groupOrder?: string[];
  /**
   * Compare each group with the reference, with statistics (`by_group.deltas`); `compare`
   * turns it off, its "Baseline vs candidate" section has them.
   * @default {true}
   */
  groupDeltas?: boolean;
  /**
   * The Calls section (the call explorer): its options, or `false` to leave it out.
   * @default {{ limit: 5000 }}
   */
  calls?: CallsExplorerOptions | false;
  /** The traces were loaded with `listPrices` (batch results at list prices), for the price note. */
  listPrices?: boolean;
  /**
   * The runs of a comparison (`compare`), baseline first, each with its own traces (the
   * `traces` given are all of them together): the headline and data-quality cards and every
   * listing are then per run (`runTables`), never the runs added together.
   */
  runs?: RunTraces[];
  /**
   * The prompts and outputs of the calls the page lists, read when they are
   * listed (`callTextReader`: `report --outputs` of native files), for traces
   * loaded without them.
   */
  texts?: CallTextReader;
}

/** The growth since the last settling below which the memory counts as settled (16 MB). */
const SETTLED_GROWTH = 16 * 1024 * 1024;

/** A sentence under each figure of `allFigures`, saying how to read it. */
export const FIGURE_CAPTIONS: Record<string, string> = {
  response_times: "Response times of successful calls (the seed's histogram).",
  models_used: "Requests per model (the seed's bar chart).",
  latency_by_model:
    "Latency of successful calls per model: the box spans p25–p75, the line is the median.",
  latency_ecdf:
    "Share of each model's successful calls done within a time: the line further left is faster; dashed guides at 50% and 95%.",
  calls_over_time: "Calls per time bucket, errors stacked on top.",
  session_timeline:
    "Each call is a bar from its start to its end, one row per session; errors are marked.",
  tokens_vs_latency:
    "Output tokens against latency, one dot per call: a steep slope means slow generation.",
  cost_by_model:
    "Total cost per model through genai-prices; unpriced models are listed, never counted as zero.",
  in_flight: "How many calls were running at once: the concurrency the traced app reached.",
};

/**
 * Compute what the report shows from loaded traces. The summary is the same
 * object the CLI writes as `report_summary.json`, so the report's numbers equal it.
 *
 * @example
 * ```ts
 * import { fileURLToPath } from "node:url";
 * import { loadTraces } from "../load/mod.ts";
 * import { buildReportInput } from "./build.ts";
 * import { renderReport } from "./render.ts";
 * const file = fileURLToPath(import.meta.resolve("../../tests/fixtures/compare/base.jsonl"));
 * const input = await buildReportInput(await loadTraces([file]), { figures: false });
 * // The fixture: 4 ok calls of test-model, 1, 2, 3 and 4 s.
 * if (input.summary.by_model[0]?.latency.mean !== 2.5) throw new Error("mean");
 * if (!renderReport(input, { title: "Traces" }).includes("<title>Traces</title>")) throw new Error("html");
 * ```
 */
export async function buildReportInput(
  traces: TraceSet,
  options: BuildReportOptions = {},
): Promise<ReportInputWithCalls> {
  let summary: ReportSummary = options.summary ?? summarize(traces);
  if (options.groupBy !== undefined) {
    // Only a comparison by a field needs the statistics (and their libraries).
    const { groupComparison } = await import("./groups.ts");
    summary = {
      ...summary,
      by_group: groupComparison(traces, options.groupBy, options.groupOrder, {
        deltas: options.groupDeltas ?? true,
      }),
    };
  }
  const figures: ReportFigure[] = options.figures === false
    ? []
    : (await allFigures(traces, { drawn: options.drawn })).map(({ name, title, figure }) => ({
      title,
      svg: figure.toSVG(),
      caption: FIGURE_CAPTIONS[name],
    }));
  // the figures' garbage holds Polars' intermediates: let go of them before the tables,
  // unless the last figures' settling just did (analyze, 200,000 calls: 30 ms less CPU)
  if (figures.length && traces.calls.height >= SETTLE_CALLS) await settleWhenGrown(SETTLED_GROWTH);
  const input: ReportInputWithCalls = {
    summary,
    figures,
    ...(options.runs
      ? runTables(options.runs, options.limits, options.texts)
      : reportTables(traces, options.limits, options.texts)),
  };
  if (options.runs) {
    input.runs = options.runs.map((r) => ({ label: r.label, summary: summarize(r.traces) }));
  }
  if (options.calls !== false) {
    input.calls = callsExplorer(traces, options.calls, options.texts);
  }
  const batchCalls = traces.calls.columns.includes("batch")
    ? Number(traces.calls.select(pl.col("batch").eq(pl.lit(true)).sum()).row(0)[0] ?? 0)
    : 0;
  if (batchCalls > 0) input.pricing = { batchCalls, listPrices: options.listPrices ?? false };
  return input;
}
