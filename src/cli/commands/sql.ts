/**
 * `sql [--to FILE] [--dataset DIR] [--engine duckdb|spark]`: write the SQL views
 * that compute the summary over an exported Parquet dataset (see
 * `src/export/sql.ts`); on stdout without `--to`.
 *
 * @module
 */
import { type Command, Option } from "npm:commander@15.1.0";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SQL_ENGINES, type SqlEngine, sqlViews } from "../../export/sql.ts";
import { warnToStderr } from "../../log/mod.ts";

/** Options of the `sql` command. */
export interface SqlCommandOptions {
  to?: string;
  dataset: string;
  engine: SqlEngine;
}

/**
 * The warning (for `warnToStderr`) for a dataset that is a local folder
 * holding no export here (no `calls/` in it), else null: the views are still
 * written (they read the dataset where they run, which may be another
 * machine), but a typo in the path would otherwise only show when the engine
 * fails on the views.
 */
export function missingDatasetWarning(dataset: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dataset)) return null; // s3://, gs://, https://, file://…
  if (existsSync(`${dataset.replace(/\/+$/, "")}/calls`)) return null;
  return `${dataset} holds no exported dataset here (no calls/ folder in it); the views ` +
    `read it where they run: export the traces there first (deno task export --to ${dataset}).`;
}

/** Write (or print) the views; returns the SQL. */
export function runSql(options: SqlCommandOptions): string {
  const sql = sqlViews({ dataset: options.dataset, engine: options.engine });
  const warning = missingDatasetWarning(options.dataset);
  if (warning) warnToStderr(warning);
  if (options.to) {
    mkdirSync(dirname(options.to), { recursive: true });
    writeFileSync(options.to, sql);
    console.error(`Wrote ${options.to} (${options.engine} views over ${options.dataset}).`);
  } else {
    console.log(sql);
  }
  return sql;
}

/** Define the `sql` command. */
export function define(cmd: Command): void {
  cmd
    .option("--to <file>", "write the SQL to this file (default: stdout)")
    .option(
      "--dataset <dir-or-url>",
      "the Parquet dataset of `export --format parquet` (a folder or s3://…, gs://… URL)",
      "analysis/export",
    )
    .addOption(
      new Option("--engine <engine>", "whose table definitions to write").choices([...SQL_ENGINES])
        .default("duckdb"),
    )
    .addHelpText(
      "after",
      `
Views: tb_calls, tb_sessions, tb_events, tb_diagnostics (the dataset), tb_call_facts,
tb_summary, tb_by_model, tb_by_day, tb_models_used, tb_session_summary, tb_diagnostics_by_code.

Examples:
  deno task export --to analysis/export && deno task sql --to analysis/views.sql
  duckdb -c ".read analysis/views.sql" -c "SELECT * FROM tb_by_model ORDER BY calls DESC"
  deno task sql --engine spark --dataset s3://bucket/tracebook --to views.sql   # spark-sql -f views.sql`,
    )
    .action((opts: SqlCommandOptions) => {
      runSql(opts);
    });
}
