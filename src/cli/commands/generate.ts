/**
 * `generate "Sports,Finance,Technology" [--planner-model gpt-4] [--base-url URL]
 * [--api-key KEY] [--output-dir analysis/generate]`: the seed's
 * `generate_multiple.sh` / `generate_us_taxonomies.sh`. For each category it
 * runs the traced taxonomy generator against an OpenAI-compatible endpoint
 * (one trace file per category), analyzes each trace as `analyze` does, and
 * writes an index of the analyses (`index.md`, `index.json`).
 *
 * Layout of the output folder: `traces/trace_<session>.jsonl`,
 * `taxonomies/<slug>_taxonomy.json`, `<slug>/<slug>_summary.{txt,json}` and
 * figures, `index.md`, `index.json`.
 *
 * @module
 */
import type { Command } from "npm:commander@15.1.0";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { UserError } from "../../log/mod.ts";
import { formatFixed } from "../../log/format.ts";
import { generateTaxonomy, publicBaseUrl, type TaxonomyRun } from "../../generate/mod.ts";
import { runAnalyze } from "./analyze.ts";

/** Options of {@link runGenerate}. */
export interface GenerateCommandOptions {
  plannerModel: string;
  baseUrl?: string;
  apiKey?: string;
  outputDir: string;
  traceDir?: string;
  maxSubcategories: number;
  timeout: number;
  quiet?: boolean;
}

/** One category in the index. */
export interface IndexEntry {
  category: string;
  trace_file: string;
  taxonomy_file: string | null;
  summary_file: string;
  analysis_dir: string;
  request_count: number;
  response_count: number;
  error_count: number;
  mean_latency_s: number | null;
  failure: string | null;
}

/** The endpoint from flags, else OPENAI_BASE_URL / OPENAI_API_KEY (a key alone means api.openai.com). */
export function resolveEndpoint(
  flags: { baseUrl?: string; apiKey?: string },
): { baseUrl: string; apiKey?: string } {
  const apiKey = flags.apiKey ?? Deno.env.get("OPENAI_API_KEY") ?? undefined;
  const baseUrl = flags.baseUrl ?? Deno.env.get("OPENAI_BASE_URL") ??
    (apiKey ? "https://api.openai.com/v1" : undefined);
  if (!baseUrl) {
    throw new UserError(
      "No model endpoint is configured: pass --base-url (and --api-key) or set OPENAI_BASE_URL (and OPENAI_API_KEY).",
      { exitCode: 1 },
    );
  }
  return { baseUrl, apiKey };
}

function markdownIndex(entries: IndexEntry[], model: string, outputDir: string): string {
  const rel = (
    p: string | null,
  ) => (p ? `[${relative(outputDir, p)}](${relative(outputDir, p)})` : "—");
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "# Taxonomy generation: index of the analyses",
    "",
    `Planner model: \`${model}\`. One trace file (one session) per category.`,
    "",
    "| category | requests | responses | errors | mean latency (s) | trace | taxonomy | summary |",
    "|---|---:|---:|---:|---:|---|---|---|",
    ...entries.map((e) =>
      `| ${cell(e.category)} | ${e.request_count} | ${e.response_count} | ${e.error_count} | ${
        e.mean_latency_s === null ? "—" : formatFixed(e.mean_latency_s, 2)
      } | ${rel(e.trace_file)} | ${rel(e.taxonomy_file)} | ${rel(e.summary_file)} |`
    ),
  ];
  const failed = entries.filter((e) => e.failure);
  if (failed.length) {
    lines.push(
      "",
      "## Failures",
      "",
      ...failed.map((e) => `- ${cell(e.category)}: ${cell(e.failure!)}`),
    );
  }
  return lines.join("\n") + "\n";
}

/** Generate, analyze and index every category; returns the index entries. */
export async function runGenerate(
  categories: string[],
  options: GenerateCommandOptions,
): Promise<IndexEntry[]> {
  const endpoint = { ...resolveEndpoint(options), timeoutSeconds: options.timeout };
  const out = options.outputDir;
  const traceDir = options.traceDir ?? join(out, "traces");
  mkdirSync(out, { recursive: true });
  const entries: IndexEntry[] = [];
  for (const category of categories) {
    if (!options.quiet) {
      console.error(`Generating the ${category} taxonomy with ${options.plannerModel}…`);
    }
    const run: TaxonomyRun = await generateTaxonomy(category, {
      endpoint,
      plannerModel: options.plannerModel,
      traceDir,
      taxonomyDir: join(out, "taxonomies"),
      maxSubcategories: options.maxSubcategories,
    });
    const analysisDir = join(out, run.slug);
    const prefix = `${run.slug}_taxonomy`;
    await runAnalyze([run.traceFile], { outputDir: analysisDir, prefix, quiet: true });
    const summaryFile = join(analysisDir, `${prefix}_summary.json`);
    const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
    entries.push({
      category,
      trace_file: run.traceFile,
      taxonomy_file: run.taxonomyFile,
      summary_file: summaryFile,
      analysis_dir: analysisDir,
      request_count: summary.request_count,
      response_count: summary.response_count,
      error_count: summary.error_count,
      mean_latency_s: summary.response_time?.mean ?? null,
      failure: run.failure,
    });
  }
  writeFileSync(
    join(out, "index.json"),
    JSON.stringify(
      {
        schema: "tracebook.generate-index/1",
        generated_at: new Date().toISOString(),
        planner_model: options.plannerModel,
        base_url: publicBaseUrl(endpoint.baseUrl),
        categories: entries,
      },
      null,
      2,
    ) + "\n",
  );
  writeFileSync(join(out, "index.md"), markdownIndex(entries, options.plannerModel, out));
  return entries;
}

/** Define the `generate` command. */
export function define(cmd: Command): void {
  cmd
    .argument("<categories>", 'comma-separated categories, e.g. "Sports,Finance,Technology"')
    .option("--planner-model <model>", "model of the planner", "gpt-4")
    .option("--base-url <url>", "OpenAI-compatible API base URL (default: OPENAI_BASE_URL)")
    .option("--api-key <key>", "API key (default: OPENAI_API_KEY); never written to traces")
    .option(
      "-o, --output-dir <dir>",
      "output folder (traces, taxonomies, analyses, index)",
      "analysis/generate",
    )
    .option("--trace-dir <dir>", "folder of the trace files (default <output-dir>/traces)")
    .option("--max-subcategories <n>", "subcategories expanded per category", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) {
        throw new UserError(`--max-subcategories must be a whole number, got "${v}".`, {
          exitCode: 2,
        });
      }
      return n;
    }, 3)
    .option("--timeout <seconds>", "timeout of one model call", (v) => {
      const n = Number(v);
      if (!(n > 0)) {
        throw new UserError(`--timeout must be a positive number of seconds, got "${v}".`, {
          exitCode: 2,
        });
      }
      return n;
    }, 120)
    .action(async (list: string, opts: GenerateCommandOptions) => {
      const categories = list.split(",").map((c) => c.trim()).filter(Boolean);
      if (categories.length === 0) {
        throw new UserError('No category given: pass e.g. "Sports,Finance".', { exitCode: 2 });
      }
      const entries = await runGenerate(categories, opts);
      for (const e of entries) {
        console.error(
          `${e.category}: ${e.request_count} requests, ${e.response_count} responses, ${e.error_count} errors` +
            (e.failure ? ` (no taxonomy: ${e.failure})` : ""),
        );
      }
      console.log(join(opts.outputDir, "index.md"));
      console.log(join(opts.outputDir, "index.json"));
      if (entries.every((e) => e.failure)) {
        throw new UserError(
          `No taxonomy could be generated; the first failure: ${entries[0]!.failure}`,
          { exitCode: 1 },
        );
      }
    });
}
