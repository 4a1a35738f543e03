/**
 * Benchmark: the report's figures and `buildReportInput` on a simulated single
 * file of 200,000 calls (`.bench/analyze-200000/trace_simulated.jsonl`, written
 * by the simulator when absent). Prints a Markdown table: milliseconds per
 * figure (each drawn alone, `toSVG()` included, jsdom already loaded), then
 * `reportTables` and `buildReportInput` (the figures, the tables and the
 * summary, jsdom loaded cold), with the RSS growth over the loaded traces.
 *
 * Each measurement set runs in its own subprocess so its peak RSS is its own:
 * the peak is the process's high-water mark (`VmHWM` of `/proc/self/status`),
 * reset after loading through `/proc/self/clear_refs` where Linux allows it,
 * else sampled from `Deno.memoryUsage().rss` between figures.
 *
 * Usage: `deno run -A bench/figures.ts [CALLS=200000]`
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { callsArg } from "./_run.ts";

const calls = callsArg(200_000, "Usage: deno run -A bench/figures.ts [CALLS=200000] [MODE]");
const mode = Deno.args[1];
const root = new URL("../", import.meta.url).pathname;
const dir = `${root}.bench/analyze-${calls}`;
const file = `${dir}/trace_simulated.jsonl`;

/** High-water mark of the RSS in MB (10^6 bytes), or null off Linux. */
function hwmMb(): number | null {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 / 1e6 : null;
  } catch {
    return null;
  }
}

/** Reset the high-water mark to the current RSS (Linux ≥ 4.0); false when not allowed. */
function resetHwm(): boolean {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

const rssMb = () => Deno.memoryUsage().rss / 1e6;

interface Row {
  name: string;
  ms: number;
  /** Peak RSS during the step minus the RSS before it, MB. */
  plusMb: number;
}

async function child(which: "figures" | "build"): Promise<void> {
  const { loadTraces } = await import("../src/load/mod.ts");
  const traces = await loadTraces(file);
  const out: Row[] = [];
  const measure = async (name: string, fn: () => unknown | Promise<unknown>) => {
    const before = rssMb();
    const canReset = resetHwm();
    let sampled = before;
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    sampled = Math.max(sampled, rssMb());
    const peak = canReset ? Math.max(hwmMb() ?? sampled, sampled) : sampled;
    out.push({ name, ms, plusMb: peak - before });
  };
  if (which === "figures") {
    const figures = await import("../src/figures/mod.ts");
    const { reportTables } = await import("../src/report/tables.ts");
    // Load jsdom once, outside the timings.
    await measure(
      "(jsdom load, empty figure)",
      () => figures.latencyHistogram(traces.calls.head(0)).then((f) => f.toSVG()),
    );
    const draw: [string, () => Promise<{ toSVG(): string }>][] = [
      ["response_times", () => figures.latencyHistogram(traces.calls)],
      ["models_used", () => figures.modelsUsed(traces.calls)],
      ["latency_by_model", () => figures.latencyByModel(traces.calls)],
      ["calls_over_time", () => figures.callsOverTimeFigure(traces.calls)],
      ["session_timeline", () => figures.sessionTimeline(traces.calls)],
      ["tokens_vs_latency", () => figures.tokensVsLatency(traces.calls)],
      ["cost_by_model", () => figures.costByModel(traces.calls)],
      ["in_flight", () => figures.inFlightFigure(traces.calls)],
    ];
    for (const [name, fn] of draw) await measure(name, async () => (await fn()).toSVG());
    await measure("reportTables", () => reportTables(traces));
  } else {
    const { buildReportInput } = await import("../src/report/build.ts");
    const { summarize } = await import("../src/metrics/mod.ts");
    const summary = summarize(traces);
    await measure(
      "buildReportInput (jsdom cold, summary given)",
      () => buildReportInput(traces, { summary }),
    );
    await measure(
      "buildReportInput (warm, summary given)",
      () => buildReportInput(traces, { summary }),
    );
  }
  console.log(JSON.stringify({ loadedMb: rssMb(), rows: out }));
}

if (mode === "figures" || mode === "build") {
  await child(mode);
} else {
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${root}src/cli/main.ts`,
        "simulate",
        "--out",
        dir,
        "--calls",
        String(calls),
        "--sessions",
        String(Math.max(1, Math.round(calls / 500))),
        "--single-file",
        "--seed",
        "7",
      ],
      stdout: "null",
    }).output();
    if (out.code !== 0) throw new Error("simulate failed");
  }
  const size = Deno.statSync(file).size / 1e6;
  console.log(`${calls} calls, ${size.toFixed(0)} MB (${file.slice(root.length)})\n`);
  console.log("| step | ms | peak RSS over the loaded traces (MB) |");
  console.log("|---|---:|---:|");
  for (const which of ["figures", "build"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, String(calls), which],
      stderr: "inherit",
    }).output();
    if (out.code !== 0) throw new Error(`bench/figures.ts ${which} failed`);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    const { rows } = JSON.parse(lines.at(-1)!) as { rows: Row[] };
    for (const r of rows) {
      console.log(`| ${r.name} | ${r.ms.toFixed(0)} | +${Math.max(0, r.plusMb).toFixed(0)} |`);
    }
  }
}
