/**
 * The benchmark of issue 13, all figures from one run: tracebook's `analyze`
 * cold and warm (the per-file cache), `report` and `loadTraces` warm, DuckDB's
 * `read_json` with the seed's aggregates on the same file, the seed's Python
 * analyzer as reconstructed from its specification (`_seed_analyzer.py`, where
 * /usr/bin/python3 has matplotlib) and the seed's Python
 * loop, 1,000 small files against one file of the same calls, an appended
 * file (a copy loaded once, then 1% more calls appended and loaded again),
 * `report --outputs` (the listed calls' texts read again) and `compare` of the
 * file against its copy.
 * Each command runs as its own process under `/usr/bin/time -v` (wall time and
 * peak RSS); the commands of the single file run three times and the median run
 * is reported (a cold `analyze` each time with an empty cache), and the inputs
 * are read through once first, so that every command, DuckDB's too, finds them
 * in the page cache. Prints, first, what the host charges for a page of memory the
 * process has not touched (`_page_cost.ts`: it moves every wall time here) and the time to
 * read the file from the page cache, then a Markdown table with the ratios.
 *
 * Usage: `deno run -A bench/vs_duckdb.ts [CALLS=200000]`; with `TRACEBOOK_BENCH_BIG=1`
 * also ten times the calls in 10 files (about 7.8 GB at 200,000 calls, written once to
 * `.bench/`): DuckDB and a cold and a warm `analyze` of them, and the peak RSS ratio.
 *
 * @module
 */
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { writeNativeTrace } from "./_gen_native.ts";
import { callsArg, type Run, run } from "./_run.ts";

const calls = callsArg(
  200_000,
  "Usage: deno run -A bench/vs_duckdb.ts [CALLS=200000] (TRACEBOOK_BENCH_BIG=1: also ten times the calls in 10 files)",
);
const root = new URL("../", import.meta.url).pathname;
const dir = join(root, ".bench", `vs-duckdb-${calls}`);
const file = join(dir, "trace.jsonl");
const cache = join(dir, "cache");
const cli = join(root, "src/cli/main.ts");
/**
 * The run of median wall time of `times` runs of `once` (each run after `before`): one run of a
 * command of a second or less moves by a third with the load of a shared machine.
 */
async function median(times: number, once: () => Promise<Run>, before?: () => void): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < times; i++) {
    before?.();
    runs.push(await once());
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return runs[Math.floor(times / 2)]!;
}

/** Read files through once, so that every command finds their bytes in the page cache. */
function pageIn(paths: string[]): void {
  const buf = new Uint8Array(16 << 20);
  for (const path of paths) {
    const fd = openSync(path, "r");
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0) { /* read on */ }
    } finally {
      closeSync(fd);
    }
  }
}

/** Runs of each command of the single file (their median is reported). */
const RUNS = 3;

const deno = (args: string[], env?: Record<string, string>) =>
  run(Deno.execPath(), ["run", "-A", ...args], env);
const analyze = (input: string, extra: string[] = []) =>
  deno([
    cli,
    "analyze",
    input,
    "--output-dir",
    join(dir, "out"),
    "--quiet",
    "--cache-dir",
    cache,
    ...extra,
  ]);

mkdirSync(dir, { recursive: true });
if (!existsSync(file)) await writeNativeTrace(file, calls);
const mb = statSync(file).size / 1e6;
rmSync(cache, { recursive: true, force: true });
pageIn([file]);
// the host's price of memory: wall times and ratios move with it from host to host
const pageCost = Number((await deno([join(root, "bench/_page_cost.ts")])).stdout.trim());
const readStart = performance.now();
pageIn([file]);
const readSeconds = (performance.now() - readStart) / 1000;

const rows: [string, Run][] = [];
const duck = await median(RUNS, () => deno([join(root, "bench/_duckdb_seed.ts"), file]));
rows.push(["DuckDB read_json + the seed's aggregates, percentiles, requests per model", duck]);
// Polars' own NDJSON reader, projected: an option for reading the native format, measured here
rows.push([
  "Polars scanJson, projected to the seed's fields (read only: no pairing, no metrics)",
  await median(RUNS, () => deno([join(root, "bench/_polars_ndjson.ts"), file])),
]);
// each cold run with an empty cache
const cold = await median(
  RUNS,
  () => analyze(file),
  () => rmSync(cache, { recursive: true, force: true }),
);
rows.push(["tracebook analyze, cold (summary, 2 seed figures, report)", cold]);
const warm = await median(RUNS, () => analyze(file));
rows.push(["tracebook analyze, warm (unchanged file, cache)", warm]);
const report = () =>
  deno([cli, "report", file, "--output-dir", join(dir, "out"), "--quiet", "--cache-dir", cache]);
rows.push(["tracebook report, first (frames from the cache, report computed)", await report()]);
rows.push([
  "tracebook report, warm (unchanged file: results cache)",
  await median(RUNS, report),
]);
// the texts of the calls the page lists, read again from the file (not every text loaded)
const outputs = await deno([
  cli,
  "report",
  file,
  "--outputs",
  "--output-dir",
  join(dir, "out-texts"),
  "--quiet",
  "--cache-dir",
  cache,
]);
rows.push([
  "tracebook report --outputs, first (frames from the cache, the listed calls' texts read)",
  outputs,
]);
const loadScript = join(dir, "load.ts");
writeFileSync(
  loadScript,
  `import { loadTraces } from ${JSON.stringify(join(root, "src/mod.ts"))};\nawait loadTraces(${
    JSON.stringify(file)
  }, { cache: ${JSON.stringify(cache)} });\n`,
);
const warmLoad = await median(RUNS, () => deno([loadScript]));
rows.push(["tracebook loadTraces, warm (a script importing src/mod.ts)", warmLoad]);
// the floor of any warm script: Deno, nodejs-polars imported alone and the calls frame read
// from a Parquet file (written here from the load), nothing of tracebook
const floorParquet = join(dir, "calls.parquet");
const floorScript = join(dir, "floor.ts");
writeFileSync(
  join(dir, "floor_write.ts"),
  `import { loadTraces } from ${JSON.stringify(join(root, "src/mod.ts"))};\n` +
    `(await loadTraces(${JSON.stringify(file)}, { cache: ${JSON.stringify(cache)} }))` +
    `.calls.writeParquet(${JSON.stringify(floorParquet)});\n`,
);
await deno([join(dir, "floor_write.ts")]);
writeFileSync(
  floorScript,
  `import pl from "npm:nodejs-polars@0.25.2";\n` +
    `if (pl.readParquet(${
      JSON.stringify(floorParquet)
    }).height !== ${calls}) throw new Error("calls");\n`,
);
const floor = await median(RUNS, () => deno([floorScript]));
rows.push([
  "the floor of a warm script: nodejs-polars imported alone, the calls read from Parquet",
  floor,
]);
// a notebook's reload: loadTraces again in a process that has loaded the file (and tracebook)
// once; the time of the second call, as the script measures it. Run again, a notebook cell
// `traces = await loadTraces(...)` still holds the last result: the load gives it back (copies)
// when nothing changed (\`_recent.ts\`). Once the caller has let it go and it is collected (a
// WeakRef's target lives to the end of the task that made it: one turn before collecting), the
// load reads the cache entry.
const reloadScript = join(dir, "reload.ts");
writeFileSync(
  reloadScript,
  `import { loadTraces } from ${JSON.stringify(join(root, "src/mod.ts"))};\n` +
    `import { collectGarbage } from ${JSON.stringify(join(root, "src/load/_memory.ts"))};\n` +
    `const load = () => loadTraces(${JSON.stringify(file)}, { cache: ${
      JSON.stringify(cache)
    } });\n` +
    `let traces = await load();\nlet t0 = performance.now();\ntraces = await load();\n` +
    `const held = (performance.now() - t0) / 1000;\n` +
    `traces = null as never;\nawait new Promise((r) => setTimeout(r, 0));\ncollectGarbage();\n` +
    `await new Promise((r) => setTimeout(r, 0));\n` +
    `t0 = performance.now();\ntraces = await load();\n` +
    `console.log(held, (performance.now() - t0) / 1000, traces.calls.height);\n`,
);
// each run prints both times: the median of each
const reloadRuns: Run[] = [];
for (let i = 0; i < RUNS; i++) reloadRuns.push(await deno([reloadScript]));
const reloads = [0, 1].map((k) => {
  const times = reloadRuns.map((r) => Number(r.stdout.trim().split(" ")[k])).sort((a, b) => a - b);
  return { seconds: times[Math.floor(RUNS / 2)]!, rssMb: null, stdout: "" } satisfies Run;
});
const reload = reloads[0]!, reloadCollected = reloads[1]!;
rows.push([
  "tracebook loadTraces again in the same process, the last result held (a notebook cell run again)",
  reload,
]);
rows.push([
  "tracebook loadTraces again in the same process, the last result collected (the cache entry read)",
  reloadCollected,
]);

// growth: a copy of the file is loaded once (its entry written), then N calls are appended
// (the calls after the file's) and it is loaded again: only the new bytes are read
const grownFile = join(dir, "grown.jsonl");
const appended = Math.max(100, Math.round(calls / 100));
copyFileSync(file, grownFile);
const grownScript = join(dir, "load_grown.ts");
writeFileSync(
  grownScript,
  `import { loadTraces } from ${JSON.stringify(join(root, "src/mod.ts"))};\nawait loadTraces(${
    JSON.stringify(grownFile)
  }, { cache: ${JSON.stringify(cache)} });\n`,
);
const grownCold = await deno([grownScript]);
rows.push(["tracebook loadTraces, cold (a script, writes the entry)", grownCold]);
// two runs compared (the file and its copy, both in the cache): pairing, bootstrap intervals,
// the page with the shown calls' prompts and outputs
const compared = await deno([
  cli,
  "compare",
  file,
  grownFile,
  "--output-dir",
  join(dir, "out-compare"),
  "--quiet",
  "--cache-dir",
  cache,
]);
rows.push([
  "tracebook compare, the file against its copy (both in the cache; 200,000 pairs, texts shown)",
  compared,
]);
const more = join(dir, "more.jsonl");
await writeNativeTrace(more, appended, calls); // the calls after the file's: their own ids and times
appendFileSync(grownFile, readFileSync(more));
const grown = await deno([grownScript]);
rows.push([
  `tracebook loadTraces after appending ${appended.toLocaleString("en")} calls to the cached file`,
  grown,
]);
rmSync(grownFile);
rmSync(more);
const seedLoop = join(root, "bench/_seed_loop.py");
let seed: Run | null = null;
if (existsSync("/usr/bin/python3")) {
  seed = await run("/usr/bin/python3", [seedLoop, file]);
  // the seed's analyze_traces.py is not in the seed we have: this is its counting loop only
  // (json.loads per line, counts, mean and stdev; no pandas, no figures, no files written)
  rows.push(["the seed's counting loop in Python (json.loads; no pandas, figures or files)", seed]);
}
// the seed's whole analyzer, reconstructed from its specification (`_seed_analyzer.py`: every
// event in a list, the loop, matplotlib's two PNGs, the summary): with matplotlib only
let seedAnalyzer: Run | null = null;
const hasMatplotlib = existsSync("/usr/bin/python3") &&
  (await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import matplotlib"],
    stdout: "null",
    stderr: "null",
  }).output()).success;
if (hasMatplotlib) {
  seedAnalyzer = await run("/usr/bin/python3", [
    join(root, "bench/_seed_analyzer.py"),
    file,
    join(dir, "out-seed"),
  ]);
  rows.push([
    "the seed's analyzer reconstructed in Python (events in a list, the loop, 2 matplotlib PNGs, the summary)",
    seedAnalyzer,
  ]);
}

// 1,000 small files (one session each, the first 1,000 sessions) holding the same calls as one file
const manyDir = join(dir, "many");
const oneFile = join(dir, "one.jsonl");
if (!existsSync(manyDir)) {
  mkdirSync(manyDir);
  // the sessions are in the first quarter of a big file (the whole file is too long for one string)
  const size = statSync(file).size;
  const head = new Uint8Array(Math.min(size, Math.ceil(size / 4) + (4 << 20)));
  const fd = openSync(file, "r");
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const lines = new TextDecoder().decode(head).split("\n");
  // split on session boundaries so that no session spans two files
  const sessions: string[][] = [];
  for (const l of lines) {
    if (l.includes('"session_start"') || sessions.length === 0) {
      if (sessions.length === 1000) break;
      sessions.push([]);
    }
    if (l) sessions.at(-1)!.push(l);
  }
  if (sessions.length > 1 && !sessions.at(-1)!.at(-1)!.includes('"session_end"')) sessions.pop(); // cut short
  for (const [i, lines] of sessions.entries()) {
    writeFileSync(join(manyDir, `t${String(i).padStart(4, "0")}.jsonl`), lines.join("\n") + "\n");
  }
  writeFileSync(oneFile, sessions.flat().join("\n") + "\n");
}
const manyFiles = readdirSync(manyDir).length;
/** loadTraces of `input` in a script of its own, with no cache or with the cache `cacheDir`. */
const loadOf = (input: string, cacheDir: string | false = false) => {
  const name = input.endsWith(".jsonl") ? "one" : "many";
  const s = join(dir, `load_${name}${cacheDir ? "_cached" : ""}.ts`);
  writeFileSync(
    s,
    `import { loadTraces } from ${JSON.stringify(join(root, "src/mod.ts"))};\nawait loadTraces(${
      JSON.stringify(input)
    }, { cache: ${JSON.stringify(cacheDir)} });\n`,
  );
  return deno([s]);
};
pageIn([oneFile, ...readdirSync(manyDir).map((f) => join(manyDir, f))]);
const one = await median(RUNS, () => loadOf(oneFile));
const many = await median(RUNS, () => loadOf(manyDir));
rows.push([
  `loadTraces, one file (the first ${manyFiles.toLocaleString("en")} sessions), no cache`,
  one,
]);
rows.push([
  `loadTraces, the same calls in ${manyFiles.toLocaleString("en")} files, no cache`,
  many,
]);
// the same with the cache: the first load (writing the entries, each run from an empty cache),
// then a load of the unchanged files
for (const [input, label] of [[oneFile, "one file"], [manyDir, `${manyFiles} files`]] as const) {
  const smallCache = join(dir, "cache-small");
  const clear = () => rmSync(smallCache, { recursive: true, force: true });
  rows.push([
    `loadTraces, ${label}, cache: first load (writes the entries)`,
    await median(RUNS, () => loadOf(input, smallCache), clear),
  ]);
  rows.push([
    `loadTraces, ${label}, cache: unchanged`,
    await median(RUNS, () => loadOf(input, smallCache)),
  ]);
  clear();
}

// with TRACEBOOK_BENCH_BIG=1: ten times the calls in 10 files (about 7.8 GB at 200,000 calls)
const bigRows: [string, Run][] = [];
let bigMb = 0;
let bigCold: Run | null = null;
let bigDuck: Run | null = null;
if (Deno.env.get("TRACEBOOK_BENCH_BIG") === "1") {
  const bigDir = join(root, ".bench", `big-${calls * 10}`);
  mkdirSync(bigDir, { recursive: true });
  for (let k = 0; k < 10; k++) {
    const f = join(bigDir, `trace_${k}.jsonl`);
    // each file its own calls (ids and times), as the files of ten runs
    if (!existsSync(f)) await writeNativeTrace(f, calls, k * calls);
  }
  bigMb = readdirSync(bigDir).reduce((sum, f) => sum + statSync(join(bigDir, f)).size, 0) / 1e6;
  const bigCache = join(bigDir, "..", `big-${calls * 10}-cache`);
  rmSync(bigCache, { recursive: true, force: true });
  // the 10 files (7.8 GB) fit in this machine's page cache with room to spare: both read them from there
  pageIn(readdirSync(bigDir).map((f) => join(bigDir, f)));
  bigDuck = await deno([join(root, "bench/_duckdb_seed.ts"), join(bigDir, "*.jsonl")]);
  bigRows.push(["DuckDB, the same, on the 10 files", bigDuck]);
  const bigAnalyze = () =>
    deno([
      cli,
      "analyze",
      bigDir,
      "--output-dir",
      join(dir, "out-big"),
      "--quiet",
      "--cache-dir",
      bigCache,
    ]);
  bigCold = await bigAnalyze();
  bigRows.push(["tracebook analyze, cold, the 10 files", bigCold]);
  bigRows.push(["tracebook analyze, warm, the 10 files", await bigAnalyze()]);
  rmSync(bigCache, { recursive: true, force: true });
}

/**
 * The seed's numbers of tracebook's summary.json next to DuckDB's (`_duckdb_seed.ts` prints
 * counts, mean, min, max, sample std and the four percentiles), one line per number that
 * differs, with the exact value of Python's `statistics` where the two differ.
 */
function agreement(duckRun: Run, summaryPath: string): string {
  const [requests, responses, errors, mean, min, max, std, percentiles] = JSON.parse(
    duckRun.stdout.trim().split("\n").at(-1)!,
  ).summary as string[];
  const s = JSON.parse(readFileSync(summaryPath, "utf8"));
  const rt = s.response_time;
  const pairs: [string, number, number][] = [
    ["requests", s.request_count, Number(requests)],
    ["responses", s.response_count, Number(responses)],
    ["errors", s.error_count, Number(errors)],
    ["min", rt.min, Number(min)],
    ["max", rt.max, Number(max)],
    ...(JSON.parse(percentiles!) as number[]).map((v, i): [string, number, number] => [
      ["p50", "p90", "p95", "p99"][i]!,
      rt[["p50", "p90", "p95", "p99"][i]!],
      v,
    ]),
    ["mean", rt.mean, Number(mean)],
    ["std", rt.std, Number(std)],
  ];
  const differ = pairs.filter(([, a, b]) => a !== b);
  return differ.length === 0
    ? "every number equal"
    : `equal but ${differ.map(([k, a, b]) => `${k} (tracebook ${a}, DuckDB ${b})`).join(", ")}`;
}

/** Two decimals, or two significant digits below 0.01 (a reload of under a millisecond is not 0). */
const fixed = (x: number) => (x > 0 && x < 0.01 ? x.toPrecision(2) : x.toFixed(2));
console.log(`Input: ${file} (${calls.toLocaleString("en")} calls, ${mb.toFixed(0)} MB)\n`);
console.log(
  `Host: a fresh 4 KiB page costs ${pageCost} µs to touch (bench/_page_cost.ts); ` +
    `the file is read from the page cache in ${readSeconds.toFixed(2)} s.\n`,
);
console.log("| command | wall (s) | peak RSS (MB) |\n|---|---:|---:|");
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${fixed(r.seconds)} | ${r.rssMb === null ? "n/a" : r.rssMb.toFixed(0)} |`,
  );
}
if (bigRows.length) {
  console.log(
    `\n10 files of ${calls.toLocaleString("en")} calls each (${
      (calls * 10).toLocaleString("en")
    } calls, ${bigMb.toFixed(0)} MB)\n`,
  );
  console.log("| command | wall (s) | peak RSS (MB) |\n|---|---:|---:|");
  for (const [name, r] of bigRows) {
    console.log(
      `| ${name} | ${fixed(r.seconds)} | ${r.rssMb === null ? "n/a" : r.rssMb.toFixed(0)} |`,
    );
  }
}
console.log(
  `\nThe seed's numbers, tracebook's summary.json against DuckDB: ${
    agreement(duck, join(dir, "out", "trace_analysis_summary.json"))
  }${
    bigDuck
      ? `; on the 10 files: ${
        agreement(bigDuck, join(dir, "out-big", "trace_analysis_summary.json"))
      }`
      : ""
  }.`,
);
if (seed) {
  // the seed's loop prints requests, responses, errors, then statistics.mean and statistics.stdev
  const [, , , mean, std] = seed.stdout.trim().split(" ");
  const rt = JSON.parse(readFileSync(join(dir, "out", "trace_analysis_summary.json"), "utf8"))
    .response_time;
  console.log(
    `tracebook's mean and std against Python's statistics.mean and stdev (the seed's): ${
      Number(mean) === rt.mean && Number(std) === rt.std
        ? "equal to the last digit"
        : `tracebook ${rt.mean}, ${rt.std}; Python ${mean}, ${std}`
    }.`,
  );
}
const ratio = (a: number, b: number) => fixed(a / b);
console.log("\n| target | measured | goal |\n|---|---:|---:|");
console.log(`| cold analyze / DuckDB | ${ratio(cold.seconds, duck.seconds)}× | ≤ 1.0× |`);
if (seed) {
  console.log(
    `| seed's counting loop / cold analyze | ${
      ratio(seed.seconds, cold.seconds)
    }× | ≥ 10× (against the whole analyzer) |`,
  );
}
if (seedAnalyzer) {
  console.log(
    `| the seed's analyzer (reconstructed) / cold analyze | ${
      ratio(seedAnalyzer.seconds, cold.seconds)
    }× | ≥ 10× |`,
  );
}
console.log(`| warm analyze / DuckDB cold | ${ratio(warm.seconds, duck.seconds)}× | ≤ 0.1× |`);
console.log(
  `| warm loadTraces / DuckDB cold | ${ratio(warmLoad.seconds, duck.seconds)}× | ≤ 0.1× |`,
);
console.log(
  `| the floor of a warm script (Deno, nodejs-polars, the calls' Parquet) / DuckDB cold | ${
    ratio(floor.seconds, duck.seconds)
  }× | (no goal: what no script can go below) |`,
);
console.log(
  `| loadTraces again in the same process, last result held / DuckDB cold | ${
    ratio(reload.seconds, duck.seconds)
  }× | ≤ 0.1× |`,
);
console.log(
  `| loadTraces again in the same process, last result collected / DuckDB cold | ${
    ratio(reloadCollected.seconds, duck.seconds)
  }× | ≤ 0.1× |`,
);
if (cold.rssMb) {
  console.log(
    `| cold analyze peak RSS / input size | ${ratio(cold.rssMb * 1.048576, mb)}× | ≤ 0.6× |`,
  );
}
if (outputs.rssMb) {
  console.log(
    `| report --outputs peak RSS / input size | ${ratio(outputs.rssMb * 1.048576, mb)}× | ≤ 0.6× |`,
  );
}
if (compared.rssMb) {
  console.log(
    `| compare of two copies: peak RSS / the two inputs' size | ${
      ratio(compared.rssMb * 1.048576, 2 * mb)
    }× | ≤ 0.6× |`,
  );
}
if (bigCold?.rssMb && bigDuck) {
  console.log(
    `| cold analyze of 10× the calls in 10 files: peak RSS / input size | ${
      ratio(bigCold.rssMb * 1.048576, bigMb)
    }× | ≤ 0.6× |`,
  );
  console.log(
    `| cold analyze of 10× the calls / DuckDB on them | ${
      ratio(bigCold.seconds, bigDuck.seconds)
    }× | (no goal: the issue's goal at 10× is the memory ratio) |`,
  );
}
console.log(
  `| loadTraces after appending 1% / cold loadTraces | ${
    ratio(grown.seconds, grownCold.seconds)
  }× | only the new bytes read |`,
);
console.log(
  `| ${manyFiles.toLocaleString("en")} files / one file | ${
    ratio(many.seconds, one.seconds)
  }× | ≤ 1.2× |`,
);
