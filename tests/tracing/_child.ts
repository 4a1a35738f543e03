// deno-lint-ignore-file require-await -- tests stub model calls
/**
 * A child process for the tracing tests: `deno run -A _child.ts <mode> <traceDir>`.
 * - `loop`: traces calls with large outputs until killed.
 * - `forget`: traces one call and ends without close().
 * - `exit`: traces one call and calls Deno.exit(0) without close().
 * @module
 */
import { Tracer } from "../../src/tracing/mod.ts";

const [mode, dir] = Deno.args;
const tracer = new Tracer({ traceDir: dir!, sessionId: mode });
const call = tracer.traceModelCall(async (_model: string, prompt: string) => ({
  model: "gpt-4o-mini",
  choices: [{ message: { content: prompt.repeat(200) }, finish_reason: "stop" }],
  usage: { prompt_tokens: 10, completion_tokens: 2000 },
}));
if (mode === "loop") {
  console.log("started");
  // bounded, in case the test that kills it fails first (~25 MB)
  for (let i = 0; i < 5_000; i++) {
    await Promise.all([call("gpt-4o-mini", `call ${i} `), call("gpt-4o-mini", `twin ${i} `)]);
  }
}
await call("gpt-4o-mini", "once");
if (mode === "exit") Deno.exit(0);
