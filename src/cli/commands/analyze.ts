/**
 * `analyze <inputs…> [--output-dir analysis] [--prefix trace_analysis]`: the seed's
 * `analyze_traces.py`, with equal numbers. Writes `{prefix}_summary.txt`,
 * `{prefix}_summary.json`, `{prefix}_response_times.png/.svg` and
 * `{prefix}_models_used.png/.svg`.
 *
 * @module
 */
import type { Command } from "npm:commander@15.1.0";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// Types only: a run that is not in the results cache imports these modules (runModules), a
// replay none of them. The modules themselves, not their barrels: metrics/mod.ts would also
// load the statistics that analyze does not use.
import type * as Load from "../../load/mod.ts";
import type * as Metrics from "../../metrics/summary.ts";
import type * as Figures from "../../figures/mod.ts";
import type * as BuildReport from "../../report/build.ts";
import type * as RenderReport from "../../report/render.ts";
import type * as Prices from "../../prices/mod.ts";
import type * as Progress from "../progress.ts";
import { lazyImport } from "../../log/_lazy.ts";
import type * as Memory from "../../load/_memory.ts";
import type { Summary } from "../../metrics/mod.ts";
import { UserError } from "../../log/mod.ts";
import {
  addInputOptions,
  inputLoadOptions,
  type InputOptions,
  readKeyValues,
  requireSomethingRead,
} from "../input_options.ts";
import {
  readResults,
  type ResultsEntry,
  resultsKey,
  timeTemplate,
  timeTemplateBytes,
  writeResults,
} from "../results_cache.ts";
import {
  analyzeMessage,
  type AnalyzeOutputs,
  type AnalyzePayload,
  planReplay,
  replayAnalysis,
  type ReplayPlan,
  summaryFiles,
} from "../replay.ts";

/** Options of the `analyze` command. */
export interface AnalyzeOptions extends InputOptions {
  outputDir: string;
  prefix: string;
  strict?: boolean;
  quiet?: boolean;
  prices?: string;
  timezone?: string;
  /** The time of the run (`generated_at`). @default now */
  now?: Date;
}

/** The paths `analyze` wrote. */
export interface AnalyzeResult {
  files: string[];
  exitCode: number;
}

/** The modules of a run that is not in the results cache, imported when one is. */
async function runModules() {
  const [load, metrics, figures, buildReport, renderReport, prices, progress, memory] =
    await Promise
      .all([
        lazyImport<typeof Load>("../../load/mod.ts", import.meta.url),
        lazyImport<typeof Metrics>("../../metrics/summary.ts", import.meta.url),
        lazyImport<typeof Figures>("../../figures/mod.ts", import.meta.url),
        lazyImport<typeof BuildReport>("../../report/build.ts", import.meta.url),
        lazyImport<typeof RenderReport>("../../report/render.ts", import.meta.url),
        lazyImport<typeof Prices>("../../prices/mod.ts", import.meta.url),
        lazyImport<typeof Progress>("../progress.ts", import.meta.url),
        lazyImport<typeof Memory>("../../load/_memory.ts", import.meta.url),
      ]);
  return { load, metrics, figures, buildReport, renderReport, prices, progress, memory };
}

/** Load, summarize, draw and render; store what a replay needs in `entry`. */
async function analyzeTraces(
  inputs: string[],
  options: AnalyzeOptions,
  now: Date,
  entry: ResultsEntry | null,
): Promise<AnalyzeOutputs> {
  const { load, metrics, figures, buildReport, renderReport, prices, progress, memory } =
    await runModules();
  const bar = options.quiet ? undefined : progress.progressReporter("Loading traces");
  const traces = await load.loadTraces(inputs, {
    strict: options.strict ?? false,
    timezone: options.timezone,
    prices: options.prices ? prices.loadPriceOverrides(options.prices) : undefined,
    ...await inputLoadOptions(options),
    onProgress: bar?.update,
  }).finally(() => bar?.stop());
  requireSomethingRead(traces);
  const models = await figures.modelsUsed(traces.calls);
  const seed = [
    {
      name: "response_times",
      figure: await figures.latencyHistogram(traces.calls, {
        title: "Distribution of Model Response Times",
      }),
    },
    { name: "models_used", figure: models },
  ];
  // The PNGs render on resvg's threads while the summary and the report are computed.
  const pngs = seed.map(({ figure }) => figure.toPNGAsync());
  for (const png of pngs) png.catch(() => {}); // awaited below, after any error of the report
  // the seed figures' garbage goes before the summary (the PNGs render on meanwhile)
  if (traces.calls.height >= memory.SETTLE_CALLS) await memory.settleMemory();
  const summary = metrics.summarize(traces, { now });
  const input = await buildReport.buildReportInput(traces, {
    summary,
    listPrices: options.listPrices,
    // the same figure as the report's (same calls, width and options): drawn once
    drawn: { models_used: models },
  });
  // The page at any time: made once, rendered now, and again below to check the template.
  const renderAt = renderReport.reportRenderer(input, {
    title: `Trace analysis: ${options.prefix}`,
  });
  const html = renderAt(summary.generated_at);
  const drawn = await Promise.all(
    seed.map(async ({ name, figure }, i) => ({ name, svg: figure.toSVG(), png: await pngs[i]! })),
  );
  const outputs: AnalyzeOutputs = {
    files: [
      ...summaryFiles(summary),
      ...drawn.flatMap(({ name, svg, png }): [string, string | Uint8Array][] => [
        [`${name}.svg`, svg],
        [`${name}.png`, png],
      ]),
      ["report.html", html],
    ],
    summary,
    inputFiles: traces.files.length,
    diagnostics: traces.diagnostics.height,
  };
  if (entry) {
    const template = timeTemplate(html, now, (at) => renderAt(at.toISOString()));
    // stored only when JSON gives the summary's files back and the inputs did not change meanwhile
    const stored = JSON.parse(JSON.stringify(summary)) as Summary;
    const same = summaryFiles(stored).every(([, text], i) => text === outputs.files[i]![1]);
    if (template && same) {
      await writeResults(
        entry,
        {
          summary,
          figures: drawn.map(({ name, svg, png }) => ({
            name,
            svg: new TextEncoder().encode(svg),
            png,
          })),
          report: timeTemplateBytes(template),
          files: outputs.inputFiles,
          diagnostics: outputs.diagnostics,
        } satisfies AnalyzePayload,
      );
    }
  }
  return outputs;
}

/**
 * Run the analysis and write its files; the CLI action and the `generate` command
 * call this. A run over unchanged inputs with the same options is replayed from
 * the results cache (`results_cache.ts`; not with `--no-cache`).
 */
export async function runAnalyze(
  inputs: string[],
  options: AnalyzeOptions,
): Promise<AnalyzeResult> {
  return (await analyzeRun(inputs, options)).result;
}

/** {@link runAnalyze}, and what the run meant, for the CLI's replay of its arguments. */
async function analyzeRun(
  inputs: string[],
  options: AnalyzeOptions,
): Promise<{ result: AnalyzeResult; plan?: ReplayPlan }> {
  const list = inputs.length ? inputs : ["traces/"];
  const now = options.now ?? new Date();
  const loadOptions = await inputLoadOptions(options);
  const request = {
    inputs: list,
    values: { prefix: options.prefix, ...readKeyValues(options, loadOptions) },
    prices: options.prices,
    cache: loadOptions.cache,
  };
  const key = await resultsKey("analyze", request);
  const stored = key && readResults<AnalyzePayload>(key);
  const outputs = stored
    ? replayAnalysis(stored, now)
    : await analyzeTraces(list, options, now, key);
  mkdirSync(options.outputDir, { recursive: true });
  const files: string[] = [];
  for (const [suffix, data] of outputs.files) {
    const path = join(options.outputDir, `${options.prefix}_${suffix}`);
    writeFileSync(path, data);
    files.push(path);
  }
  if (!options.quiet) {
    console.error(analyzeMessage(outputs));
    for (const file of files) console.log(file);
  }
  // a mapping file is read when the options are (its contents are in the key): no plan
  const plan: ReplayPlan | undefined = key && options.map === undefined
    ? {
      command: "analyze",
      key: request,
      outputDir: options.outputDir,
      paths: files,
      quiet: options.quiet ?? false,
    }
    : undefined;
  return { result: { files, exitCode: 0 }, plan };
}

/** Define the `analyze` command. */
export function define(cmd: Command): void {
  cmd
    .argument("[inputs...]", "trace files, directories or globs", [])
    .option("-o, --output-dir <dir>", "directory to save analysis results", "analysis")
    .option("-p, --prefix <prefix>", "prefix for output files", "trace_analysis")
    .option(
      "--prices <file>",
      "JSON of per-model prices (USD per million tokens) to add or override",
    )
    .option("--timezone <iana>", "time zone of naive timestamps (default UTC)")
    .option("--strict", "fail (exit 1) when any input line is bad")
    .option("-q, --quiet", "print nothing but errors")
    .action(async (inputs: string[], opts: AnalyzeOptions) => {
      if (!opts.prefix || /[\\/]/.test(opts.prefix)) {
        throw new UserError(`The prefix "${opts.prefix}" must be a plain file name part.`, {
          exitCode: 2,
        });
      }
      const { plan } = await analyzeRun(inputs, opts);
      if (plan) planReplay(plan);
    });
  addInputOptions(cmd);
}
