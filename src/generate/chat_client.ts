/**
 * A minimal client of any OpenAI-compatible chat-completions endpoint
 * (`POST {baseUrl}/chat/completions`), with errors named like the official
 * SDK's (`RateLimitError`, `InternalServerError`, `APITimeoutError`, …) so the
 * traces say what went wrong. Plain `fetch`: the official `openai` package
 * would add optional peers (AWS, Google auth, ws, undici) for one POST.
 *
 * A base URL may carry credentials (`https://user:pass@host/v1`,
 * `…/v1?key=…`): they are sent (userinfo as `Authorization: Basic …` when no
 * API key is given, the query as it is) and never written anywhere:
 * {@link publicBaseUrl} is the form for files and messages.
 *
 * @module
 */
import { isSecretName, KnownSecrets, redactText } from "../tracing/mod.ts";

/** Where and how to reach the endpoint. */
export interface Endpoint {
  /** e.g. `https://api.openai.com/v1`, `http://127.0.0.1:8080/v1`, `https://h/v1?api-version=2024-10-21`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when given. */
  apiKey?: string;
  /** Seconds before a request is abandoned. @default 120 */
  timeoutSeconds?: number;
}

/** A chat-completions request. */
export interface ChatRequest {
  /** The model name sent to the endpoint. */
  model: string;
  /** The conversation, oldest message first. */
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  /** Sampling temperature; the endpoint's default when absent. */
  temperature?: number;
  /** The most tokens the reply may have; the endpoint's default when absent. */
  max_tokens?: number;
}

/**
 * An error of the endpoint (or of reaching it), named like the SDKs' errors.
 *
 * @example
 * ```ts
 * import { ChatApiError } from "./chat_client.ts";
 * const err = new ChatApiError("RateLimitError", "429 slow down", 429);
 * if (!(err instanceof Error) || err.name !== "RateLimitError" || err.status !== 429) {
 *   throw new Error("error");
 * }
 * ```
 */
export class ChatApiError extends Error {
  /** The HTTP status, or `undefined` when the endpoint could not be reached. */
  readonly status: number | undefined;
  /** An error named `name` (e.g. `RateLimitError`) with the endpoint's message and HTTP status. */
  constructor(name: string, message: string, status?: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

function errorName(status: number): string {
  if (status === 400) return "BadRequestError";
  if (status === 401) return "AuthenticationError";
  if (status === 403) return "PermissionDeniedError";
  if (status === 404) return "NotFoundError";
  if (status === 409) return "ConflictError";
  if (status === 422) return "UnprocessableEntityError";
  if (status === 429) return "RateLimitError";
  if (status >= 500) return "InternalServerError";
  return "APIError";
}

/**
 * Send one chat-completions request; returns the parsed response body.
 *
 * @throws {ChatApiError} on an HTTP error status, a timeout or a network failure.
 *
 * @example
 * ```ts
 * import { ChatApiError, chatCompletion } from "./chat_client.ts";
 * // A stand-in endpoint on this machine: the first request is answered, the second refused.
 * let n = 0;
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   ++n === 1
 *     ? Response.json({ choices: [{ message: { content: "hi" } }] })
 *     : Response.json({ error: { message: "slow down" } }, { status: 429 }));
 * const endpoint = { baseUrl: `http://127.0.0.1:${server.addr.port}/v1` };
 * const request = { model: "m", messages: [{ role: "user" as const, content: "hello" }] };
 * const body = await chatCompletion(endpoint, request) as { choices: { message: { content: string } }[] };
 * if (body.choices[0]!.message.content !== "hi") throw new Error("body");
 * const err = await chatCompletion(endpoint, request).then(() => null, (e: ChatApiError) => e);
 * await server.shutdown();
 * if (err?.name !== "RateLimitError" || err.status !== 429 || err.message !== "429 slow down") {
 *   throw new Error(`${err?.name} ${err?.message}`);
 * }
 * ```
 */
export async function chatCompletion(endpoint: Endpoint, request: ChatRequest): Promise<unknown> {
  const { url, basic } = requestUrl(endpoint.baseUrl);
  const known = credentialsOf(endpoint);
  const clean = (message: string) => redactText(message, undefined, known);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  else if (basic) headers.authorization = `Basic ${basic}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify(request),
      signal: AbortSignal.timeout((endpoint.timeoutSeconds ?? 120) * 1000),
    });
  } catch (err) {
    if (err instanceof DOMException && (err.name === "TimeoutError" || err.name === "AbortError")) {
      throw new ChatApiError("APITimeoutError", "Request timed out.");
    }
    // fetch's message names the URL, query included: never repeat its credentials
    throw new ChatApiError(
      "APIConnectionError",
      `Connection error: ${clean((err as Error).message)}`,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 300);
    try {
      const body = JSON.parse(text);
      message = body?.error?.message ?? body?.message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new ChatApiError(
      errorName(response.status),
      `${response.status} ${clean(String(message))}`,
      response.status,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ChatApiError(
      "APIError",
      `The endpoint answered with something that is not JSON: ${text.slice(0, 80)}`,
    );
  }
}

/** The endpoint's own credentials (API key, URL password, secret query values), to redact from errors. */
function credentialsOf(endpoint: Endpoint): KnownSecrets {
  const known = new KnownSecrets();
  if (endpoint.apiKey) known.add(endpoint.apiKey);
  try {
    const u = new URL(endpoint.baseUrl);
    if (u.password) known.add(decodeURIComponent(u.password));
    for (const [name, value] of u.searchParams) if (isSecretName(name)) known.add(value);
  } catch {
    // not a URL: nothing to take from it
  }
  return known;
}

/** The chat-completions URL of a base URL (its query kept), and its userinfo as Basic credentials. */
function requestUrl(baseUrl: string): { url: string; basic?: string } {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    return { url: `${baseUrl.replace(/\/+$/, "")}/chat/completions` };
  }
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/chat/completions`;
  let basic: string | undefined;
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    const bytes = new TextEncoder().encode(`${user}:${pass}`);
    basic = btoa(String.fromCharCode(...bytes));
    u.username = "";
    u.password = "";
  }
  return { url: u.href, basic };
}

/**
 * A base URL as it may be written to a file or shown: userinfo and key-like
 * query parameters redacted.
 *
 * @example
 * ```ts
 * import { publicBaseUrl } from "./chat_client.ts";
 * const url = publicBaseUrl("https://u:p4ss@gw.example/v1?key=abc123&api-version=2024-10-21");
 * if (url !== "https://[REDACTED]@gw.example/v1?key=[REDACTED]&api-version=2024-10-21") throw new Error(url);
 * ```
 */
export function publicBaseUrl(baseUrl: string): string {
  return redactText(baseUrl);
}
