/**
 * The GitHub Actions job summary: `report` and `compare` append their Markdown
 * to it (light, so that a `report` replayed from the results cache loads
 * nothing of `compare`).
 *
 * @module
 */
import { appendFileSync } from "node:fs";

/**
 * Append `markdown` to the file named by `$GITHUB_STEP_SUMMARY`, when set (a
 * GitHub Actions job shows it on the run's page).
 */
export function appendStepSummary(markdown: string): void {
  const path = Deno.env.get("GITHUB_STEP_SUMMARY");
  if (path) appendFileSync(path, markdown.endsWith("\n") ? markdown : markdown + "\n");
}
