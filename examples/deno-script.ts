// A custom Deno script on the library: `deno run -A examples/deno-script.ts [traces/] [analysis/]`.
import { latencyHistogram, loadTraces, summarize } from "../src/mod.ts";

const [input = "traces/", out = "analysis/"] = Deno.args;
const traces = await loadTraces(input);
const s = summarize(traces);
console.log(
  `${s.request_count} requests, ${s.error_count} errors, p95 ${s.response_time.p95?.toFixed(2)} s`,
);
for (const m of s.by_model) {
  console.log(`${m.model}: ${m.calls} calls, ${((m.error_rate ?? 0) * 100).toFixed(1)}% errors`);
}
await Deno.mkdir(out, { recursive: true });
await Deno.writeFile(`${out}/latency.png`, (await latencyHistogram(traces.calls)).toPNG());
