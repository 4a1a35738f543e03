/**
 * analyze and report on inputs that hold records of which not one can be read
 * (a document cut off, every line malformed): one sentence and exit 1, not an
 * empty "0 requests" report. An empty file still gives the empty report.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const JAEGER = JSON.stringify(
  {
    data: [{
      traceID: "t1",
      spans: [{
        traceID: "t1",
        spanID: "s1",
        operationName: "chat gpt-4o",
        references: [],
        startTime: 1700000000000000,
        duration: 1000,
        tags: [{ key: "gen_ai.request.model", type: "string", value: "gpt-4o" }],
        processID: "p1",
      }],
      processes: { p1: { serviceName: "app", tags: [] } },
    }],
  },
  null,
  2,
);

Deno.test("analyze on a Jaeger export cut off in the middle: one sentence naming its line 1, exit 1", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-nothing-" });
  try {
    const file = join(dir, "traces.json");
    Deno.writeTextFileSync(file, JAEGER.slice(0, Math.floor(JAEGER.length / 2)));
    const r = await run("analyze", file, "-o", join(dir, "out"), "--no-cache", "-q");
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(
      lines[0]!.startsWith(
        `error: Nothing in the inputs could be read: 1 bad line, the first ${file}:1: `,
      ),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("report on a batch file whose 3 lines all lack custom_id: exit 1, '3 bad lines'", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-nothing-" });
  try {
    const file = join(dir, "batch.jsonl");
    const line = JSON.stringify({
      custom_id: 5,
      response: { status_code: 200, body: {} },
      error: null,
    });
    Deno.writeTextFileSync(file, `${line}\n${line}\n${line}\n`);
    const r = await run("report", file, "-o", join(dir, "out"), "--no-cache", "-q");
    assert.equal(r.code, 1);
    assert.match(
      r.stderr.trim(),
      /^error: Nothing in the inputs could be read: 3 bad lines, the first .*batch\.jsonl:1: /,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("report on a program's banner then a JSON value that does not parse: the value's line is named, not the banner's", async () => {
  // `gemini -p … --output-format json > out.json` with a banner printed first, the JSON wrapped
  // at 80 columns (a newline inside a string): the banner is read past, the value stops the read
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-nothing-" });
  try {
    const file = join(dir, "out.json");
    Deno.writeTextFileSync(
      file,
      'Ripgrep is not available. Falling back to GrepTool.\n{\n  "session_id": "s1",\n  "response": "cut\nhere",\n  "stats": {}\n}\n',
    );
    const r = await run("report", file, "-o", join(dir, "out"), "--no-cache", "-q");
    assert.equal(r.code, 1);
    assert.match(
      r.stderr.trim(),
      /^error: Nothing in the inputs could be read: 2 bad lines, the first besides text outside JSON .*out\.json:2: /,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("analyze on an empty trace file still writes the empty report (exit 0): nothing in it was bad", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-nothing-" });
  try {
    const file = join(dir, "trace.jsonl");
    Deno.writeTextFileSync(file, "");
    const r = await run("analyze", file, "-o", join(dir, "out"), "--no-cache", "-q");
    assert.equal(r.code, 0, r.stderr);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
