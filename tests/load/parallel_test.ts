import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Claims } from "../../src/load/_claims.ts";
import { endKeptWorkers, keepWorkers, readNativeFiles } from "../../src/load/_parallel.ts";
import { EventTable } from "../../src/load/_event_columns.ts";
import {
  mergeRangeDiagnostics,
  parseTraceFile,
  parseTraceRange,
} from "../../src/load/parse_trace_text.ts";
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

Deno.test("Claims: ranges are taken in order, each once, none past the last or once stopped", () => {
  // 5 ranges, workers at most 2 ahead of the join
  const claims = Claims.create(5, 2);
  assert.equal(claims.take(), 0);
  assert.equal(claims.take(), 1);
  claims.joined(2); // 0 and 1 joined: 2 and 3 may be taken
  assert.equal(claims.take(), 2);
  assert.equal(claims.take(), 3);
  claims.joined(4);
  assert.equal(claims.take(), 4);
  assert.equal(claims.take(), -1); // there is no range 5
  // the same slots seen from another thread (a worker gets them in a message)
  const other = Claims.create(3, 2);
  const seen = new Claims(other.slots, 3, 2);
  assert.equal(other.take(), 0);
  assert.equal(seen.take(), 1);
  other.stop();
  assert.equal(seen.take(), -1);
});

Deno.test("a worker's small slices (grown for a longer line) read the file as one pass does", () => {
  // every fixture line is longer than 16 bytes: each slice grows until it holds a whole line
  for (const path of fixtures) {
    const table = new EventTable(false);
    const got = parseTraceRange(path, path, { into: table, sliceBytes: 16 });
    const want = parseTraceFile(path, path);
    assert.deepEqual(table.records(), want.events, path);
    assert.deepEqual(mergeRangeDiagnostics([{ ...got, lineOffset: 0 }]), want.diagnostics, path);
  }
});

Deno.test("a file of several default-sized ranges on two workers gives the events of one pass, lines numbered through", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "big.jsonl");
    // 12,000 request/response pairs, lines of about 450 bytes: 10,777,780 bytes, ranges of 4 MiB
    // (the default's floor): [0, 4), [4, 8) and the last 2.3 MiB (under 1.5 ranges: not cut);
    // every 1,000th line is not JSON
    const pad = "x".repeat(300);
    const lines: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      const ts = `2025-04-08T10:${String(Math.floor(i / 600) % 60).padStart(2, "0")}:00`;
      const data = { request_id: `r${i}`, model: "m", messages: [{ role: "user", content: pad }] };
      lines.push(
        JSON.stringify({ type: "llm_request", timestamp: ts, session_id: `s${i % 7}`, data }),
      );
      lines.push(JSON.stringify({
        type: "llm_response",
        timestamp: ts,
        session_id: `s${i % 7}`,
        data: { request_id: `r${i}`, duration_seconds: 1, output: pad },
      }));
    }
    for (let i = 999; i < lines.length; i += 1000) lines[i] = "{oops";
    writeFileSync(path, lines.join("\n") + "\n");
    const got = await readNativeFiles([{ path, name: "big.jsonl" }], { workers: 2 });
    // 24,000 lines, 24 of them bad (lines 1000, 2000, … 24000)
    assert.equal(got.events.n, 24_000 - 24);
    assert.deepEqual(
      got.diagnostics.map((d) => d.line),
      lines.map((_, i) => i + 1).filter((l) => l % 1000 === 0),
    );
    assert.deepEqual(got.events.records(), parseTraceFile(path, "big.jsonl").events);
    // the last event is the response of pair 11,999 on line 23,999 (line 24,000 is bad)
    assert.equal(got.events.line[got.events.n - 1], 23_999);
    assert.equal(got.events.requestId.get(got.events.n - 1), "r11999");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("workers that fail to start, or stop before their ranges are read, leave them to the calling thread", async () => {
  const files = fixtures.map((path) => ({ path, name: path }));
  const want = oneByOne(fixtures);
  for (const module of ["fails.ts", "stops.ts"]) {
    const got = await readNativeFiles(files, {
      workers: 2,
      rangeBytes: 300,
      workerModule: new URL(`./_workers/${module}`, import.meta.url),
    });
    assert.deepEqual(got.events.records(), want.events, module);
    assert.deepEqual(got.diagnostics, want.diagnostics, module);
  }
});

Deno.test("workers kept from one read to the next (a load's passes) give each read the events of one pass", async () => {
  const files = fixtures.map((path) => ({ path, name: path }));
  const want = oneByOne(fixtures);
  const half = Math.ceil(files.length / 2);
  keepWorkers(true);
  try {
    // the same kept workers read three times: the first files, the others, then all of them with
    // their texts; between them, a read whose workers stop early (not kept: the calling thread reads)
    const first = await readNativeFiles(files.slice(0, half), { workers: 2, rangeBytes: 300 });
    assert.deepEqual(first.events.records(), oneByOne(fixtures.slice(0, half)).events);
    const stops = await readNativeFiles(files, {
      workers: 2,
      rangeBytes: 300,
      workerModule: new URL("./_workers/stops.ts", import.meta.url),
    });
    assert.deepEqual(stops.events.records(), want.events);
    const rest = await readNativeFiles(files.slice(half), { workers: 2, rangeBytes: 300 });
    assert.deepEqual(rest.events.records(), oneByOne(fixtures.slice(half)).events);
    assert.deepEqual(rest.diagnostics, oneByOne(fixtures.slice(half)).diagnostics);
    const text = await readNativeFiles(files, { workers: 2, rangeBytes: 300, keepText: true });
    const textWant = fixtures.flatMap((f) => parseTraceFile(f, f, { keepText: true }).events);
    assert.deepEqual(text.events.records(), textWant);
  } finally {
    keepWorkers(false);
    await endKeptWorkers();
  }
  // a load in passes of one file each, its workers kept between them: the frames of one pass
  const apart = await loadTraces(fixtures, { cache: false, workers: 2, passBytes: 1 });
  const whole = await loadTraces(fixtures, { cache: false, workers: 0 });
  for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
    assert.deepEqual(apart[k].toRecords(), whole[k].toRecords(), k);
  }
});
