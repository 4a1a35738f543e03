/**
 * `analyze` as a user runs it: the seed's files with the seed's numbers, and the
 * command's behaviour on bad usage and bad input (one sentence, an exit code).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realFixture, ROOT } from "../_helpers.ts";

const FIXTURES = join(ROOT, "tests/fixtures/analyze");

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "tracebook-analyze-"));
}

/** The seed's sections of summary.txt: everything before our first extra section. */
function seedPart(text: string): string {
  return text.slice(0, text.indexOf("\nResponse Time Percentiles")).replace(
    /^Generated: .*$/m,
    "Generated: X",
  );
}

Deno.test("analyze writes the seed's files with the seed's numbers for a mixed trace", async () => {
  const dir = tmp();
  const r = await cli(
    "analyze",
    join(FIXTURES, "mixed.jsonl"),
    "--output-dir",
    dir,
    "--prefix",
    "mixed",
  );
  assert.equal(r.code, 0, r.stderr);
  for (
    const suffix of [
      "summary.txt",
      "summary.json",
      "response_times.png",
      "response_times.svg",
      "models_used.png",
      "models_used.svg",
      "report.html",
    ]
  ) {
    assert.ok(existsSync(join(dir, `mixed_${suffix}`)), `mixed_${suffix} written`);
  }
  // Hand-computed: 6 llm_request, 5 llm_response (one orphan, one of 0 s), 1 llm_error;
  // response times > 0 are [2, 4, 3, 6]: mean 3.75, sample std 1.7078…, models in request order.
  assert.equal(
    seedPart(readFileSync(join(dir, "mixed_summary.txt"), "utf8")),
    [
      "Trace Analysis Summary",
      "=====================",
      "",
      "Generated: X",
      "",
      "Request Statistics",
      "-----------------",
      "Total Requests: 6",
      "Successful Responses: 5",
      "Errors: 1",
      "",
      "Response Time Statistics",
      "-----------------------",
      "Average Response Time: 3.75 seconds",
      "Maximum Response Time: 6.00 seconds",
      "Minimum Response Time: 2.00 seconds",
      "Standard Deviation: 1.71 seconds",
      "",
      "Models Used",
      "-----------",
      "gpt-4o: 2 requests",
      "claude-3-5-sonnet-20241022: 2 requests",
      "gpt-4o-mini: 1 requests",
      "unknown: 1 requests",
      "",
    ].join("\n"),
  );
  const text = readFileSync(join(dir, "mixed_summary.txt"), "utf8");
  assert.ok(
    text.includes(
      "\nResponses timed (duration > 0): 4 of 5\np50: 3.50 seconds\np90: 5.40 seconds\n",
    ),
  );
  const json = JSON.parse(readFileSync(join(dir, "mixed_summary.json"), "utf8"));
  assert.equal(json.schema, "tracebook.summary/1");
  assert.deepEqual(
    [json.request_count, json.response_count, json.error_count],
    [6, 5, 1],
  );
  assert.equal(json.response_time.count, 4);
  assert.equal(json.response_time.mean, 3.75);
  assert.equal(json.response_time.std, 1.707825127659933); // statistics.stdev, bit for bit
  // numpy.percentile([2, 4, 3, 6], [50, 90, 95, 99]) with linear interpolation
  assert.ok(Math.abs(json.response_time.p50 - 3.5) < 1e-12);
  assert.ok(Math.abs(json.response_time.p90 - 5.4) < 1e-12);
  assert.ok(Math.abs(json.response_time.p95 - 5.7) < 1e-12);
  assert.ok(Math.abs(json.response_time.p99 - 5.94) < 1e-12);
  assert.deepEqual(json.calls, { total: 7, ok: 5, error: 1, pending: 1 });
  assert.deepEqual(json.sessions, { count: 1, complete: 1, unfinished: 0 });
  assert.deepEqual(json.diagnostics.by_code, { orphan_response: 1 });
  const byModel = Object.fromEntries(json.by_model.map((m: { model: string }) => [m.model, m]));
  // The model rule (DESIGN.md): a call is its request's model, so r2 (requested as gpt-4o,
  // answered as gpt-4o-2024-08-06, 4 s) is gpt-4o's, with r1 (2 s) and the orphan r6 (6 s,
  // no request: the response's gpt-4o): 3 calls, mean (2 + 4 + 6)/3 = 4; the served
  // version is detail. (Before the rule, r2 was a row of its own.)
  assert.equal(byModel["gpt-4o"].latency.mean, 4);
  assert.equal(byModel["gpt-4o"].calls, 3);
  assert.deepEqual(byModel["gpt-4o"].served_models, ["gpt-4o", "gpt-4o-2024-08-06"]);
  assert.equal(byModel["gpt-4o-2024-08-06"], undefined);
  assert.deepEqual(json.models_used, {
    "gpt-4o": 2,
    "claude-3-5-sonnet-20241022": 2,
    "gpt-4o-mini": 1,
    unknown: 1,
  });
  assert.equal(byModel["claude-3-5-sonnet-20241022"].errors, 1);
  assert.equal(byModel["claude-3-5-sonnet-20241022"].error_rate, 0.5);
});

Deno.test("analyze on the seed's real traces prints what the seed's analyzer printed", async () => {
  const native = realFixture("native");
  if (!native) return;
  const dir = tmp();
  const r = await cli("analyze", native, "--output-dir", dir, "--quiet");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  const text = readFileSync(join(dir, "trace_analysis_summary.txt"), "utf8");
  for (
    const line of [
      "Total Requests: 1",
      "Successful Responses: 1",
      "Errors: 0",
      "Average Response Time: 24.99 seconds",
      "unknown: 1 requests",
    ]
  ) {
    assert.ok(text.includes(`\n${line}\n`), `summary has "${line}"`);
  }
});

Deno.test("analyze names a missing input in one sentence and exits 1", async () => {
  const r = await cli("analyze", "no/such/file.jsonl", "--output-dir", tmp());
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /no\/such\/file\.jsonl/);
  assert.doesNotMatch(r.stderr, / {4}at /);
});

Deno.test("analyze exits 1 when no trace files are found", async () => {
  const empty = tmp();
  const r = await cli("analyze", empty, "--output-dir", tmp());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No trace files found/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});

Deno.test("analyze exits 2 on wrong usage", async () => {
  assert.equal((await cli("analyze", "--no-such-flag")).code, 2);
  assert.equal(
    (await cli("analyze", "--prefix", "a/b", join(FIXTURES, "mixed.jsonl"), "--output-dir", tmp()))
      .code,
    2,
  );
});

Deno.test("analyze --help describes the options and exits 0", async () => {
  const r = await cli("analyze", "--help");
  assert.equal(r.code, 0);
  for (const flag of ["--output-dir", "--prefix", "--strict", "--quiet"]) {
    assert.match(r.stdout, new RegExp(flag));
  }
});

Deno.test("analyze loads around a bad line by default and fails with --strict", async () => {
  const bad = join(FIXTURES, "bad.jsonl");
  const lenient = await cli("analyze", bad, "--output-dir", tmp());
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(lenient.stderr, /1 diagnostic/);
  const strict = await cli("analyze", bad, "--output-dir", tmp(), "--strict");
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /bad\.jsonl:2/);
  assert.doesNotMatch(strict.stderr, / {4}at /);
});

Deno.test("analyze says in one sentence when it cannot create the output folder, and exits 1", async () => {
  const dir = tmp();
  writeFileSync(join(dir, "file"), "");
  const r = await cli(
    "analyze",
    join(FIXTURES, "mixed.jsonl"),
    "--output-dir",
    join(dir, "file", "sub"),
  );
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `error: Cannot create the folder ${
      join(dir, "file", "sub")
    }: a part of the path is not a directory.`,
  );
});

Deno.test("an operating-system error the CLI has no words of its own for is one sentence too (a name too long), exit 1", async () => {
  const dir = tmp();
  const long = join(dir, "x".repeat(300)); // NAME_MAX is 255 bytes
  const r = await cli("analyze", join(FIXTURES, "mixed.jsonl"), "--output-dir", long);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `error: Cannot create the folder ${long}: the name is too long.`);
});

Deno.test("export --every takes a whole number above 0 and s, m, h or d; anything else exits 2 in one sentence", async () => {
  const dir = tmp();
  for (const bad of ["banana", "0h", "1.5h", "-1h"]) {
    const r = await cli(
      "export",
      join(FIXTURES, "mixed.jsonl"),
      "--to",
      dir,
      "-f",
      "tensorboard",
      `--every=${bad}`,
    );
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, new RegExp(`Cannot use bucket width "${bad.replace(".", "\\.")}"`), bad);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});

Deno.test("analyze --workers 2 reads with two parsing threads and writes the same summary; a bad count exits 2", async () => {
  const one = tmp(), two = tmp();
  const input = join(ROOT, "traces");
  const a = await cli("analyze", input, "--output-dir", one, "--quiet", "--no-cache");
  const b = await cli(
    "analyze",
    input,
    "--output-dir",
    two,
    "--quiet",
    "--no-cache",
    "--workers",
    "2",
  );
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  // the same numbers but the time of the run
  const summary = (dir: string) => {
    const s = JSON.parse(readFileSync(join(dir, "trace_analysis_summary.json"), "utf8"));
    delete s.generated_at;
    return s;
  };
  assert.deepEqual(summary(two), summary(one));
  const bad = await cli("analyze", input, "--output-dir", tmp(), "--workers", "many");
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr.trim(),
    'error: --workers takes a number of threads from 0 to 99, not "many".',
  );
});

Deno.test("a time zone no IANA database knows is a wrong option value: one sentence, exit 2", async () => {
  const r = await cli("analyze", join(FIXTURES, "mixed.jsonl"), "--timezone", "Mars/Olympus", "-q");
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    'error: Unknown time zone "Mars/Olympus": use an IANA name such as "Europe/Paris".',
  );
});

Deno.test("an output folder whose path is a file: one sentence that says so, exit 1", async () => {
  const dir = tmp();
  const file = join(dir, "out");
  writeFileSync(file, "");
  const r = await cli("analyze", join(FIXTURES, "mixed.jsonl"), "--output-dir", file, "-q");
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `error: Cannot create the folder ${file}: a file of that name is there.`,
  );
});
