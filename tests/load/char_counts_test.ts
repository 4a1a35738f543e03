/**
 * prompt_chars and output_chars count Unicode code points (Python's len), however the
 * text is written: plain ASCII (counted by length, no scan), ASCII with \u escapes (a
 * surrogate pair written as two escapes is one character), or UTF-8, also when the
 * reader meets non-ASCII text only in a later slice of a large file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadTraces } from "../../src/load/mod.ts";

const head = (type: string, t: number) =>
  `"type":"${type}","timestamp":"2025-04-08T10:00:${String(t).padStart(2, "0")}","session_id":"s"`;
/** A request with one user message of JSON string text `content`, and its response with `output`. */
const call = (id: string, t: number, content: string, output: string) =>
  `{${head("llm_request", t)},"data":{"request_id":"${id}","model":"m",` +
  `"messages":[{"role":"user","content":"${content}"}]}}\n` +
  `{${head("llm_response", t + 1)},"data":{"request_id":"${id}","duration_seconds":1,` +
  `"output":"${output}"}}\n`;

async function counts(text: string): Promise<[number | null, number | null][]> {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "t.jsonl");
    Deno.writeTextFileSync(file, text);
    const calls = (await loadTraces(file, { cache: false })).calls;
    const p = calls.getColumn("prompt_chars").toArray(),
      o = calls.getColumn("output_chars").toArray();
    return p.map((x, i) => [x === null ? null : Number(x), o[i] === null ? null : Number(o[i])]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("character counts of plain ASCII text are its lengths", async () => {
  // "abc def" is 7 characters, "hello" 5; \n and \" are one character each: "a\nb" 3, "say \"x\"" 7
  assert.deepEqual(
    await counts(call("r1", 0, "abc def", "hello") + call("r2", 2, "a\\nb", 'say \\"x\\"')),
    [
      [7, 5],
      [3, 7],
    ],
  );
});

Deno.test("a surrogate pair written as two \\u escapes in ASCII text is one character", async () => {
  // 😀 written \ud83d\ude00 (as Python's json.dumps writes it) then " ok": 1 + 3 = 4;
  // "\u00e9t\u00e9" is "été": 3
  assert.deepEqual(await counts(call("r1", 0, "\\ud83d\\ude00 ok", "\\u00e9t\\u00e9")), [[4, 3]]);
});

Deno.test("non-ASCII text after megabytes of ASCII is counted in code points", async () => {
  // 5 MiB of ASCII lines first, so that the reader's first slices hold ASCII only
  const filler = `{${head("session_metadata", 0)},"data":{"pad":"${"x".repeat(1000)}"}}\n`;
  const text = filler.repeat(Math.ceil((5 << 20) / filler.length)) +
    call("r1", 10, "😀é", "naïve 🙂");
  // "😀é" = 2 code points; "naïve 🙂" = n a ï v e, space, 🙂 = 7
  assert.deepEqual(await counts(text), [[2, 7]]);
});
