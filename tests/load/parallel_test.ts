import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readNativeFiles } from "../../src/load/_parallel.ts";
import { parseTraceFile } from "../../src/load/parse_trace_text.ts";
import { loadTraces } from "../../src/load/mod.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = [
  ...readdirSync(join(repo, "traces")).filter((f) => f.endsWith(".jsonl")).map((f) =>
    join(repo, "traces", f)
  ),
  ...["bad", "unusual"].flatMap((d) =>
    readdirSync(join(repo, "tests/fixtures", d)).map((f) => join(repo, "tests/fixtures", d, f))
  ),
];

/** What reading each file alone, line after line, gives (the reference). */
function oneByOne(files: string[]) {
  const events = [], diagnostics = [];
  for (const f of files) {
    const r = parseTraceFile(f, f);
    events.push(...r.events);
    diagnostics.push(...r.diagnostics);
  }
  return { events, diagnostics };
}

Deno.test("ranges of a few hundred bytes on two workers give the events and diagnostics of one pass", async () => {
  const files = fixtures.map((path) => ({ path, name: path }));
  const got = await readNativeFiles(files, { workers: 1, rangeBytes: 300 });
  const want = oneByOne(fixtures);
  assert.equal(got.events.n, want.events.length);
  assert.deepEqual(got.events.records(), want.events);
  assert.deepEqual(got.diagnostics, want.diagnostics);
  const text = await readNativeFiles(files, { workers: 2, rangeBytes: 300, keepText: true });
  const textWant = fixtures.flatMap((f) => parseTraceFile(f, f, { keepText: true }).events);
  assert.deepEqual(text.events.records(), textWant);
  assert.ok(textWant.some((e) => typeof e.output === "string" && e.output.length > 0));
});

Deno.test("diagnostics past the listing limit fold the same across ranges: 100 listed, the rest in one row", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "bad.jsonl");
    // 250 bad lines, a good one every 7th line
    const lines = Array.from(
      { length: 350 },
      (_, i) =>
        i % 7 === 0
          ? JSON.stringify({
            type: "session_start",
            timestamp: "2025-04-08T10:00:00",
            session_id: `s${i}`,
          })
          : "{oops",
    );
    writeFileSync(path, lines.join("\n") + "\n");
    const got = await readNativeFiles([{ path, name: "bad.jsonl" }], {
      workers: 2,
      rangeBytes: 256,
    });
    const want = parseTraceFile(path, "bad.jsonl");
    assert.deepEqual(got.diagnostics, want.diagnostics);
    // lines 1…350, those with (line − 1) % 7 = 0 good: 50 good, 300 bad; 100 listed, 200 counted
    assert.equal(got.events.n, 50);
    assert.equal(got.diagnostics.length, 101);
    assert.equal(got.diagnostics[100]!.count, 200);
    // bad lines are 2–7, 9–14, …: 16 blocks of 6 = 96 end at line 112, then 114–117 are the 97th to 100th
    assert.equal(got.diagnostics[99]!.line, 117);
    assert.equal(got.diagnostics[100]!.line, 118);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadTraces on workers (ranges of the default size) gives the frames of the calling thread", async () => {
  const a = await loadTraces(fixtures, { cache: false, workers: 2 });
  const b = await loadTraces(fixtures, { cache: false, workers: 0 });
  for (const name of ["calls", "sessions", "events", "diagnostics"] as const) {
    assert.deepEqual(a[name].toRecords(), b[name].toRecords(), name);
  }
});
