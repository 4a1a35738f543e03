/**
 * Hostile input, fuzz style: a fixed, seeded set of mutations of every real
 * fixture (../shared/fixtures/real/) goes through loadTraces. Whatever the
 * damage, loading either returns frames or throws a UserError of one sentence —
 * never another exception, never a hang — and for a file read as native every
 * non-blank line is an event or counted by an error diagnostic.
 *
 * Then the file-level cases: empty JSON, white space only, corrupt gzip, a
 * symbolic link loop, 10,000 nested arrays, 100,000 tiny objects, NUL bytes, a
 * name holding terminal escapes and a newline, and lines of non-JSON white space
 * in every JSON Lines format.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import { basename, join } from "node:path";
import pl from "nodejs-polars";
import { inTempDir, missing, seeded, SHARED } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { summarize } from "../../src/metrics/summary.ts";
import { UserError } from "../../src/log/mod.ts";
import type { TraceSet } from "../../src/frames/columns.ts";

const REAL = join(SHARED, "fixtures/real");
const skip = missing("../shared/fixtures/real/", existsSync(REAL));

/** Every real fixture file (not SOURCES.md). */
function fixtures(): string[] {
  if (skip) return [];
  const out: string[] = [];
  for (const dir of readdirSync(REAL).sort()) {
    const p = join(REAL, dir);
    if (!statSync(p).isDirectory()) continue;
    for (const f of readdirSync(p).sort()) if (/\.jsonl?$/.test(f)) out.push(join(p, f));
  }
  return out;
}

const TIME_KEY = /time|timestamp|^ts$|created|date/i;
const TOKEN_KEY = /token|^input$|^output$|prompt|completion/i;

/** `value` with `f(key, v)` replacing each member for which it returns something other than undefined. */
function walk(value: unknown, f: (k: string, v: unknown) => unknown, depth = 0): unknown {
  if (depth > 100) return value;
  if (Array.isArray(value)) return value.map((x) => walk(x, f, depth + 1));
  if (value && typeof value === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = f(k, v);
      o[k] = r === undefined ? walk(v, f, depth + 1) : r;
    }
    return o;
  }
  return value;
}

/** The top-level JSON values of a text of values one after the other (pretty-printed, concatenated). */
function topLevelValues(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0, inString = false, escaped = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth++ === 0) start = i;
    } else if ((c === "}" || c === "]") && --depth === 0) {
      out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

/** Mutate the values of a JSON Lines file line by line (the lines stay), else each value of the text. */
function mapValues(text: string, f: (k: string, v: unknown) => unknown): string {
  const lines = text.split("\n");
  try {
    return lines.map((l) => (l.trim() ? JSON.stringify(walk(JSON.parse(l), f)) : l)).join("\n");
  } catch {
    return topLevelValues(text).map((v) => JSON.stringify(walk(v, f), null, 2)).join("\n");
  }
}

const setTimes = (to: unknown) => (t: string) =>
  mapValues(
    t,
    (
      k,
      v,
    ) => (TIME_KEY.test(k) && (typeof v === "number" || typeof v === "string") ? to : undefined),
  );
const setTokens = (to: (v: number) => unknown) => (t: string) =>
  mapValues(t, (k, v) => (TOKEN_KEY.test(k) && typeof v === "number" ? to(v) : undefined));
const atLine = (t: string, r: () => number, insert: string) => {
  const lines = t.split("\n");
  lines.splice(Math.floor(r() * lines.length), 0, insert);
  return lines.join("\n");
};

/** The mutations, each a function of the text and a seeded random number source. */
const MUTATIONS: [string, (text: string, r: () => number) => string][] = [
  ["truncated mid-object", (t, r) => t.slice(0, Math.floor(t.length * (0.2 + 0.6 * r())))],
  [
    "the start cut off (tail -c)",
    (t, r) => t.slice(1 + Math.floor(r() * Math.min(200, t.length - 1))),
  ],
  ["a banner line first", (t) => "Starting the exporter (v1.2)...\n" + t],
  ["a closing brace deleted", (t, r) => {
    const at: number[] = [];
    for (let i = t.indexOf("}"); i >= 0; i = t.indexOf("}", i + 1)) at.push(i);
    const k = at[Math.floor(r() * at.length)] ?? 0;
    return t.slice(0, k) + t.slice(k + 1);
  }],
  ["garbage lines inserted", (t, r) => {
    const garbage = [
      "garbage ~~ not json",
      "{{{{",
      "]]",
      "null",
      "42",
      '"str"',
      '{"a":',
      "\u00a0",
      "\u2028",
      "\ufeff",
    ];
    for (let i = 0; i < 6; i++) t = atLine(t, r, garbage[Math.floor(r() * garbage.length)]!);
    return t;
  }],
  ["lines duplicated", (t, r) => {
    const lines = t.split("\n");
    for (let i = 0; i < 5; i++) {
      const k = Math.floor(r() * lines.length);
      lines.splice(k, 0, lines[k]!);
    }
    return lines.join("\n");
  }],
  ["times 0", setTimes(0)],
  ["times negative", setTimes(-1)],
  ["times 1e20", setTimes(1e20)],
  ["times 0001-01-01T00:00:00Z", setTimes("0001-01-01T00:00:00Z")],
  ["times in year 10000", setTimes("+010000-01-01T00:00:00Z")],
  ["times not times", setTimes("yesterday")],
  ["tokens as strings", setTokens((v) => String(v))],
  ["tokens negative", setTokens(() => -7)],
  ["tokens 2^60", setTokens(() => 2 ** 60)],
  ["tokens objects", setTokens(() => ({ n: [1] }))],
  ["every scalar null", (t) => mapValues(t, (_k, v) => (typeof v !== "object" ? null : undefined))],
  [
    "10,000 nested arrays on a line",
    (t, r) => atLine(t, r, "[".repeat(10_000) + "]".repeat(10_000)),
  ],
  ["BOM and CRLF", (t) => "\ufeff" + t.replace(/\n/g, "\r\n")],
  ["NUL bytes inside", (t, r) => {
    const k = Math.floor(r() * t.length);
    return t.slice(0, k) + "\0\0\0" + t.slice(k);
  }],
  ["a line of NUL bytes", (t, r) => atLine(t, r, "\0\0\0\0")],
  [
    "model names with terminal escapes",
    (t) =>
      mapValues(
        t,
        (k, v) => (/model/i.test(k) && typeof v === "string"
          ? `${v}\u001b]0;x\u0007\u0000\ufffe`
          : undefined),
      ),
  ],
];

/** Non-blank lines as the native reader counts them: only JSON white space is blank. */
function nonBlankLines(text: string): number {
  return text.replace(/^\ufeff/, "").split("\n").filter((l) => !/^[ \t\r]*$/.test(l)).length;
}

function errorCount(t: TraceSet): number {
  const errors = t.diagnostics.filter(pl.col("severity").eq(pl.lit("error")));
  return errors.height ? Number(errors.getColumn("count").sum()) : 0;
}

/** Load, and accept only frames or a UserError of one sentence. */
async function loadOrUserError(path: string, what: string): Promise<TraceSet | UserError> {
  try {
    return await loadTraces(path, { cache: false });
  } catch (e) {
    assert.ok(e instanceof UserError, `${what}: not a UserError: ${(e as Error)?.stack ?? e}`);
    assert.doesNotMatch(e.message, /\n/, `${what}: more than one line: ${e.message}`);
    assert.match(e.message, /^[^\n]{10,600}\.$/, `${what}: not one sentence: ${e.message}`);
    return e;
  }
}

for (const fixture of fixtures()) {
  const name = `${basename(join(fixture, ".."))}/${basename(fixture)}`;
  Deno.test(`hostile: seeded mutations of ${name} load or fail with one sentence; native files account for every line`, async () => {
    const text = readFileSync(fixture, "utf8");
    const dir = Deno.makeTempDirSync({ prefix: "tracebook-hostile-" });
    try {
      for (const [i, [mutation, mutate]] of MUTATIONS.entries()) {
        const mutated = mutate(text, seeded(1000 + i));
        const path = join(dir, `${i}-${basename(fixture)}`);
        writeFileSync(path, mutated);
        const what = `${name}, ${mutation}`;
        const t = await loadOrUserError(path, what);
        if (t instanceof UserError) continue;
        if (t.formats?.[path] === "native") {
          assert.equal(
            t.events.height + errorCount(t),
            nonBlankLines(mutated),
            `${what}: events + errors != lines`,
          );
        }
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

for (const fixture of fixtures()) {
  // a JSON Lines file of several lines: one value per line
  const lines = readFileSync(fixture, "utf8").split("\n").filter((l) => l.trim());
  if (lines.length < 2 || !lines.every((l) => l.startsWith("{") && l.endsWith("}"))) continue;
  const name = `${basename(join(fixture, ".."))}/${basename(fixture)}`;
  Deno.test(`hostile: in ${name}, a line of NBSP, of U+2028 and of a stray BOM are three bad lines, not blank ones`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tracebook-hostile-" });
    try {
      const path = join(dir, basename(fixture));
      const text = readFileSync(fixture, "utf8").split("\n");
      text.splice(1, 0, "\u00a0", "\u2028", "\ufeff");
      writeFileSync(path, text.join("\n"));
      const before = await loadTraces(fixture, { cache: false });
      const after = await loadTraces(path, { cache: false });
      // the three inserted lines are lines 2, 3 and 4: one error each, the rest unchanged
      assert.equal(errorCount(after), errorCount(before) + 3);
      const lineNumbers = after.diagnostics.filter(pl.col("severity").eq(pl.lit("error")))
        .getColumn("line").toArray().map(Number).filter((l) => l >= 2 && l <= 4);
      assert.deepEqual(lineNumbers, [2, 3, 4]);
      assert.equal(after.calls.height, before.calls.height);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

for (const fixture of fixtures()) {
  const name = `${basename(join(fixture, ".."))}/${basename(fixture)}`;
  Deno.test(`hostile: ${name} after a banner line and a cut-off line still loads as its format, the two lines reported`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tracebook-hostile-" });
    try {
      const path = join(dir, basename(fixture));
      writeFileSync(
        path,
        'Starting the exporter (v1.2)...\n"cut": "off"}, "x": 1}\n' + readFileSync(fixture, "utf8"),
      );
      const before = await loadTraces(fixture, { cache: false });
      const after = await loadTraces(path, { cache: false });
      assert.equal(after.formats?.[path], before.formats?.[fixture]);
      assert.equal(after.calls.height, before.calls.height);
      const lines = after.diagnostics.getColumn("line").toArray().map(Number);
      assert.ok(lines.includes(1), "line 1 reported");
      // console captures (OpenTelemetry Python, JS, Go) say "other output" once, as a warning; the rest: one error per line
      if (!/^otel_(python|js|go)$/.test(String(after.formats?.[path]))) {
        assert.equal(errorCount(after), errorCount(before) + 2);
        assert.ok(lines.includes(2), "line 2 reported");
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

for (const fixture of fixtures()) {
  const name = `${basename(join(fixture, ".."))}/${basename(fixture)}`;
  Deno.test(`hostile: ${name} opened by a BOM loads the same calls, events and diagnostics`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tracebook-hostile-" });
    try {
      // the same path both times: formats whose session is the file name it
      const path = join(dir, basename(fixture));
      const text = readFileSync(fixture, "utf8").replace(/^\ufeff/, "");
      writeFileSync(path, text);
      const before = await loadTraces(path, { cache: false });
      writeFileSync(path, "\ufeff" + text);
      const after = await loadTraces(path, { cache: false });
      assert.equal(after.formats?.[path], before.formats?.[path]);
      const rows = (df: pl.DataFrame) => df.toRecords();
      assert.ok(before.calls.height > 0 || before.events.height > 0, "the fixture loads");
      assert.deepEqual(rows(after.calls), rows(before.calls));
      assert.deepEqual(rows(after.events), rows(before.events));
      assert.deepEqual(rows(after.diagnostics), rows(before.diagnostics));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

const inTemp = (fn: (dir: string) => Promise<void> | void) => inTempDir("hostile", fn);

const GOOD_BATCH_LINE = JSON.stringify({
  id: "batch_req_1",
  custom_id: "r1",
  response: {
    status_code: 200,
    body: {
      model: "gpt-4o-mini",
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    },
  },
  error: null,
}) + "\n";

for (
  const [label, content] of [
    ["an empty JSON array", "[]"],
    ["an empty JSON object", "{}"],
    ["10,000 nested arrays", "[".repeat(10_000) + "]".repeat(10_000)],
    ["an object nested 100,000 deep", '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000) + "\n"],
    [
      "100,000 tiny objects in an array",
      JSON.stringify(Array.from({ length: 100_000 }, (_, i) => ({ a: i }))),
    ],
    ["only NUL bytes", "\0".repeat(1000)],
  ] as const
) {
  Deno.test(
    `hostile: a named file of ${label} is one sentence naming it (exit 1), not a crash or an empty report`,
    inTemp(async (dir) => {
      const path = join(dir, "x.json");
      writeFileSync(path, content);
      const e = await loadOrUserError(path, label);
      assert.ok(e instanceof UserError, `${label} loaded`);
      assert.equal(e.exitCode, 1);
      assert.ok(e.message.startsWith(`${path} is not a trace file`), e.message);
    }),
  );
}

Deno.test(
  "hostile: a named corrupt gzip file is one sentence naming it",
  inTemp(async (dir) => {
    const path = join(dir, "x.jsonl.gz");
    writeFileSync(path, "this is not gzip");
    const e = await loadOrUserError(path, "corrupt gzip");
    assert.ok(e instanceof UserError && e.message.includes(path), String(e));
  }),
);

Deno.test(
  "hostile: a symbolic link loop in a folder ends, each file loaded once",
  inTemp(async (dir) => {
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "a.jsonl"), GOOD_BATCH_LINE);
    symlinkSync("..", join(dir, "sub", "up"));
    symlinkSync(".", join(dir, "self"));
    const t = await loadTraces(dir, { cache: false });
    assert.equal(t.files.length, 1);
    assert.equal(t.calls.height, 1);
  }),
);

Deno.test(
  "hostile: a file name with terminal escapes and a newline loads under that name",
  inTemp(async (dir) => {
    const name = join(dir, "evil\u001b]0;pwned\u0007\nname\u001b[2J.jsonl");
    writeFileSync(name, GOOD_BATCH_LINE + "garbage\n");
    const t = await loadTraces(dir, { cache: false });
    assert.equal(t.calls.height, 1);
    const d = t.diagnostics.toRecords();
    assert.equal(d.length, 1);
    assert.equal(d[0]!.file, name);
    assert.equal(d[0]!.line, 2);
  }),
);

Deno.test(
  "hostile: in a folder, a file that is not gzip is one unreadable warning, one cut off one truncated_gzip warning; the other files load",
  inTemp(async (dir) => {
    writeFileSync(join(dir, "a.jsonl"), GOOD_BATCH_LINE);
    // a gzip stream cut after 20 bytes: a valid header, then nothing
    writeFileSync(join(dir, "b.jsonl.gz"), gzipSync(GOOD_BATCH_LINE.repeat(50)).subarray(0, 20));
    writeFileSync(join(dir, "c.json.gz"), "not gzip at all");
    const t = await loadTraces(dir, { cache: false });
    assert.equal(t.calls.height, 1);
    const d = t.diagnostics.toRecords().map((r) => [r.file, r.code, r.severity]);
    assert.deepEqual(d, [
      [join(dir, "b.jsonl.gz"), "truncated_gzip", "warning"], // cut before any data: read as empty
      [join(dir, "c.json.gz"), "unreadable", "warning"],
    ]);
  }),
);

Deno.test(
  "hostile: a batch time of 1e20 seconds (past any date) is no time with one warning, and the summary runs",
  inTemp(async (dir) => {
    const path = join(dir, "batch.jsonl");
    const line = (id: string, created: number) =>
      JSON.stringify({
        id: `batch_req_${id}`,
        custom_id: id,
        response: {
          status_code: 200,
          body: {
            model: "gpt-4o-mini",
            created,
            usage: { prompt_tokens: 3, completion_tokens: 4 },
          },
        },
        error: null,
      });
    writeFileSync(
      path,
      [line("a", 1e20), line("b", 1e20), line("c", 1_700_000_000)].join("\n") + "\n",
    );
    const t = await loadTraces(path, { cache: false });
    // 1e20 s is 1e26 µs, past year 9999 (2.5e17 µs): lines 1 and 2 lose their times, line 3 keeps 2023-11-14T22:13:20Z
    const starts = t.calls.getColumn("started_at").toArray().map((
      d,
    ) => (d === null ? null : (d as unknown as Date).toISOString()));
    assert.deepEqual(starts, [null, null, "2023-11-14T22:13:20.000Z"]);
    const d = t.diagnostics.toRecords();
    assert.deepEqual(d.map((r) => [r.code, r.severity, r.line]), [[
      "time_out_of_range",
      "warning",
      1,
    ]]);
    assert.match(
      String(d[0]!.message),
      /^2 records hold a time out of the range of a date \(years 0001 to 9999; lines 1 to 2\)/,
    );
    const s = summarize(t);
    assert.equal(s.calls.total, 3);
  }),
);

for (const fixture of fixtures()) {
  const lines = readFileSync(fixture, "utf8").split("\n").filter((l) => l.trim());
  if (lines.length < 2 || !lines.every((l) => l.startsWith("{") && l.endsWith("}"))) continue;
  const name = `${basename(join(fixture, ".."))}/${basename(fixture)}`;
  Deno.test(`hostile: ${name} with 250 garbage lines appended: 250 more bad lines counted, at most 101 rows kept`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tracebook-hostile-" });
    try {
      const path = join(dir, basename(fixture));
      const text = readFileSync(fixture, "utf8");
      writeFileSync(path, text + (text.endsWith("\n") ? "" : "\n") + "x\n".repeat(250));
      const before = await loadTraces(fixture, { cache: false });
      const after = await loadTraces(path, { cache: false });
      assert.equal(errorCount(after), errorCount(before) + 250);
      assert.equal(after.calls.height, before.calls.height);
      // 100 listed one by one, then one row counting the other 150
      const rows = after.diagnostics.filter(pl.col("severity").eq(pl.lit("error"))).height;
      assert.ok(rows <= errorCount(before) + 101, `${rows} rows`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

for (const fixture of fixtures()) {
  const lines = readFileSync(fixture, "utf8").split("\n").filter((l) => l.trim());
  if (lines.length < 2 || !lines.every((l) => l.startsWith("{") && l.endsWith("}"))) continue;
  const name = `${basename(join(fixture, ".."))}/${basename(fixture)}`;
  Deno.test(`hostile: ${name} gathered into one JSON array (jq -s) loads the same calls, or is one sentence; never fewer calls`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tracebook-hostile-" });
    try {
      const path = join(dir, basename(fixture));
      writeFileSync(path, "[\n" + lines.join(",\n") + "\n]\n");
      const before = await loadTraces(fixture, { cache: false });
      const after = await loadOrUserError(path, name);
      if (after instanceof UserError) return;
      assert.equal(after.calls.height, before.calls.height);
      assert.equal(errorCount(after), errorCount(before));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test(
  "hostile: a gzip file cut off mid-stream loads the lines before the cut, with one truncated_gzip warning",
  inTemp(async (dir) => {
    const path = join(dir, "batch.jsonl.gz");
    const lines = Array.from({ length: 50 }, (_, i) => GOOD_BATCH_LINE.replace('"r1"', `"r${i}"`))
      .join("");
    const gz = gzipSync(lines);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    writeFileSync(path, cut);
    // independently: what zlib gives of the cut stream, and its complete lines
    const prefix = new TextDecoder().decode(
      gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH }),
    );
    const complete = prefix.split("\n").length - 1;
    assert.ok(complete > 0 && complete < 50, `${complete} lines`);
    const t = await loadTraces(path, { cache: false });
    assert.equal(t.calls.height, complete);
    const d = t.diagnostics.toRecords().map((r) => [r.code, r.severity]);
    assert.deepEqual(d[0], ["truncated_gzip", "warning"]);
    // the line cut in the middle is one bad line (unless the cut fell on a line end)
    assert.equal(d.length, prefix.endsWith("\n") ? 1 : 2);
  }),
);

Deno.test(
  "hostile: a named JSON document cut off before its first object ends says so in its one sentence",
  inTemp(async (dir) => {
    const path = join(dir, "export.json");
    writeFileSync(
      path,
      '{"data": [{"id": "t1", "observations": [{"type": "GENERATION", "model": "gpt-4o"',
    );
    const e = await loadOrUserError(path, "cut-off document");
    assert.ok(e instanceof UserError);
    assert.ok(
      e.message.startsWith(
        `${path} is not a trace file tracebook can read (it starts as JSON but is cut off or malformed);`,
      ),
      e.message,
    );
  }),
);
