/** `validate` as a user runs it: every problem as file:line, and the exit code. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

const FIXTURES = join(ROOT, "tests/fixtures/analyze");

async function validate(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), "validate", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("validate lists a bad line as file:line and exits 1", async () => {
  const file = join(FIXTURES, "bad.jsonl");
  const r = await validate(file);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^${file.replaceAll("/", "\\/")}:2: error invalid_json: `));
  assert.equal(r.stdout.trim().split("\n").length, 1);
  assert.equal(
    r.stderr.trim(),
    "1 file(s), 1 valid event(s), 0 call(s): 1 bad line(s), 0 warning(s).",
  );
});

Deno.test("validate passes a file with only warnings, unless --warnings-fail", async () => {
  const file = join(FIXTURES, "mixed.jsonl");
  const ok = await validate(file, "--json");
  assert.equal(ok.code, 0);
  const json = JSON.parse(ok.stdout);
  assert.deepEqual(
    [json.events, json.calls, json.errors, json.warnings, json.valid],
    [15, 7, 0, 1, true],
  );
  assert.equal(json.diagnostics[0].code, "orphan_response");
  assert.equal(json.diagnostics[0].line, 11);
  assert.equal((await validate(file, "--warnings-fail", "--quiet")).code, 1);
});

Deno.test("validate passes the bundled traces/", async () => {
  const r = await validate();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /^6 file\(s\), 231 valid event\(s\), 90 call\(s\): 0 bad line\(s\), 0 warning\(s\)\.$/m,
  );
});

Deno.test("validate counts every bad line, also those past the listing limit (folded into one row)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-validate-" });
  try {
    const file = join(dir, "batch.jsonl");
    const good = JSON.stringify({
      id: "batch_req_1",
      custom_id: "r1",
      response: {
        status_code: 200,
        body: { model: "gpt-4o-mini", usage: { prompt_tokens: 1, completion_tokens: 1 } },
      },
      error: null,
    });
    // 1 good line, then 250 lines of "x": 250 bad lines, 100 listed and one row counting the other 150
    Deno.writeTextFileSync(file, good + "\n" + "x\n".repeat(250));
    const r = await validate(file);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim().split("\n").length, 101);
    // the last row stands for the other 150, and says so: 100 + 150 = 250, as the tally counts
    assert.match(r.stdout.trim().split("\n")[100]!, / \(150 times\): 150 more lines with /);
    assert.equal(
      r.stderr.trim(),
      "1 file(s), 1 valid event(s), 1 call(s): 250 bad line(s), 0 warning(s).",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("validate counts a warning that stands for several problems as many, and its line says how many", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-validate-" });
  try {
    const file = join(dir, "retry.jsonl");
    const session = "s-retry";
    // Claude Code stream-json: HTTP 429 twice, then the answer: one api_retries warning for 2
    // refused attempts (its count)
    const retry = (attempt: number) => ({
      type: "system",
      subtype: "api_retry",
      attempt,
      error_status: 429,
      error: "rate_limit",
      session_id: session,
    });
    const lines = [
      { type: "system", subtype: "init", session_id: session, model: "claude-sonnet-4-5" },
      retry(1),
      retry(2),
      {
        type: "assistant",
        session_id: session,
        parent_tool_use_id: null,
        message: { id: "msg_1", model: "claude-sonnet-4-5", usage: { input_tokens: 10 } },
      },
    ];
    Deno.writeTextFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const r = await validate(file);
    assert.equal(r.code, 0);
    const printed = r.stdout.trim().split("\n");
    assert.equal(printed.length, 1);
    // the line at the first retry says it stands for 2, as the tally counts it
    assert.match(
      printed[0]!,
      new RegExp(`^${file.replaceAll("/", "\\/")}:2: warning api_retries \\(2 times\\): `),
    );
    assert.equal(
      r.stderr.trim(),
      "1 file(s), 4 valid event(s), 1 call(s): 0 bad line(s), 2 warning(s).",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
