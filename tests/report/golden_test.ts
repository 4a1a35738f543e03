/**
 * Golden files of the bundled `traces/`: the seed-compatible `summary.txt` and the
 * HTML report, each compared whole after normalizing what changes from run to run
 * or machine to machine (the generation time, absolute paths, the script bundle and
 * its CSP hash). Rewrite them with `UPDATE_SNAPSHOTS=1` after a deliberate change
 * and read the diff; CI refuses to.
 */
import { equal as assertEquals } from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { assertGolden } from "../_golden.ts";
import { normalizeSvg } from "../figures/_snapshot.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { summarize } from "../../src/metrics/mod.ts";
import { renderSummaryText } from "../../src/report/summary_text.ts";
import { runReport } from "../../src/cli/commands/report.ts";

const GOLDENS = new URL("./__goldens__/", import.meta.url);
const TRACES = join(ROOT, "traces/");

/** `summary.txt` without its `Generated:` time (local time of the run). */
export function normalizeSummaryText(text: string, root: string = ROOT): string {
  // the clone's folder differs between machines (CI clones elsewhere)
  return text.replace(/^Generated: .*$/m, "Generated: TIME").replaceAll(root, "ROOT/");
}

/**
 * The report with the run's time (TIME), the repository's path (ROOT), the bundled script
 * (CLIENT_SCRIPT) and its hash (HASH) replaced; figures normalized as the SVG snapshots are; the
 * embedded JSON indented; one element per line so a diff points at the change.
 */
export function normalizeReportHtml(html: string, root: string = ROOT): string {
  return normalizeSvg(
    html
      .replaceAll(root, "ROOT/")
      .replace(/<time datetime="[^"]*">[^<]*<\/time>/g, '<time datetime="TIME">TIME</time>')
      .replace(/sha256-[A-Za-z0-9+/=]+/g, "sha256-HASH")
      .replace(/<script>[\s\S]*?<\/script>/g, "<script>CLIENT_SCRIPT</script>")
      .replace(
        /(<script type="application\/json"[^>]*>)([\s\S]*?)(<\/script>)/g,
        (_m, open: string, json: string, close: string) =>
          `${open}\n${JSON.stringify(JSON.parse(json), null, 1)}\n${close}`,
      )
      .replace(/"generated_at": "[^"]*"/g, '"generated_at": "TIME"'),
  );
}

Deno.test("summary.txt of the bundled traces/ equals its golden", async () => {
  const traces = await loadTraces([TRACES]);
  const text = renderSummaryText(summarize(traces));
  assertGolden(new URL("summary.txt", GOLDENS), normalizeSummaryText(text));
});

Deno.test("the HTML report of the bundled traces/ equals its golden", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-golden-"));
  try {
    const out = await runReport([TRACES], { outputDir: dir, quiet: true });
    const html = readFileSync(out.html, "utf8");
    assertGolden(new URL("report.html", GOLDENS), normalizeReportHtml(html));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("normalizeReportHtml() replaces the time, the root, the script and its hash only", () => {
  const html = `<meta content="script-src 'sha256-AbC+/9=' 'self'">` +
    `<p><time datetime="2026-01-02T03:04:05.678Z">2026-01-02 03:04:05 UTC</time> /repo/traces/</p>` +
    `<script type="application/json" id="x">{"a":[1]}</script><script>(()=>{})();</script>`;
  assertEquals(
    normalizeReportHtml(html, "/repo/"),
    [
      `<meta content="script-src 'sha256-HASH' 'self'">`,
      `<p>`,
      `<time datetime="TIME">TIME</time> ROOT/traces/</p>`,
      `<script type="application/json" id="x">\n{\n "a": [\n  1\n ]\n}\n</script>`,
      `<script>CLIENT_SCRIPT</script>`,
      ``,
    ].join("\n"),
  );
});
