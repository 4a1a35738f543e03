import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import {
  DocumentTooLarge,
  fileSource,
  textSource,
  type TraceSource,
} from "../../../src/load/formats/source.ts";
import { detectFormat, loadTraces, sampleFile } from "../../../src/load/mod.ts";
import { allFixtures, STREAMED_FORMATS } from "./_helpers.ts";

/** A temporary file holding `text`, removed after `fn`. */
function withFile(text: string | Uint8Array, fn: (path: string) => void | Promise<void>) {
  return async () => {
    const path = Deno.makeTempFileSync({ prefix: "tracebook-source-" });
    try {
      if (typeof text === "string") Deno.writeTextFileSync(path, text);
      else Deno.writeFileSync(path, text);
      await fn(path);
    } finally {
      Deno.removeSync(path);
    }
  };
}

const allLines = (source: TraceSource) => {
  const out: [string, number, boolean][] = [];
  source.lines((text, line, last) => out.push([text, line, last]));
  return out;
};

// "é" and "😀" are 2 and 4 bytes: pieces of 3 bytes cut them
const TEXT = '\ufeff{"a":"é"}\r\n\n{"b":"😀"}\nlast';

Deno.test(
  "fileSource: lines in pieces of any size, as the text split at its newlines (BOM dropped, CR kept)",
  withFile(TEXT, (path) => {
    const expected: [string, number, boolean][] = [
      ['{"a":"é"}\r', 1, false],
      ["", 2, false],
      ['{"b":"😀"}', 3, false],
      ["last", 4, true],
    ];
    for (const pieceBytes of [1, 2, 3, 5, 64, 1 << 20]) {
      assert.deepEqual(allLines(fileSource(path, "f", { pieceBytes })), expected, `${pieceBytes}`);
    }
    assert.deepEqual(allLines(textSource(TEXT.slice(1))), expected);
    // a text that ends with a newline: the last line is empty
    assert.deepEqual(allLines(textSource("a\n")), [["a", 1, false], ["", 2, true]]);
  }),
);

Deno.test(
  "fileSource: values and text as the whole text gives them, in pieces of any size",
  withFile(TEXT, (path) => {
    const whole = textSource(TEXT.slice(1), "f");
    const read = (s: TraceSource) => {
      const values: unknown[] = [];
      const diagnostics = s.values((v) => values.push([v.line, v.value]));
      return { values, diagnostics: diagnostics.map((d) => [d.line, d.code]) };
    };
    const expected = {
      values: [[1, { a: "é" }], [3, { b: "😀" }]],
      diagnostics: [[4, "stray_text"]],
    };
    assert.deepEqual(read(whole), expected);
    for (const pieceBytes of [1, 3, 7, 1 << 20]) {
      const s = fileSource(path, "f", { pieceBytes });
      assert.deepEqual(read(s), expected, `${pieceBytes}`);
      assert.equal(s.text(), TEXT.slice(1));
      assert.equal(s.head(), TEXT.slice(1));
    }
  }),
);

Deno.test(
  "fileSource: bad bytes are replaced as TextDecoder replaces them, wherever the pieces cut",
  withFile(
    new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xe2, 0x82, 0x22, 0x7d, 0x0a]),
    (path) => {
      for (const pieceBytes of [1, 2, 4, 64]) {
        const values: unknown[] = [];
        fileSource(path, "f", { pieceBytes }).values((v) => values.push(v.value));
        // 0xff and the cut-off 3-byte sequence: one U+FFFD each
        assert.deepEqual(values, [{ a: "\ufffd\ufffd" }], `${pieceBytes}`);
      }
    },
  ),
);

Deno.test(
  "fileSource: one value past the limit is one file_too_large at its line; the values before it are read",
  withFile(`{"a":1}\n{"b":2}\n{"big":"${"x".repeat(2_000)}"}\n{"c":3}\n`, (path) => {
    const lines: number[] = [];
    const diagnostics = fileSource(path, "f", { pieceBytes: 64, maxBytes: 1_000 })
      .values((v) => lines.push(v.line));
    assert.deepEqual(lines, [1, 2]);
    assert.deepEqual(diagnostics.map((d) => [d.line, d.code]), [[3, "file_too_large"]]);
    // a line past the limit: not held, the file too large to read by lines
    assert.throws(
      () => fileSource(path, "f", { pieceBytes: 64, maxBytes: 1_000 }).lines(() => {}),
      (e) => e instanceof DocumentTooLarge && e.bytes === statSync(path).size,
    );
    // the whole text past the limit: not read
    assert.throws(
      () => fileSource(path, "f", { maxBytes: 1_000 }).text(),
      (e) => e instanceof DocumentTooLarge && e.bytes === statSync(path).size,
    );
  }),
);

/** Fixtures of the formats read value by value or line by line. */
function streamedFixtures(): string[] {
  return allFixtures().filter((p) =>
    STREAMED_FORMATS.includes(detectFormat(sampleFile(p))?.name ?? "")
  );
}

Deno.test("the formats read in pieces give the records of their whole text, in pieces of any size", () => {
  const files = streamedFixtures();
  // every one of these formats has a fixture
  assert.deepEqual(
    [...new Set(files.map((p) => detectFormat(sampleFile(p))!.name))].sort(),
    STREAMED_FORMATS,
  );
  for (const path of files) {
    const adapter = detectFormat(sampleFile(path))!;
    const text = readFileSync(path, "utf8");
    for (const keepText of [false, true]) {
      const whole = adapter.parse!(textSource(text, "f"), "f", { keepText });
      for (const pieceBytes of [997, 65_536]) {
        const pieces = adapter.parse!(fileSource(path, "f", { pieceBytes }), "f", { keepText });
        assert.deepEqual(pieces, whole, `${basename(path)}, pieces of ${pieceBytes}`);
      }
    }
  }
});

Deno.test(
  "loadTraces: an OpenAI Batch file read line by line from the file: its calls, tokens and lines",
  withFile(
    Array.from({ length: 3 }, (_, i) =>
      JSON.stringify({
        id: `batch_req_${i}`,
        custom_id: `r${i}`,
        response: {
          status_code: 200,
          body: {
            model: "gpt-4o-mini",
            created: 1_700_000_000 + i,
            usage: { prompt_tokens: i, completion_tokens: 1 },
          },
        },
        error: null,
      })).join("\n") + "\n",
    async (path) => {
      const t = await loadTraces(path, { cache: false });
      assert.equal(t.formats?.[path], "openai_batch");
      assert.deepEqual(t.calls.getColumn("request_id").toArray(), ["r0", "r1", "r2"]);
      assert.deepEqual(t.calls.getColumn("input_tokens").toArray(), [0, 1, 2]);
      assert.deepEqual(t.calls.getColumn("line").toArray(), [1, 2, 3]);
    },
  ),
);
