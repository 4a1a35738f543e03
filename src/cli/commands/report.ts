/**
 * `report [inputs…] [--output-dir analysis] [--title …] [--prices FILE] [--group-by FIELD] [--strict] [--quiet]`:
 * the main job. Loads the traces (default `traces/`) and writes
 * `{output-dir}/report.html`, one self-contained file, `report_summary.json`
 * beside it, whose numbers are the report's, and `report.md` (the headline numbers and
 * the model table, also appended to `$GITHUB_STEP_SUMMARY` when set).
 *
 * @module
 */
import { type Command, InvalidArgumentError } from "npm:commander@15.1.0";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTraces } from "../../load/mod.ts";
import { loadPriceOverrides } from "../../prices/mod.ts";
import { buildReportInput, groupByFields, renderReport } from "../../report/mod.ts";
import { reportMarkdown } from "../../report/markdown.ts";
import { appendStepSummary } from "./compare.ts";
import type { TraceSet } from "../../frames/columns.ts";
import { UserError } from "../../log/mod.ts";
import { progressReporter } from "../progress.ts";
import {
  addInputOptions,
  inputLoadOptions,
  type InputOptions,
  requireSomethingRead,
} from "../input_options.ts";

/** Options of the `report` command. */
export interface ReportOptions extends InputOptions {
  outputDir: string;
  title?: string;
  prices?: string;
  timezone?: string;
  strict?: boolean;
  quiet?: boolean;
  /** Load the response texts and show them in the call tables. */
  outputs?: boolean;
  /** Add a comparison by this field (a calls column or a session-metadata field). */
  groupBy?: string;
  /** The most calls in the Calls section (default 5,000). */
  callsLimit?: number;
}

/** Parse `--calls-limit`: a whole number of at least 0, else a usage error (exit 2). */
export function parseCallsLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(
      `--calls-limit must be a whole number of at least 0, got "${value}".`,
    );
  }
  return n;
}

/**
 * Check that `field` is one `traces` can be grouped by; else a {@link UserError}
 * (exit 2, wrong usage) naming it and the available fields.
 */
export function checkGroupBy(traces: TraceSet, field: string): void {
  const fields = groupByFields(traces);
  if (!fields.includes(field)) {
    throw new UserError(
      `Cannot group by "${field}": it is neither a calls column nor a session-metadata field of these traces (available: ${
        fields.join(", ")
      }).`,
      { exitCode: 2 },
    );
  }
}

/** What `report` wrote. */
export interface ReportResult {
  html: string;
  summary: string;
  /** report.md: the headline numbers and the model table (also appended to `$GITHUB_STEP_SUMMARY`). */
  markdown: string;
}

/** Load, summarize, draw and render; write the report and its summary. The CLI action calls this. */
export async function runReport(inputs: string[], options: ReportOptions): Promise<ReportResult> {
  const progress = options.quiet ? undefined : progressReporter("Loading traces");
  const traces = await loadTraces(inputs.length ? inputs : ["traces/"], {
    strict: options.strict ?? false,
    timezone: options.timezone,
    prices: options.prices ? loadPriceOverrides(options.prices) : undefined,
    keepText: options.outputs ?? false,
    ...inputLoadOptions(options),
    onProgress: progress?.update,
  }).finally(() => progress?.stop());
  requireSomethingRead(traces);
  if (options.groupBy !== undefined) checkGroupBy(traces, options.groupBy);
  const input = await buildReportInput(traces, {
    groupBy: options.groupBy,
    listPrices: options.listPrices,
    calls: options.callsLimit === undefined ? undefined : { limit: options.callsLimit },
  });
  const html = renderReport(input, { title: options.title });
  mkdirSync(options.outputDir, { recursive: true });
  const result = {
    html: join(options.outputDir, "report.html"),
    summary: join(options.outputDir, "report_summary.json"),
    markdown: join(options.outputDir, "report.md"),
  };
  const markdown = reportMarkdown(input.summary, { title: options.title });
  writeFileSync(result.summary, JSON.stringify(input.summary, null, 2) + "\n");
  writeFileSync(result.html, html);
  writeFileSync(result.markdown, markdown);
  appendStepSummary(markdown);
  if (!options.quiet) {
    const s = input.summary;
    const problems = s.diagnostics.count
      ? `; ${s.diagnostics.count} diagnostic(s), see the Data quality section`
      : "";
    console.error(
      `Report of ${traces.files.length} file(s): ${s.request_count} requests, ${s.response_count} responses, ` +
        `${s.error_count} errors, ${s.by_model.length} model(s)${problems}.`,
    );
    console.log(result.html);
    console.log(result.summary);
  }
  return result;
}

/** Define the `report` command. */
export function define(cmd: Command): void {
  cmd
    .argument("[inputs...]", "trace files, directories or globs (default: traces/)", [])
    .option(
      "-o, --output-dir <dir>",
      "directory to write report.html and report_summary.json to",
      "analysis",
    )
    .option("-t, --title <title>", "the report's title", "LLM trace report")
    .option(
      "--prices <file>",
      "JSON of per-model prices (USD per million tokens) to add or override",
    )
    .option("--timezone <iana>", "time zone of naive timestamps (default UTC)")
    .option(
      "--outputs",
      "load prompts and outputs: the Calls section shows them, the call tables the start of each response (reads every line; slower)",
    )
    .option(
      "--calls-limit <n>",
      "the most calls in the Calls section; beyond it the slowest, the failed and a seeded sample (default 5000)",
      parseCallsLimit,
    )
    .option(
      "--group-by <field>",
      "add a comparison by a calls column (model, provider, file, session_id, group) or a session-metadata field (version, …)",
    )
    .option("--strict", "fail (exit 1) when any input line is bad")
    .option("-q, --quiet", "print nothing but errors")
    .action(async (inputs: string[], opts: ReportOptions) => {
      await runReport(inputs, opts);
    });
  addInputOptions(cmd);
}
