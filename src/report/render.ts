/**
 * `renderReport`: the self-contained HTML report, from `templates/report.eta`.
 *
 * The file loads nothing: styles, the sort script (bundled by esbuild, see
 * `scripts/build_report_js.ts`) and the figures (inline SVG) are all inside it, and
 * its Content-Security-Policy allows no network request and no script but ours
 * (pinned by its SHA-256). Templates escape every value by default; the only raw
 * HTML is our CSS, our script, our SVG figures and the summary JSON (escaped for a
 * `<script>` block).
 *
 * @module
 */
// Deferred: eta is evaluated when the first report is rendered, not on import.
import defer * as etaModule from "npm:eta@4.6.0";
import type { Eta } from "npm:eta@4.6.0";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CLIENT_SCRIPT } from "./_client_bundle.ts";
import { buildView, formatTime } from "./_view.ts";
import type { ReportInput } from "./input.ts";
import { callsSectionView, type ReportInputWithCalls } from "./calls_explorer.ts";
import { escapeHTML } from "../log/html.ts";

/** Options of {@linkcode renderReport}. */
export interface RenderReportOptions {
  /**
   * The report's title (untrusted text is fine: it is escaped).
   * @default {"LLM trace report"}
   */
  title?: string;
}

const TEMPLATES = new URL("../../templates/", import.meta.url);

let eta: Eta | undefined;
let css: string | undefined;
let comparisonCss: string | undefined;
let callsCss: string | undefined;

function templates(): { eta: Eta; css: string; comparisonCss: string; callsCss: string } {
  if (!eta || css === undefined || comparisonCss === undefined || callsCss === undefined) {
    if (TEMPLATES.protocol !== "file:") {
      throw new Error(
        `Cannot read the report templates from ${TEMPLATES.href}: they must be local files.`,
      );
    }
    const views = fileURLToPath(TEMPLATES);
    // Interpolations are escaped by the one HTML escaping function (log/html.ts).
    eta = new etaModule.Eta({
      views,
      autoEscape: true,
      escapeFunction: (v: unknown) => escapeHTML(String(v)),
      cache: true,
      autoTrim: [false, "nl"],
    });
    css = readFileSync(`${views}report.css`, "utf8");
    // Only in pages with a comparison, so the default report stays as it was.
    comparisonCss = readFileSync(`${views}comparison.css`, "utf8");
    // Only in pages with the Calls section.
    callsCss = readFileSync(`${views}calls.css`, "utf8");
  }
  return { eta, css, comparisonCss, callsCss };
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>`, `&` and the
 * line separators are written as `\uXXXX` escapes, so no string can close the block.
 *
 * @example
 * ```ts
 * import { jsonForScript } from "./render.ts";
 * const json = jsonForScript({ model: "</script>" });
 * if (json !== '{"model":"\\u003c/script\\u003e"}') throw new Error(json);
 * if (JSON.parse(json).model !== "</script>") throw new Error("the value is kept");
 * ```
 */
export function jsonForScript(value: unknown): string {
  // One pass over the JSON (a report's calls are megabytes), not one per character.
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]!);
}

/** The escapes of {@linkcode jsonForScript}. */
const SCRIPT_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** The `script-src` source of an inline script: its SHA-256 in base64. */
function scriptHash(script: string): string {
  return `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
}

/**
 * Render the report as one self-contained HTML document: the headline numbers, the
 * model comparison (best value per column marked), every figure inline, the sessions,
 * the slowest calls, the errors, the custom events, the data-quality section and the
 * inputs. Readable with JavaScript off; with it, clicking a table header sorts the rows.
 * Pure: the same input gives the same HTML.
 *
 * @example
 * ```ts
 * import { buildReportInput, renderReport } from "./mod.ts";
 * import { loadTraces } from "../load/mod.ts";
 * const input = await buildReportInput(await loadTraces(["traces/"]), { figures: false });
 * // The title is text: its markup is escaped, never interpreted.
 * const html = renderReport(input, { title: "Nightly <b>run</b>" });
 * if (!html.includes("<title>Nightly &lt;b&gt;run&lt;/b&gt;</title>")) throw new Error("title");
 * if (html.includes("<b>run</b>")) throw new Error("unescaped");
 * ```
 */
export function renderReport(
  input: ReportInput | ReportInputWithCalls,
  options: RenderReportOptions = {},
): string {
  return reportRenderer(input, options)(input.summary.generated_at);
}

/**
 * {@linkcode renderReport} of `input` at any time of the run: `render(iso)` is the page
 * of `input` with `summary.generated_at` set to `iso`. The parts that do not show the
 * time (the tables, the figures, the calls' JSON) are made once, when this is called,
 * so each page after the first costs only the template (the results cache renders a
 * second time to check its template: 4 ms instead of 20 on 200,000 calls).
 *
 * @example
 * ```ts
 * import { buildReportInput, renderReport, reportRenderer } from "./mod.ts";
 * import { loadTraces } from "../load/mod.ts";
 * const input = await buildReportInput(await loadTraces(["traces/"]), { figures: false });
 * const render = reportRenderer(input, { title: "Traces" });
 * const later = "2030-01-02T03:04:05.678Z";
 * const html = renderReport({ ...input, summary: { ...input.summary, generated_at: later } }, {
 *   title: "Traces",
 * });
 * if (render(later) !== html || !html.includes("2030-01-02 03:04:05 UTC")) throw new Error("time");
 * ```
 */
export function reportRenderer(
  input: ReportInput | ReportInputWithCalls,
  options: RenderReportOptions = {},
): (generatedAt: string) => string {
  const { eta, css, comparisonCss, callsCss } = templates();
  const calls = "calls" in input && input.calls
    ? callsSectionView(input.calls, jsonForScript)
    : undefined;
  const title = options.title ?? "LLM trace report";
  const view = buildView(input, title);
  const script = CLIENT_SCRIPT;
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHash(script)}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return (generatedAt) =>
    eta.render("./report", {
      ...view,
      generatedAt,
      generatedAtText: /(Z|[+-]00:?00)$/.test(generatedAt)
        ? `${formatTime(generatedAt)} UTC`
        : formatTime(generatedAt),
      css,
      comparisonCss,
      calls,
      callsCss,
      script,
      csp,
      summaryJson: jsonForScript({ ...input.summary, generated_at: generatedAt }),
    });
}
