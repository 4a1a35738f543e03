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
import { loadTraces } from "../../load/mod.ts";
import { summarize } from "../../metrics/mod.ts";
import { latencyHistogram, modelsUsed } from "../../figures/mod.ts";
import { buildReportInput, renderReport, renderSummaryText } from "../../report/mod.ts";
import { loadPriceOverrides } from "../../prices/mod.ts";
import { UserError } from "../../log/mod.ts";
import { progressReporter } from "../progress.ts";
import {
  addInputOptions,
  inputLoadOptions,
  type InputOptions,
  requireSomethingRead,
} from "../input_options.ts";

/** Options of the `analyze` command. */
export interface AnalyzeOptions extends InputOptions {
  outputDir: string;
  prefix: string;
  strict?: boolean;
  quiet?: boolean;
  prices?: string;
  timezone?: string;
}

/** The paths `analyze` wrote. */
export interface AnalyzeResult {
  files: string[];
  exitCode: number;
}

/** Run the analysis and write its files; the CLI action and the `generate` command call this. */
export async function runAnalyze(
  inputs: string[],
  options: AnalyzeOptions,
): Promise<AnalyzeResult> {
  const progress = options.quiet ? undefined : progressReporter("Loading traces");
  const traces = await loadTraces(inputs.length ? inputs : ["traces/"], {
    strict: options.strict ?? false,
    timezone: options.timezone,
    prices: options.prices ? loadPriceOverrides(options.prices) : undefined,
    ...inputLoadOptions(options),
    onProgress: progress?.update,
  }).finally(() => progress?.stop());
  requireSomethingRead(traces);
  const summary = summarize(traces);
  mkdirSync(options.outputDir, { recursive: true });
  const out = (suffix: string) => join(options.outputDir, `${options.prefix}_${suffix}`);
  const files: string[] = [];
  const write = (path: string, data: string | Uint8Array) => {
    writeFileSync(path, data);
    files.push(path);
  };
  write(out("summary.txt"), renderSummaryText(summary));
  write(out("summary.json"), JSON.stringify(summary, null, 2) + "\n");
  const figures = {
    response_times: await latencyHistogram(traces.calls, {
      title: "Distribution of Model Response Times",
    }),
    models_used: await modelsUsed(traces.calls),
  };
  for (const [name, figure] of Object.entries(figures)) {
    write(out(`${name}.svg`), figure.toSVG());
    write(out(`${name}.png`), figure.toPNG());
  }
  const report = await buildReportInput(traces, { summary, listPrices: options.listPrices });
  write(out("report.html"), renderReport(report, { title: `Trace analysis: ${options.prefix}` }));
  if (!options.quiet) {
    const diagnostics = traces.diagnostics.height;
    console.error(
      `Analyzed ${traces.files.length} file(s): ${summary.request_count} requests, ` +
        `${summary.response_count} responses, ${summary.error_count} errors` +
        (diagnostics ? `; ${diagnostics} diagnostic(s), see summary.json` : "") + ".",
    );
    for (const file of files) console.log(file);
  }
  return { files, exitCode: 0 };
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
      await runAnalyze(inputs, opts);
    });
  addInputOptions(cmd);
}
