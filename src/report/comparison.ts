/**
 * A candidate run against a baseline (`compare`): the compared metrics, their deltas
 * and the gate results as plain data ({@link RunComparison}, an optional part of
 * `ReportInput`), how they are written as text (shared by the `compare` command's
 * stdout table and the report), and the report's "Baseline vs candidate" section
 * ({@link comparisonView}).
 *
 * @module
 */
import type { CellView, TableView } from "./table_view.ts";
import { formatFixed, formatPercent, formatTrimmed } from "../log/format.ts";
import {
  assessDelta,
  type Delta,
  DELTA_LABELS,
  DELTA_METRICS,
  type DeltaMetric,
  formatDeltaValue,
  formatP,
} from "../metrics/deltas.ts";
import type { GateResult, GroupDeltas, Paired } from "../metrics/run_compare.ts";

export { assessDelta, type Delta, DELTA_LABELS, DELTA_METRICS, type DeltaMetric, formatDeltaValue };
export type { GateResult, Paired };

/** What the report's "Baseline vs candidate" section shows (from `compare`). */
export interface RunComparison {
  /** The baseline's label (untrusted text: escaped). */
  baseline: string;
  /** The candidate's label (untrusted text: escaped). */
  candidate: string;
  /** Each compared metric's change with its statistics. */
  deltas: Record<DeltaMetric, Delta>;
  /** The gates set. */
  gates: GateResult[];
  /** The paired comparison, when the runs share call keys. */
  paired?: Paired | null;
  /** The gates' significance level, when set. */
  significance?: number | null;
}

const EMPTY = "–";
const pct1 = (r: number) => formatPercent(r);

/** A signed difference: `+1.85 s`, `−$0.000100`, `+20.0 pp`; `–` for null. */
export function formatSigned(metric: DeltaMetric, x: number | null): string {
  if (x === null) return EMPTY;
  const abs = metric === "error_rate"
    ? `${formatFixed(Math.abs(x) * 100, 1)} pp`
    : formatDeltaValue(metric, Math.abs(x));
  return `${x >= 0 ? "+" : "−"}${abs}`;
}

/** The absolute change with its sign: `+1.85 s`, `−$0.000100`, `+20.0 pp`; `–` for null. */
export function formatAbsoluteChange(metric: DeltaMetric, d: Delta): string {
  return formatSigned(metric, d.change);
}

/** The relative change with its sign: `+48.1%`, `−12.0%`; `–` for null. */
export function formatRelativeChange(d: Delta): string {
  const r = d.relative_change;
  if (r === null) return EMPTY;
  return `${r >= 0 ? "+" : "−"}${pct1(Math.abs(r))}`;
}

/** Both changes in one: `+1.85 s (+48.1%)`, `+20.0 pp` (no relative change). */
export function formatChange(metric: DeltaMetric, d: Delta): string {
  if (d.change === null) return EMPTY;
  const rel = d.relative_change === null ? "" : ` (${formatRelativeChange(d)})`;
  return `${formatAbsoluteChange(metric, d)}${rel}`;
}

/** A 95% interval of a change: `[−0.12 s, +1.85 s]`, `[−5.0 pp, +45.0 pp]`; `–` for none. */
export function formatInterval(metric: DeltaMetric, ci: [number, number] | null): string {
  return ci ? `[${formatSigned(metric, ci[0])}, ${formatSigned(metric, ci[1])}]` : EMPTY;
}

/** A p-value as text: `0.031`, `< 0.001`; `–` for none. */
export function formatPValue(p: number | null): string {
  return p === null ? EMPTY : formatP(p).replace(/^p [=] /, "").replace(/^p /, "");
}

/** n on both sides: `4 / 5`. */
export function formatN(d: Delta): string {
  return `${d.n_baseline} / ${d.n_candidate}`;
}

/** A limit as short text: 10 → "10", 12.5 → "12.5". */
const plain = (x: number) => formatTrimmed(x, 6);

/** A gate's limit as a phrase: `error rate at most 10%`, `p95 latency rise at most 10%`. */
export function gateLimitText(g: GateResult): string {
  if (g.gate === "max_error_rate") return `error rate at most ${plain(g.limit * 100)}%`;
  return `${DELTA_LABELS[g.metric]} rise at most ${plain(g.limit)}%`;
}

/** The overall verdict: `All 3 gates passed`, `2 of 3 gates failed`, `No gates set`. */
export function gateVerdict(gates: GateResult[]): string {
  const n = gates.length;
  const failed = gates.filter((g) => !g.passed).length;
  if (n === 0) return "No gates set";
  if (n === 1) return failed ? "The gate failed" : "The gate passed";
  return failed ? `${failed} of ${n} gates failed` : `All ${n} gates passed`;
}

/** One gate as the report lists it. */
export interface GateView {
  /** The gate passed. */
  passed: boolean;
  /** `passed` | `failed`. */
  status: string;
  /** The gate's message without its `gate failed: ` prefix. */
  sentence: string;
  /** From {@link gateLimitText}. */
  limit: string;
}

/** The paired part of the section. */
export interface PairedView {
  /** One sentence: how many pairs, by which key, and the keys only one side has. */
  lead: string;
  /** Paired differences of latency, tokens and cost (id `paired`). */
  metrics: TableView;
  /** The heading of `largest`: by latency, or by output tokens. */
  largestTitle: string;
  /** The largest differences with both outputs (id `paired-calls`). */
  largest: TableView;
}

/** What the report's "Baseline vs candidate" section prints. */
export interface ComparisonView {
  /** The baseline's label. */
  baseline: string;
  /** The candidate's label. */
  candidate: string;
  /** The deltas table (id `deltas`). */
  deltas: TableView;
  /** Deltas computed on fewer values than the minimum sample, as sentences. */
  warnings: string[];
  /** The gates as listed. */
  gates: GateView[];
  /** From {@link gateVerdict}. */
  verdict: string;
  /** Every gate passed (also when none is set). */
  passed: boolean;
  /** The paired comparison, when the runs share keys. */
  paired?: PairedView;
}

const num = (text: string, value: number | null, className?: string): CellView => ({
  text,
  value: value === null ? undefined : String(value),
  className: className ? `num ${className}` : "num",
});

const clip = (t: string | null, max = 600): CellView =>
  t === null
    ? { text: EMPTY, className: "muted" }
    : t.length > max
    ? { text: `${t.slice(0, max - 1)}… (${t.length} characters)`, title: t, className: "text" }
    : { text: t, className: "text" };

/** The paired part: the pairs' differences and the largest latency differences. */
export function pairedView(p: Paired, labels: { baseline: string; candidate: string }): PairedView {
  const unit: [string, "latency" | "input_tokens" | "output_tokens" | "cost", DeltaMetric][] = [
    ["latency", "latency", "latency_mean"],
    ["input tokens", "input_tokens", "input_tokens_per_call"],
    ["output tokens", "output_tokens", "output_tokens_per_call"],
    ["cost", "cost", "cost_per_call"],
  ];
  const only = `${p.baseline_only} key${
    p.baseline_only === 1 ? "" : "s"
  } only in ${labels.baseline}, ${p.candidate_only} only in ${labels.candidate}`;
  const dup = p.duplicates.baseline + p.duplicates.candidate;
  return {
    lead: `${p.pairs} call${p.pairs === 1 ? "" : "s"} paired by ${p.by}; ${only}` +
      (dup ? `; ${dup} repeated key(s) not paired` : "") +
      `. Outcomes of the pairs: ${p.outcomes.both_ok} both ok, ${p.outcomes.candidate_error_only} failed only in ${labels.candidate}, ${p.outcomes.baseline_error_only} failed only in ${labels.baseline}, ${p.outcomes.both_error} failed in both.`,
    metrics: {
      id: "paired",
      columns: [
        { label: "Metric" },
        { label: "Pairs", num: true, title: "pairs with the value on both sides" },
        { label: "Mean difference", num: true, title: `${labels.candidate} − ${labels.baseline}` },
        { label: "Median difference", num: true },
        { label: "95% CI", num: true, title: "bootstrap interval of the mean difference" },
        { label: "p", num: true, title: "two-sided p-value" },
        { label: "Test" },
      ],
      rows: unit.map(([label, key, metric]) => {
        const m = p[key];
        return [
          { text: label },
          num(String(m.n), m.n),
          num(formatSigned(metric, m.mean_difference), m.mean_difference),
          num(formatSigned(metric, m.median_difference), m.median_difference),
          { text: formatInterval(metric, m.ci95), className: "num" },
          num(formatPValue(m.p_value), m.p_value),
          {
            text: m.test,
            title: m.warning ?? undefined,
            className: m.warning ? "warn" : undefined,
          },
        ];
      }),
      empty: "No pairs.",
    },
    largestTitle: p.largest_by === "latency"
      ? "Largest latency differences"
      : "Largest output-token differences",
    largest: {
      id: "paired-calls",
      columns: [
        { label: p.by },
        {
          label: p.largest_by === "latency" ? "Difference s" : "Difference (output tokens)",
          num: true,
          title: `${labels.candidate} − ${labels.baseline}`,
        },
        { label: `${labels.baseline} ${p.largest_by === "latency" ? "s" : "tokens"}`, num: true },
        { label: `${labels.candidate} ${p.largest_by === "latency" ? "s" : "tokens"}`, num: true },
        { label: `${labels.baseline} output` },
        { label: `${labels.candidate} output` },
      ],
      rows: p.largest.map((c) => {
        const value = (s: typeof c.baseline) =>
          p.largest_by === "latency"
            ? num(formatDeltaValue("latency_mean", s.duration_s), s.duration_s)
            : num(s.output_tokens === null ? EMPTY : String(s.output_tokens), s.output_tokens);
        return [
          { text: c.key, className: "mono" },
          p.largest_by === "latency"
            ? num(formatSigned("latency_mean", c.difference), c.difference)
            : num(`${c.difference >= 0 ? "+" : "−"}${Math.abs(c.difference)}`, c.difference),
          value(c.baseline),
          value(c.candidate),
          clip(c.baseline.output),
          clip(c.candidate.output),
        ];
      }),
      empty: "No pair with a latency or output tokens on both sides.",
    },
  };
}

/**
 * The Assessment cell: worse/better in colour; a change that is not significant at
 * the 5% level is marked `ns` (dotted, with the p-value in its tooltip), so a red
 * "worse" over a handful of calls does not read like a proven regression.
 */
function assessmentCell(
  judged: string | null,
  cls: string | undefined,
  p: number | null,
): CellView {
  const base = cls ? `assessment ${cls}` : "assessment";
  if (!judged || judged === "unchanged" || p === null) {
    return { text: judged ?? "", className: base };
  }
  return p < 0.05
    ? { text: judged, className: base, title: `significant at the 5% level (${formatP(p)})` }
    : {
      text: judged,
      className: `${base} ns`,
      title: `not significant at the 5% level (${formatP(p)})`,
    };
}

/** The section's view: the deltas table (id `deltas`), the gates and the verdict. */
export function comparisonView(c: RunComparison): ComparisonView {
  const colour = { worse: "bad", better: "good", unchanged: undefined } as const;
  const rows = DELTA_METRICS.map((m): CellView[] => {
    const d = c.deltas[m];
    const judged = assessDelta(m, d);
    const cls = judged ? colour[judged] : undefined;
    return [
      { text: DELTA_LABELS[m] },
      num(formatDeltaValue(m, d.baseline), d.baseline),
      num(formatDeltaValue(m, d.candidate), d.candidate),
      num(formatAbsoluteChange(m, d), d.change, cls),
      num(formatRelativeChange(d), d.relative_change, d.relative_change === null ? undefined : cls),
      assessmentCell(judged, cls, d.p_value),
      { text: formatInterval(m, d.ci95), className: "num nowrap" },
      num(formatPValue(d.p_value), d.p_value),
      { text: d.test ?? EMPTY, className: d.test ? undefined : "muted" },
      {
        text: formatN(d),
        className: d.warning ? "num warn" : "num",
        title: d.warning ?? undefined,
      },
    ];
  });
  // One line per distinct warning, naming the metrics it applies to.
  const byWarning = new Map<string, string[]>();
  for (const m of DELTA_METRICS) {
    const w = c.deltas[m].warning;
    if (w) byWarning.set(w, [...(byWarning.get(w) ?? []), DELTA_LABELS[m]]);
  }
  const warnings = [...byWarning].map(([w, metrics]) => `${metrics.join(", ")}: ${w}.`);
  return {
    baseline: c.baseline,
    candidate: c.candidate,
    deltas: {
      id: "deltas",
      columns: [
        { label: "Metric" },
        { label: c.baseline, num: true, title: "baseline" },
        { label: c.candidate, num: true, title: "candidate" },
        { label: "Change", num: true, title: "candidate − baseline (pp: percentage points)" },
        { label: "Relative change", num: true, title: "change / baseline" },
        {
          label: "Assessment",
          title: "worse: latency, error rate or cost rose; better: it fell",
        },
        { label: "95% CI", num: true, title: "95% confidence interval of the change" },
        { label: "p", num: true, title: "two-sided p-value of no change" },
        { label: "Test", title: "the test of the p-value" },
        { label: "n", num: true, title: "values on each side: baseline / candidate" },
      ],
      rows,
      empty: "No metrics.",
    },
    warnings,
    gates: c.gates.map((g) => ({
      passed: g.passed,
      status: g.passed ? "passed" : "failed",
      sentence: g.message.replace(/^gate failed: /, ""),
      limit: gateLimitText(g),
    })),
    verdict: gateVerdict(c.gates),
    passed: c.gates.every((g) => g.passed),
    paired: c.paired ? pairedView(c.paired, c) : undefined,
  };
}

/**
 * The deltas as a plain-text table (what `compare` prints): the values, the change,
 * its 95% interval, the p-value and the test.
 */
export function deltaTable(
  d: Record<DeltaMetric, Delta>,
  labels: { baseline: string; candidate: string },
): string {
  const rows = [
    ["", labels.baseline, labels.candidate, "change", "95% CI", "p", "test"],
    ...DELTA_METRICS.map((m) => [
      DELTA_LABELS[m],
      formatDeltaValue(m, d[m].baseline),
      formatDeltaValue(m, d[m].candidate),
      formatChange(m, d[m]),
      formatInterval(m, d[m].ci95),
      formatPValue(d[m].p_value),
      d[m].test ?? "",
    ]),
  ];
  const last = rows[0]!.length - 1;
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) =>
    r.map((cell, i) => (i < last ? cell.padEnd(widths[i]! + 2) : cell)).join("").trimEnd()
  ).join("\n");
}

/** The metrics of the differences between groups, in table order. */
const GROUP_DELTA_METRICS: DeltaMetric[] = [
  "error_rate",
  "latency_mean",
  "latency_p50",
  "latency_p95",
  "cost_per_call",
  "tokens_per_call",
];

/**
 * Each group against the reference (id `group-deltas`): one row per group and
 * metric, with the change, its 95% interval, the p-value, the test and n on both
 * sides; worse/better marked as in "Baseline vs candidate".
 */
export function groupDeltasTable(by: string, d: GroupDeltas): TableView {
  const colour = { worse: "bad", better: "good", unchanged: undefined } as const;
  const rows = d.groups.flatMap(({ group, deltas }) =>
    GROUP_DELTA_METRICS.map((m): CellView[] => {
      const x = deltas[m];
      const judged = assessDelta(m, x);
      const cls = judged ? colour[judged] : undefined;
      return [
        { text: group, className: "model" },
        { text: DELTA_LABELS[m] },
        num(formatDeltaValue(m, x.baseline), x.baseline),
        num(formatDeltaValue(m, x.candidate), x.candidate),
        num(formatAbsoluteChange(m, x), x.change, cls),
        { text: formatInterval(m, x.ci95), className: "num nowrap" },
        num(formatPValue(x.p_value), x.p_value),
        { text: x.test ?? EMPTY, className: x.test ? undefined : "muted" },
        {
          text: formatN(x),
          className: x.warning ? "num warn" : "num",
          title: x.warning ?? undefined,
        },
      ];
    })
  );
  return {
    id: "group-deltas",
    columns: [
      { label: by },
      { label: "Metric" },
      { label: d.reference, num: true, title: "the reference group" },
      { label: "Group", num: true, title: "this group's value" },
      { label: "Change", num: true, title: `group − ${d.reference} (pp: percentage points)` },
      { label: "95% CI", num: true, title: "95% confidence interval of the change" },
      { label: "p", num: true, title: "two-sided p-value of no change" },
      { label: "Test", title: "the test of the p-value" },
      { label: "n", num: true, title: `values: ${d.reference} / group` },
    ],
    rows,
    empty: "No other group.",
  };
}
