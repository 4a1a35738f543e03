/**
 * Markdown summaries for CI (`compare.md`, `report.md`, and `$GITHUB_STEP_SUMMARY`):
 * the verdict, the gates, the deltas with their intervals, and the model table.
 * Trace strings (labels, model names) are escaped for Markdown tables.
 *
 * @module
 */
import type { GroupDeltas, RunComparisonResult } from "../metrics/mod.ts";
import {
  DELTA_LABELS,
  DELTA_METRICS,
  formatChange,
  formatDeltaValue,
  formatInterval,
  formatN,
  formatPValue,
  formatSigned,
  gateVerdict,
} from "./comparison.ts";
import { formatInt, formatPercent, formatSeconds, formatUsd } from "../log/format.ts";
import type { ModelSummary, ReportSummary } from "./input.ts";

/**
 * Text safe in a Markdown table cell: the characters Markdown or HTML would read
 * (`| \ ` * _ < > [ ] #` …) escaped, line breaks as spaces.
 *
 * @example
 * ```ts
 * import { mdCell } from "./markdown.ts";
 * if (mdCell("a|b <script>") !== "a\\|b &lt;script&gt;") throw new Error(mdCell("a|b <script>"));
 * ```
 */
export function mdCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\|`*_[\]#!~])/g, "\\$1");
}

function table(header: string[], rows: string[][], numeric: boolean[]): string {
  const align = numeric.map((n) => (n ? "---:" : "---"));
  return [header, align, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

/** The model table in Markdown (requested model, served versions, calls, errors, latency, cost). */
export function modelTableMarkdown(models: ModelSummary[]): string {
  if (models.length === 0) return "_No model calls._";
  const runs = models.some((m) => m.run !== undefined);
  return table(
    [
      "Model",
      ...(runs ? ["Run"] : []),
      "Served as",
      "Calls",
      "Error rate",
      "p50 s",
      "p95 s",
      "Cost / call",
    ],
    models.map((m) => [
      mdCell(m.model),
      ...(runs ? [mdCell(m.run ?? "–")] : []),
      mdCell((m.served_models ?? []).join(", ") || "–"),
      formatInt(m.calls),
      formatPercent(m.error_rate),
      formatSeconds(m.latency.p50),
      formatSeconds(m.latency.p95),
      formatUsd(m.cost_per_call ?? null),
    ]),
    [false, ...(runs ? [false] : []), false, true, true, true, true, true],
  );
}

/** Options of the Markdown summaries. */
export interface MarkdownOptions {
  /** The heading. */
  title?: string;
  /** The model table of both runs (`compare`: the report's `by_model`). */
  models?: ModelSummary[];
}

/**
 * `compare.md`: the verdict, the gates, the deltas with their 95% intervals,
 * p-values, tests and n, the paired comparison and the model table.
 */
export function compareMarkdown(c: RunComparisonResult, options: MarkdownOptions = {}): string {
  const b = c.baseline.label, k = c.candidate.label;
  const lines: string[] = [];
  lines.push(`## ${mdCell(options.title ?? `Comparison: ${b} vs ${k}`)}`, "");
  lines.push(
    `**${c.passed ? "✅" : "❌"} ${gateVerdict(c.gates)}**` +
      (c.significance !== null ? ` (significance level ${c.significance})` : ""),
    "",
  );
  for (const g of c.gates) lines.push(`- ${g.passed ? "✅" : "❌"} ${mdCell(g.message)}`);
  if (c.gates.length) lines.push("");
  lines.push(
    table(
      ["Metric", mdCell(b), mdCell(k), "Change", "95% CI", "p", "Test", "n"],
      DELTA_METRICS.map((m) => {
        const d = c.deltas[m];
        return [
          DELTA_LABELS[m],
          formatDeltaValue(m, d.baseline),
          formatDeltaValue(m, d.candidate),
          formatChange(m, d),
          formatInterval(m, d.ci95),
          formatPValue(d.p_value),
          d.test ?? "–",
          `${formatN(d)}${d.warning ? " ⚠" : ""}`,
        ];
      }),
      [false, true, true, true, true, true, false, true],
    ),
    "",
  );
  const warned = DELTA_METRICS.filter((m) => c.deltas[m].warning);
  if (warned.length) {
    lines.push(
      `⚠ Small samples: ${warned.map((m) => DELTA_LABELS[m]).join(", ")} (${
        c.deltas[warned[0]!].warning
      }).`,
      "",
    );
  }
  const p = c.paired;
  if (p) {
    lines.push(
      `### Paired by ${mdCell(p.by)}`,
      "",
      `${p.pairs} pairs; ${p.baseline_only} key${p.baseline_only === 1 ? "" : "s"} only in ${
        mdCell(b)
      }, ${p.candidate_only} only in ${mdCell(k)}.`,
      "",
      table(
        ["Metric", "Pairs", "Mean difference", "95% CI", "p", "Test"],
        ([
          ["latency", p.latency, "latency_mean"],
          ["input tokens", p.input_tokens, "input_tokens_per_call"],
          ["output tokens", p.output_tokens, "output_tokens_per_call"],
          ["cost", p.cost, "cost_per_call"],
        ] as const).map(([label, m, metric]) => [
          label,
          String(m.n),
          formatSigned(metric, m.mean_difference),
          formatInterval(metric, m.ci95),
          formatPValue(m.p_value),
          m.test,
        ]),
        [false, true, true, true, true, false],
      ),
      "",
    );
  }
  if (options.models) lines.push("### Models", "", modelTableMarkdown(options.models), "");
  return lines.join("\n");
}

/**
 * `report.md`: the headline numbers, the model table, and with `--group-by` each
 * group's differences from the reference with their intervals and p-values.
 */
export function reportMarkdown(s: ReportSummary, options: MarkdownOptions = {}): string {
  const rt = s.response_time;
  const finished = s.calls.ok + s.calls.error;
  return [
    `## ${mdCell(options.title ?? "LLM trace report")}`,
    "",
    `${formatInt(s.request_count)} requests, ${formatInt(s.response_count)} responses, ${
      formatInt(s.error_count)
    } errors (${formatPercent(finished ? s.calls.error / finished : null)} of finished calls); ` +
    `latency p50 ${formatSeconds(rt.p50)} s, p95 ${formatSeconds(rt.p95)} s (n = ${
      formatInt(rt.count)
    }); cost ${formatUsd(s.cost_usd.total)}.`,
    "",
    "### Models",
    "",
    modelTableMarkdown(s.by_model),
    "",
    ...(s.by_group?.deltas ? groupDeltasMarkdown(s.by_group.by, s.by_group.deltas) : []),
  ].join("\n");
}

/** The metrics of the differences between groups in `report.md`. */
const GROUP_MD_METRICS = ["error_rate", "latency_mean", "latency_p95", "cost_per_call"] as const;

/** "Differences from REF" (`report --group-by`): each group's changes with intervals and p. */
function groupDeltasMarkdown(by: string, d: GroupDeltas): string[] {
  return [
    `### Differences from ${mdCell(d.reference)} (by ${mdCell(by)})`,
    "",
    table(
      [mdCell(by), "Metric", mdCell(d.reference), "Group", "Change", "95% CI", "p", "Test"],
      d.groups.flatMap(({ group, deltas }) =>
        GROUP_MD_METRICS.map((m) => {
          const x = deltas[m];
          return [
            mdCell(group),
            DELTA_LABELS[m],
            formatDeltaValue(m, x.baseline),
            formatDeltaValue(m, x.candidate),
            formatChange(m, x),
            formatInterval(m, x.ci95),
            formatPValue(x.p_value),
            x.test ?? "–",
          ];
        })
      ),
      [false, false, true, true, true, true, true, false],
    ),
    "",
  ];
}
