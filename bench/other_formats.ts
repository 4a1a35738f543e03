/**
 * Memory and time of `report` on large files of other formats: an OpenAI Batch
 * output file, a Phoenix/OpenInference span export, an OpenTelemetry Python
 * console dump (pretty-printed spans), a Zipkin file, a Jaeger query answer (one document of
 * one line, as the API gives it) and a per-call log (JSON Lines), written
 * once to `.bench/other-formats/` (deterministic: lines shaped like the real
 * fixtures', each call with about 2 KB of text), each reported cold (`--no-cache`),
 * with and without `--outputs`. The median of three runs; prints a Markdown
 * table with the peak resident memory against the file's size.
 *
 * Usage: `deno run -A bench/other_formats.ts [CALLS=150000]` (the span files and
 * the log have two thirds as many calls, each with two texts).
 *
 * @module
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { callsArg, type Run, run } from "./_run.ts";

const calls = callsArg(150_000, "Usage: deno run -A bench/other_formats.ts [CALLS=150000]");
const root = new URL("../", import.meta.url).pathname;
const dir = join(root, ".bench", "other-formats");
const cli = join(root, "src/cli/main.ts");

const WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split(" ");

/** Write `count` values made by `line(i, words)` to `path` (one a line, or indented by `indent`), in batches. */
async function writeLines(
  path: string,
  count: number,
  line: (i: number, words: (n: number) => string) => unknown,
  indent?: number,
): Promise<void> {
  // the same words every run: picked by their place, not at random
  let k = 0;
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[(k = (k * 31 + 7) % 9973) % WORDS.length]).join(" ");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  try {
    for (let i = 0; i < count; i += 1000) {
      const batch: string[] = [];
      for (let j = i; j < Math.min(count, i + 1000); j++) {
        batch.push(JSON.stringify(line(j, words), null, indent));
      }
      const bytes = enc.encode(batch.join("\n") + "\n");
      for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
    }
  } finally {
    file.close();
  }
}

mkdirSync(dir, { recursive: true });
const batchFile = join(dir, `openai-${calls}.batch_output.jsonl`);
const spanFile = join(dir, `phoenix-${calls}.spans.jsonl`);
const logFile = join(dir, `calls-${calls}.log.jsonl`);
const pythonFile = join(dir, `otel-python-${calls}.spans.json`);
const zipkinFile = join(dir, `zipkin-${calls}.spans.jsonl`);
const jaegerFile = join(dir, `jaeger-${calls}.traces.json`);
const spans = Math.round((calls * 2) / 3);
if (!existsSync(batchFile)) {
  await writeLines(batchFile, calls, (i, words) => ({
    id: `batch_req_${i}`,
    custom_id: `request-${i}`,
    response: {
      status_code: 200,
      request_id: `r${i}`,
      body: {
        id: `chatcmpl-${i}`,
        object: "chat.completion",
        created: 1_743_274_323 + i,
        model: "gpt-4o-mini",
        choices: [{
          index: 0,
          message: { role: "assistant", content: words(300) },
          finish_reason: "stop",
        }],
        usage: { prompt_tokens: 300, completion_tokens: 149, total_tokens: 449 },
      },
    },
    error: null,
  }));
}
if (!existsSync(spanFile)) {
  await writeLines(spanFile, spans, (i, words) => ({
    name: "ChatCompletion",
    span_kind: "LLM",
    "context.span_id": i.toString(16).padStart(16, "0"),
    "context.trace_id": Math.floor(i / 5).toString(16).padStart(32, "0"),
    parent_id: null,
    start_time: 1_700_000_000_000 + i * 1000,
    end_time: 1_700_000_001_500 + i * 1000,
    status_code: "OK",
    "attributes.llm.model_name": "gpt-4o-mini",
    "attributes.llm.token_count.prompt": 12.0,
    "attributes.llm.token_count.completion": 30.0,
    "attributes.input.value": words(250),
    "attributes.output.value": words(250),
  }));
}

if (!existsSync(pythonFile)) {
  // what OpenTelemetry Python's ConsoleSpanExporter prints: `span.to_json()`, indented by 4
  await writeLines(pythonFile, spans, (i, words) => ({
    name: "chat gpt-4o-mini",
    context: {
      trace_id: "0x" + Math.floor(i / 5).toString(16).padStart(32, "0"),
      span_id: "0x" + i.toString(16).padStart(16, "0"),
      trace_state: "[]",
    },
    kind: "SpanKind.CLIENT",
    parent_id: null,
    start_time: new Date(Date.UTC(2025, 3, 8, 10) + i * 1000).toISOString().replace("Z", "000Z"),
    end_time: new Date(Date.UTC(2025, 3, 8, 10) + i * 1000 + 1500).toISOString().replace(
      "Z",
      "000Z",
    ),
    status: { status_code: "UNSET" },
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": 300,
      "gen_ai.usage.output_tokens": 120,
      "gen_ai.prompt": JSON.stringify([{ role: "user", content: words(250) }]),
      "gen_ai.completion": JSON.stringify([{ role: "assistant", content: words(250) }]),
    },
    events: [],
    links: [],
    resource: { attributes: { "service.name": "app" }, schema_url: "" },
  }), 4);
}
if (!existsSync(zipkinFile)) {
  await writeLines(zipkinFile, spans, (i, words) => ({
    traceId: Math.floor(i / 5).toString(16).padStart(16, "0"),
    id: (i + 1).toString(16).padStart(16, "0"),
    name: "chat gpt-4o-mini",
    kind: "CLIENT",
    timestamp: 1_700_000_000_000_000 + i * 1_000_000,
    duration: 1_500_000,
    localEndpoint: { serviceName: "app" },
    tags: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": "300",
      "gen_ai.usage.output_tokens": "120",
      "input.value": words(250),
      "output.value": words(250),
    },
  }));
}
if (!existsSync(jaegerFile)) {
  // the query API's answer: `{"data": [trace, …], …}` on one line, five spans a trace
  const file = await Deno.open(jaegerFile, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const write = async (text: string) => {
    const bytes = enc.encode(text);
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
  };
  let k = 0;
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[(k = (k * 31 + 7) % 9973) % WORDS.length]).join(" ");
  const tag = (key: string, value: unknown) => ({
    key,
    type: typeof value === "number" ? "int64" : "string",
    value,
  });
  try {
    await write('{"data":[');
    for (let t = 0; t * 5 < spans; t++) {
      const traceID = t.toString(16).padStart(32, "0");
      const list = [];
      for (let i = t * 5; i < Math.min(spans, t * 5 + 5); i++) {
        list.push({
          traceID,
          spanID: (i + 1).toString(16).padStart(16, "0"),
          operationName: "chat gpt-4o-mini",
          references: [],
          startTime: 1_700_000_000_000_000 + i * 1_000_000,
          duration: 1_500_000,
          tags: [
            tag("gen_ai.operation.name", "chat"),
            tag("gen_ai.request.model", "gpt-4o-mini"),
            tag("gen_ai.usage.input_tokens", 300),
            tag("gen_ai.usage.output_tokens", 120),
            tag("input.value", words(250)),
            tag("output.value", words(250)),
          ],
          logs: [],
          processID: "p1",
          warnings: null,
        });
      }
      const trace = { traceID, spans: list, processes: { p1: { serviceName: "app", tags: [] } } };
      await write((t > 0 ? "," : "") + JSON.stringify(trace));
    }
    await write('],"total":0,"limit":0,"offset":0,"errors":null}\n');
  } finally {
    file.close();
  }
}
if (!existsSync(logFile)) {
  await writeLines(logFile, spans, (i, words) => ({
    timestamp: new Date(Date.UTC(2025, 3, 8, 10) + i * 1000).toISOString(),
    request_id: `r${i}`,
    model: "gpt-4o-mini",
    latency_ms: 800 + (i % 500),
    prompt_tokens: 300,
    completion_tokens: 120,
    prompt: words(250),
    response: words(250),
  }));
}

/** The median run of three of `report` on `input`. */
async function report(input: string, extra: string[]): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) {
    runs.push(
      await run(Deno.execPath(), [
        "run",
        "-A",
        cli,
        "report",
        input,
        "--no-cache",
        "--quiet",
        "--output-dir",
        join(dir, "out"),
        ...extra,
      ]),
    );
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[1]!;
}

console.log("| file | size (MB) | calls | command | wall (s) | peak RSS (MiB) | peak / size |");
console.log("|---|---:|---:|---|---:|---:|---:|");
for (
  const [name, path, n] of [
    ["OpenAI Batch output", batchFile, calls],
    ["Phoenix/OpenInference spans", spanFile, spans],
    ["OpenTelemetry Python console dump", pythonFile, spans],
    ["Zipkin spans (JSON Lines)", zipkinFile, spans],
    ["Jaeger query answer (one line)", jaegerFile, spans],
    ["per-call log (JSON Lines)", logFile, spans],
  ] as const
) {
  const mb = statSync(path).size / 1e6;
  for (const extra of [[], ["--outputs"]]) {
    const r = await report(path, extra);
    const ratio = r.rssMb === null ? "n/a" : `${((r.rssMb * 1.048576) / mb).toFixed(2)}×`;
    console.log(
      `| ${name} | ${mb.toFixed(0)} | ${n.toLocaleString("en-US")} | report${
        extra.length ? " --outputs" : ""
      } | ${r.seconds.toFixed(2)} | ${r.rssMb?.toFixed(0) ?? "n/a"} | ${ratio} |`,
    );
  }
}
