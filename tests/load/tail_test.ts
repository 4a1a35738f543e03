/** `TraceTail`: appended bytes only, partial lines, new files, truncation, rotation. */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { TraceTail } from "../../src/load/tail.ts";
import { parseTraceText } from "../../src/load/parse_trace_text.ts";
import { UserError } from "../../src/log/mod.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { markEntry } from "./_cache_entry.ts";
import type { EventRecord } from "../../src/load/_event.ts";

const line = (type: string, id: string, extra = "") =>
  `{"type":"${type}","timestamp":"2025-04-08T10:00:0${id}Z","session_id":"s","data":{"request_id":"r${id}"${extra}}}\n`;

const brief = (
  u: { events: { line: number; type: string }[]; diagnostics: { line: number; code: string }[] },
) => ({
  events: u.events.map((e) => `${e.line} ${e.type}`),
  diagnostics: u.diagnostics.map((d) => `${d.line} ${d.code}`),
});

Deno.test("TraceTail reads only appended lines and holds a partial line until its newline", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  writeFileSync(file, line("llm_request", "1"));
  const tail = TraceTail.open([dir]);
  const first = await tail.poll();
  assert.deepEqual(brief(first), { events: ["1 llm_request"], diagnostics: [] });
  assert.deepEqual(first.added, [file]);

  const half = line("llm_response", "1", ',"duration_seconds":1.5');
  appendFileSync(file, half.slice(0, 30));
  assert.deepEqual(brief(await tail.poll()), { events: [], diagnostics: [] });
  assert.equal(tail.partialBytes, 30);
  appendFileSync(file, half.slice(30) + "not json\n\n" + line("llm_request", "2"));
  const second = await tail.poll();
  assert.deepEqual(brief(second), {
    events: ["2 llm_response", "5 llm_request"],
    diagnostics: ["3 invalid_json"],
  });
  assert.equal(second.events[0]!.duration, 1.5);
  assert.deepEqual(second.added, []);
  assert.equal(tail.partialBytes, 0);
});

Deno.test("TraceTail gives the same diagnostics as the loader, and parses a last line on the final poll", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  const text = line("llm_request", "1") + "[1]\n" + '{"type":"x"}\n' +
    line("llm_request", "2").trim();
  writeFileSync(file, text);
  const tail = TraceTail.open([file]);
  const live = await tail.poll();
  const last = await tail.poll({ final: true });
  const whole = parseTraceText(text, file);
  assert.deepEqual([...live.events, ...last.events], whole.events);
  assert.deepEqual([...live.diagnostics, ...last.diagnostics], whole.diagnostics);
  assert.deepEqual(brief(last), { events: ["4 llm_request"], diagnostics: [] });

  writeFileSync(join(dir, "b.jsonl"), "{oops");
  const cut = await TraceTail.open([join(dir, "b.jsonl")]).poll({ final: true });
  assert.deepEqual(brief(cut), { events: [], diagnostics: ["1 truncated_line"] });
});

Deno.test("TraceTail follows new files in a directory and restarts a truncated or rotated file", async () => {
  const dir = Deno.makeTempDirSync();
  const a = join(dir, "a.jsonl");
  writeFileSync(a, line("llm_request", "1") + line("llm_request", "2"));
  const tail = TraceTail.open([dir]);
  assert.equal((await tail.poll()).events.length, 2);

  mkdirSync(join(dir, "sub"));
  const b = join(dir, "sub", "b.jsonl");
  writeFileSync(b, line("llm_request", "3"));
  writeFileSync(join(dir, "notes.txt"), "not a trace\n");
  const added = await tail.poll();
  assert.deepEqual(added.added, [b]);
  assert.deepEqual(added.events.map((e) => `${e.file} ${e.request_id}`), [`${b} r3`]);

  writeFileSync(a, line("llm_request", "4")); // truncated, shorter than before
  const truncated = await tail.poll();
  assert.deepEqual(truncated.restarted, [a]);
  assert.deepEqual(brief(truncated), { events: ["1 llm_request"], diagnostics: [] });

  renameSync(a, join(dir, "a.old"));
  writeFileSync(join(dir, "new.tmp"), line("llm_request", "5") + line("llm_request", "6"));
  renameSync(join(dir, "new.tmp"), a); // rotated: another inode, longer than before
  const rotated = await tail.poll();
  assert.deepEqual(rotated.restarted, [a]);
  assert.deepEqual(rotated.events.map((e) => `${e.line} ${e.request_id}`), ["1 r5", "2 r6"]);
  assert.deepEqual(tail.files, [a, b]);
});

Deno.test("TraceTail.open rejects a missing input, accepts an empty directory", async () => {
  assert.throws(() => TraceTail.open(["/nonexistent/traces.jsonl"]), UserError);
  const empty = Deno.makeTempDirSync();
  const u = await TraceTail.open([empty]).poll();
  assert.deepEqual([u.events.length, u.diagnostics.length, u.added.length], [0, 0, 0]);
});

Deno.test("TraceTail tells a copy-truncate rotation even when the writer has written past the old offset", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  writeFileSync(file, line("llm_request", "1") + line("llm_request", "2"));
  const tail = TraceTail.open([file]);
  assert.deepEqual(brief(await tail.poll()).events, ["1 llm_request", "2 llm_request"]);
  // logrotate's copytruncate: the content is copied away, the file cut to 0, and the
  // writer goes on; by the next poll the new content is longer than the old offset
  writeFileSync(
    file,
    line("llm_response", "3", ',"duration_seconds":1') + line("llm_request", "4") +
      line("llm_request", "5"),
  );
  const after = await tail.poll();
  assert.deepEqual(after.restarted, [file]);
  assert.deepEqual(brief(after).events, ["1 llm_response", "2 llm_request", "3 llm_request"]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("TraceTail keeps none of a line over the limit while it grows, and reports it once it ends", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  writeFileSync(file, line("llm_request", "1"));
  const tail = TraceTail.open([file], { maxLineBytes: 1000 });
  await tail.poll();
  appendFileSync(file, '{"type":"custom","x":"');
  const chunk = "y".repeat(1024 * 1024);
  for (let i = 0; i < 8; i++) {
    appendFileSync(file, chunk);
    await tail.poll();
    // the growing line waits, unread (22 bytes, then i + 1 MiB)
    assert.equal(tail.partialBytes, 22 + (i + 1) * 1024 * 1024);
  }
  appendFileSync(file, '"}\n' + line("llm_request", "2"));
  const end = await tail.poll();
  // 22 bytes + 8 MiB + 2 bytes
  assert.deepEqual(brief(end), { events: ["3 llm_request"], diagnostics: ["2 line_too_long"] });
  assert.match(end.diagnostics[0]!.message, /^line is 8\.4 MB/);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("TraceTail starts a file that loadTraces cached from its entry, then reads the lines after it", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  const cache = join(dir, "cache");
  // lines 1–3, then line 4 cut (no newline yet)
  const text = line("llm_request", "1", ',"model":"gpt-4o"') + "{oops\n" +
    line("llm_response", "1", ',"duration_seconds":1.5') + line("llm_request", "2");
  writeFileSync(file, text.slice(0, -10));
  await loadTraces(file, { cache });
  // the entry's stored request r1 gets another model: a tail that shows it started from the entry
  markEntry(cache, file, "r1");
  // the file as cached (not grown yet): from the entry too, up to the cut line 4, which waits
  const unchanged = await TraceTail.open([file], { cache }).poll();
  assert.deepEqual(brief(unchanged), {
    events: ["1 llm_request", "3 llm_response"],
    diagnostics: ["2 invalid_json"],
  });
  assert.equal(unchanged.events[0]!.model, "from-the-entry");
  appendFileSync(file, text.slice(-10) + line("llm_request", "3"));
  const tail = TraceTail.open([file], { cache });
  const first = await tail.poll();
  assert.deepEqual(brief(first), {
    events: ["1 llm_request", "3 llm_response", "4 llm_request", "5 llm_request"],
    diagnostics: ["2 invalid_json"],
  });
  assert.equal(first.events[0]!.model, "from-the-entry"); // lines 1–3 from the entry
  // the same events as a read of the whole file, but for the mark
  const whole = parseTraceText(text + line("llm_request", "3"), file);
  whole.events[0]!.model = "from-the-entry";
  assert.deepEqual(first.events, whole.events);
  assert.deepEqual(first.diagnostics, whole.diagnostics);
  // without the cache, the file is read from its first byte
  const plain = await TraceTail.open([file]).poll();
  assert.equal(plain.events[0]!.model, "gpt-4o");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("poll's onEvents: the same events in the same order, handed instead of gathered (a cached file's from its entry first)", async () => {
  const dir = Deno.makeTempDirSync();
  const a = join(dir, "a.jsonl"), b = join(dir, "b.jsonl");
  const cache = join(dir, "cache");
  writeFileSync(a, line("llm_request", "1") + line("llm_response", "1", ',"duration_seconds":1'));
  await loadTraces(a, { cache });
  markEntry(cache, a, "r1"); // lines 1–2 of a come from its entry
  appendFileSync(a, line("llm_request", "2")); // line 3, read from the file
  writeFileSync(b, line("llm_request", "3")); // b: not cached, read from the file
  const handed: EventRecord[][] = [];
  const update = await TraceTail.open([dir], { cache }).poll({ onEvents: (e) => handed.push(e) });
  const gathered = await TraceTail.open([dir], { cache }).poll();
  assert.deepEqual(update.events, []);
  assert.deepEqual(handed.flat(), gathered.events);
  // a's entry (lines 1–2), then a's new line 3, then b's line 1: by file, then line
  assert.deepEqual(handed.flat().map((e) => `${e.file.slice(-7)}:${e.line} ${e.model}`), [
    "a.jsonl:1 from-the-entry",
    "a.jsonl:2 null",
    "a.jsonl:3 null",
    "b.jsonl:1 null",
  ]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("TraceTail folds more than 100 bad lines of a code read at once into one counting row", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  writeFileSync(file, "oops\n".repeat(150));
  const u = await TraceTail.open([file]).poll();
  // 100 listed (lines 1–100), then one row for lines 101–150
  assert.equal(u.diagnostics.length, 101);
  assert.deepEqual([u.diagnostics[100]!.line, u.diagnostics[100]!.count], [101, 50]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("TraceTail names a file of another format once and does not read it as native lines", async () => {
  // An OpenAI Batch output line, as the Batch API writes it: its own format, not native events.
  // Read as native, each of its lines had been a bad line (no type, no session_id).
  const batch =
    `{"id":"batch_req_1","custom_id":"q1","response":{"status_code":200,"request_id":"x","body":{"id":"c1","object":"chat.completion","created":1764740742,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}},"error":null}\n`;
  const dir = Deno.makeTempDirSync();
  const a = join(dir, "a.jsonl"), b = join(dir, "b.jsonl"), c = join(dir, "c.jsonl");
  writeFileSync(a, line("llm_request", "1"));
  writeFileSync(b, batch + batch);
  writeFileSync(c, ""); // nothing to tell its format by yet
  const tail = TraceTail.open([dir]);
  const first = await tail.poll();
  assert.deepEqual(brief(first), { events: ["1 llm_request"], diagnostics: [] });
  assert.deepEqual(first.skipped, [{ path: b, format: "openai_batch" }]);
  assert.deepEqual(tail.files, [a, c]);
  writeFileSync(c, batch); // its first line tells: another format, followed no more
  const second = await tail.poll();
  assert.deepEqual(brief(second), { events: [], diagnostics: [] });
  assert.deepEqual(second.skipped, [{ path: c, format: "openai_batch" }]);
  appendFileSync(b, batch);
  assert.deepEqual((await tail.poll()).skipped, []); // named once
  assert.deepEqual(tail.files, [a]);
  // gzip under a plain name (`gzip -c … > e.jsonl`): its bytes had been read as lines, each bad
  const e = join(dir, "e.jsonl");
  writeFileSync(e, gzipSync(line("llm_request", "3")));
  const packed = await tail.poll();
  assert.deepEqual(brief(packed), { events: [], diagnostics: [] });
  assert.deepEqual(packed.skipped, [{ path: e, format: "gzip" }]);
  // a file created empty by the tracer, then written: native, followed as before
  const d = join(dir, "d.jsonl");
  writeFileSync(d, "");
  assert.deepEqual((await tail.poll()).added, [d]);
  appendFileSync(d, line("llm_request", "2"));
  const written = await tail.poll();
  assert.deepEqual(brief(written), { events: ["1 llm_request"], diagnostics: [] });
  assert.deepEqual(written.skipped, []);
  assert.deepEqual(tail.files, [a, d]);
});
