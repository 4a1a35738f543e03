/**
 * `report --group-by FIELD`: a "Comparison by FIELD" section after the models, from
 * a session-metadata field (joined from `sessions`) or a calls column; an unknown
 * field exits 2; without the option the report has no such section or summary field.
 *
 * Fixture: tests/fixtures/compare/ (see tests/cli/compare_test.ts): base.jsonl is one
 * session with `planner_model: planner-a`, 4 ok calls of 1–4 s; candidate.jsonl one
 * session with `planner_model: planner-b`, 4 ok calls of 2, 2, 4, 6 s and 1 error.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import { ROOT } from "../_helpers.ts";
import { main } from "../../src/cli/main.ts";
import { runReport } from "../../src/cli/commands/report.ts";
import type { ReportSummary } from "../../src/report/input.ts";

const DIR = join(ROOT, "tests/fixtures/compare");

async function inTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-group-by-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cells(doc: Document, selector: string): string[][] {
  return [...doc.querySelectorAll(`${selector} tbody tr`)].map((tr) =>
    [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")
  );
}

Deno.test("report --group-by planner_model adds the comparison by that metadata field", async () => {
  await inTemp(async (dir) => {
    const out = await runReport([DIR], { outputDir: dir, quiet: true, groupBy: "planner_model" });
    const summary = JSON.parse(readFileSync(out.summary, "utf8")) as ReportSummary;
    const html = readFileSync(out.html, "utf8");
    const doc = new JSDOM(html).window.document;

    assert.equal(summary.by_group?.by, "planner_model");
    assert.deepEqual(
      summary.by_group!.groups.map((g) => [
        g.group,
        g.calls,
        g.ok,
        g.errors,
        g.error_rate,
        g.latency.mean,
        g.latency.p50,
        g.latency.max,
      ]),
      [
        ["planner-a", 4, 4, 0, 0, 2.5, 2.5, 4],
        ["planner-b", 5, 4, 1, 0.2, 3.5, 3, 6],
      ],
    );

    // The section follows the models, with a link in the navigation.
    const ids = [...doc.querySelectorAll("main > section")].map((s) => s.id);
    assert.deepEqual(ids.slice(0, 3), ["overview", "models", "groups"]);
    assert.equal(doc.querySelector("#groups h2")!.textContent, "Comparison by planner_model");
    assert.equal(doc.querySelector('nav a[href="#groups"]')!.textContent, "By planner_model");
    const header = [...doc.querySelectorAll("#table-groups thead th")].map((th) => th.textContent);
    assert.deepEqual(header, [
      "planner_model",
      "Calls",
      "OK",
      "Errors",
      "Error rate",
      "Mean s",
      "p50 s",
      "p90 s",
      "p95 s",
      "p99 s",
      "Max s",
      "Input tokens",
      "Output tokens",
      "Cost",
      "Cost / call",
    ]);
    // test-model has no known price (no --prices): cost is –, nothing ranked on it.
    // p90: index 0.9·3 = 2.7 → 3.7 and 5.4; p95 3.85 and 5.7; p99 3.97 and 5.94.
    assert.deepEqual(cells(doc, "#table-groups"), [
      [
        "planner-a",
        "4",
        "4",
        "0",
        "0.0% ★",
        "2.50 ★",
        "2.50 ★",
        "3.70 ★",
        "3.85 ★",
        "3.97 ★",
        "4.00",
        "400",
        "200",
        "–",
        "–",
      ],
      [
        "planner-b",
        "5",
        "4",
        "1",
        "20.0%",
        "3.50",
        "3.00",
        "5.40",
        "5.70",
        "5.94",
        "6.00",
        "400",
        "400",
        "–",
        "–",
      ],
    ]);
    // The page's numbers are report_summary.json's (also embedded).
    assert.deepEqual(JSON.parse(doc.getElementById("tracebook-summary")!.textContent!), summary);
  });
});

Deno.test("report --group-by also takes a calls column", async () => {
  await inTemp(async (dir) => {
    const out = await runReport([DIR], { outputDir: dir, quiet: true, groupBy: "session_id" });
    const summary = JSON.parse(readFileSync(out.summary, "utf8")) as ReportSummary;
    assert.deepEqual(summary.by_group!.groups.map((g) => [g.group, g.calls]), [
      ["base-1", 4],
      ["cand-1", 5],
    ]);
  });
});

Deno.test("report without --group-by has no comparison by group", async () => {
  await inTemp(async (dir) => {
    const out = await runReport([DIR], { outputDir: dir, quiet: true });
    const summary = JSON.parse(readFileSync(out.summary, "utf8")) as ReportSummary;
    assert.equal("by_group" in summary, false);
    const doc = new JSDOM(readFileSync(out.html, "utf8")).window.document;
    assert.equal(doc.getElementById("groups"), null);
    assert.equal(doc.querySelector('nav a[href="#groups"]'), null);
    const ids = [...doc.querySelectorAll("main > section")].map((s) => s.id);
    assert.deepEqual(ids.slice(0, 3), ["overview", "models", "figures"]);
  });
});

Deno.test("report --group-by an unknown field exits 2 naming it and the available fields", async () => {
  await inTemp(async (dir) => {
    const lines: string[] = [];
    const { error, log } = console;
    console.error = (...a: unknown[]) => lines.push(a.join(" "));
    console.log = () => {};
    let code: number;
    try {
      code = await main(["report", DIR, "--output-dir", dir, "--quiet", "--group-by", "colour"]);
    } finally {
      console.error = error;
      console.log = log;
    }
    assert.equal(code, 2);
    assert.deepEqual(lines, [
      'error: Cannot group by "colour": it is neither a calls column nor a session-metadata field of these traces (available: model, served_model, provider, file, session_id, group, version, planner_model).',
    ]);
  });
});

Deno.test("report --group-by compares each group with the one with most calls, with intervals and p-values", async () => {
  await inTemp(async (dir) => {
    const out = await runReport([DIR], { outputDir: dir, quiet: true, groupBy: "planner_model" });
    const summary = JSON.parse(readFileSync(out.summary, "utf8")) as ReportSummary;
    // planner-b (the candidate run: 5 calls) is the reference; planner-a has 4.
    const d = summary.by_group!.deltas!;
    assert.equal(d.reference, "planner-b");
    assert.deepEqual(d.groups.map((g) => g.group), ["planner-a"]);
    const x = d.groups[0]!.deltas;
    // Error rate 1/5 → 0/4: Newcombe (the mirror of compare_test's 0/4 → 1/5) [−0.624466, +0.316541].
    assert.ok(Math.abs(x.error_rate.ci95![0] - -0.624466) < 1e-6);
    assert.ok(Math.abs(x.error_rate.ci95![1] - 0.316541) < 1e-6);
    assert.equal(x.error_rate.p_value, 1);
    // Mean latency 3.5 → 2.5; Mann–Whitney on the same samples as compare_test: p = 0.5516.
    assert.equal(x.latency_mean.change, -1);
    assert.ok(Math.abs(x.latency_mean.p_value! - 0.5516) < 1e-4);
    const doc = new JSDOM(readFileSync(out.html, "utf8")).window.document;
    assert.equal(doc.querySelector("#groups h3")!.textContent, "Differences from planner-b");
    const rows = cells(doc, "#table-group-deltas");
    assert.deepEqual(rows[0], [
      "planner-a",
      "error rate",
      "20.0%",
      "0.0%",
      "−20.0 pp",
      "[−62.4 pp, +31.7 pp]",
      "1.000",
      "Fisher's exact",
      "5 / 4",
    ]);
    assert.deepEqual(rows[1]!.slice(0, 5), [
      "planner-a",
      "mean latency",
      "3.50 s",
      "2.50 s",
      "−1.00 s",
    ]);
    assert.deepEqual(rows[1]!.slice(6), ["0.552", "Mann–Whitney U", "4 / 4"]);
    // report.md carries the same differences.
    const md = readFileSync(out.markdown, "utf8");
    assert.ok(md.includes("### Differences from planner-b (by planner\\_model)"), md);
    assert.ok(
      md.includes(
        "| planner-a | error rate | 20.0% | 0.0% | −20.0 pp (−100.0%) | [−62.4 pp, +31.7 pp] | 1.000 | Fisher's exact |",
      ),
      md,
    );
  });
});

Deno.test("report --group-by model: the model table and the comparison by model show the same numbers", async () => {
  const mixed = join(ROOT, "tests/fixtures/metrics/mixed.jsonl");
  await inTemp(async (dir) => {
    const out = await runReport([mixed], { outputDir: dir, quiet: true, groupBy: "model" });
    const doc = new JSDOM(readFileSync(out.html, "utf8")).window.document;
    const strip = (row: string[]) => row.map((c) => c.replace(" ★", ""));
    const models = new Map(cells(doc, "#table-models").map((r) => [r[0], strip(r)]));
    const groups = cells(doc, "#table-groups").map(strip);
    assert.equal(groups.length, models.size);
    for (const row of groups) assert.deepEqual(row, models.get(row[0]), row[0]);
    // gpt-4o's cost per call: 0.010635 over its 4 priced calls (see tests/metrics/_frames.ts).
    assert.equal(models.get("gpt-4o")!.at(-1), "$0.002659");
    // report.md carries the same model table.
    const md = readFileSync(out.markdown, "utf8");
    assert.ok(md.includes("| gpt-4o | gpt-4o | 5 | 0.0% | 4.00 | 9.40 | $0.002659 |"), md);
  });
});
