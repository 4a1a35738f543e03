/**
 * Replays of `analyze` and `report` from the results cache (`results_cache.ts`):
 * what a stored run gives back (the files and the closing message, shared by
 * the commands), and the CLI's way to replay a command line it has run before
 * without parsing it again.
 *
 * A run of `analyze` or `report` from the CLI that has a results entry records
 * what its command line meant ({@link ReplayPlan}: the inputs and options of
 * its results key, the paths it wrote, whether it was quiet) in
 * `<cache dir>/results/<hash>.argv`, the hash of the arguments and of
 * tracebook's source ({@link sourceVersion}). The next run with the same
 * arguments and source ({@link replayArguments}, called by `main.ts` before
 * anything else) reads that record, makes the results key again from it (the
 * files' stamps, the source, the zone, the day: the same key a parsed run would
 * make) and, when the entry is there, writes its files and message. Neither
 * commander nor Deno's Node compatibility layer is loaded (about 20–30 ms of a
 * 0.08 s replay). The parse a record stands for is the parse of the same
 * arguments by the same source, so it is never another run's; anything else
 * (no record, another source, no entry, `GITHUB_STEP_SUMMARY` set, an error
 * while writing) leaves the run to the parsed path, which then writes or
 * reports as usual.
 *
 * @module
 */
import type { Summary } from "../metrics/mod.ts";
import type { ReportSummary } from "../report/input.ts";
import { renderSummaryText } from "../report/summary_text.ts";
import { defaultCacheDir } from "../load/cache_dir.ts";
import {
  fillTimeTemplate,
  fillTimeTemplateBytes,
  pruneResults,
  readResults,
  resultsKey,
  type ResultsKeyOptions,
  sha256,
  sourceVersion,
  type TimeTemplate,
  type TimeTemplateBytes,
} from "./results_cache.ts";

/** What a run of `analyze` keeps in the results cache. */
export interface AnalyzePayload {
  /** The summary; its `generated_at` is replaced by the time of the replay. */
  summary: Summary;
  /** Each figure's SVG (UTF-8) and PNG, written as they are. */
  figures: { name: string; svg: Uint8Array; png: Uint8Array }[];
  /** report.html, as bytes: written without being decoded and encoded again. */
  report: TimeTemplateBytes;
  /** For the closing message. */
  files: number;
  diagnostics: number;
}

/** The files of one analysis, in the order they are written, and what the message says. */
export interface AnalyzeOutputs {
  files: [suffix: string, data: string | Uint8Array][];
  summary: Summary;
  inputFiles: number;
  diagnostics: number;
}

/** The summary's files: summary.txt and summary.json. */
export function summaryFiles(summary: Summary): [string, string][] {
  return [
    ["summary.txt", renderSummaryText(summary)],
    ["summary.json", JSON.stringify(summary, null, 2) + "\n"],
  ];
}

/** The files of a stored analysis, at the time `now`. */
export function replayAnalysis(stored: AnalyzePayload, now: Date): AnalyzeOutputs {
  const iso = now.toISOString();
  const summary = { ...stored.summary, generated_at: iso };
  return {
    files: [
      ...summaryFiles(summary),
      ...stored.figures.flatMap(({ name, svg, png }): [string, string | Uint8Array][] => [
        [`${name}.svg`, svg],
        [`${name}.png`, png],
      ]),
      ["report.html", fillTimeTemplateBytes(stored.report, iso)],
    ],
    summary,
    inputFiles: stored.files,
    diagnostics: stored.diagnostics,
  };
}

/** `analyze`'s closing message (stderr), before the paths it wrote (stdout). */
export function analyzeMessage(outputs: AnalyzeOutputs): string {
  const { summary, diagnostics } = outputs;
  return `Analyzed ${outputs.inputFiles} file(s): ${summary.request_count} requests, ` +
    `${summary.response_count} responses, ${summary.error_count} errors` +
    (diagnostics ? `; ${diagnostics} diagnostic(s), see summary.json` : "") + ".";
}

/** What a run of `report` keeps in the results cache. */
export interface ReportPayload {
  /** The summary; its `generated_at` is replaced by the time of the replay. */
  summary: ReportSummary;
  /** report.html, as bytes: written without being decoded and encoded again. */
  html: TimeTemplateBytes;
  markdown: TimeTemplate;
  /** For the closing message. */
  files: number;
}

/** The texts of one report and what the message says. */
export interface ReportOutputs {
  summary: ReportSummary;
  /** The page (UTF-8 bytes when replayed). */
  html: string | Uint8Array;
  markdown: string;
  files: number;
}

/** The texts of a stored report, at the time `now`. */
export function replayReport(stored: ReportPayload, now: Date): ReportOutputs {
  const iso = now.toISOString();
  return {
    summary: { ...stored.summary, generated_at: iso },
    html: fillTimeTemplateBytes(stored.html, iso),
    markdown: fillTimeTemplate(stored.markdown, iso),
    files: stored.files,
  };
}

/** report_summary.json's text. */
export function reportSummaryJson(summary: ReportSummary): string {
  return JSON.stringify(summary, null, 2) + "\n";
}

/** `report`'s closing message (stderr), before the paths of the page and summary (stdout). */
export function reportMessage(outputs: ReportOutputs): string {
  const s = outputs.summary;
  const problems = s.diagnostics.count
    ? `; ${s.diagnostics.count} diagnostic(s), see the Data quality section`
    : "";
  return `Report of ${outputs.files} file(s): ${s.request_count} requests, ${s.response_count} responses, ` +
    `${s.error_count} errors, ${s.by_model.length} model(s)${problems}.`;
}

/** What a command line of `analyze` or `report` meant, as its parsed run recorded it. */
export interface ReplayPlan {
  command: "analyze" | "report";
  /** The arguments of the run's results key. */
  key: ResultsKeyOptions & { inputs: string[] };
  /** The folder the files were written to. */
  outputDir: string;
  /**
   * The paths written, in order: `analyze`'s files (summary.txt, summary.json, the
   * figures, report.html); `report`'s summary, page and Markdown.
   */
  paths: string[];
  quiet: boolean;
}

let planned: ReplayPlan | null = null;

/** Note the plan of the command run now (the CLI's `analyze` and `report` actions call this). */
export function planReplay(plan: ReplayPlan): void {
  planned = plan;
}

/** The name of the record of `argv` (`<hash>.argv`), with the source's version in the hash. */
async function recordName(argv: string[]): Promise<string> {
  return `${await sha256(JSON.stringify({ argv, source: await sourceVersion() }))}.argv`;
}

const resultsDir = (cache: string) => cache.replace(/[\\/]+$/, "") + "/results";

/**
 * Record what `argv` meant, when the run just finished noted a plan
 * ({@link planReplay}); a record that cannot be written is only a slower next run.
 */
export async function recordArguments(argv: string[]): Promise<void> {
  const plan = planned;
  planned = null;
  if (plan === null || plan.key.cache === false) return;
  try {
    const dir = resultsDir(plan.key.cache ?? defaultCacheDir());
    const path = `${dir}/${await recordName(argv)}`;
    const text = JSON.stringify({ argv, plan });
    try {
      if (Deno.readTextFileSync(path) === text) return;
    } catch { /* not recorded yet */ }
    Deno.mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    Deno.writeTextFileSync(tmp, text);
    Deno.renameSync(tmp, path);
    pruneResults(dir);
  } catch { /* the cache cannot be written: the next run parses its arguments */ }
}

/**
 * The cache folder `argv` names, as far as a look at the words shows
 * (`--cache-dir DIR` or `--cache-dir=DIR`, else the default); null for
 * `--no-cache`. Only where to look for the record: the record found must hold
 * these very arguments.
 */
function cacheDirOf(argv: string[]): string | null {
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") break;
    if (word === "--no-cache") return null;
    if (word === "--cache-dir") dir = argv[++i];
    else if (word.startsWith("--cache-dir=")) dir = word.slice("--cache-dir=".length);
  }
  return dir ?? defaultCacheDir();
}

/**
 * Replay the command line `argv` from the results cache when a parsed run of
 * the same arguments with the same source recorded it and its entry is there:
 * write the files, print the message; the exit code (0), or null when the run
 * must be parsed and run as usual.
 */
export async function replayArguments(argv: string[], now = new Date()): Promise<number | null> {
  const command = argv.find((a) => !a.startsWith("-"));
  if (command !== "analyze" && command !== "report") return null;
  if (Deno.env.get("GITHUB_STEP_SUMMARY")) return null; // report appends to it
  try {
    const cache = cacheDirOf(argv);
    if (cache === null) return null;
    let record: { argv: string[]; plan: ReplayPlan };
    try {
      record = JSON.parse(
        Deno.readTextFileSync(`${resultsDir(cache)}/${await recordName(argv)}`),
      );
    } catch {
      return null;
    }
    const plan = record.plan;
    if (JSON.stringify(record.argv) !== JSON.stringify(argv) || plan.command !== command) {
      return null;
    }
    const entry = await resultsKey(command, plan.key);
    if (entry === null) return null;
    let files: (string | Uint8Array)[];
    let message: string;
    let printed: string[];
    if (command === "analyze") {
      const stored = readResults<AnalyzePayload>(entry);
      if (stored === null) return null;
      const outputs = replayAnalysis(stored, now);
      files = outputs.files.map(([, data]) => data);
      message = analyzeMessage(outputs);
      printed = plan.paths;
    } else {
      const stored = readResults<ReportPayload>(entry);
      if (stored === null) return null;
      const outputs = replayReport(stored, now);
      files = [reportSummaryJson(outputs.summary), outputs.html, outputs.markdown];
      message = reportMessage(outputs);
      printed = [plan.paths[1]!, plan.paths[0]!];
    }
    if (files.length !== plan.paths.length) return null;
    Deno.mkdirSync(plan.outputDir, { recursive: true });
    files.forEach((data, i) => {
      const path = plan.paths[i]!;
      if (typeof data === "string") Deno.writeTextFileSync(path, data);
      else Deno.writeFileSync(path, data);
    });
    if (!plan.quiet) {
      console.error(message);
      for (const path of printed) console.log(path);
    }
    return 0;
  } catch {
    return null; // the parsed run writes again, or says what is wrong
  }
}
