// deno-lint-ignore-file no-explicit-any -- tests read parsed JSON
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../../src/simulate/mod.ts";
import { strictProblem } from "../../src/tracing/_validate.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { summarize } from "../../src/metrics/mod.ts";
import { ROOT } from "../_helpers.ts";

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort().map((
      f,
    ) => [f, readFileSync(join(dir, f), "utf8")]),
  );
}

function events(dir: string): Record<string, any>[] {
  return Object.values(files(dir)).flatMap((text) =>
    text.trimEnd().split("\n").map((l) => JSON.parse(l))
  );
}

Deno.test("simulate() with the same seed writes byte-identical files; another seed writes others", async () => {
  const dir = () => Deno.makeTempDirSync({ prefix: "tracebook-sim-" });
  const a = dir(), b = dir(), c = dir();
  await simulate({ out: a, sessions: 4, calls: 50, seed: 9 });
  await simulate({ out: b, sessions: 4, calls: 50, seed: 9 });
  await simulate({ out: c, sessions: 4, calls: 50, seed: 10 });
  assert.deepEqual(files(a), files(b));
  assert.notDeepEqual(Object.keys(files(a)), Object.keys(files(c)));
});

Deno.test("simulate() writes exactly the calls asked for, every line strictly valid, with metadata, custom events and unfinished sessions", async () => {
  const out = Deno.makeTempDirSync({ prefix: "tracebook-sim-" });
  const r = await simulate({
    out,
    sessions: 10,
    calls: 400,
    seed: 5,
    models: ["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku-20241022", "gemini-2.0-flash"],
  });
  const all = events(out);
  for (const e of all) assert.equal(strictProblem(e), undefined, JSON.stringify(e).slice(0, 120));
  const count = (type: string) => all.filter((e) => e.type === type).length;
  assert.equal(r.files.length, 10);
  assert.equal(r.calls, 400);
  assert.equal(count("llm_request"), 400);
  assert.equal(count("llm_response"), r.responses);
  assert.equal(count("llm_error"), r.errors);
  assert.equal(r.responses + r.errors + r.pending, 400);
  assert.ok(r.errors > 0 && r.streamed > 0 && r.retries > 0);
  assert.equal(r.unfinishedSessions, 1);
  assert.equal(count("session_start"), 10);
  assert.equal(count("session_end"), 9);
  assert.equal(count("session_metadata"), 10);
  assert.ok(count("json_parsing_success") > 0 && count("taxonomy_output") === 9);
  assert.deepEqual(
    new Set(all.filter((e) => e.type === "llm_request").map((e) => e.data.model)),
    new Set(["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku-20241022", "gemini-2.0-flash"]),
  );
  assert.ok(
    all.every((e) => /^2025-04-08T\d\d:\d\d:\d\d(\.\d{6})?$/.test(e.timestamp)),
    "naive timestamps like the seed's",
  );
  assert.ok(
    all.some((e) => e.type === "llm_request" && e.data.retry_of),
    "retries name the call they retry",
  );
  assert.ok(
    all.some((e) => e.type === "llm_response" && e.data.ttft_seconds > 0),
    "streamed calls have a TTFT",
  );
});

Deno.test("the loader and summarize() read the simulator's numbers back", async () => {
  const out = Deno.makeTempDirSync({ prefix: "tracebook-sim-" });
  const r = await simulate({ out, sessions: 6, calls: 300, seed: 11, errorRate: 0.1 });
  const s = summarize(await loadTraces([out])) as any;
  assert.equal(s.request_count, 300);
  assert.equal(s.response_count, r.responses);
  assert.equal(s.error_count, r.errors);
  assert.deepEqual(s.calls, { total: 300, ok: r.responses, error: r.errors, pending: r.pending });
  assert.deepEqual(s.sessions, { count: 6, complete: 5, unfinished: 1 });
  assert.equal(s.diagnostics.count, 0);
  assert.deepEqual(s.cost_usd.unpriced_models, [], "every default model has a price");
  const latency = Object.fromEntries(s.by_model.map((m: any) => [m.model, m.latency.p50]));
  assert.ok(
    latency["gpt-4o-mini"] < latency["gpt-4o"] &&
      latency["gpt-4o"] < latency["claude-3-5-sonnet-20241022"],
  );
});

Deno.test("simulate({ singleFile }) writes every session into one file", async () => {
  const out = Deno.makeTempDirSync({ prefix: "tracebook-sim-" });
  const r = await simulate({ out, sessions: 5, calls: 100, seed: 2, singleFile: "big.jsonl" });
  assert.deepEqual(r.files, [join(out, "big.jsonl")]);
  const all = events(out);
  assert.equal(new Set(all.map((e) => e.session_id)).size, 5);
  assert.equal(all.filter((e) => e.type === "llm_request").length, 100);
});

Deno.test("the bundled traces/ sample is exactly what the command in traces/README.md writes", async () => {
  const readme = readFileSync(join(ROOT, "traces/README.md"), "utf8");
  assert.match(readme, /deno task simulate --out traces --sessions 6 --calls 90 --seed 1/);
  const out = Deno.makeTempDirSync({ prefix: "tracebook-sim-" });
  await simulate({ out, sessions: 6, calls: 90, seed: 1 });
  assert.deepEqual(
    files(out),
    files(join(ROOT, "traces")),
    "regenerate traces/ after changing the simulator",
  );
});
