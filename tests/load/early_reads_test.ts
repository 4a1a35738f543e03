/**
 * Early reads (`EarlyReads`, `sampleFileLines`): without the cache, the loader reads each native
 * file right after detecting it, taking the values detection parsed for its first lines. The
 * frames must be those of the plain reader, whatever the lines hold. Expected offsets and counts
 * are made here from the text (TextEncoder, split on newlines), not by the code under test.
 * @module
 */
import assert from "node:assert/strict";
import { closeSync, fstatSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTraces } from "../../src/load/mod.ts";
import { sampleFile, sampleFileLines } from "../../src/load/formats/sample.ts";
import { parseTraceRange } from "../../src/load/parse_trace_text.ts";
import { EarlyReads } from "../../src/load/_parallel.ts";

/** A native event line (no newline) with a prompt of about `pad` characters. */
const event = (session: string, type: string, id: string, pad = 40) =>
  JSON.stringify({
    type,
    timestamp: "2025-04-08T12:00:00",
    session_id: session,
    data: type === "llm_request"
      ? {
        request_id: id,
        model: "gpt-4o",
        messages: [{ role: "user", content: "é✓".padEnd(pad, "ab") }],
      }
      : {
        request_id: id,
        model: "gpt-4o",
        duration_seconds: 1.5,
        usage: { input_tokens: 3, output_tokens: 4 },
      },
  });

/** `calls` request/response pairs of one session, as lines (no newlines). */
const calls = (session: string, count: number, pad = 40) =>
  Array.from({ length: count }, (_, i) => [
    event(session, "llm_request", `${session}-${i}`, pad),
    event(session, "llm_response", `${session}-${i}`, pad),
  ]).flat();

const utf8 = new TextEncoder();

Deno.test("sampleFileLines(): the lines handed to the reader end where the text's own bytes say (BOM, CRLF, blank lines, non-ASCII)", () => {
  const dir = Deno.makeTempDirSync();
  try {
    // 80 event lines, a blank line (spaces) after every 10th, CRLF ends, a BOM first
    const body = calls("s", 40).flatMap((l, i) => (i % 10 === 9 ? [l, "   "] : [l]));
    const text = "\uFEFF" + body.join("\r\n") + "\r\n";
    const path = join(dir, "t.jsonl");
    writeFileSync(path, text);
    const { sample, lines } = sampleFileLines(path, path, { whole: true });
    assert.ok(lines);
    // the 50th event line is line 50 + 4 blank lines before it (after lines 10, 20, 30, 40) = 54
    assert.equal(lines.lines, 54);
    assert.equal(lines.values.length, 50);
    assert.deepEqual(
      lines.values.slice(8, 12).map((v) => v.line),
      [9, 10, 12, 13], // line 11 is blank
    );
    // every value's line: the lines of the body that are not blank, numbered from 1
    const eventLines = body.flatMap((l, i) => (l.trim() ? [i + 1] : [])).slice(0, 50);
    assert.deepEqual(lines.values.map((v) => v.line), eventLines);
    // its bytes: the BOM (3) and the first 54 lines with their CRLF, as encoded here
    const bytes = 3 + utf8.encode(body.slice(0, 54).map((l) => l + "\r\n").join("")).length;
    assert.equal(lines.bytes, bytes);
    // after them: whole lines decoded (their text is that of the same bytes), then bytes
    assert.equal(lines.bytes + lines.textBytes + lines.rest.length, utf8.encode(text).length);
    assert.equal(lines.textBytes, utf8.encode(lines.text).length);
    assert.ok(
      text.slice(1).startsWith(body.slice(0, 54).map((l) => l + "\r\n").join("") + lines.text),
    );
    assert.equal(lines.whole, true);
    // the values are those of the lines, and the sample the one sampleFile() gives
    assert.deepEqual(lines.values[10]!.value, JSON.parse(body[11]!));
    assert.deepEqual(sample.values, sampleFile(path).values);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sampleFileLines(): no lines when the reader would not read one of the first lines as the sample did", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const base = calls("s", 30);
    // a line led by spaces, one ending in spaces, one of a no-break space only (a bad line for
    // the reader, blank for the sample): the sample is the same, the reader parses them itself
    for (
      const [name, line] of [["lead", "  " + base[3]], ["trail", base[3] + "  "], [
        "nbsp",
        "\u00A0",
      ]]
    ) {
      const body = [...base];
      body[3] = line!;
      const path = join(dir, `${name}.jsonl`);
      writeFileSync(path, body.join("\n") + "\n");
      const { sample, lines } = sampleFileLines(path, path, { whole: true });
      assert.equal(lines, undefined, name);
      assert.deepEqual(sample.values, sampleFile(path).values, name);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parseTraceRange(): takes the sampled lines only while the file is as the sample saw it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const body = calls("s", 2); // 4 lines: request, response, request, response
    const path = join(dir, "t.jsonl");
    writeFileSync(path, body.join("\n") + "\n");
    const first = utf8.encode(body[0] + "\n").length;
    const fd = openSync(path, "r");
    const st = fstatSync(fd);
    closeSync(fd);
    // a head whose value for line 1 is not the file's: seen in the events only when it is taken
    const head = (stamp: { size: number; mtimeMs: number; ino: number | null }) => ({
      bytes: first,
      lines: 1,
      values: [{ line: 1, value: JSON.parse(event("s", "llm_request", "from-head")) }],
      stamp,
      text: "",
      textBytes: 0,
      rest: new Uint8Array(0),
      whole: false,
    });
    const ids = (h: ReturnType<typeof head>) =>
      parseTraceRange(path, path, { head: h }).events.map((e) => `${e.line}:${e.request_id}`);
    const stamp = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    assert.deepEqual(ids(head(stamp)), ["1:from-head", "2:s-0", "3:s-1", "4:s-1"]);
    // another size or time: the file changed since, it is read whole
    assert.deepEqual(ids(head({ ...stamp, size: st.size + 1 })), [
      "1:s-0",
      "2:s-0",
      "3:s-1",
      "4:s-1",
    ]);
    assert.deepEqual(ids(head({ ...stamp, mtimeMs: 1 })), ["1:s-0", "2:s-0", "3:s-1", "4:s-1"]);
    // a file the sample read whole is not opened again: the rest is the sample's text and bytes
    const second = body[1] + "\n";
    const rest = utf8.encode(body.slice(2).join("\n") + "\n");
    const gone = join(dir, "gone.jsonl");
    const read = parseTraceRange(gone, "t", {
      head: {
        ...head({ ...stamp, mtimeMs: NaN }),
        text: second,
        textBytes: utf8.encode(second).length,
        rest,
        whole: true,
      },
    });
    assert.deepEqual(read.events.map((e) => `${e.line}:${e.request_id}`), [
      "1:from-head",
      "2:s-0",
      "3:s-1",
      "4:s-1",
    ]);
    assert.equal(read.lines, 4);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("EarlyReads: taken once, and only for exactly the files it read, in order", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const files = ["a", "b"].map((n) => {
      const path = join(dir, `${n}.jsonl`);
      writeFileSync(path, calls(n, 1).join("\n") + "\n");
      return { path, name: path, size: statSync(path).size };
    });
    const early = new EarlyReads(files[0]!.size + files[1]!.size, { workers: 0 });
    for (const f of files) early.read(f);
    assert.equal(early.table.n, 4); // two lines each
    assert.equal(early.take([files[1]!, files[0]!]), null);
    assert.equal(early.take([files[0]!]), null);
    assert.equal(early.take(files), early);
    assert.equal(early.take(files), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadTraces() without the cache: files read early give the frames of the plain reader (BOM, CRLF, blank, bad and cut lines, another format)", async () => {
  const dir = Deno.makeTempDirSync();
  const cache = Deno.makeTempDirSync();
  try {
    const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
    // a: BOM and CRLF, 30 calls (60 lines)
    write("a.jsonl", "\uFEFF" + calls("a", 30).join("\r\n") + "\r\n");
    // b: a blank line after every 7th, 30 calls
    write(
      "b.jsonl",
      calls("b", 30).flatMap((l, i) => (i % 7 === 6 ? [l, ""] : [l])).join("\n") + "\n",
    );
    // c: line 10 an object with no type (missing_type), line 56 not JSON (invalid_json), 30 calls
    const c = calls("c", 30);
    c.splice(9, 0, '{"foo":1}');
    c.splice(55, 0, "{oops");
    write("c.jsonl", c.join("\n") + "\n");
    // d: line 5 a no-break space only (invalid_json), 30 calls: read whole by the reader
    const d = calls("d", 30);
    d.splice(4, 0, "\u00A0");
    write("d.jsonl", d.join("\n") + "\n");
    // e: 30 calls, then a last line cut off with no newline (truncated_line, line 61)
    write(
      "e.jsonl",
      calls("e", 30).join("\n") + "\n" + event("e", "llm_request", "cut").slice(0, 30),
    );
    // f: one call, small; g: another format (an OpenAI batch result), read by its own adapter
    write("f.jsonl", calls("f", 1).join("\n") + "\n");
    write(
      "g.jsonl",
      '{"custom_id":"r1","response":null,"error":{"code":"expired","message":"Batch expired"}}\n',
    );
    const progress: [number, number][] = [];
    const early = await loadTraces(dir, {
      cache: false,
      onProgress: (d, t) => progress.push([d, t]),
    });
    const plain = await loadTraces(dir, { cache });
    for (const k of ["calls", "sessions", "events", "diagnostics"] as const) {
      assert.ok(early[k].frameEqual(plain[k], true), k);
    }
    assert.deepEqual(early.formats, plain.formats);
    // 30 + 30 + 30 + 30 + 30 + 1 native calls and the batch's one
    assert.equal(early.calls.height, 152);
    const bad = early.diagnostics.select("file", "line", "code").toRecords()
      .map((r) => `${String(r.file).split("/").at(-1)}:${r.line}:${r.code}`);
    assert.deepEqual(bad, [
      "c.jsonl:10:missing_type",
      "c.jsonl:56:invalid_json",
      "d.jsonl:5:invalid_json",
      "e.jsonl:61:truncated_line",
    ]);
    // progress never goes back, and ends at the bytes of the seven files
    const total = ["a", "b", "c", "d", "e", "f", "g"]
      .reduce((sum, n) => sum + statSync(join(dir, `${n}.jsonl`)).size, 0);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] >= progress[i - 1]![0]);
    assert.deepEqual(progress.at(-1), [total, total]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
    Deno.removeSync(cache, { recursive: true });
  }
});
