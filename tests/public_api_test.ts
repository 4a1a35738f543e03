/**
 * The public entry, `src/mod.ts`: every value it exports is a value (usable at run
 * time and in type positions as a value, e.g. `new Random(1)`), the list is explicit
 * (no `export *`), no `_`-prefixed file is re-exported, and no function or class is
 * exported under two names.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./_helpers.ts";
import * as api from "../src/mod.ts";
import {
  aggregate,
  allFigures,
  applyPrices,
  BETTER,
  BufferedFileWriter,
  buildReportInput,
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  CallHandle,
  callsExplorer,
  callsOverTime,
  callsOverTimeFigure,
  callTextReader,
  ChatApiError,
  chatCompletion,
  compareGroups,
  compareRuns,
  concatTraceSets,
  costByModel,
  costPerCall,
  costTotal,
  countsBy,
  createTracer,
  dataQuality,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MODELS,
  DEFAULT_TRACE_DIR,
  DELTA_METRICS,
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  errorCount,
  errorLatency,
  errorRate,
  EVENT_COLUMNS,
  EXPORT_FORMATS,
  exportTraces,
  Figure,
  FIGURE_CAPTIONS,
  FIGURE_NAMES,
  FileTraceWriter,
  findTraceInputs,
  frameHTML,
  fromEventEmitter,
  fromTraceText,
  generateTaxonomy,
  groupSpec,
  inFlight,
  inFlightFigure,
  isKnownEventType,
  isLatencySample,
  JUPYTER_DISPLAY,
  KNOWN_EVENT_TYPES,
  KnownSecrets,
  latency,
  latencyByModel,
  latencyEcdf,
  latencyHistogram,
  LLM_EVENTS,
  loadPriceOverrides,
  loadTraceGroups,
  loadTraces,
  lookupPrice,
  MemoryTraceWriter,
  mimeBundle,
  MODEL_PROFILES,
  modelsUsed,
  normalizeErrorMessage,
  normalizeUsage,
  OTLP_FILE,
  outputTokensPerSecond,
  parsePriceOverrides,
  parseTimestamp,
  parseTraceText,
  pl,
  plotFigure,
  postOtlp,
  quantile,
  Random,
  REDACTED,
  redactText,
  renderReport,
  renderSummaryText,
  sampleStd,
  sanitize,
  SESSION_COLUMNS,
  sessionTable,
  sessionTimeline,
  show,
  simulate,
  SIMULATE_DEFAULTS,
  SimulatedApiError,
  specExprs,
  SQL_ENGINES,
  sqlViews,
  STAT_NAMES,
  statsSpec,
  summarize,
  summarizeBy,
  summarizeGroups,
  summaryHTML,
  timeBucket,
  timeInCalls,
  timePerOutputToken,
  toHTML,
  tokenSum,
  tokensVsLatency,
  toOtlpRequest,
  topErrors,
  toText,
  traceEventJsonSchema,
  Tracer,
  traceSetHTML,
  ttft,
  unpricedModels,
  USAGE_FIELDS,
  UserError,
  wilsonInterval,
  writeCsvFiles,
  writeJsonlFiles,
  writeParquetDataset,
  writeTensorBoard,
} from "../src/mod.ts";

/** Every value export, by name. A name exported with `export type` would not type-check here. */
const VALUES: Record<string, unknown> = {
  aggregate,
  allFigures,
  applyPrices,
  BETTER,
  BufferedFileWriter,
  buildReportInput,
  CALL_COLUMNS,
  CALL_EXTRA_COLUMNS,
  CallHandle,
  callsExplorer,
  callsOverTime,
  callsOverTimeFigure,
  callTextReader,
  ChatApiError,
  chatCompletion,
  compareGroups,
  compareRuns,
  concatTraceSets,
  costByModel,
  costPerCall,
  costTotal,
  countsBy,
  createTracer,
  dataQuality,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MODELS,
  DELTA_METRICS,
  DEFAULT_TRACE_DIR,
  DIAGNOSTIC_COLUMNS,
  emptyFrame,
  errorCount,
  errorLatency,
  errorRate,
  EVENT_COLUMNS,
  EXPORT_FORMATS,
  exportTraces,
  Figure,
  FIGURE_CAPTIONS,
  FIGURE_NAMES,
  FileTraceWriter,
  findTraceInputs,
  frameHTML,
  fromEventEmitter,
  fromTraceText,
  generateTaxonomy,
  groupSpec,
  inFlight,
  inFlightFigure,
  JUPYTER_DISPLAY,
  isKnownEventType,
  isLatencySample,
  KNOWN_EVENT_TYPES,
  KnownSecrets,
  latency,
  latencyByModel,
  latencyEcdf,
  latencyHistogram,
  LLM_EVENTS,
  loadPriceOverrides,
  loadTraceGroups,
  loadTraces,
  lookupPrice,
  MemoryTraceWriter,
  mimeBundle,
  MODEL_PROFILES,
  modelsUsed,
  normalizeErrorMessage,
  normalizeUsage,
  OTLP_FILE,
  outputTokensPerSecond,
  parsePriceOverrides,
  parseTimestamp,
  parseTraceText,
  pl,
  plotFigure,
  postOtlp,
  quantile,
  Random,
  REDACTED,
  redactText,
  renderReport,
  renderSummaryText,
  sampleStd,
  sanitize,
  SESSION_COLUMNS,
  sessionTable,
  sessionTimeline,
  show,
  simulate,
  SIMULATE_DEFAULTS,
  SimulatedApiError,
  specExprs,
  SQL_ENGINES,
  STAT_NAMES,
  sqlViews,
  statsSpec,
  summarize,
  summarizeBy,
  summarizeGroups,
  summaryHTML,
  timeBucket,
  timeInCalls,
  timePerOutputToken,
  toHTML,
  tokenSum,
  tokensVsLatency,
  toOtlpRequest,
  topErrors,
  toText,
  traceEventJsonSchema,
  Tracer,
  traceSetHTML,
  ttft,
  unpricedModels,
  USAGE_FIELDS,
  UserError,
  wilsonInterval,
  writeCsvFiles,
  writeJsonlFiles,
  writeParquetDataset,
  writeTensorBoard,
};

Deno.test("every value export of src/mod.ts is defined at run time, and nothing else is exported", () => {
  for (const [name, value] of Object.entries(VALUES)) {
    assert.notEqual(value, undefined, name);
    assert.equal((api as Record<string, unknown>)[name], value, name);
  }
  // The module's run-time exports are exactly this list (a new export is added here on purpose).
  assert.deepEqual(Object.keys(api).sort(), Object.keys(VALUES).sort());
});

Deno.test("classes exported from src/mod.ts construct as values", () => {
  // Random(1): a seeded generator; two with the same seed draw the same numbers.
  const a = new Random(1);
  const b = new Random(1);
  const x = a.next();
  assert.equal(x, b.next());
  assert.ok(x >= 0 && x < 1, String(x));
  assert.ok(new UserError("bad input") instanceof Error);
  assert.equal(new UserError("usage", { exitCode: 2 }).exitCode, 2);
  assert.equal(new SimulatedApiError("RateLimitError", "slow down", 429).name, "RateLimitError");
  assert.equal(new ChatApiError("APIError", "boom", 500).message, "boom");
  const writer = new MemoryTraceWriter();
  writer.write('{"type":"x"}\n');
  assert.deepEqual(writer.events(), [{ type: "x" }]);
  const known = new KnownSecrets();
  known.add("opaque-secret-value-42");
  assert.equal(redactText("echo opaque-secret-value-42", undefined, known), "echo [REDACTED]");
  const fig = new Figure('<svg xmlns="http://www.w3.org/2000/svg"></svg>', {
    title: "t",
    width: 10,
    height: 5,
  });
  assert.equal(fig.width, 10);
  assert.ok(Tracer.prototype instanceof Object && CallHandle.prototype instanceof Object);
  assert.equal(typeof FileTraceWriter.prototype.write, "function");
  assert.equal(typeof BufferedFileWriter.prototype.write, "function");
  assert.equal(typeof pl.col, "function");
  const df: pl.DataFrame = pl.DataFrame({ x: [1, 2] });
  assert.equal(df.height, 2);
});

Deno.test("no function or class is exported under two names", () => {
  const byValue = new Map<unknown, string[]>();
  for (const [name, value] of Object.entries(VALUES)) {
    if (typeof value !== "function") continue;
    byValue.set(value, [...(byValue.get(value) ?? []), name]);
  }
  const aliases = [...byValue.values()].filter((names) => names.length > 1);
  assert.deepEqual(aliases, []);
});

function modFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modFiles(path);
    return name === "mod.ts" ? [path] : [];
  });
}

Deno.test("src/mod.ts and the folder mod.ts files list their exports by name", () => {
  for (const path of modFiles(join(ROOT, "src"))) {
    const text = readFileSync(path, "utf8");
    assert.doesNotMatch(text, /^export (type )?\*/m, path);
  }
});

Deno.test("the folder mod.ts files re-export from _-prefixed files only what is public on purpose", () => {
  // Types a public signature names, declared in a private file (PlotFigureSpec.legend).
  const deliberate = new Set(["LegendItem"]);
  for (const path of modFiles(join(ROOT, "src"))) {
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/export (?:type )?\{([^}]*)\} from "\.\/_[^"]+"/g)) {
      const names = m[1]!.split(",").map((n) => n.trim().replace(/^type /, "")).filter(Boolean);
      assert.deepEqual(names.filter((n) => !deliberate.has(n)), [], path);
    }
  }
});

Deno.test("src/mod.ts re-exports no _-prefixed file", () => {
  const text = readFileSync(join(ROOT, "src", "mod.ts"), "utf8");
  const from = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
  assert.deepEqual(from.filter((f) => /(^|\/)_[^/]*$/.test(f)), []);
});

Deno.test("a script outside the repository that imports src/mod.ts type-checks with Deno's own defaults (no deno.json of ours)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-outside-" });
  try {
    const script = join(dir, "script.ts");
    Deno.writeTextFileSync(
      script,
      `import { loadTraces, summarize } from ${JSON.stringify(join(ROOT, "src/mod.ts"))};\n` +
        `const s = summarize(await loadTraces("traces/"));\nconsole.log(s.request_count);\n`,
    );
    // no deno.json there: Deno's default compiler options and libs (no DOM, no
    // noUncheckedIndexedAccess), as a user's own script gets them
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", script],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, err.split("\n").filter((l) => /ERROR|at file/.test(l)).join("\n"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
