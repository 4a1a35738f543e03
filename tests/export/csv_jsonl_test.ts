import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { writeCsvFiles } from "../../src/export/csv.ts";
import { writeJsonlFiles } from "../../src/export/jsonl.ts";
import type { TraceSet } from "../../src/frames/columns.ts";

const FRAMES = ["calls", "sessions", "events", "diagnostics"] as const;

/** RFC 4180: fields separated by commas, quoted with "…" when needed, "" inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"', i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (row.push(field), field = "");
    else if (c === "\n") (row.push(field), rows.push(row), row = [], field = "");
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length) (row.push(field), rows.push(row));
  return rows;
}

/** "2025-04-08T09:04:17.786940+0000" or "…+00:00" → µs since the epoch, read digit by digit. */
function isoMicros(text: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(?:\+00:?00|Z)$/.exec(text);
  if (!m) throw new Error(`not an ISO UTC time: ${text}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? "").padEnd(6, "0").slice(0, 6));
}

/** Each frame's rows with datetimes as exact µs, for comparison with what was read. */
function expectedRows(t: TraceSet, frame: (typeof FRAMES)[number]) {
  const df = t[frame];
  const times = df.columns.filter((c) =>
    JSON.stringify(df.getColumn(c).dtype).includes("Datetime")
  );
  return {
    times,
    rows: df.withColumns(...times.map((c) => pl.col(c).cast(pl.Int64))).toRecords().map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
      )
    ),
  };
}

Deno.test("CSV export: one file per frame, every column and row, read back by a CSV parser", async () => {
  const t = await loadTraces(join(ROOT, "traces"));
  const dir = mkdtempSync(join(tmpdir(), "tracebook-csv-"));
  try {
    writeCsvFiles(t, dir);
    assert.deepEqual(readdirSync(dir).sort(), [
      "calls.csv",
      "diagnostics.csv",
      "events.csv",
      "sessions.csv",
    ]);
    for (const frame of FRAMES) {
      const [header, ...rows]: string[][] = parseCsv(
        readFileSync(join(dir, `${frame}.csv`), "utf8"),
      );
      assert.deepEqual(header, t[frame].columns, frame);
      const { times, rows: expected } = expectedRows(t, frame);
      assert.equal(rows.length, expected.length, frame);
      for (const [i, fields] of rows.entries()) {
        for (const [j, name] of (header as string[]).entries()) {
          const want: unknown = expected[i]![name];
          const got: string = fields[j]!;
          const what: string = `${frame} row ${i + 1} ${name}`;
          if (want === null || want === undefined) assert.equal(got, "", what);
          else if (times.includes(name)) assert.equal(isoMicros(got), want, what);
          else if (typeof want === "number") assert.equal(Number(got), want, what);
          else assert.equal(got, String(want), what);
        }
      }
    }
    // 90 calls, 6 sessions, 231 events (traces/README.md); every call's tokens survive.
    const calls = parseCsv(readFileSync(join(dir, "calls.csv"), "utf8"));
    assert.equal(calls.length - 1, 90);
    const col = calls[0]!.indexOf("input_tokens");
    const csvTokens = calls.slice(1).reduce((n, r) => n + (r[col] ? Number(r[col]) : 0), 0);
    assert.equal(csvTokens, Number(t.calls.getColumn("input_tokens").sum()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("JSONL export: one object per row with every column, read back by JSON.parse", async () => {
  const t = await loadTraces(join(ROOT, "traces"));
  const dir = mkdtempSync(join(tmpdir(), "tracebook-jsonl-"));
  try {
    writeJsonlFiles(t, dir);
    for (const frame of FRAMES) {
      const text = readFileSync(join(dir, `${frame}.jsonl`), "utf8");
      const objects = text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
      const { times, rows: expected } = expectedRows(t, frame);
      assert.equal(objects.length, expected.length, frame);
      for (const [i, o] of objects.entries()) {
        assert.deepEqual(Object.keys(o), t[frame].columns, `${frame} row ${i + 1}`);
        for (const name of t[frame].columns) {
          const want = expected[i]![name];
          const got = times.includes(name) && o[name] !== null ? isoMicros(o[name]) : o[name];
          assert.deepEqual(got, want ?? null, `${frame} row ${i + 1} ${name}`);
        }
      }
    }
    const calls = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    // 83 ok, 6 errors, 1 pending (traces/README.md).
    const by = (s: string) => calls.filter((c) => c.status === s).length;
    assert.deepEqual([by("ok"), by("error"), by("pending")], [83, 6, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
