/**
 * `renderSummaryText`: the seed's `{prefix}_summary.txt`, byte for byte in its
 * sections, titles, line formats and order (from the seed's `analyze_traces.py`),
 * then our extra sections after it.
 *
 * Seed quirks kept on purpose: with no response times the three statistics print
 * `0.00` and the `Standard Deviation` line (and its blank line) is absent;
 * `Models Used` lists models in the order they were first requested.
 *
 * @module
 */
import type { ModelSummary, Summary } from "../metrics/mod.ts";
import { formatFixed } from "../log/format.ts";
import type { SummaryContractKey } from "./input.ts";

/** The fields of the summary (DESIGN.md `summary.json`) that the text uses. */
export type SummaryTextInput =
  & Pick<Summary, SummaryContractKey>
  & {
    by_model: (
      & Pick<
        ModelSummary,
        "model" | "calls" | "ok" | "errors" | "error_rate" | "latency" | "cost_usd"
      >
      & Partial<Pick<ModelSummary, "served_models">>
    )[];
  };

const f2 = (x: number | null | undefined) => formatFixed(x ?? 0, 2);
const opt = (x: number | null | undefined, suffix = "") =>
  x === null || x === undefined ? "n/a" : `${f2(x)}${suffix}`;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * The seed writes `datetime.now().isoformat()`: local time, no offset, microseconds
 * (dropped when they are 0). `generated_at` (ISO, UTC) is shown the same way.
 *
 * @example
 * ```ts
 * import { pythonLocalIsoformat } from "./summary_text.ts";
 * if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/.test(pythonLocalIsoformat("2025-04-08T19:42:09.345Z"))) {
 *   throw new Error("expected Python's isoformat");
 * }
 * ```
 */
export function pythonLocalIsoformat(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const micros = d.getMilliseconds() * 1000;
  return micros === 0 ? base : `${base}.${pad(micros, 6)}`;
}

/**
 * Render the seed's summary text, then the extra sections.
 *
 * @example
 * ```ts
 * import { loadTraces } from "../load/mod.ts";
 * import { summarize } from "../metrics/mod.ts";
 * import { renderSummaryText } from "./summary_text.ts";
 * const text = renderSummaryText(summarize(await loadTraces(["traces/"])));
 * // traces/: 90 llm_request, 83 llm_response, 6 llm_error lines; 39 requests for gpt-4o (grep -c).
 * const lines = text.split("\n");
 * for (const line of ["Total Requests: 90", "Successful Responses: 83", "Errors: 6", "gpt-4o: 39 requests"]) {
 *   if (!lines.includes(line)) throw new Error(`missing ${line}`);
 * }
 * if (!text.startsWith("Trace Analysis Summary\n=====================\n")) throw new Error("heading");
 * ```
 */
export function renderSummaryText(s: SummaryTextInput): string {
  const rt = s.response_time;
  const lines: string[] = [];
  const w = (line = "") => lines.push(line);
  // The seed's sections, exactly.
  w("Trace Analysis Summary");
  w("=====================");
  w();
  w(`Generated: ${pythonLocalIsoformat(s.generated_at)}`);
  w();
  w("Request Statistics");
  w("-----------------");
  w(`Total Requests: ${s.request_count}`);
  w(`Successful Responses: ${s.response_count}`);
  w(`Errors: ${s.error_count}`);
  w();
  w("Response Time Statistics");
  w("-----------------------");
  w(`Average Response Time: ${f2(rt.count ? rt.mean : 0)} seconds`);
  w(`Maximum Response Time: ${f2(rt.count ? rt.max : 0)} seconds`);
  w(`Minimum Response Time: ${f2(rt.count ? rt.min : 0)} seconds`);
  if (rt.count > 0) {
    w(`Standard Deviation: ${f2(rt.std)} seconds`);
    w();
  }
  w("Models Used");
  w("-----------");
  for (const [model, count] of Object.entries(s.models_used)) w(`${model}: ${count} requests`);

  // Our extra sections, after the seed's.
  w();
  w("Response Time Percentiles");
  w("-------------------------");
  w(`Responses timed (duration > 0): ${rt.count} of ${s.response_count}`);
  for (const p of ["p50", "p90", "p95", "p99"] as const) w(`${p}: ${opt(rt[p], " seconds")}`);
  w();
  w("Calls by Status");
  w("---------------");
  w(`Total: ${s.calls.total}`);
  w(`ok: ${s.calls.ok}`);
  w(`error: ${s.calls.error}`);
  w(`pending: ${s.calls.pending}`);
  w();
  w("Tokens");
  w("------");
  w(`Input: ${s.tokens.input}`);
  w(`Output: ${s.tokens.output}`);
  w(`Total: ${s.tokens.total}`);
  w(`Calls with usage: ${s.tokens.calls_with_usage}`);
  w();
  w("Cost");
  w("----");
  w(`Total: ${s.cost_usd.total === null ? "n/a" : `$${formatFixed(s.cost_usd.total, 6)}`}`);
  w(`Priced calls: ${s.cost_usd.priced_calls}`);
  w(`Unpriced models: ${
    s.cost_usd.unpriced_models.length ? s.cost_usd.unpriced_models.join(", ") : "none"
  }`);
  w();
  w("Sessions");
  w("--------");
  w(`Sessions: ${s.sessions.count}`);
  w(`Complete: ${s.sessions.complete}`);
  w(`Unfinished: ${s.sessions.unfinished}`);
  w();
  w("By Model");
  w("--------");
  for (const m of s.by_model) {
    const rate = m.error_rate === null ? "n/a" : `${formatFixed(m.error_rate * 100, 1)}%`;
    const cost = m.cost_usd === null ? "unpriced" : `$${formatFixed(m.cost_usd, 6)}`;
    // The model rule: rows are requested models; the versions served are detail.
    const served = (m.served_models ?? []).filter((v) => v !== m.model);
    w(
      `${m.model}: ${m.calls} calls, ${m.ok} ok, ${m.errors} errors (${rate}), ` +
        `mean ${opt(m.latency.mean, " s")}, p50 ${opt(m.latency.p50, " s")}, p95 ${
          opt(m.latency.p95, " s")
        }, cost ${cost}${served.length ? `; served as ${served.join(", ")}` : ""}`,
    );
  }
  w();
  w("Data Quality");
  w("------------");
  w(`Diagnostics: ${s.diagnostics.count}`);
  for (const [code, n] of Object.entries(s.diagnostics.by_code)) w(`${code}: ${n}`);
  w();
  w("Inputs");
  w("------");
  for (const input of s.inputs) w(input);
  return lines.join("\n") + "\n";
}
