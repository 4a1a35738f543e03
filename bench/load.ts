/**
 * Loader benchmark: `loadTraces` on a generated native trace of N calls (default
 * 200,000, ~780 MB; `BENCH_LOAD_CALLS` to change), line by line (the default)
 * with no cache, then with a cold cache and a warm one. Prints a Markdown table. The file is written to a
 * temporary directory and removed.
 *
 * Peak RSS is the process's high-water mark (`VmHWM` of `/proc/self/status`, Linux)
 * after each mode, so run one mode alone for its own peak (`no-cache`, `cold`, `warm`):
 * `deno run -A bench/load.ts no-cache` (or `cold`, then `warm`), or under `/usr/bin/time -v`.
 *
 * @module
 */
import { join } from "node:path";
import { loadTraces } from "../src/load/mod.ts";
import { writeNativeTrace } from "./_gen_native.ts";

/** Peak resident set size of this process in MB (10^6 bytes; Linux), or null. */
function peakRssMb(): number | null {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 / 1e6 : null;
  } catch {
    return null;
  }
}

const calls = Number(Deno.env.get("BENCH_LOAD_CALLS") ?? 200_000);
const modes = Deno.args.length ? Deno.args : ["no-cache", "cold", "warm"];
const dir = Deno.makeTempDirSync({ prefix: "tracebook-bench-load-" });
try {
  const path = join(dir, "trace.jsonl");
  await writeNativeTrace(path, calls);
  const mb = Deno.statSync(path).size / 1e6;
  console.log(`| mode | calls | file (MB) | wall (s) | RSS after (MB) | peak RSS so far (MB) |`);
  console.log(`|---|---:|---:|---:|---:|---:|`);
  for (const mode of modes) {
    const t0 = performance.now();
    const t = await loadTraces(path, { cache: mode === "no-cache" ? false : join(dir, "cache") });
    const s = (performance.now() - t0) / 1000;
    const rss = Deno.memoryUsage().rss / 1e6;
    const hwm = peakRssMb(); // updated lazily by the kernel: never below the current RSS
    const peak = hwm === null ? null : Math.max(hwm, rss);
    console.log(
      `| ${mode} | ${t.calls.height} | ${mb.toFixed(0)} | ${s.toFixed(2)} | ${rss.toFixed(0)} | ${
        peak === null ? "n/a" : peak.toFixed(0)
      } |`,
    );
  }
} finally {
  Deno.removeSync(dir, { recursive: true });
}
