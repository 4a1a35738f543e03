/**
 * `generate --base-url` with credentials in the URL (userinfo and a key query
 * parameter): the endpoint gets them, index.json and the traces never do.
 * @module
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { main } from "../../src/cli/main.ts";

Deno.test("generate never writes the credentials of --base-url into index.json or the traces", async () => {
  const seen: { auth: string | null; key: string | null; path: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      auth: req.headers.get("authorization"),
      key: url.searchParams.get("key"),
      path: url.pathname,
    });
    const body = await req.json();
    const topic = /"([^"]+)"/.exec(body.messages.at(-1).content)![1]!;
    const content = "```json\n" + JSON.stringify({ name: topic, subcategories: [] }) + "\n```";
    return Response.json({
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 4, completion_tokens: 2 },
    });
  });
  const out = Deno.makeTempDirSync({ prefix: "tracebook-generate-url-" });
  const port = server.addr.port;
  const PASSWORD = "pw-SECRET-8c1d";
  const KEY = "KEY-SECRET-27f4";
  const log = console.log, error = console.error;
  console.log = () => {};
  console.error = () => {};
  try {
    const code = await main([
      "generate",
      "Sports",
      "--base-url",
      `http://svc:${PASSWORD}@127.0.0.1:${port}/v1?key=${KEY}`,
      "--output-dir",
      out,
    ]);
    assert.equal(code, 0);
  } finally {
    console.log = log;
    console.error = error;
    await server.shutdown();
  }
  // the endpoint got the credentials: userinfo as Basic auth, the key as a query parameter
  assert.deepEqual(seen, [{
    auth: `Basic ${btoa(`svc:${PASSWORD}`)}`,
    key: KEY,
    path: "/v1/chat/completions",
  }]);
  const indexText = readFileSync(`${out}/index.json`, "utf8");
  const index = JSON.parse(indexText);
  assert.equal(index.base_url, `http://[REDACTED]@127.0.0.1:${port}/v1?key=[REDACTED]`);
  const trace = readFileSync(index.categories[0].trace_file, "utf8");
  for (const text of [indexText, trace]) {
    assert.ok(!text.includes(PASSWORD) && !text.includes(KEY));
  }
});

Deno.test("an endpoint error that echoes the credentials of --base-url or --api-key is written without them", async () => {
  const KEY = "KEY0SECRET091ab";
  const API_KEY = "apikey0SECRET0f3e";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const key = new URL(req.url).searchParams.get("key");
    const auth = req.headers.get("authorization");
    return Response.json(
      {
        error: { message: `Invalid credentials ${key} and ${auth?.split(" ")[1]} for this route` },
      },
      { status: 401 },
    );
  });
  const out = Deno.makeTempDirSync({ prefix: "tracebook-generate-echo-" });
  const stderr: string[] = [];
  const log = console.log, error = console.error;
  console.log = () => {};
  console.error = (...args: unknown[]) => stderr.push(args.join(" "));
  try {
    await main([
      "generate",
      "Sports",
      "--base-url",
      `http://127.0.0.1:${server.addr.port}/v1?key=${KEY}`,
      "--api-key",
      API_KEY,
      "--output-dir",
      out,
    ]);
  } finally {
    console.log = log;
    console.error = error;
    await server.shutdown();
  }
  const index = readFileSync(`${out}/index.json`, "utf8");
  assert.equal(
    JSON.parse(index).categories[0].failure,
    "401 Invalid credentials [REDACTED] and [REDACTED] for this route",
  );
  for (const text of [index, readFileSync(`${out}/index.md`, "utf8"), stderr.join("\n")]) {
    assert.ok(!text.includes(KEY) && !text.includes(API_KEY), text);
  }
});
