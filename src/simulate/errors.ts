/**
 * The errors simulated model calls throw, named like the official SDKs'
 * (the tracer records `error_type` from the name).
 *
 * @module
 */
import type { Random } from "./prng.ts";
import type { ResponseShape } from "./models.ts";

/**
 * An API error as the OpenAI and Anthropic SDKs throw them.
 *
 * @example
 * ```ts
 * import { SimulatedApiError } from "./errors.ts";
 * const err = new SimulatedApiError("RateLimitError", "Rate limit reached", 429);
 * // The tracer writes the name as the error's `error_type`.
 * if (err.name !== "RateLimitError" || err.status !== 429) throw new Error(err.name);
 * ```
 */
export class SimulatedApiError extends Error {
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** An error named `name` (e.g. `RateLimitError`) with a message and an HTTP status. */
  constructor(name: string, message: string, status?: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** One kind of failure: how likely, how long it takes, what it says. */
interface ErrorKind {
  weight: number;
  retryable: boolean;
  /** Seconds until the error, given the latency the call would have had. */
  latency: (rng: Random, latency: number) => number;
  make: (model: string, rng: Random) => SimulatedApiError;
}

const KINDS: Record<ResponseShape, ErrorKind[]> = {
  openai: [
    {
      weight: 45,
      retryable: true,
      latency: (rng) => rng.uniform(0.05, 0.4),
      make: (model, rng) =>
        new SimulatedApiError(
          "RateLimitError",
          `429 Rate limit reached for ${model} on tokens per min (TPM): Limit 30000. Please try again in ${
            rng.int(1, 9)
          }s.`,
          429,
        ),
    },
    {
      weight: 20,
      retryable: true,
      latency: (rng, lat) => lat * rng.uniform(0.2, 1),
      make: () =>
        new SimulatedApiError(
          "InternalServerError",
          "500 The server had an error while processing your request.",
          500,
        ),
    },
    {
      weight: 15,
      retryable: false,
      latency: (rng) => 60 + rng.uniform(0, 0.3),
      make: () => new SimulatedApiError("APITimeoutError", "Request timed out."),
    },
    {
      weight: 10,
      retryable: true,
      latency: (rng) => rng.uniform(0.01, 1.5),
      make: () => new SimulatedApiError("APIConnectionError", "Connection error."),
    },
    {
      weight: 10,
      retryable: false,
      latency: (rng) => rng.uniform(0.05, 0.3),
      make: () =>
        new SimulatedApiError(
          "BadRequestError",
          "400 This model's maximum context length is 128000 tokens. Please reduce the length of the messages.",
          400,
        ),
    },
  ],
  anthropic: [
    {
      weight: 50,
      retryable: true,
      latency: (rng) => rng.uniform(0.2, 1.5),
      make: () => new SimulatedApiError("OverloadedError", "529 Overloaded", 529),
    },
    {
      weight: 25,
      retryable: true,
      latency: (rng) => rng.uniform(0.05, 0.4),
      make: () =>
        new SimulatedApiError(
          "RateLimitError",
          "429 Number of request tokens has exceeded your per-minute rate limit.",
          429,
        ),
    },
    {
      weight: 15,
      retryable: false,
      latency: (rng) => 60 + rng.uniform(0, 0.3),
      make: () => new SimulatedApiError("APITimeoutError", "Request timed out."),
    },
    {
      weight: 10,
      retryable: true,
      latency: (rng, lat) => lat * rng.uniform(0.2, 1),
      make: () => new SimulatedApiError("InternalServerError", "500 Internal server error", 500),
    },
  ],
  gemini: [
    {
      weight: 60,
      retryable: true,
      latency: (rng) => rng.uniform(0.05, 0.4),
      make: () =>
        new SimulatedApiError(
          "ResourceExhausted",
          "429 Resource has been exhausted (e.g. check quota).",
          429,
        ),
    },
    {
      weight: 40,
      retryable: true,
      latency: (rng, lat) => lat * rng.uniform(0.2, 1),
      make: () =>
        new SimulatedApiError(
          "ServiceUnavailable",
          "503 The model is overloaded. Please try again later.",
          503,
        ),
    },
  ],
};

/** A simulated failure: the error, when it happens, and whether a client would retry. */
export interface SimulatedFailure {
  error: SimulatedApiError;
  latency: number;
  retryable: boolean;
}

/** Draw a failure for a call of `model` (response shape `shape`) that would have taken `latency` seconds. */
export function drawFailure(
  rng: Random,
  model: string,
  shape: ResponseShape,
  latency: number,
): SimulatedFailure {
  const kinds = KINDS[shape];
  const total = kinds.reduce((s, k) => s + k.weight, 0);
  let x = rng.next() * total;
  let kind = kinds[0]!;
  for (const k of kinds) {
    x -= k.weight;
    if (x < 0) {
      kind = k;
      break;
    }
  }
  return {
    error: kind.make(model, rng),
    latency: kind.latency(rng, latency),
    retryable: kind.retryable,
  };
}
