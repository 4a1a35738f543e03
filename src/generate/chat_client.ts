/**
 * A minimal client of any OpenAI-compatible chat-completions endpoint
 * (`POST {baseUrl}/chat/completions`), with errors named like the official
 * SDK's (`RateLimitError`, `InternalServerError`, `APITimeoutError`, …) so the
 * traces say what went wrong. Plain `fetch`: the official `openai` package
 * would add optional peers (AWS, Google auth, ws, undici) for one POST.
 *
 * @module
 */

/** Where and how to reach the endpoint. */
export interface Endpoint {
  /** e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when given. */
  apiKey?: string;
  /** @default 120 */
  timeoutSeconds?: number;
}

/** A chat-completions request. */
export interface ChatRequest {
  model: string;
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  temperature?: number;
  max_tokens?: number;
}

/** An error of the endpoint (or of reaching it). */
export class ChatApiError extends Error {
  readonly status: number | undefined;
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
 */
export async function chatCompletion(endpoint: Endpoint, request: ChatRequest): Promise<unknown> {
  const url = `${endpoint.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
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
    throw new ChatApiError("APIConnectionError", `Connection error: ${(err as Error).message}`);
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
      `${response.status} ${message}`,
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
