// deno-lint-ignore-file require-await -- tests stub model calls
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MemoryTraceWriter, Tracer } from "../../src/tracing/mod.ts";
import { REDACTED } from "../../src/tracing/redact.ts";
import { readEvents, tempDir } from "./_util.ts";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";

const CHILD = fileURLToPath(new URL("./_child.ts", import.meta.url));

Deno.test("1,000 concurrent traced calls give 1,000 complete pairs, every line valid JSON, none interleaved", async () => {
  const dir = tempDir();
  const tracer = new Tracer({ traceDir: dir, endOnExit: false });
  const call = tracer.traceModelCall(async (_model: string, i: number) => {
    await new Promise((r) => setTimeout(r, (i * 7919) % 23));
    if (i % 10 === 0) throw new Error(`failure ${i}`);
    return "x".repeat(1000 + (i % 50) * 200);
  });
  const results = await Promise.allSettled(
    Array.from({ length: 1000 }, (_, i) => call("gpt-4o", i)),
  );
  tracer.close();
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 900);
  const events = readEvents(tracer.traceFile!); // throws on any line that is not strictly valid JSON
  const requests = new Set(
    events.filter((e) => e.type === "llm_request").map((e) => e.data.request_id),
  );
  const ends = events.filter((e) => e.type === "llm_response" || e.type === "llm_error").map((e) =>
    e.data.request_id
  );
  assert.equal(requests.size, 1000);
  assert.equal(ends.length, 1000);
  assert.deepEqual(new Set(ends), requests, "every request has exactly one outcome");
  assert.equal(events.filter((e) => e.type === "llm_error").length, 100);
  assert.equal(events.length, 2002);
});

Deno.test("a process killed (SIGKILL) mid-run leaves every line but at most the last one complete", async () => {
  const dir = tempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}deno.json`, CHILD, "loop", dir],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read(); // "started"
  const file = `${dir}/trace_loop.jsonl`;
  let exited = false;
  child.status.then(() => exited = true);
  while ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) < 2_000_000) {
    assert.ok(!exited, "the child process ended before it was killed");
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel();
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const last = lines.pop()!; // "" when the file ends with a newline
  for (const [i, line] of lines.entries()) {
    assert.doesNotThrow(() => JSON.parse(line), `line ${i + 1} is complete`);
  }
  assert.ok(lines.length > 100, `the child wrote ${lines.length} lines`);
  if (last !== "") {
    assert.throws(() => JSON.parse(last), "only a truncated last line may be incomplete");
  }
  const traces = await loadTraces([file]);
  assert.ok(
    traces.diagnostics.height <= 1,
    `the loader reports ${traces.diagnostics.height} diagnostics`,
  );
  if (traces.diagnostics.height === 1) {
    assert.equal(traces.diagnostics.getColumn("line").toArray()[0], lines.length + 1);
  }
  rmSync(dir, { recursive: true, force: true });
});

Deno.test("an unclosed tracer still ends its session when the process ends (normally or by Deno.exit)", async () => {
  const dir = tempDir();
  for (const mode of ["forget", "exit"]) {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${ROOT}deno.json`, CHILD, mode, dir],
      stdout: "null",
      stderr: "inherit",
    }).output();
    assert.equal(code, 0);
    assert.deepEqual(
      readEvents(`${dir}/trace_${mode}.jsonl`).map((e) => e.type),
      ["session_start", "llm_request", "llm_response", "session_end"],
      mode,
    );
  }
});

Deno.test("a full disk never breaks the traced call; the failure is reported once", async () => {
  const warnings: string[] = [];
  let accepting = true;
  const writer = {
    path: "/full/disk.jsonl",
    write() {
      if (!accepting) {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
          code: "ENOSPC",
        });
      }
    },
  };
  const tracer = new Tracer({ writer, onWarn: (m) => warnings.push(m), endOnExit: false });
  accepting = false;
  const ok = tracer.traceModelCall(async (_model: string) => "the answer");
  const own = new Error("the model's own error");
  const bad = tracer.traceModelCall(async (_model: string) => {
    throw own;
  });
  for (let i = 0; i < 5; i++) {
    assert.equal(await ok("gpt-4o"), "the answer");
    await assert.rejects(bad("gpt-4o"), (e) => e === own);
  }
  tracer.logEvent("still_fine", {});
  tracer.close();
  assert.deepEqual(warnings, [
    "Cannot write trace file /full/disk.jsonl (ENOSPC: no space left on device, write); traced calls go on, their events are lost.",
  ]);
});

Deno.test("an unwritable trace folder never breaks the traced call; the failure is reported once", async () => {
  const dir = tempDir();
  writeFileSync(`${dir}/not-a-folder`, "");
  const folders = [`${dir}/not-a-folder/traces`];
  if (Deno.uid() !== 0) {
    mkdirSync(`${dir}/readonly`);
    chmodSync(`${dir}/readonly`, 0o500);
    folders.push(`${dir}/readonly`);
  } else {
    console.warn(
      "running as root: the read-only folder case is covered by the not-a-folder case only",
    );
  }
  for (const traceDir of folders) {
    const warnings: string[] = [];
    const tracer = new Tracer({ traceDir, onWarn: (m) => warnings.push(m), endOnExit: false });
    const call = tracer.traceModelCall(async (_model: string) => 42);
    assert.equal(await call("gpt-4o"), 42);
    assert.equal(await call("gpt-4o"), 42);
    tracer.close();
    assert.equal(warnings.length, 1, traceDir);
    assert.match(
      warnings[0]!,
      /^Cannot write trace file .*trace_.*\.jsonl \(.+\); traced calls go on, their events are lost\.$/,
    );
  }
});

Deno.test("secrets never reach the file: api keys, authorization headers and bearer tokens are redacted", async () => {
  const dir = tempDir();
  const tracer = new Tracer({ traceDir: dir, endOnExit: false });
  const secrets = [
    "sk-live-AAAA1111",
    "sk-ant-BBBB2222",
    "tok-CCCC3333",
    "xk-DDDD4444",
    "EEEE5555bearer",
  ];
  const call = tracer.traceModelCall(async (_req: object) => {
    throw new Error(`401 Invalid header Authorization: Bearer ${secrets[4]}`);
  });
  await assert.rejects(call({
    model: "gpt-4o",
    messages: [{ role: "user", content: `my token is Bearer ${secrets[2]} ok` }],
    api_key: secrets[0],
    headers: {
      Authorization: `Bearer ${secrets[2]}`,
      "x-api-key": secrets[1],
      "X-Trace": "keep-me",
    },
    client: { apiKey: secrets[3], nested: [{ AUTHORIZATION: "Basic abc" }] },
  }));
  tracer.logEvent("config", { provider: { api_key: secrets[0] }, note: `Bearer ${secrets[2]}` });
  tracer.close();
  const text = readFileSync(tracer.traceFile!, "utf8");
  for (const s of secrets) assert.ok(!text.includes(s), `${s} leaked`);
  assert.ok(!text.includes("Basic abc"));
  const [, request, error, config] = readEvents(tracer.traceFile!);
  assert.deepEqual(request!.data.params, {
    model: "gpt-4o",
    api_key: REDACTED,
    headers: { Authorization: REDACTED, "x-api-key": REDACTED, "X-Trace": "keep-me" },
    client: { apiKey: REDACTED, nested: [{ AUTHORIZATION: REDACTED }] },
  });
  assert.equal(request!.data.messages[0].content, `my token is Bearer ${REDACTED} ok`);
  assert.equal(error!.data.error, `401 Invalid header Authorization: Bearer ${REDACTED}`);
  assert.deepEqual(config!.data, { provider: { api_key: REDACTED }, note: `Bearer ${REDACTED}` });
});

Deno.test("a writer given by the caller is not closed by the tracer", () => {
  let closed = false;
  const writer = Object.assign(new MemoryTraceWriter(), { close: () => (closed = true) });
  new Tracer({ writer, endOnExit: false }).close();
  assert.equal(closed, false);
});
