/**
 * The input options every trace-reading command shares (`--format`, `--map`,
 * `--list-prices`, `-`), and the one-sentence exit for a file that is not a
 * trace, as a user runs them.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

const FORMATS = join(ROOT, "tests/load/formats/fixtures");

async function cli(args: string[], stdin?: string, env?: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    // the child's own variables (this process's are shared by the test files run beside it)
    env,
    // --no-cache: what the loader reads now, never an entry of another run
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), ...args, "--no-cache"],
    cwd: ROOT,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("a named file that is not a trace: exit 1, one sentence on stderr, no stack trace", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    writeFileSync(join(dir, "data.csv"), "city,population\nParis,2100000\n");
    const out = join(dir, "out");
    const r = await cli(["analyze", join(dir, "data.csv"), "-o", out, "-q"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: ${
        join(dir, "data.csv")
      } is not a trace file tracebook can read (it looks like CSV); 'deno task formats' lists the formats it reads; a per-call log whose rows detection does not take (no model field, other names) is read with --format generic (export: --input-format generic) or --map.\n`,
    );
    // a folder holding only files that are not traces
    writeFileSync(join(dir, "config.json"), '{"name": "x", "version": "1"}\n');
    const v = await cli(["validate", dir]);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /^error: No trace in ".*": no file is in a format tracebook reads/);
    assert.doesNotMatch(v.stderr, /\n\s+at /);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--map reads a per-call log detection does not claim (implies --format generic); a mapping file or a spec", async () => {
  const file = join(FORMATS, "generic_mapped.jsonl");
  const spec =
    "model=brain,started_at_ms=t0_ms,duration_ms=elapsed,input_tokens=usage.prompt,output_tokens=usage.completion,session_id=thread,error_when=outcome:gave_up|crashed";
  for (const map of [join(FORMATS, "generic_mapping.json"), spec]) {
    const r = await cli(["validate", file, "--map", map, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    // 4 rows: 3 calls and the heartbeat row (an event)
    assert.deepEqual([json.calls, json.events, json.errors], [3, 1, 0]);
  }
  // forced without a mapping: the rows with a duration ("elapsed") are calls of an unknown
  // model, the heartbeat an event; the duration's unit is guessed with one warning
  const forced = await cli(["validate", file, "--format", "generic", "--json"]);
  assert.equal(forced.code, 0, forced.stderr);
  const json = JSON.parse(forced.stdout);
  assert.deepEqual([json.calls, json.events], [3, 1]);
  assert.deepEqual(json.diagnostics.map((d: { code: string }) => d.code), [
    "duration_unit_guessed",
  ]);
});

Deno.test("usage errors of the input options exit 2 with one sentence", async () => {
  const file = join(FORMATS, "generic_mapped.jsonl");
  const bad = await cli(["validate", file, "--map", "modle=engine"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^error: --map names "modle", which is not a column tracebook maps; the columns are model, /,
  );
  const unknown = await cli(["validate", file, "--format", "nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error: Unknown format "nope": the formats are /);
});

Deno.test("- reads standard input (a CSV per-call log piped in)", async () => {
  const csv = readFileSync(join(FORMATS, "generic_calls.csv"), "utf8");
  const r = await cli(["validate", "-", "--json"], csv);
  assert.equal(r.code, 0, r.stderr);
  // generic_calls.csv: 4 rows, 4 calls
  assert.equal(JSON.parse(r.stdout).calls, 4);
});

Deno.test("--list-prices prices batch results at list prices: twice the default batch-rate cost", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(FORMATS, "anthropic_batch_mixed.jsonl");
    const cost = async (...extra: string[]) => {
      const out = join(dir, extra.length ? "list" : "batch");
      const r = await cli(["report", file, "-o", out, "-q", ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(readFileSync(join(out, "report_summary.json"), "utf8")).cost_usd
        .total as number;
    };
    const batch = await cost();
    const list = await cost("--list-prices");
    assert.ok(batch > 0);
    assert.ok(Math.abs(list - 2 * batch) < 1e-12, `${list} vs ${batch}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("export takes the input format as --input-format (its --format is the output's)", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(FORMATS, "generic_mapped.jsonl");
    const r = await cli([
      "export",
      file,
      "--to",
      dir,
      "--format",
      "jsonl",
      "--input-format",
      "generic",
      "--map",
      join(FORMATS, "generic_mapping.json"),
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const calls = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n");
    assert.equal(calls.length, 3);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an option that takes a value given another option instead (--title --quiet) is a usage error, exit 2", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const r = await cli(["report", "traces/", "--title", "--quiet", "--output-dir", dir]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "error: --title needs a value, and was given the option --quiet (put the value right after --title).\n",
    );
    const short = await cli(["report", "traces/", "--title", "-q", "--output-dir", dir]);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^error: --title needs a value, and was given the option -q /);
    // a value that only looks like a flag of no option of the command is a value
    const ok = await cli(["report", "traces/", "--title", "--not-an-option", "-q", "-o", dir]);
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a job summary ($GITHUB_STEP_SUMMARY) that cannot be written is one warning: the report and its exit code stand", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const r = await cli(["report", "traces/", "-q", "-o", join(dir, "out")], undefined, {
      GITHUB_STEP_SUMMARY: join(dir, "missing-folder", "summary.md"),
    });
    assert.equal(r.code, 0);
    assert.equal(
      r.stderr,
      `warning: the job summary ($GITHUB_STEP_SUMMARY) was not written. Cannot open ${
        join(dir, "missing-folder", "summary.md")
      }: no such file or directory.\n`,
    );
    assert.ok(readFileSync(join(dir, "out", "report.html"), "utf8").length > 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
