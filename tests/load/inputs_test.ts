import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { UserError } from "../../src/log/mod.ts";

const ev = (type: string, ts: string, data?: Record<string, unknown>, session = "s1") =>
  JSON.stringify({ type, timestamp: ts, session_id: session, ...(data ? { data } : {}) });

/** One ok call: request at :01, response at :03. */
const CALL = [
  ev("session_start", "2025-04-08T10:00:00"),
  ev("llm_request", "2025-04-08T10:00:01", { request_id: "a", model: "gpt-4o" }),
  ev("llm_response", "2025-04-08T10:00:03", {
    request_id: "a",
    duration_seconds: 2,
    model: "gpt-4o",
    output: "hi",
  }),
].join("\n") + "\n";

const BATCH_LINE = JSON.stringify({
  id: "b1",
  custom_id: "r1",
  response: {
    status_code: 200,
    body: {
      model: "gpt-4o-mini",
      created: 1700000000,
      usage: { prompt_tokens: 1, completion_tokens: 1 },
    },
  },
  error: null,
}) + "\n";

function temp(): string {
  return Deno.makeTempDirSync({ prefix: "tracebook-inputs-" });
}

Deno.test("loadTraces() searches directories for .jsonl, .json, .ndjson and .gz, skipping hidden folders and node_modules", async () => {
  const dir = temp();
  try {
    writeFileSync(join(dir, "a.jsonl"), CALL.replaceAll("s1", "sa"));
    writeFileSync(join(dir, "b.ndjson"), CALL.replaceAll("s1", "sb"));
    writeFileSync(join(dir, "c.jsonl.gz"), gzipSync(CALL.replaceAll("s1", "sc")));
    writeFileSync(join(dir, "d.json"), CALL.replaceAll("s1", "sd"));
    mkdirSync(join(dir, ".hidden"));
    writeFileSync(join(dir, ".hidden", "x.jsonl"), CALL.replaceAll("s1", "hidden"));
    mkdirSync(join(dir, "node_modules"));
    writeFileSync(join(dir, "node_modules", "y.jsonl"), CALL.replaceAll("s1", "nm"));
    const t = await loadTraces(dir);
    assert.deepEqual(t.calls.getColumn("session_id").toArray(), ["sa", "sb", "sc", "sd"]);
    // the gzip file is reported under its own name
    assert.deepEqual(t.files.map((f) => f.slice(dir.length + 1)), [
      "a.jsonl",
      "b.ndjson",
      "c.jsonl.gz",
      "d.json",
    ]);
    assert.equal(t.formats?.[join(dir, "c.jsonl.gz")], "native");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadTraces() loads a file reached twice (hard link, symlink) once", async () => {
  const dir = temp();
  try {
    writeFileSync(join(dir, "a.jsonl"), CALL);
    linkSync(join(dir, "a.jsonl"), join(dir, "hard.jsonl"));
    symlinkSync(join(dir, "a.jsonl"), join(dir, "soft.jsonl"));
    const t = await loadTraces(dir);
    assert.equal(t.calls.height, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a named file that is not a trace is one sentence; inside a folder it is one warning", async () => {
  const dir = temp();
  try {
    writeFileSync(join(dir, "data.csv"), "a,b\n1,2\n");
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({ name: "app", version: "1.0.0", dependencies: {} }),
    );
    await assert.rejects(
      () => loadTraces(join(dir, "data.csv")),
      (e: unknown) =>
        e instanceof UserError && e.exitCode === 1 &&
        e.message ===
          `${
            join(dir, "data.csv")
          } is not a trace file tracebook can read (it looks like CSV); 'deno task formats' lists the formats it reads; a per-call log whose rows detection does not take (no model field, other names) is read with --format generic (export: --input-format generic) or --map.`,
    );
    // a folder with no trace at all
    await assert.rejects(
      () => loadTraces(dir),
      (e: unknown) => e instanceof UserError && /^No trace in /.test(e.message),
    );
    // with a trace beside it: the config file is one warning, not a diagnostic per line
    writeFileSync(join(dir, "run.jsonl"), CALL);
    const t = await loadTraces(dir);
    assert.equal(t.calls.height, 1);
    assert.deepEqual(t.diagnostics.select("file", "line", "code", "severity").toRecords(), [
      { file: join(dir, "config.json"), line: 1, code: "not_a_trace", severity: "warning" },
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("two batch files of the same name in two folders are two sessions", async () => {
  const dir = temp();
  try {
    for (const sub of ["run1", "run2"]) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, "batch_output.jsonl"), BATCH_LINE);
    }
    const t = await loadTraces(dir);
    assert.equal(t.calls.height, 2);
    assert.equal(t.sessions.height, 2);
    assert.deepEqual(t.calls.getColumn("session_id").toArray(), [
      join(dir, "run1", "batch_output.jsonl"),
      join(dir, "run2", "batch_output.jsonl"),
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Run a Deno snippet that loads `input` and prints the calls' session ids, with `stdin` piped in. */
function loadInChild(input: string, stdin?: string | Uint8Array): string {
  const code = `import { loadTraces } from ${JSON.stringify(join(ROOT, "src/load/mod.ts"))};
const t = await loadTraces(${JSON.stringify(input)});
console.log(JSON.stringify({ sessions: t.calls.getColumn("session_id").toArray(), files: t.files }));`;
  return execFileSync(Deno.execPath(), ["eval", "--no-check", code], {
    input: stdin ?? "",
    encoding: "utf8",
    cwd: ROOT,
  });
}

Deno.test("loadTraces('-') reads standard input, as <stdin>", () => {
  const out = JSON.parse(loadInChild("-", CALL));
  assert.deepEqual(out, { sessions: ["s1"], files: ["<stdin>"] });
});

Deno.test("loadTraces() reads a FIFO (a pipe with a name) as a stream", async () => {
  const dir = temp();
  try {
    const fifo = join(dir, "live.jsonl");
    execFileSync("mkfifo", [fifo]);
    // a writer that opens the FIFO only once the reader is there
    const writer = spawn("sh", ["-c", `printf '%s' "$0" > ${fifo}`, CALL]);
    const out = JSON.parse(loadInChild(fifo));
    await new Promise((resolve) => writer.on("close", resolve));
    assert.deepEqual(out, { sessions: ["s1"], files: [fifo] });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadTraces() groups and counts by model with the file's format column", async () => {
  const dir = temp();
  try {
    writeFileSync(join(dir, "a.jsonl"), CALL);
    const t = await loadTraces(join(dir, "a.jsonl"));
    assert.deepEqual(t.calls.select("format", "model", "served_model").toRecords(), [
      { format: "native", model: "gpt-4o", served_model: "gpt-4o" },
    ]);
    assert.equal(t.calls.filter(pl.col("trace_id").isNull()).height, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a file of 300,000 per-call records loads (records are appended in loops, never spread as arguments)", async () => {
  const dir = temp();
  try {
    const row = JSON.stringify({ model: "m", input_tokens: 1, output_tokens: 2, duration_ms: 5 });
    writeFileSync(join(dir, "calls.jsonl"), (row + "\n").repeat(300_000));
    const t = await loadTraces(join(dir, "calls.jsonl"), { cache: false });
    assert.equal(t.calls.height, 300_000);
    assert.equal(t.calls.getColumn("output_tokens").sum(), 600_000);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
