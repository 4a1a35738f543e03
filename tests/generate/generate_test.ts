import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { main } from "../../src/cli/main.ts";
import { extractJsonBlock, slugOf } from "../../src/generate/mod.ts";

/** A stub of the chat-completions API on 127.0.0.1: one error, one slow answer. */
function stubServer() {
  const seen: { auth: string | null; model: string; prompt: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return new Response("not found", { status: 404 });
    }
    const body = await req.json();
    const prompt: string = body.messages.at(-1).content;
    seen.push({ auth: req.headers.get("authorization"), model: body.model, prompt });
    if (prompt.includes('"Banking"')) {
      return Response.json(
        {
          error: {
            message: "The server had an error while processing your request.",
            type: "server_error",
          },
        },
        { status: 500 },
      );
    }
    if (prompt.includes('"Insurance"')) await new Promise((r) => setTimeout(r, 400));
    const topic = /"([^"]+)"/.exec(prompt)![1]!;
    const subs = topic === "Finance"
      ? ["Banking", "Insurance", "Payments"]
      : [`${topic} A`, `${topic} B`];
    const content = "```json\n" +
      JSON.stringify({ name: topic, subcategories: subs.map((name) => ({ name })) }) + "\n```";
    return Response.json({
      id: "chatcmpl-stub",
      object: "chat.completion",
      created: 1744140129,
      model: `${body.model}-0613`,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 40, completion_tokens: 25, total_tokens: 65 },
    });
  });
  return { server, seen, url: `http://127.0.0.1:${server.addr.port}/v1` };
}

function captureStderr<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string[] }> {
  const stderr: string[] = [];
  const original = console.error;
  const originalLog = console.log;
  console.error = (...args: unknown[]) => stderr.push(args.join(" "));
  console.log = () => {};
  return fn().then((value) => ({ value, stderr })).finally(() => {
    console.error = original;
    console.log = originalLog;
  });
}

Deno.test("generate runs the traced generator per category against an OpenAI-compatible endpoint, analyzes each and writes an index", async () => {
  const { server, seen, url } = stubServer();
  const out = Deno.makeTempDirSync({ prefix: "tracebook-generate-" });
  try {
    const { value: code } = await captureStderr(() =>
      main([
        "generate",
        "Sports,Finance",
        "--base-url",
        url,
        "--api-key",
        "sk-test-SECRET",
        "--output-dir",
        out,
        "--planner-model",
        "gpt-4",
      ])
    );
    assert.equal(code, 0);
    assert.equal(seen.length, 7, "Sports: plan + 2 expansions; Finance: plan + 3 expansions");
    assert.ok(seen.every((s) => s.auth === "Bearer sk-test-SECRET" && s.model === "gpt-4"));

    const index = JSON.parse(readFileSync(`${out}/index.json`, "utf8"));
    assert.equal(index.schema, "tracebook.generate-index/1");
    assert.equal(index.planner_model, "gpt-4");
    const [sports, finance] = index.categories;
    assert.deepEqual(
      [sports.category, sports.request_count, sports.response_count, sports.error_count],
      ["Sports", 3, 3, 0],
    );
    assert.deepEqual(
      [finance.category, finance.request_count, finance.response_count, finance.error_count],
      ["Finance", 4, 3, 1],
    );
    assert.ok(
      finance.mean_latency_s >= 0.4 / 3,
      `the slow answer shows in the mean latency (${finance.mean_latency_s})`,
    );
    assert.equal(finance.failure, null, "the planner call succeeded; one expansion failed");
    for (const e of index.categories) {
      assert.ok(
        existsSync(e.trace_file) && existsSync(e.summary_file) && existsSync(e.taxonomy_file),
      );
    }
    assert.notEqual(sports.trace_file, finance.trace_file, "one trace file per category");

    const events = readFileSync(finance.trace_file, "utf8").trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const error = events.find((e) => e.type === "llm_error");
    assert.equal(error.data.error, "500 The server had an error while processing your request.");
    assert.equal(error.data.error_type, "InternalServerError");
    const slow = events.find((e) =>
      e.type === "llm_request" && e.data.messages.at(-1).content.includes('"Insurance"')
    );
    const slowResponse = events.find((e) =>
      e.type === "llm_response" && e.data.request_id === slow.data.request_id
    );
    assert.ok(slowResponse.data.duration_seconds >= 0.4);
    assert.equal(slowResponse.data.model, "gpt-4-0613");
    assert.deepEqual(
      events.map((e) => e.type).filter((t) => t.startsWith("session") || t === "taxonomy_output"),
      ["session_start", "session_metadata", "taxonomy_output", "session_end"],
    );
    for (const file of [sports.trace_file, finance.trace_file]) {
      assert.ok(
        !readFileSync(file, "utf8").includes("sk-test-SECRET"),
        "the API key never reaches a trace",
      );
    }
    const taxonomy = JSON.parse(readFileSync(finance.taxonomy_file, "utf8"));
    assert.deepEqual(taxonomy.subcategories.map((s: { name: string }) => s.name), [
      "Banking",
      "Insurance",
      "Payments",
    ]);
    assert.deepEqual(taxonomy.subcategories[1].subcategories, [{ name: "Insurance A" }, {
      name: "Insurance B",
    }]);
    const md = readFileSync(`${out}/index.md`, "utf8");
    assert.match(md, /\| Finance \| 4 \| 3 \| 1 \| \d+\.\d\d \|/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("generate with no endpoint configured says so in one sentence and exits 1", async () => {
  const saved = { url: Deno.env.get("OPENAI_BASE_URL"), key: Deno.env.get("OPENAI_API_KEY") };
  Deno.env.delete("OPENAI_BASE_URL");
  Deno.env.delete("OPENAI_API_KEY");
  try {
    const { value: code, stderr } = await captureStderr(() => main(["generate", "Sports"]));
    assert.equal(code, 1);
    assert.deepEqual(stderr, [
      "error: No model endpoint is configured: pass --base-url (and --api-key) or set OPENAI_BASE_URL (and OPENAI_API_KEY).",
    ]);
  } finally {
    if (saved.url !== undefined) Deno.env.set("OPENAI_BASE_URL", saved.url);
    if (saved.key !== undefined) Deno.env.set("OPENAI_API_KEY", saved.key);
  }
});

Deno.test("generate exits 1 when no category could be generated (endpoint down)", async () => {
  const out = Deno.makeTempDirSync({ prefix: "tracebook-generate-" });
  const { value: code, stderr } = await captureStderr(() =>
    main([
      "generate",
      "Sports",
      "--base-url",
      "http://127.0.0.1:9/v1",
      "--output-dir",
      out,
      "--timeout",
      "5",
    ])
  );
  assert.equal(code, 1);
  assert.match(
    stderr.at(-1)!,
    /^error: No taxonomy could be generated; the first failure: Connection error: /,
  );
  const index = JSON.parse(readFileSync(`${out}/index.json`, "utf8"));
  assert.deepEqual([index.categories[0].request_count, index.categories[0].error_count], [1, 1]);
});

Deno.test("extractJsonBlock() takes a fenced block, else the outermost braces; slugOf() makes file names", () => {
  assert.equal(extractJsonBlock('Here:\n```json\n{"name": "A"}\n```\nDone'), '{"name": "A"}');
  assert.equal(extractJsonBlock('Sure. {"name": "B", "x": {}} Thanks'), '{"name": "B", "x": {}}');
  assert.equal(extractJsonBlock("no json"), null);
  assert.equal(slugOf("Health & Fitness"), "health_fitness");
});
