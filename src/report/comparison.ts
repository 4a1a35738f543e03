/**
 * A candidate run against a baseline (`compare`): the compared metrics, their deltas
 * and the gate results as plain data ({@link RunComparison}, an optional part of
 * `ReportInput`), how they are written as text (shared by the `compare` command's
 * stdout table and the report), and the report's "Baseline vs candidate" section
 * ({@link comparisonView}).
 *
 * @module
 */
import type { CellView, TableView } from "./_view.ts";

/** The compared metrics, in the order of the table and of `deltas`. */
export const DELTA_METRICS = [
  "calls",
  "error_rate",
  "latency_mean",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "cost_per_call",
  "tokens_per_call",
] as const;
/** A compared metric. */
export type DeltaMetric = (typeof DELTA_METRICS)[number];

/** One metric of both sides and how it changed. */
export interface Delta {
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline; null when either is null. */
  change: number | null;
  /**
   * change / baseline; null when either is null or the baseline is 0 (then
   * 0 when both are 0).
   */
  relative_change: number | null;
}

/** A gate's result. */
export interface GateResult {
  /** The option: `max_error_rate`, `max_p95_increase`, `max_mean_increase`, `max_cost_increase`. */
  gate: string;
  metric: DeltaMetric;
  /** The limit as given: a fraction for the error rate, a percent for the others. */
  limit: number;
  /** The candidate's error rate, or the rise in percent; null when it cannot be computed. */
  value: number | null;
  passed: boolean;
  /** The `gate failed: …` line, or a short "ok" sentence. */
  message: string;
}

/** What the report's "Baseline vs candidate" section shows (from `compare`). */
export interface RunComparison {
  /** The baseline's label (untrusted text: escaped). */
  baseline: string;
  /** The candidate's label (untrusted text: escaped). */
  candidate: string;
  deltas: Record<DeltaMetric, Delta>;
  gates: GateResult[];
}

/** The metrics' names in tables. */
export const DELTA_LABELS: Record<DeltaMetric, string> = {
  calls: "calls",
  error_rate: "error rate",
  latency_mean: "mean latency",
  latency_p50: "p50 latency",
  latency_p95: "p95 latency",
  latency_p99: "p99 latency",
  cost_per_call: "cost per call",
  tokens_per_call: "tokens per call",
};

/** The metrics whose rise is worse (the others, calls and tokens, are not judged). */
const HIGHER_IS_WORSE: ReadonlySet<DeltaMetric> = new Set<DeltaMetric>([
  "error_rate",
  "latency_mean",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "cost_per_call",
]);

const EMPTY = "–";
const pct1 = (r: number) => `${(r * 100).toFixed(1)}%`;

/** A metric's value as text: `5`, `20.0%`, `3.85 s`, `$0.000200`, `150.0`; `–` for null. */
export function formatDeltaValue(metric: DeltaMetric, x: number | null): string {
  if (x === null) return EMPTY;
  if (metric === "calls") return String(x);
  if (metric === "error_rate") return pct1(x);
  if (metric === "cost_per_call") return `$${x.toPrecision(3)}`;
  if (metric === "tokens_per_call") return x.toFixed(1);
  return `${x.toFixed(2)} s`;
}

/** The absolute change with its sign: `+1.85 s`, `−$0.000100`, `+20.0 pp`; `–` for null. */
export function formatAbsoluteChange(metric: DeltaMetric, d: Delta): string {
  if (d.change === null) return EMPTY;
  const c = d.change;
  const abs = metric === "error_rate"
    ? `${(Math.abs(c) * 100).toFixed(1)} pp`
    : formatDeltaValue(metric, Math.abs(c));
  return `${c >= 0 ? "+" : "−"}${abs}`;
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

/**
 * Whether the change is good news: `worse` (a rise of latency, errors or cost),
 * `better` (a fall), `unchanged`, or null for metrics that are not judged (calls,
 * tokens) and changes that cannot be computed.
 */
export function assessDelta(
  metric: DeltaMetric,
  d: Delta,
): "worse" | "better" | "unchanged" | null {
  if (!HIGHER_IS_WORSE.has(metric) || d.change === null) return null;
  return d.change > 0 ? "worse" : d.change < 0 ? "better" : "unchanged";
}

/** A limit as short text: 10 → "10", 12.5 → "12.5". */
const plain = (x: number) => String(Number(x.toFixed(6)));

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
  passed: boolean;
  /** `passed` | `failed`. */
  status: string;
  /** The gate's message without its `gate failed: ` prefix. */
  sentence: string;
  /** From {@link gateLimitText}. */
  limit: string;
}

/** What the report's "Baseline vs candidate" section prints. */
export interface ComparisonView {
  baseline: string;
  candidate: string;
  deltas: TableView;
  gates: GateView[];
  /** From {@link gateVerdict}. */
  verdict: string;
  /** Every gate passed (also when none is set). */
  passed: boolean;
}

const num = (text: string, value: number | null, className?: string): CellView => ({
  text,
  value: value === null ? undefined : String(value),
  className: className ? `num ${className}` : "num",
});

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
      { text: judged ?? "", className: cls ? `assessment ${cls}` : "assessment" },
    ];
  });
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
      ],
      rows,
      empty: "No metrics.",
    },
    gates: c.gates.map((g) => ({
      passed: g.passed,
      status: g.passed ? "passed" : "failed",
      sentence: g.message.replace(/^gate failed: /, ""),
      limit: gateLimitText(g),
    })),
    verdict: gateVerdict(c.gates),
    passed: c.gates.every((g) => g.passed),
  };
}
