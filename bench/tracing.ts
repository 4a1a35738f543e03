/**
 * Benchmark: the time the tracer adds to one model call (excluding the model
 * call itself), next to the seed's way of writing (open, append, close the
 * file for every event). Prints a Markdown table. Target: under 50 µs per call.
 *
 * Run: `deno run -A bench/tracing.ts [calls]`
 *
 * @module
 */
import { appendFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tracer } from "../src/tracing/mod.ts";

const CALLS = Number(Deno.args[0] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "tracebook-bench-"));

const messages = [
  { role: "system", content: "You are a taxonomy planner." },
  {
    role: "user",
    content: "Generate a taxonomy for Sports with compliance and legal details for the USA.",
  },
];
const response = {
  id: "chatcmpl-1",
  object: "chat.completion",
  model: "gpt-4o-mini-2024-07-18",
  choices: [{
    index: 0,
    message: { role: "assistant", content: "Team Sports; Individual Sports; Motor Sports" },
    finish_reason: "stop",
  }],
  usage: { prompt_tokens: 42, completion_tokens: 12, total_tokens: 54 },
};

function model(_req: { model: string; messages: unknown[]; temperature: number }) {
  return Promise.resolve(response);
}

async function timeLoop(fn: (i: number) => Promise<unknown>, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t0) * 1000 / n; // µs per call
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const request = { model: "gpt-4o-mini", messages, temperature: 0.2 };

// warm up
const warm = new Tracer({ traceDir: dir, endOnExit: false });
const warmCall = warm.traceModelCall(model);
await timeLoop(() => warmCall(request), 2000);
warm.close();

const rounds = 5;
const bare: number[] = [];
const traced: number[] = [];
const naive: number[] = [];
let tracedFile = "";
for (let r = 0; r < rounds; r++) {
  bare.push(await timeLoop(() => model(request), CALLS));

  const tracer = new Tracer({ traceDir: dir, endOnExit: false });
  const call = tracer.traceModelCall(model);
  traced.push(await timeLoop(() => call(request), CALLS));
  tracer.close();
  tracedFile = tracer.traceFile!;

  // the seed: json.dumps the event, open the file in append mode, write, close, for every event
  const naiveFile = join(dir, `naive_${r}.jsonl`);
  const sid = crypto.randomUUID();
  naive.push(
    await timeLoop(async () => {
      const id = crypto.randomUUID();
      const t0 = performance.now();
      appendFileSync(
        naiveFile,
        JSON.stringify({
          type: "llm_request",
          timestamp: new Date().toISOString().slice(0, 23),
          session_id: sid,
          data: { request_id: id, model: request.model, params: { temperature: 0.2 }, messages },
        }) + "\n",
      );
      const res = await model(request);
      appendFileSync(
        naiveFile,
        JSON.stringify({
          type: "llm_response",
          timestamp: new Date().toISOString().slice(0, 23),
          session_id: sid,
          data: {
            request_id: id,
            duration_seconds: (performance.now() - t0) / 1000,
            success: true,
            model: res.model,
            output: res.choices[0]!.message.content,
          },
        }) + "\n",
      );
    }, CALLS),
  );
}

const base = median(bare);
const tracedUs = median(traced) - base;
const naiveUs = median(naive) - base;
const bytes = statSync(tracedFile).size;
console.log(
  `Per-call overhead, ${
    CALLS.toLocaleString("en-US")
  } sequential calls × ${rounds} rounds (median), model call excluded:\n`,
);
console.log("| writer | µs per call | events per call | target |");
console.log("|---|---:|---:|---|");
console.log(
  `| tracebook Tracer (validated, redacted, one fd, one write per event) | ${
    tracedUs.toFixed(1)
  } | 2 | < 50 µs ${tracedUs < 50 ? "✓" : "✗"} |`,
);
console.log(
  `| naive open-append-close per event (the seed's way; no validation) | ${
    naiveUs.toFixed(1)
  } | 2 | |`,
);
console.log(
  `\nTrace file: ${(bytes / CALLS).toFixed(0)} bytes per call. Untraced call: ${
    base.toFixed(2)
  } µs.`,
);
rmSync(dir, { recursive: true, force: true });
