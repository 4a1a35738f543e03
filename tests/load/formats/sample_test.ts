/**
 * sampleFile() reads only the first lines of a JSON Lines file when they decide the sample;
 * the sample must be the one of its first MiB whatever the file. The expected sample is made
 * here the plain way: the first min(1 MiB, size) bytes, decoded, given to sampleOfText().
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectFormat, sampleFile, sampleOfText } from "../../../src/load/mod.ts";
import type { FormatSample } from "../../../src/load/mod.ts";
import { missing, ROOT, SHARED } from "../../_helpers.ts";
import { fixture } from "./_helpers.ts";

const MIB = 1024 * 1024;

/** The sample of a file's first MiB, the plain way. */
function expected(path: string): FormatSample {
  const bytes = readFileSync(path).subarray(0, Math.min(MIB, Math.max(statSync(path).size, 1)));
  return sampleOfText(new TextDecoder().decode(bytes), path);
}

/** The fields of a sample, compared as plain data (a lazy `head` read here). */
const plain = (s: FormatSample) => ({
  head: s.head,
  values: s.values,
  keys: s.keys,
  array: s.array,
  file: s.file,
});

/** sampleFile(path) is the plain sample, and detection decides the same on both. */
function assertSameSample(path: string): FormatSample {
  const got = sampleFile(path);
  const want = expected(path);
  assert.equal(detectFormat(got)?.name ?? null, detectFormat(want)?.name ?? null, path);
  assert.deepEqual(plain(got), plain(want), path);
  return got;
}

/** The head of the sample is read only when asked for (the first lines decided the rest). */
const lazyHead = (s: FormatSample) =>
  typeof Object.getOwnPropertyDescriptor(s, "head")?.get === "function";

/** A native event of about `pad` characters of prompt. */
const event = (i: number, pad: number) => ({
  type: i % 2 ? "llm_response" : "llm_request",
  timestamp: "2025-04-08T12:00:00",
  session_id: "s",
  data: { request_id: `r${i >> 1}`, model: "gpt-4o", prompt: `é${i}`.padEnd(pad, "ab") },
});

const lines = (values: unknown[]) => values.map((v) => JSON.stringify(v) + "\n").join("");

Deno.test("sampleFile(): the first 50 lines of a long JSON Lines file decide its sample", () => {
  const dir = Deno.makeTempDirSync();
  try {
    // 300 lines of about 2 KB: the first 50 (about 100 KB) are past the first 64 KiB read
    const events = Array.from({ length: 300 }, (_, i) => event(i, 2000));
    const path = join(dir, "long.jsonl");
    writeFileSync(path, lines(events));
    const s = assertSameSample(path);
    assert.ok(lazyHead(s), "the first lines decided the sample");
    assert.equal(s.values.length, 50);
    assert.deepEqual(s.values[49], events[49]);
    assert.deepEqual(s.keys, ["type", "timestamp", "session_id", "data"]);
    assert.equal(detectFormat(s)?.name, "native");
    // native detection does not read the head: no detector before native's asks for it (the
    // CSV check of the Phoenix dataframes did, for every JSON Lines file: the whole first MiB
    // read and decoded again)
    const fresh = sampleFile(path);
    assert.ok(lazyHead(fresh));
    let reads = 0;
    const { values, keys, array, file } = fresh; // not `head`: that would read it
    const counted = Object.defineProperty({ values, keys, array, file }, "head", {
      get: () => (reads++, fresh.head),
    }) as FormatSample;
    assert.equal(detectFormat(counted)?.name, "native");
    assert.equal(reads, 0);

    // a BOM, blank lines among the first 50 (more lines are read), CRLF line ends
    const crlf = events.map((e) => JSON.stringify(e)).join("\r\n\r\n\n");
    writeFileSync(join(dir, "bom.jsonl"), "\uFEFF" + crlf + "\r\n");
    const b = assertSameSample(join(dir, "bom.jsonl"));
    assert.ok(lazyHead(b));
    assert.deepEqual(b.values[49], events[49]);

    // a two-byte character cut by the first read (64 KiB): prompts of "é" only, shifted by
    // one byte when byte 65,536 would start a character rather than continue one
    const utf8 = (shift: number) =>
      new TextEncoder().encode(
        lines(Array.from({ length: 100 }, (_, i) => ({
          ...event(i, 0),
          data: { prompt: "x".repeat(i ? 0 : shift) + "é".repeat(700) },
        }))),
      );
    let bytes = utf8(0);
    if (bytes[65536]! < 0x80 || bytes[65536]! > 0xbf) bytes = utf8(1);
    assert.ok(bytes[65536]! >= 0x80 && bytes[65536]! <= 0xbf, "byte 65,536 continues a character");
    writeFileSync(join(dir, "utf8.jsonl"), bytes);
    assert.ok(lazyHead(assertSameSample(join(dir, "utf8.jsonl"))));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sampleFile(): files the first lines do not decide are sampled whole, as before", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const events = Array.from({ length: 300 }, (_, i) => event(i, 2000));
    const cases: Record<string, string> = {
      // a broken line among the first 50: the general scan of the whole sample
      "broken.jsonl": lines(events.slice(0, 30)) + '{"type": "llm_req\n' + lines(events.slice(30)),
      // a banner line before the first object (passed over as noise)
      "banner.jsonl": "log started\n" + lines(events),
      // lines that are arrays, not objects
      "arrays.jsonl": events.map((e) => JSON.stringify([e]) + "\n").join(""),
      // pretty-printed objects one after the other
      "pretty.json": events.map((e) => JSON.stringify(e, null, 2)).join("\n"),
      // 50 lines longer than the first MiB: the 50th is cut where the sample ends
      "wide.jsonl": lines(Array.from({ length: 60 }, (_, i) => event(i, 30_000))),
      // an array of objects
      "array.json": JSON.stringify(events),
      // mostly blank: fewer than 50 values in the first MiB
      "blank.jsonl": lines(events.slice(0, 3)) + "\n".repeat(MIB) + lines(events.slice(3)),
      // a file of white space is an (empty) native trace
      "spaces.jsonl": " \n\n\t\n",
    };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const s = assertSameSample(path);
      assert.ok(!lazyHead(s), name);
    }
    assert.equal(detectFormat(sampleFile(join(dir, "spaces.jsonl")))?.name, "native");
    // 60 lines of 30 KB: only the lines that end in the first MiB are values
    let end = 0, complete = 0;
    for (const line of lines(Array.from({ length: 60 }, (_, i) => event(i, 30_000))).split("\n")) {
      end += new TextEncoder().encode(line + "\n").length;
      if (end <= MIB) complete++;
    }
    assert.equal(complete, 34); // 34 lines of about 30,150 bytes: 1,025,100 bytes
    assert.equal(sampleFile(join(dir, "wide.jsonl")).values.length, complete);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sampleFile(): the sample of every fixture is that of its first MiB", () => {
  const dirs = [join(ROOT, "traces"), fixture("")];
  const real = `${SHARED}fixtures/real/`;
  if (!missing("../shared/fixtures/real/", existsSync(real))) dirs.push(real);
  let files = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(jsonl?|ndjson|csv|txt)$/.test(e.name)) {
        assertSameSample(path);
        files++;
      }
    }
  };
  for (const dir of dirs) walk(dir);
  assert.ok(files > 20, `${files} fixtures`);
});
