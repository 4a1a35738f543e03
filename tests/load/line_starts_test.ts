/**
 * Where lines start (`src/load/_line_starts.ts`): the reader records a line
 * start every 256 KiB or so as it parses a native file, the cache entry keeps
 * them, and reading the shown calls' texts again seeks to them. Each recorded
 * start is checked against the file's bytes (newlines counted here), and the
 * texts read through them against those of a `keepText` load.
 */
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { callTextReader, loadTraces } from "../../src/load/mod.ts";
import { readNativeFiles } from "../../src/load/_parallel.ts";
import { forgetLineStarts, LINE_START_SPACING, lineStartsOf } from "../../src/load/_line_starts.ts";
import { inTempDir } from "../_helpers.ts";
import { entryHeader, rewriteEntryHeader } from "./_cache_entry.ts";

const WORDS = ["alpha", "héllo", "日本語", "👋", "beta", "gamma", "délta", "x"];

/** The text of call `i`: `n` words picked by its number (some of them past ASCII). */
const words = (i: number, n: number) =>
  Array.from({ length: n }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(" ");

/**
 * `calls` calls from call `from` on, one session per 10: a request and its
 * response each, about 1.5 KB; a blank line every 50 calls, CRLF line ends
 * on every third call, a BOM before the first line when `from` is 0.
 */
function callLines(from: number, calls: number): string {
  const out: string[] = [];
  for (let i = from; i < from + calls; i++) {
    const session = `s${Math.floor(i / 10)}`;
    const end = i % 3 === 0 ? "\r\n" : "\n";
    const at = new Date(Date.UTC(2025, 3, 8, 10, 0, 0) + i * 1000).toISOString();
    out.push(
      JSON.stringify({
        type: "llm_request",
        timestamp: at,
        session_id: session,
        data: {
          request_id: `r${i}`,
          model: "m",
          messages: [{ role: "user", content: words(i, 90) }],
        },
      }) + end,
    );
    out.push(
      JSON.stringify({
        type: "llm_response",
        timestamp: at,
        session_id: session,
        data: { request_id: `r${i}`, model: "m", duration_seconds: 1, output: words(i + 1, 90) },
      }) + end,
    );
    if (i % 50 === 49) out.push("\n");
  }
  return (from === 0 ? "\ufeff" : "") + out.join("");
}

/** Check each recorded start against `bytes`: it follows a newline, and `line - 1` newlines are before it. */
function checkStarts(bytes: Uint8Array, starts: number[]): void {
  assert.equal(starts.length % 2, 0);
  let line = 1, at = 0;
  for (let i = 0; i < starts.length; i += 2) {
    const [l, o] = [starts[i]!, starts[i + 1]!];
    assert.ok(o >= at, `offsets increase (start ${i / 2})`);
    for (; at < o; at++) if (bytes[at] === 10) line++;
    assert.equal(l, line, `the line of the start at byte ${o}`);
    assert.ok(o === 0 || bytes[o - 1] === 10, `byte ${o} starts a line`);
    if (i > 0) assert.ok(o - starts[i - 1]! >= LINE_START_SPACING, `spaced (start ${i / 2})`);
  }
}

for (const workers of [0, 2]) {
  Deno.test(
    `the reader records line starts where lines start (${workers} workers; a BOM, CRLF, blank lines, a line over the limit, text past ASCII)`,
    inTempDir("line-starts", async (dir) => {
      forgetLineStarts();
      const path = join(dir, "t.jsonl");
      // a line of 100 KB past a limit of 64 KiB in the middle: read as one bad line
      const big = JSON.stringify({ type: "llm_request", note: "x".repeat(100_000) }) + "\n";
      writeFileSync(path, callLines(0, 1200) + big + callLines(1200, 1200));
      const bytes = readFileSync(path);
      const read = await readNativeFiles([{ path, name: path }], {
        workers,
        rangeBytes: 300_000,
        maxLineBytes: 64 * 1024,
      });
      assert.equal(read.diagnostics.filter((d) => d.code === "line_too_long").length, 1);
      const kept = lineStartsOf(path);
      assert.ok(kept, "an index of the file");
      checkStarts(bytes, kept.starts);
      // each slice's start (at least LINE_START_SPACING from the last): the workers read slices
      // of 64 KiB, the calling thread slices of 1 MiB
      const slice = workers ? 64 * 1024 : 1024 * 1024;
      const count = kept.starts.length / 2;
      assert.ok(count >= bytes.length / slice - 2, `${count} starts`);
      assert.ok(kept.starts.at(-1)! > bytes.length - 2 * LINE_START_SPACING - big.length);
    }),
  );
}

Deno.test(
  "the shown calls' texts read through the line starts are those of a keepText load, and of a pass from the file's start",
  inTempDir("line-starts-texts", async (dir) => {
    forgetLineStarts();
    const path = join(dir, "t.jsonl");
    writeFileSync(path, callLines(0, 2400));
    const traces = await loadTraces(path, { cache: false, workers: 2 });
    const kept = lineStartsOf(path);
    assert.ok(kept && kept.starts.length >= 6, "an index of the file");
    checkStarts(readFileSync(path), kept.starts);
    // calls from all over the file, some close together, not in line order
    const rows = [2399, 5, 1200, 1201, 1202, 0, 777, 1999, 2398, 313, 1650];
    const calls = traces.calls.select(pl.all().gather(rows));
    const reader = callTextReader(traces)!;
    const seeking = reader.textColumns(calls)!;
    const whole = (await loadTraces(path, { cache: false, keepText: true })).calls
      .select(pl.all().gather(rows));
    for (const name of ["messages", "output"] as const) {
      assert.deepEqual(seeking[name], whole.getColumn(name).toArray(), name);
    }
    assert.equal(seeking.output[0], words(2400, 90));
    forgetLineStarts();
    assert.deepEqual(reader.textColumns(calls), seeking);
  }),
);

Deno.test(
  "line starts are used only for the file as it was read: not once it has grown or its time changed",
  inTempDir("line-starts-stale", async (dir) => {
    forgetLineStarts();
    const path = join(dir, "t.jsonl");
    writeFileSync(path, callLines(0, 1000));
    const traces = await loadTraces(path, { cache: false });
    assert.ok(lineStartsOf(path));
    appendFileSync(path, callLines(1000, 1));
    assert.equal(lineStartsOf(path), null);
    // the texts are read all the same, from the file's start
    const calls = traces.calls.select(pl.all().gather([999]));
    assert.deepEqual(callTextReader(traces)!.textColumns(calls)!.output, [words(1000, 90)]);
    writeFileSync(path, callLines(0, 1000));
    await loadTraces(path, { cache: false, group: "again" });
    assert.ok(lineStartsOf(path));
    utimesSync(path, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(lineStartsOf(path), null);
  }),
);

/** A file of 1,500 calls in `dir`, loaded once into the cache `cache` (line starts forgotten before). */
async function cachedFile(dir: string): Promise<{ path: string; cache: string }> {
  forgetLineStarts();
  const path = join(dir, "t.jsonl");
  const cache = join(dir, "cache");
  writeFileSync(path, callLines(0, 1500));
  await loadTraces(path, { cache });
  return { path, cache };
}

Deno.test(
  "the cache entry keeps a file's line starts, and a grown file's entry adds those of its new lines",
  inTempDir("line-starts-cache", async (dir) => {
    const { path, cache } = await cachedFile(dir);
    const first = lineStartsOf(path);
    assert.ok(first);
    // read from the entry (another group: not the last load held in this process)
    forgetLineStarts();
    await loadTraces(path, { cache, group: "from the entry" });
    assert.deepEqual(lineStartsOf(path), first);
    // grown by more than a spacing: the old starts, then starts in the new bytes
    const size = readFileSync(path).length;
    appendFileSync(path, callLines(1500, 1000));
    const grown = await loadTraces(path, { cache, group: "grown" });
    const after = lineStartsOf(path);
    assert.ok(after);
    assert.deepEqual(after.starts.slice(0, first.starts.length), first.starts);
    assert.ok(after.starts.at(-1)! > size, "a start in the new bytes");
    checkStarts(readFileSync(path), after.starts);
    // and kept by the grown file's entry
    forgetLineStarts();
    await loadTraces(path, { cache, group: "grown, from the entry" });
    assert.deepEqual(lineStartsOf(path), after);
    const rows = [2499, 1499, 1500, 3];
    const texts = callTextReader(grown)!.textColumns(grown.calls.select(pl.all().gather(rows)))!;
    assert.deepEqual(texts.output, rows.map((i) => words(i + 1, 90)));
  }),
);

Deno.test(
  "line starts in an entry's header that do not hold (offsets going back) are not used: the frames are read from the entry, the texts from the file's start",
  inTempDir("line-starts-bad-header", async (dir) => {
    const { path, cache } = await cachedFile(dir);
    const header = entryHeader(cache, path) as unknown as { lines: { starts: number[] } };
    assert.ok(header.lines.starts.length >= 4);
    // the second start's offset before the first's
    header.lines.starts[3] = 0;
    header.lines.starts[1] = 100;
    rewriteEntryHeader(cache, path, header);
    forgetLineStarts();
    const traces = await loadTraces(path, { cache, group: "bad starts" });
    // had the entry been dropped, the file read again would have given starts of its own
    assert.equal(lineStartsOf(path), null);
    const rows = [1499, 700, 0];
    const texts = callTextReader(traces)!.textColumns(traces.calls.select(pl.all().gather(rows)))!;
    assert.deepEqual(texts.output, rows.map((i) => words(i + 1, 90)));
  }),
);
