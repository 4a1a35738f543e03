/**
 * `validate` and `watch` as a user runs them on a trace written to attack the
 * terminal: escape sequences in the file name, a model name, a request id, an
 * error message and a bad line never reach the output raw.
 * @module
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

const ESC = "\u001b";
const BEL = "\u0007";
/** Any control character but the line breaks of the output itself. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

function hostileTrace(): string {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-terminal-" });
  const file = join(dir, `trace_${ESC}]0;owned${BEL}.jsonl`);
  const line = (o: unknown) => JSON.stringify(o) + "\n";
  const ts = (s: number) => `2025-04-08T19:42:${String(s).padStart(2, "0")}`;
  writeFileSync(
    file,
    line({ type: "session_start", timestamp: ts(0), session_id: "s" }) +
      line({
        type: "llm_request",
        timestamp: ts(1),
        session_id: "s",
        data: {
          request_id: `r${ESC}[2J`,
          model: `gpt-4o${ESC}]52;c;cHduZWQ=${BEL}`,
          params: {},
          messages: [],
        },
      }) +
      line({
        type: "llm_error",
        timestamp: ts(2),
        session_id: "s",
        data: {
          request_id: `r${ESC}[2J`,
          duration_seconds: 1,
          success: false,
          error: `boom\u009b31m red ${ESC}[H`,
          error_type: "Error",
        },
      }) +
      `${ESC}[31mnot json\n`,
  );
  return file;
}

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("validate and watch escape control characters from traces and file names", async () => {
  const file = hostileTrace();
  const runs = {
    validate: await run("validate", "--quiet", file),
    validateJson: await run("validate", "--json", file),
    watch: await run("watch", "--once", file),
    watchJson: await run("watch", "--once", "--json", file),
    missing: await run("validate", `${file}.missing${ESC}[2J`),
    watchMissing: await run("watch", "--once", `${file}.missing${ESC}[2J`),
  };
  assert.notEqual(runs.missing.code, 0);
  assert.match(runs.missing.stderr, /^error: .*missing\\x1b\[2J/m);
  for (const [name, r] of Object.entries(runs)) {
    assert.doesNotMatch(r.stdout, RAW_CONTROL, `${name} stdout`);
    assert.doesNotMatch(r.stderr, RAW_CONTROL, `${name} stderr: ${JSON.stringify(r.stderr)}`);
  }
  // what was escaped is still readable
  assert.match(runs.validate.stdout, /trace_\\x1b\]0;owned\\x07\.jsonl:4: error invalid_json/);
  assert.match(
    runs.watch.stderr,
    /llm_error gpt-4o\\x1b\]52;c;cHduZWQ=\\x07 r\\x1b\[2J: boom\\x9b31m red \\x1b\[H/,
  );
  assert.match(
    runs.watch.stdout,
    /by model \(req\/ok\/err\): gpt-4o\\x1b\]52;c;cHduZWQ=\\x07 1\/0\/1/,
  );
  // JSON output stays valid JSON with the same values
  assert.deepEqual(Object.keys(JSON.parse(runs.watchJson.stdout).by_model), [
    `gpt-4o${ESC}]52;c;cHduZWQ=${BEL}`,
  ]);
  assert.equal(JSON.parse(runs.validateJson.stdout).files[0], file);
});
