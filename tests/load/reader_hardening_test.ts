import assert from "node:assert/strict";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { loadTraces } from "../../src/load/mod.ts";
import { parseTimestamp } from "../../src/load/timestamp.ts";

const ev = (type: string, ts: string, data?: Record<string, unknown>) =>
  JSON.stringify({
    type,
    timestamp: ts,
    session_id: "s1",
    ...(type === "session_end" ? { duration_seconds: 5 } : {}),
    ...(data ? { data } : {}),
  });

function withFile(text: string | ((path: string) => void), fn: (path: string) => Promise<void>) {
  return async () => {
    const dir = Deno.makeTempDirSync();
    const path = join(dir, "t.jsonl");
    try {
      if (typeof text === "string") Deno.writeTextFileSync(path, text);
      else text(path);
      await fn(path);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

Deno.test(
  "a line over the limit is skipped while streaming: one line_too_long, the lines after it load",
  withFile((path) => {
    // 20 MB on one line (more than the reader's 4 MB slices), then a good event
    const fd = openSync(path, "w");
    writeSync(fd, ev("session_start", "2025-04-08T10:00:00") + "\n");
    writeSync(fd, '{"type":"custom","x":"');
    const chunk = "y".repeat(1024 * 1024);
    for (let i = 0; i < 20; i++) writeSync(fd, chunk);
    writeSync(fd, '"}\n');
    writeSync(fd, ev("session_end", "2025-04-08T10:00:05") + "\n");
    closeSync(fd);
  }, async (path) => {
    const t = await loadTraces(path, { maxLineBytes: 1024 });
    assert.deepEqual(t.events.getColumn("type").toArray(), ["session_start", "session_end"]);
    assert.deepEqual(t.events.getColumn("line").toArray(), [1, 3]);
    const d = t.diagnostics.toRecords();
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, "line_too_long");
    assert.equal(d[0]!.line, 2);
    // 22 bytes of prefix + 20 MiB + 2 bytes of suffix = 20,971,544 bytes ≈ 21.0 MB
    assert.match(String(d[0]!.message), /^line is 21\.0 MB, over the 0\.0 MB limit/);
  }),
);

Deno.test(
  "a line of non-JSON white space (NBSP, U+2028, a stray BOM) is a bad line, not a blank one",
  withFile(
    [ev("session_start", "2025-04-08T10:00:00"), "\u00a0", "\u2028", "\ufeff", "   \t", ""].join(
      "\n",
    ) + "\n",
    async (path) => {
      const t = await loadTraces(path);
      assert.equal(t.events.height, 1);
      assert.deepEqual(t.diagnostics.select("line", "code").toRecords(), [
        { line: 2, code: "invalid_json" },
        { line: 3, code: "invalid_json" },
        { line: 4, code: "invalid_json" },
      ]);
    },
  ),
);

Deno.test(
  "a cut-off fragment glued to the next event: the fragment is one bad line, the event survives",
  withFile(
    [
      ev("session_start", "2025-04-08T10:00:00"),
      '{"type":"llm_request","timest' + ev("session_end", "2025-04-08T10:00:05"),
    ].join("\n") + "\n",
    async (path) => {
      const t = await loadTraces(path);
      assert.deepEqual(t.events.select("line", "type").toRecords(), [
        { line: 1, type: "session_start" },
        { line: 2, type: "session_end" },
      ]);
      assert.deepEqual(t.diagnostics.select("line", "code").toRecords(), [{
        line: 2,
        code: "truncated_line",
      }]);
      assert.match(String(t.diagnostics.getColumn("message").get(0)), /fragment of 29 characters/);
    },
  ),
);

Deno.test(
  "diagnostics stay bounded: 100 per file and code listed, the rest counted exactly in one row",
  withFile(Array.from({ length: 250 }, () => "{oops").join("\n") + "\n", async (path) => {
    const t = await loadTraces(path);
    assert.equal(t.diagnostics.height, 101);
    assert.equal(t.diagnostics.getColumn("count").sum(), 250);
    const last = t.diagnostics.tail(1).toRecords()[0]!;
    assert.deepEqual([last.line, last.code, last.count], [101, "invalid_json", 150]);
    assert.match(String(last.message), /^150 more lines with invalid_json \(lines 101 to 250\)/);
  }),
);

Deno.test("years 0000–0099 are those years, not 1900–1999", () => {
  // 0042-03-04T05:06:07Z: days from 0001-01-01 to 0042-03-04 in the proleptic Gregorian
  // calendar, minus the 719162 days from 0001-01-01 to 1970-01-01
  const days = (y: number) =>
    (y - 1) * 365 + Math.floor((y - 1) / 4) - Math.floor((y - 1) / 100) + Math.floor((y - 1) / 400);
  const dayOf42 = days(42) + 31 + 28 + 3; // Jan, Feb (42 is not a leap year), then the 4th is 3 days in
  const expected = ((dayOf42 - 719162) * 86400 + 5 * 3600 + 6 * 60 + 7) * 1e6;
  assert.equal(parseTimestamp("0042-03-04T05:06:07Z"), expected);
  assert.equal(parseTimestamp("0042-03-04T05:06:07"), expected);
});
