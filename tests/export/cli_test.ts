import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { sqlViews } from "../../src/export/sql.ts";

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/cli/main.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("export: wrong usage exits 2 with one sentence, a missing input exits 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-export-cli-"));
  try {
    const noTo = await cli("export", "traces/");
    assert.equal(noTo.code, 2);
    assert.match(noTo.stderr, /required option '--to <dir>' not specified/);
    const badFormat = await cli("export", "--to", dir, "--format", "xlsx");
    assert.equal(badFormat.code, 2);
    assert.match(
      badFormat.stderr,
      /argument 'xlsx' is invalid. Allowed choices are parquet, csv, jsonl, otlp, tensorboard/,
    );
    const append = await cli("export", "--to", dir, "--format", "csv", "--append", "-q");
    assert.deepEqual([append.code, append.stderr], [
      2,
      "error: --append works with the parquet format only, not csv.\n",
    ]);
    const endpoint = await cli(
      "export",
      "--to",
      dir,
      "--endpoint",
      "http://127.0.0.1:9/v1/traces",
      "-q",
    );
    assert.deepEqual([endpoint.code, endpoint.stderr], [
      2,
      "error: --endpoint works with the otlp format only, not parquet.\n",
    ]);
    const header = await cli(
      "export",
      "--to",
      dir,
      "--format",
      "otlp",
      "--header",
      "nocolon",
      "-q",
    );
    assert.deepEqual([header.code, header.stderr], [
      2,
      'error: --header nocolon must look like "Name: value".\n',
    ]);
    // an option that does nothing in the run had been ignored, where --append and --endpoint were not
    const every = await cli("export", "--to", dir, "--format", "otlp", "--every", "10m", "-q");
    assert.deepEqual([every.code, every.stderr], [
      2,
      "error: --every works with the tensorboard format only, not otlp.\n",
    ]);
    const alone = await cli("export", "--to", dir, "--format", "otlp", "--header", "A: b", "-q");
    assert.deepEqual([alone.code, alone.stderr], [
      2,
      "error: --header works with --endpoint only (the headers of its POST).\n",
    ]);
    const missing = await cli("export", "no/such/dir", "--to", dir, "-q");
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/); // no stack trace
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("export (default parquet) then sql --to: the views file names the dataset", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-export-sql-"));
  try {
    const exported = await cli("export", "--to", join(dir, "data"), "-q");
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(existsSync(join(dir, "data", "calls", "date=2025-04-08")));
    const sql = await cli("sql", "--dataset", join(dir, "data"), "--to", join(dir, "views.sql"));
    assert.equal(sql.code, 0, sql.stderr);
    // an exported dataset: only the line saying what was written
    assert.equal(
      sql.stderr,
      `Wrote ${join(dir, "views.sql")} (duckdb views over ${join(dir, "data")}).\n`,
    );
    // a local folder with no export in it (a typo): the views all the same, and one warning
    const typo = await cli("sql", "--dataset", join(dir, "dta"));
    assert.equal(typo.code, 0);
    assert.equal(typo.stdout, sqlViews({ dataset: join(dir, "dta"), engine: "duckdb" }) + "\n");
    assert.equal(
      typo.stderr,
      `warning: ${join(dir, "dta")} holds no exported dataset here (no calls/ folder in it); the ` +
        `views read it where they run: export the traces there first (deno task export --to ${
          join(dir, "dta")
        }).\n`,
    );
    assert.equal(
      readFileSync(join(dir, "views.sql"), "utf8"),
      sqlViews({ dataset: join(dir, "data"), engine: "duckdb" }),
    );
    const spark = await cli("sql", "--engine", "spark", "--dataset", "s3://bucket/tb");
    assert.equal(spark.code, 0);
    assert.equal(spark.stderr, ""); // a URL is never checked here
    assert.equal(spark.stdout, sqlViews({ dataset: "s3://bucket/tb", engine: "spark" }) + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
