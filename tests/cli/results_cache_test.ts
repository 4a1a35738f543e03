/**
 * The results cache of `analyze` and `report` (src/cli/results_cache.ts): a
 * replay writes byte for byte what a fresh `--no-cache` run writes at the same
 * time; an edited input, another option or another prices file is another entry;
 * a corrupt entry is rebuilt; entries are renamed into place.
 */
import assert from "node:assert/strict";
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnalyzeOptions, runAnalyze } from "../../src/cli/commands/analyze.ts";
import { type ReportOptions, runReport } from "../../src/cli/commands/report.ts";
import {
  fillTimeTemplate,
  MAX_RESULTS_ENTRIES,
  pruneResults,
  readResults,
  resultsKey,
  timeTemplate,
  writeResults,
} from "../../src/cli/results_cache.ts";
import { ROOT } from "../_helpers.ts";
import {
  ANALYZE_FILES,
  NOW,
  readOutputs as read,
  REPORT_FILES,
  resultFiles as entries,
  scratch,
} from "./_results.ts";

async function analyze(
  out: string,
  inputs: string[],
  options: Partial<AnalyzeOptions> & { cacheDir?: string; cache?: boolean },
): Promise<Record<string, Uint8Array>> {
  await runAnalyze(inputs, { outputDir: out, prefix: "t", quiet: true, now: NOW, ...options });
  return read(out, ANALYZE_FILES, `${options.prefix ?? "t"}_`);
}

async function report(
  out: string,
  inputs: string[],
  options: Partial<ReportOptions> & { cacheDir?: string; cache?: boolean },
): Promise<Record<string, Uint8Array>> {
  await runReport(inputs, { outputDir: out, quiet: true, now: NOW, ...options });
  return read(out, REPORT_FILES);
}

Deno.test("analyze: a replay writes the files of a fresh --no-cache run, byte for byte", async () => {
  const s = scratch();
  try {
    const first = await analyze(join(s.dir, "a1"), [s.traces], { cacheDir: s.cache });
    assert.equal(entries(s.cache).length, 1);
    const second = await analyze(join(s.dir, "a2"), [s.traces], { cacheDir: s.cache });
    const fresh = await analyze(join(s.dir, "a3"), [s.traces], { cache: false });
    assert.deepEqual(second, fresh);
    assert.deepEqual(first, fresh);
    assert.equal(entries(s.cache).length, 1);
    // the time of the run is the replay's, not the stored run's
    const later = new Date("2027-01-01T00:00:00.000Z");
    await runAnalyze([s.traces], {
      outputDir: join(s.dir, "a4"),
      prefix: "t",
      quiet: true,
      now: later,
      cacheDir: s.cache,
    });
    const json = JSON.parse(readFileSync(join(s.dir, "a4", "t_summary.json"), "utf8"));
    assert.equal(json.generated_at, "2027-01-01T00:00:00.000Z");
    const html = readFileSync(join(s.dir, "a4", "t_report.html"), "utf8");
    assert.ok(html.includes(">2027-01-01 00:00:00 UTC</time>"));
    assert.ok(!html.includes("2026-03-04"));
  } finally {
    s.done();
  }
});

Deno.test("analyze: the second run reads the stored entry (a changed entry shows)", async () => {
  const s = scratch();
  try {
    await analyze(join(s.dir, "a1"), [s.traces], { cacheDir: s.cache });
    const [name] = entries(s.cache);
    const path = join(s.cache, "results", name!);
    // the payload's JSON comes last in the entry; the report's copy of the count is before it
    const bytes = readFileSync(path, "latin1");
    const at = bytes.lastIndexOf('"request_count":90,');
    assert.ok(at > bytes.lastIndexOf("</html>"));
    writeFileSync(
      path,
      bytes.slice(0, at) + '"request_count":12345,' + bytes.slice(at + 19),
      "latin1",
    );
    await analyze(join(s.dir, "a2"), [s.traces], { cacheDir: s.cache });
    const json = JSON.parse(readFileSync(join(s.dir, "a2", "t_summary.json"), "utf8"));
    assert.equal(json.request_count, 12345);
  } finally {
    s.done();
  }
});

Deno.test("analyze: an edited input, another option or prices file is another entry", async () => {
  const s = scratch();
  try {
    const cached = (out: string, o: Partial<AnalyzeOptions> = {}) =>
      analyze(join(s.dir, out), [s.traces], { cacheDir: s.cache, ...o });
    const fresh = (out: string, o: Partial<AnalyzeOptions> = {}) =>
      analyze(join(s.dir, out), [s.traces], { cache: false, ...o });
    await cached("base");
    assert.equal(entries(s.cache).length, 1);

    // another prefix: the report's title names it
    const prefixed = await cached("p1", { prefix: "other" });
    assert.deepEqual(prefixed, await fresh("p2", { prefix: "other" }));
    assert.equal(entries(s.cache).length, 2);

    // a prices file: its contents are the key, not its name
    const prices = join(s.dir, "prices.json");
    writeFileSync(prices, '{"gpt-4o": {"input": 1, "output": 2}}');
    const cheap = await cached("c1", { prices });
    assert.deepEqual(cheap, await fresh("c2", { prices }));
    writeFileSync(prices, '{"gpt-4o": {"input": 100, "output": 200}}');
    const dear = await cached("d1", { prices });
    assert.deepEqual(dear, await fresh("d2", { prices }));
    assert.notDeepEqual(dear["summary.json"], cheap["summary.json"]);
    assert.equal(entries(s.cache).length, 4);

    // an appended request: 90 llm_request lines in traces/ (grep -c), one more
    const file = join(s.traces, "trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl");
    appendFileSync(
      file,
      JSON.stringify({
        type: "llm_request",
        timestamp: "2025-04-08T09:30:00.000000",
        session_id: "0a4b9416-8efa-4c9c-b16f-f9c082ac69da",
        data: { request_id: "appended-1", model: "gpt-4o", messages: [] },
      }) + "\n",
    );
    const appended = await cached("e1");
    assert.deepEqual(appended, await fresh("e2"));
    const json = JSON.parse(new TextDecoder().decode(appended["summary.json"]));
    assert.equal(json.request_count, 91);
    assert.equal(entries(s.cache).length, 5);
  } finally {
    s.done();
  }
});

Deno.test("analyze: a corrupt or partial entry is a miss, and is written again", async () => {
  const s = scratch();
  try {
    const first = await analyze(join(s.dir, "a1"), [s.traces], { cacheDir: s.cache });
    const [name] = entries(s.cache);
    const path = join(s.cache, "results", name!);
    const whole = readFileSync(path);
    const cuts = [whole.length - 1, whole.length >> 1, 8, 3, 0].map((n) => whole.subarray(0, n));
    for (const bad of [...cuts, new TextEncoder().encode("not an entry")]) {
      writeFileSync(path, bad);
      assert.deepEqual(await analyze(join(s.dir, "a2"), [s.traces], { cacheDir: s.cache }), first);
      assert.deepEqual(readFileSync(path), whole);
    }
  } finally {
    s.done();
  }
});

Deno.test("analyze: two runs writing one entry at once leave one whole entry, no temporary file", async () => {
  const s = scratch();
  try {
    const [a, b] = await Promise.all([
      analyze(join(s.dir, "a1"), [s.traces], { cacheDir: s.cache }),
      analyze(join(s.dir, "a2"), [s.traces], { cacheDir: s.cache }),
    ]);
    assert.deepEqual(a, b);
    const names = entries(s.cache);
    assert.equal(names.length, 1);
    assert.match(names[0]!, /^[0-9a-f]{64}\.tbr$/);
    assert.deepEqual(await analyze(join(s.dir, "a3"), [s.traces], { cacheDir: s.cache }), a);
  } finally {
    s.done();
  }
});

Deno.test("report: a replay writes the files of a fresh --no-cache run; options are keys", async () => {
  const s = scratch();
  try {
    const options = { groupBy: "model", title: "T <1>" };
    await report(join(s.dir, "r1"), [s.traces], { cacheDir: s.cache, ...options });
    assert.equal(entries(s.cache).length, 1);
    const second = await report(join(s.dir, "r2"), [s.traces], { cacheDir: s.cache, ...options });
    const fresh = await report(join(s.dir, "r3"), [s.traces], { cache: false, ...options });
    assert.deepEqual(second, fresh);
    assert.equal(entries(s.cache).length, 1);
    const limited = await report(join(s.dir, "r4"), [s.traces], {
      cacheDir: s.cache,
      ...options,
      callsLimit: 3,
    });
    assert.deepEqual(
      limited,
      await report(join(s.dir, "r5"), [s.traces], { cache: false, ...options, callsLimit: 3 }),
    );
    assert.equal(entries(s.cache).length, 2);
    const md = new TextDecoder().decode(second["report.md"]);
    assert.ok(md.startsWith("## T &lt;1&gt;\n"), md.slice(0, 40)); // the title, escaped
  } finally {
    s.done();
  }
});

Deno.test("timeTemplate(): holes at the time's forms; null when a form is not the time", () => {
  const now = new Date("2026-03-04T05:06:07.089Z");
  const render = (d: Date) => {
    const iso = d.toISOString();
    return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
  };
  const t = timeTemplate(render(now), now, render)!;
  assert.deepEqual(t.holes, ["iso", "seconds"]);
  assert.deepEqual(t.parts, ['<time datetime="', '">', " UTC</time>"]);
  assert.equal(
    fillTimeTemplate(t, "2030-12-31T23:59:58.000Z"),
    '<time datetime="2030-12-31T23:59:58.000Z">2030-12-31 23:59:58 UTC</time>',
  );
  // a call that started in the second of the run reads as the time, but is not it
  const withCall = (d: Date) => `${render(d)} call at 2026-03-04 05:06:07`;
  assert.equal(timeTemplate(withCall(now), now, withCall), null);
  // a text without the time is its own template
  assert.deepEqual(timeTemplate("x", now, () => "x"), { parts: ["x"], holes: [] });
});

Deno.test("writeResults() keeps the newest entries and drops temporary files over an hour old", async () => {
  const s = scratch();
  try {
    const key = async (n: number) =>
      (await resultsKey("analyze", { inputs: [s.traces], values: { n }, cache: s.cache }))!;
    const now = Date.now() / 1000;
    const first = [];
    for (let n = 0; n < MAX_RESULTS_ENTRIES; n++) {
      const entry = await key(n);
      await writeResults(entry, { n });
      first.push(entry);
    }
    // entry n written 100 - n seconds ago: entry 0 is the oldest
    first.forEach((e, n) => {
      const path = join(e.dir, `${e.key}.tbr`);
      utimesSync(path, now - 100 + n, now - 100 + n);
    });
    const stale = join(s.cache, "results", "x.tbr.1.tmp");
    const fresh = join(s.cache, "results", "x.tbr.2.tmp");
    writeFileSync(stale, "");
    writeFileSync(fresh, "");
    utimesSync(stale, now - 7200, now - 7200);
    const last = await key(MAX_RESULTS_ENTRIES);
    await writeResults(last, { n: MAX_RESULTS_ENTRIES });
    assert.equal(readResults(first[0]!), null);
    assert.deepEqual(readResults(first[1]!), { n: 1 });
    assert.deepEqual(readResults(last), { n: MAX_RESULTS_ENTRIES });
    assert.equal(entries(s.cache).length, MAX_RESULTS_ENTRIES);
    assert.deepEqual(entries(s.cache, ".tmp"), ["x.tbr.2.tmp"]);
  } finally {
    s.done();
  }
});

Deno.test("writeResults() stores nothing when an input changed after the key was made", async () => {
  const s = scratch();
  try {
    const entry =
      (await resultsKey("analyze", { inputs: [s.traces], values: {}, cache: s.cache }))!;
    appendFileSync(join(s.traces, "trace_0a4b9416-8efa-4c9c-b16f-f9c082ac69da.jsonl"), "\n");
    await writeResults(entry, { stale: true });
    assert.equal(readResults(entry), null);
    assert.deepEqual(entries(s.cache), []);
  } finally {
    s.done();
  }
});

Deno.test("readResults() gives back what writeResults() stored: long strings, bytes, numbers", async () => {
  const s = scratch();
  try {
    const entry =
      (await resultsKey("analyze", { inputs: [s.traces], values: { n: 1 }, cache: s.cache }))!;
    const long = 'é<"\n'.repeat(5000); // 20,000 characters: stored after the JSON
    const payload = {
      a: [long, new Uint8Array([0, 255, 10]), "short"],
      n: 1.5,
      nested: { long, empty: "" },
    };
    // a Buffer (it has a toJSON) is stored as bytes all the same, and read as a Uint8Array
    await writeResults(entry, { ...payload, buffer: Buffer.from([7, 8]) });
    assert.deepEqual(readResults(entry), { ...payload, buffer: new Uint8Array([7, 8]) });
    // a payload with a key that would read as a blob is not stored
    const other =
      (await resultsKey("analyze", { inputs: [s.traces], values: { n: 2 }, cache: s.cache }))!;
    await writeResults(other, { x: { "\u0000blob": 0 } });
    assert.equal(readResults(other), null);
    assert.equal(entries(s.cache).length, 1);
  } finally {
    s.done();
  }
});

Deno.test("the CLI: --cache-dir keeps the results there, --no-cache writes none", async () => {
  const s = scratch();
  try {
    const cli = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(ROOT, "src/cli/main.ts"), "analyze", "-q", ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const cached = await cli("-o", join(s.dir, "a1"), "--cache-dir", s.cache, s.traces);
    assert.equal(cached.code, 0, new TextDecoder().decode(cached.stderr));
    assert.equal(entries(s.cache).length, 1);
    const other = join(s.dir, "other-cache");
    const bypassed = await cli(
      "-o",
      join(s.dir, "a2"),
      "--no-cache",
      "--cache-dir",
      other,
      s.traces,
    );
    assert.equal(bypassed.code, 0, new TextDecoder().decode(bypassed.stderr));
    assert.deepEqual(entries(other), []);
    // the two runs differ only in the time of the run
    const a = read(join(s.dir, "a1"), ANALYZE_FILES, "trace_analysis_");
    const b = read(join(s.dir, "a2"), ANALYZE_FILES, "trace_analysis_");
    for (const name of ["response_times.svg", "response_times.png", "models_used.png"]) {
      assert.deepEqual(a[name], b[name], name);
    }
  } finally {
    s.done();
  }
});

Deno.test("resultsKey: another time zone or locale in the environment is another entry; another variable is not", async () => {
  const cache = mkdtempSync(join(tmpdir(), "tb-results-zone-"));
  const saved = Object.fromEntries(
    ["TZ", "LANG", "LC_ALL", "TRACEBOOK_UNRELATED"].map((k) => [k, Deno.env.get(k)]),
  );
  const key = async () => (await resultsKey("analyze", { inputs: ["traces/"], cache }))!.key;
  try {
    Deno.env.set("TZ", "UTC");
    Deno.env.set("LANG", "C.UTF-8");
    const base = await key();
    Deno.env.set("TRACEBOOK_UNRELATED", "1");
    assert.equal(await key(), base);
    Deno.env.set("TZ", "America/New_York");
    const zone = await key();
    assert.notEqual(zone, base);
    Deno.env.set("TZ", "UTC");
    assert.equal(await key(), base);
    Deno.env.set("LC_ALL", "de_DE.UTF-8");
    assert.notEqual(await key(), base);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    rmSync(cache, { recursive: true, force: true });
  }
});

Deno.test("files named one by one (no folder): a replay writes the fresh run's files; an edit of one is another entry", async () => {
  const s = scratch();
  try {
    const files = readdirSync(s.traces).sort().slice(0, 2).map((n) => join(s.traces, n));
    const first = await analyze(join(s.dir, "a1"), files, { cacheDir: s.cache });
    assert.equal(entries(s.cache).length, 1);
    const second = await analyze(join(s.dir, "a2"), files, { cacheDir: s.cache });
    assert.equal(entries(s.cache).length, 1); // replayed, nothing written
    const fresh = await analyze(join(s.dir, "a3"), files, { cache: false });
    assert.deepEqual(second, fresh);
    assert.deepEqual(first, fresh);
    const r1 = await report(join(s.dir, "r1"), files, { cacheDir: s.cache });
    const r2 = await report(join(s.dir, "r2"), files, { cacheDir: s.cache });
    assert.equal(entries(s.cache).length, 2);
    assert.deepEqual(r2, await report(join(s.dir, "r3"), files, { cache: false }));
    assert.deepEqual(r1, r2);
    // the same bytes, a new modification time: another entry
    const key = async () => (await resultsKey("analyze", { inputs: files, cache: s.cache }))!.key;
    const before = await key();
    utimesSync(files[0]!, new Date("2030-01-01T00:00:00Z"), new Date("2030-01-01T00:00:00Z"));
    assert.notEqual(await key(), before);
    // a file and a folder holding it are keyed apart, and a missing file is no key
    const inFolder = await resultsKey("analyze", { inputs: [s.traces], cache: s.cache });
    assert.notEqual(inFolder!.key, await key());
    assert.equal(
      await resultsKey("analyze", { inputs: [join(s.dir, "gone.jsonl")], cache: s.cache }),
      null,
    );
  } finally {
    s.done();
  }
});

Deno.test("sourceVersion(): an edited source or template file (even at the same size) is another version", async () => {
  // A copy of src/ and templates/, whose results_cache.ts hashes the copy: one process per
  // version, since a process computes it once.
  const dir = mkdtempSync(join(tmpdir(), "tb-source-"));
  try {
    for (const part of ["src", "templates"]) {
      Deno.mkdirSync(join(dir, part));
      const copy = (from: string, to: string) => {
        for (const e of Deno.readDirSync(from)) {
          if (e.isDirectory) {
            Deno.mkdirSync(join(to, e.name));
            copy(join(from, e.name), join(to, e.name));
          } else copyFileSync(join(from, e.name), join(to, e.name));
        }
      };
      copy(join(ROOT, part), join(dir, part));
    }
    const version = async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `import { sourceVersion } from "${
            join(dir, "src/cli/results_cache.ts")
          }"; console.log(await sourceVersion());`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim();
    };
    const base = await version();
    assert.match(base, /^tbr1-[0-9a-f]{16}$/);
    assert.equal(await version(), base);
    // one letter of a CSS rule changed in place: the same size
    const css = join(dir, "templates/report.css");
    const text = readFileSync(css, "utf8");
    const i = text.indexOf("{");
    writeFileSync(css, text.slice(0, i - 1) + (text[i - 1] === "x" ? "y" : "x") + text.slice(i));
    assert.equal(readFileSync(css).length, Buffer.byteLength(text));
    const edited = await version();
    assert.notEqual(edited, base);
    // a line added to a module
    appendFileSync(join(dir, "src/metrics/summary.ts"), "\n// another line\n");
    const added = await version();
    assert.notEqual(added, edited);
    assert.notEqual(added, base);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("pruneResults() keeps the newest argument records as it keeps entries, apart from them", () => {
  const dir = mkdtempSync(join(tmpdir(), "tb-prune-"));
  try {
    const now = Date.now() / 1000;
    // 40 records, record n written 100 - n seconds ago; 3 entries, older than all of them
    for (let n = 0; n < 40; n++) {
      writeFileSync(join(dir, `r${n}.argv`), "{}");
      utimesSync(join(dir, `r${n}.argv`), now - 100 + n, now - 100 + n);
    }
    for (let n = 0; n < 3; n++) {
      writeFileSync(join(dir, `e${n}.tbr`), "");
      utimesSync(join(dir, `e${n}.tbr`), now - 1000, now - 1000);
    }
    pruneResults(dir);
    const left = readdirSync(dir);
    // records 8..39 are the newest 32; the 3 entries are counted apart and all kept
    const expected = Array.from({ length: 32 }, (_, i) => `r${i + 8}.argv`);
    assert.deepEqual(left.filter((n) => n.endsWith(".argv")).sort(), expected.sort());
    assert.deepEqual(left.filter((n) => n.endsWith(".tbr")).sort(), ["e0.tbr", "e1.tbr", "e2.tbr"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
