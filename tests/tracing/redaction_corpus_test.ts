// deno-lint-ignore-file require-await -- tests stub model calls
/**
 * A corpus of secrets planted wherever a traced call can carry one (params,
 * headers in every form, URLs, metadata, custom events, messages, outputs,
 * streamed chunks, error messages, event-bus payloads). The test counts the
 * placements and asserts that none of the secret values reaches the bytes of
 * the trace file, while the non-secret fields next to them survive.
 * @module
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { fromEventEmitter, Tracer } from "../../src/tracing/mod.ts";
import { readEvents, tempDir } from "./_util.ts";

/** Deterministic fake secret bodies (never real keys): `n` characters of `alphabet`. */
let seed = 20250408;
function body(
  n: number,
  alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    s += alphabet[seed % alphabet.length];
  }
  return s;
}
const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const b64url = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/** Every planted secret; the test fails when any of them is found in the file. */
const secrets: string[] = [];
function secret(value: string): string {
  secrets.push(value);
  return value;
}

/** Shapes: provider key formats and credential schemes, recognizable without a name. */
const shape = {
  openaiProject: () => secret(`sk-proj-${body(58)}T3BlbkFJ${body(58)}`),
  openaiLegacy: () => secret(`sk-${body(48)}`),
  anthropic: () => secret(`sk-ant-api03-${body(93)}AA`),
  awsAccessKeyId: () => secret(`AKIA${body(16, UPPER_DIGITS)}`),
  github: () => secret(`ghp_${body(36)}`),
  githubFineGrained: () => secret(`github_pat_${body(22)}_${body(59)}`),
  slack: () => secret(`xoxb-1234567890-1234567890123-${body(24)}`),
  google: () => secret(`AIza${body(35)}`),
  jwt: () =>
    secret(
      `${b64url('{"alg":"HS256","typ":"JWT"}')}.${
        b64url(`{"sub":"${body(10)}","exp":1900000000}`)
      }.${body(43)}`,
    ),
  huggingface: () =>
    secret(`hf_${body(34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}`),
  bearerOpaque: () => secret(body(32)),
  basicPair: () => {
    const user = `svc${body(6, "abcdefghijklmnopqrstuvwxyz")}`;
    const pass = body(14);
    return { user, pass, encoded: secret(btoa(`${user}:${pass}`)) };
  },
};

Deno.test("no planted secret reaches the trace file: 65 placements by name and by shape", async () => {
  const dir = tempDir();
  let placements = 0;
  const place = <T>(v: T): T => {
    placements++;
    return v;
  };

  // --- metadata (3)
  const tracer = new Tracer({
    traceDir: dir,
    endOnExit: false,
    metadata: { project: "p", api_key: place(secret(body(40))) },
  });
  tracer.logMetadata({
    user: "researcher1",
    OPENAI_API_KEY: place(secret(`sk-${body(40)}`)),
    note: place(`the Google key is ${shape.google()}`),
  });

  // --- params by name (19): any key naming a key, token, secret, password, credential, cookie, auth, signature
  const named: Record<string, unknown> = {
    OPENAI_API_KEY: place(secret(body(40))),
    openAIApiKey: place(secret(body(40))),
    anthropicApiKey: place(secret(body(40))),
    key: place(secret(body(30))),
    token: place(secret(body(30))),
    access_token: place(secret(body(30))),
    refresh_token: place(secret(body(30))),
    id_token: place(secret(body(30))),
    client_secret: place(secret(body(30))),
    password: place(secret(body(12))),
    passphrase: place(secret(body(12))),
    secretAccessKey: place(secret(body(40))),
    sessionToken: place(secret(body(60))),
    private_key: place(secret(body(50))),
    APIKEY: place(secret(body(30))),
    "x-goog-api-key": place(secret(body(39))),
    auth: place({ username: "svc", pass: secret(body(16)) }),
    credentials: place({ accessKeyId: "id-ok", secret: secret(body(40)) }),
    signature: place(secret(body(44))),
  };

  // --- headers: plain object (6), tuples (2), Headers (2), Map (2)
  const basic = shape.basicPair();
  const headersObject = {
    Authorization: place(`Bearer ${shape.bearerOpaque()}`),
    "Ocp-Apim-Subscription-Key": place(secret(body(32))),
    "x-auth-token": place(secret(body(32))),
    Cookie: place(`session=${secret(body(24))}; theme=dark`),
    "api-key": place(secret(body(32))),
    "Proxy-Authorization": place(`Basic ${basic.encoded}`),
    "X-Request-Id": "req-visible",
  };
  const headerTuples: [string, string][] = [
    ["authorization", place(`Token ${secret(body(40))}`)],
    ["x-api-key", place(secret(body(40)))],
    ["accept", "application/json"],
  ];
  const headersInstance = new Headers({
    Authorization: place(`Bearer ${shape.jwt()}`),
    cookie: place(`sid=${secret(body(24))}`),
    "content-type": "application/json",
  });
  const headersMap = new Map<string, string>([
    ["X-API-Key", place(secret(body(40)))],
    ["Authorization", place(`Bearer ${shape.bearerOpaque()}`)],
    ["user-agent", "tracebook-test"],
  ]);

  // --- URLs (7): userinfo, key-like query parameters, URL objects
  const urls = {
    baseURL: place(`https://svc:${secret(body(18))}@gateway.example.com/v1`),
    endpoint: place(
      `https://generativelanguage.example.com/v1/models?key=${secret(body(39))}&alt=sse`,
    ),
    webhook: place(`https://hooks.example.com/in?api_key=${secret(body(32))}`),
    stream: place(`wss://rt.example.com/ws?token=${secret(body(32))}`),
    blob: place(`https://acct.blob.example.net/c/b.txt?sv=2024-01-01&sig=${secret(body(43))}%3D`),
    proxy: place(new URL(`http://proxyuser:${secret(body(16))}@127.0.0.1:3128/`)),
    callback: place(
      new URL(`https://app.example.com/cb?state=s1&access_token=${secret(body(40))}`),
    ),
  };

  // --- shapes inside message text (12)
  const messages = [
    { role: "system", content: place(`Use ${shape.openaiProject()} for the calls.`) },
    { role: "user", content: place(`my key: ${shape.openaiLegacy()}`) },
    { role: "user", content: place(`anthropic ${shape.anthropic()} please`) },
    { role: "user", content: place(`aws id ${shape.awsAccessKeyId()} here`) },
    { role: "user", content: place(`gh ${shape.github()}`) },
    { role: "user", content: place(`gh2 ${shape.githubFineGrained()}`) },
    { role: "user", content: place(`slack ${shape.slack()}`) },
    { role: "user", content: place(`a token ${shape.jwt()} from the login`) },
    { role: "user", content: place(`hf ${shape.huggingface()}`) },
    { role: "user", content: place(`curl -H "Authorization: Bearer ${shape.bearerOpaque()}"`) },
    { role: "user", content: place(`Authorization: Basic ${shape.basicPair().encoded}`) },
    { role: "assistant", content: place(`Authorization: Token ${secret(body(40))}`) },
  ];

  // --- a successful call: params, headers, URLs, messages; its output carries 2 secrets
  const chat = tracer.traceModelCall(async (_req: Record<string, unknown>) => ({
    model: "gpt-4o-mini-2024-07-18",
    choices: [{
      message: {
        content: `Here: ${place(shape.openaiLegacy())} and ${place(shape.jwt())}.`,
      },
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: 12, completion_tokens: 4 },
  }));
  await chat({
    model: "gpt-4o-mini",
    messages,
    max_tokens: 256,
    ...named,
    headers: headersObject,
    headerTuples,
    fetchOptions: { headers: headersInstance },
    defaultHeaders: headersMap,
    ...urls,
  });

  // --- error messages (3): a gateway that echoes the key, a header, a URL
  const failing = tracer.traceModelCall(async (_model: string, n: number) => {
    if (n === 0) throw new Error(`401 Incorrect API key provided: ${shape.openaiLegacy()}.`);
    if (n === 1) throw new Error(`403 Forbidden (x-api-key: ${secret(body(40))})`);
    throw new Error(`fetch failed: https://api.example.com/v1?api_key=${secret(body(32))}`);
  });
  for (let n = 0; n < 3; n++) {
    place(n);
    await assert.rejects(failing("gpt-4o", n));
  }

  // --- a gateway that echoes an opaque key it was given, with no recognizable shape (1)
  const opaque = secret(body(28));
  const gateway = tracer.traceModelCall(async (_req: Record<string, unknown>) => {
    throw new Error(`401 Unauthorized: credential ${opaque} is not valid for this route`);
  });
  await assert.rejects(gateway({ model: "gpt-4o", api_key: place(opaque) }));

  // --- a streamed output (1)
  const streaming = tracer.traceModelCall(async function* (_model: string) {
    yield { choices: [{ delta: { content: "your key is " } }] };
    yield { choices: [{ delta: { content: place(shape.anthropic()) }, finish_reason: "stop" }] };
  });
  for await (const _ of await streaming("gpt-4o")) { /* drain */ }

  // --- custom events (4)
  tracer.logEvent("config_loaded", {
    db: { host: "db.internal", password: place(secret(body(20))) },
    dsn: place(`postgres://app:${secret(body(20))}@db.internal:5432/app`),
    hint: place(`export ANTHROPIC_API_KEY=${secret(body(40))}`),
    budgets: { [place(shape.openaiLegacy())]: 10 }, // a key itself shaped like a secret
  });

  // --- an event-bus payload (1)
  const emitter = new EventEmitter();
  tracer.initialize(null, fromEventEmitter(emitter));
  emitter.emit("llm.request", {
    request_id: "bus-1",
    model: "gpt-4o",
    params: { api_key: place(secret(body(40))), temperature: 0 },
  });
  emitter.emit("llm.response", { request_id: "bus-1", output: "ok" });
  tracer.close();

  assert.ok(placements >= 60, `only ${placements} placements`);
  assert.equal(placements, 65);
  const bytes = readFileSync(tracer.traceFile!, "utf8");
  const leaked = secrets.filter((s) => bytes.includes(s) || bytes.includes(s.slice(-12)));
  assert.deepEqual(leaked, [], `${leaked.length} of ${secrets.length} secrets leaked`);

  // What is not a secret stays readable.
  const events = readEvents(tracer.traceFile!);
  const request = events.find((e) => e.type === "llm_request")!;
  assert.equal(request.data.model, "gpt-4o-mini");
  assert.equal(request.data.params.max_tokens, 256);
  assert.equal(request.data.params.headers["X-Request-Id"], "req-visible");
  assert.equal(
    request.data.params.credentials,
    "[REDACTED]",
    "a secret name hides its whole value",
  );
  assert.deepEqual(request.data.params.headerTuples, [
    ["authorization", "[REDACTED]"],
    ["x-api-key", "[REDACTED]"],
    ["accept", "application/json"],
  ]);
  assert.match(
    request.data.params.endpoint,
    /^https:\/\/generativelanguage\.example\.com\/v1\/models\?key=\[REDACTED\]&alt=sse$/,
  );
  assert.equal(request.data.params.baseURL, "https://[REDACTED]@gateway.example.com/v1");
  assert.equal(request.data.messages[1].content, "my key: [REDACTED]");
  const response = events.find((e) => e.type === "llm_response")!;
  assert.deepEqual(response.data.usage, { input_tokens: 12, output_tokens: 4, total_tokens: 16 });
  const metadata = events.filter((e) => e.type === "session_metadata");
  assert.equal(metadata[1]!.data.user, "researcher1");
});
