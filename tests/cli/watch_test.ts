/** `watch` as a user runs it: `--once` totals, and a live run on files being written. */
import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { markEntry } from "../load/_cache_entry.ts";

const FIXTURES = join(ROOT, "tests/fixtures/analyze");
const MAIN = join(ROOT, "src/cli/main.ts");

async function watch(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "watch", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("watch --once gives the exact totals of a fixture and lists errors and bad lines", async () => {
  const mixed = join(FIXTURES, "mixed.jsonl"), bad = join(FIXTURES, "bad.jsonl");
  const r = await watch("--once", "--json", mixed, bad);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const { time, ...s } = JSON.parse(lines[0]!);
  assert.match(time, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(s, {
    files: 2,
    requests: 6,
    responses: 5, // one of them an orphan (r6)
    errors: 1,
    pending: 1,
    error_rate: 1 / 6,
    latency_p50_s: 3.5, // responses with duration > 0: 2, 3, 4, 6
    latency_p95_s: 5.699999999999999,
    latency_samples: 4,
    calls_per_minute: 6,
    bad_lines: 1,
    by_model: {
      "claude-3-5-sonnet-20241022": {
        requests: 2,
        responses: 1,
        errors: 1,
        pending: 0,
        latency_p50_s: 3,
      },
      // The model rule: r2, requested as gpt-4o and answered as gpt-4o-2024-08-06 (4 s), is
      // gpt-4o's, with r1 (2 s) and the orphan r6 (6 s): p50 of [2, 4, 6] = 4.
      "gpt-4o": { requests: 2, responses: 3, errors: 0, pending: 0, latency_p50_s: 4 },
      "gpt-4o-mini": { requests: 1, responses: 0, errors: 0, pending: 1, latency_p50_s: null },
      unknown: { requests: 1, responses: 1, errors: 0, pending: 0, latency_p50_s: null },
    },
    final: false,
  });
  assert.deepEqual(r.stderr.trim().split("\n"), [
    `${bad}:2: error invalid_json: line is not valid JSON (Unexpected token 'o', "not json" is not valid JSON)`,
    `${mixed}:7: llm_error claude-3-5-sonnet-20241022 r3: Rate limit exceeded`,
  ]);

  const text = await watch("--once", mixed);
  assert.match(
    text.stdout,
    /^\d\d:\d\d:\d\d files 1 · requests 6 · responses 5 · errors 1 \(16\.7%\) · pending 1 · p50 3\.50s p95 5\.70s · 6 calls\/min · bad lines 0 · by model \(req\/ok\/err\): claude-3-5-sonnet-20241022 2\/1\/1, /,
  );
});

Deno.test("watch exits 1 on a missing input and 2 on a bad --interval", async () => {
  const missing = await watch("--once", "no/such/traces.jsonl");
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'error: Input "no/such/traces.jsonl" does not exist.\n');
  const bad = await watch("--once", "--interval", "0", FIXTURES);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'error: --interval must be a number above 0, got "0".\n');
});

Deno.test("watch names a file of another format in one sentence instead of a bad line per line", async () => {
  // Two lines of an OpenAI Batch output (its own format): read as native events, they had been
  // two bad lines ("type" is missing) and the file counted as followed.
  const dir = Deno.makeTempDirSync();
  const batch = join(dir, "batch_output.jsonl");
  const row = (id: string) =>
    `{"id":"batch_req_${id}","custom_id":"${id}","response":{"status_code":200,"request_id":"x","body":{"id":"c${id}","object":"chat.completion","created":1764740742,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}},"error":null}\n`;
  writeFileSync(batch, row("1") + row("2"));
  const r = await watch("--once", "--json", "--no-cache", batch, join(FIXTURES, "mixed.jsonl"));
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout.trim());
  assert.deepEqual([s.files, s.requests, s.bad_lines], [1, 6, 0]); // mixed.jsonl alone
  assert.equal(
    r.stderr.split("\n")[0],
    `${batch} is in the openai_batch format, not tracebook's native one: watch follows native trace files only (report, analyze and validate read it).`,
  );
});

/** The lines of a byte stream, as they arrive. */
async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const bytes of stream) {
    buffered += decoder.decode(bytes, { stream: true });
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
}

const ts = (s: number) => `2025-04-08T10:00:${String(s).padStart(2, "0")}Z`;
const request = (id: string, s: number) =>
  `{"type":"llm_request","timestamp":"${
    ts(s)
  }","session_id":"s","data":{"request_id":"${id}","model":"gpt-4o"}}\n`;
const response = (id: string, s: number, d: number) =>
  `{"type":"llm_response","timestamp":"${
    ts(s)
  }","session_id":"s","data":{"request_id":"${id}","duration_seconds":${d},"success":true}}\n`;
const error = (id: string, s: number) =>
  `{"type":"llm_error","timestamp":"${
    ts(s)
  }","session_id":"s","data":{"request_id":"${id}","duration_seconds":1,"error":"boom"}}\n`;

Deno.test("watch follows files as they are written and stops cleanly on SIGINT", async () => {
  const dir = Deno.makeTempDirSync();
  const a = join(dir, "a.jsonl"), b = join(dir, "b.jsonl");
  writeFileSync(a, request("r1", 1));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "watch", "--json", "--interval", "0.2", dir],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // never hang: after the deadline the child is killed, its stdout ends and waitFor fails
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, 90_000); // generous: under a loaded CI machine the child can be slow to start
  const stderr = new Response(child.stderr).text();
  const lines = linesOf(child.stdout);
  const seen: string[] = [];
  const waitFor = async (what: string, ok: (s: Record<string, unknown>) => boolean) => {
    while (true) {
      const next = await lines.next();
      if (next.done) {
        throw new Error(
          `watch ${timedOut ? "timed out" : "ended"} before ${what}; stdout:\n${
            seen.join("\n")
          }\nstderr:\n${await stderr}`,
        );
      }
      seen.push(next.value);
      const s = JSON.parse(next.value);
      if (ok(s)) return s;
    }
  };
  try {
    await waitFor("the first request", (s) => s.requests === 1);
    const half = response("r1", 3, 2);
    appendFileSync(a, half.slice(0, 40));
    const start = seen.length;
    // two statuses later, the half line has been polled at least once: not counted yet
    const after = await waitFor("two statuses", () => seen.length >= start + 2);
    assert.equal(after.responses, 0);
    appendFileSync(a, half.slice(40) + "{not json\n");
    writeFileSync(b, request("r2", 4) + error("r2", 5));
    const s = await waitFor("the final totals", (s) => s.responses === 1 && s.errors === 1);
    const { time: _, ...rest } = s;
    assert.deepEqual(rest, {
      files: 2,
      requests: 2,
      responses: 1,
      errors: 1,
      pending: 0,
      error_rate: 0.5,
      latency_p50_s: 2,
      latency_p95_s: 2,
      latency_samples: 1,
      calls_per_minute: 2,
      bad_lines: 1,
      by_model: {
        "gpt-4o": { requests: 2, responses: 1, errors: 1, pending: 0, latency_p50_s: 2 },
      },
      final: false,
    });
    child.kill("SIGINT");
    const last = await waitFor("the final summary", (s) => s.final === true);
    assert.equal(last.requests, 2);
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.deepEqual((await stderr).trim().split("\n"), [
      `${a}:3: error invalid_json: line is not valid JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2))`,
      `${b}:2: llm_error gpt-4o r2: boom`,
    ]);
  } finally {
    clearTimeout(deadline);
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
  }
});

Deno.test("watch starts a file the loader cached from its entry (--cache-dir), and --no-cache reads it whole", async () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "a.jsonl");
  const cache = join(dir, "cache");
  try {
    writeFileSync(file, request("r1", 1) + response("r1", 3, 2) + request("r2", 4));
    await loadTraces(file, { cache });
    // the entry's stored r1 asks for another model: a status that shows it comes from the entry
    markEntry(cache, file, "r1");
    appendFileSync(file, error("r2", 5)); // after the entry's offset: read from the file
    const models = async (...args: string[]) => {
      const r = await watch("--once", "--json", ...args, file);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      return [s.requests, s.responses, s.errors, Object.keys(s.by_model)];
    };
    assert.deepEqual(await models("--cache-dir", cache), [2, 1, 1, ["from-the-entry", "gpt-4o"]]);
    assert.deepEqual(await models("--no-cache"), [2, 1, 1, ["gpt-4o"]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
