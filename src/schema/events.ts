/**
 * zod schemas for every event of the native trace format (the seed's JSONL),
 * the single source of truth for the format. TypeScript types come from
 * `z.infer`; the JSON Schema for other producers comes from `z.toJSONSchema`
 * (`deno task schema`).
 *
 * The loader is lenient with unknown extra fields (objects are "loose"); the
 * tracer validates strictly when writing (see {@link strictEvent}).
 *
 * @module
 */
import { z } from "./zod.ts";
import { type RawUsage, usageSchema } from "./usage.ts";

/** The event types the format defines; any other `type` is a custom event. */
export const KNOWN_EVENT_TYPES = [
  "session_start",
  "session_metadata",
  "llm_request",
  "llm_response",
  "llm_error",
  "session_end",
] as const;

/** One of {@link KNOWN_EVENT_TYPES}. */
export type KnownEventType = typeof KNOWN_EVENT_TYPES[number];

/**
 * ISO 8601 date-time as real writers produce it: naive (`2025-04-08T19:42:09`,
 * read as UTC unless a time zone is named), with 1 to 9 fractional digits,
 * with `Z` or a `±HH:MM` offset. A space may replace the `T`.
 */
export const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** A timestamp string in one of the shapes of {@link TIMESTAMP_PATTERN}. */
export const timestampSchema = z.string().regex(TIMESTAMP_PATTERN, {
  message: "is not an ISO 8601 date-time",
});

const nonNegative = z.number().nonnegative();

const envelope = {
  timestamp: timestampSchema,
  session_id: z.string(),
};

/** `session_start`: opens a session. */
export const sessionStartSchema = z.looseObject({
  type: z.literal("session_start"),
  ...envelope,
});

/** `session_metadata`: any object describing the session (`user`, `project`, `version`, …). */
export const sessionMetadataSchema = z.looseObject({
  type: z.literal("session_metadata"),
  ...envelope,
  data: z.record(z.string(), z.unknown()),
});

/** The `data` of an `llm_request`. */
export const llmRequestDataSchema = z.looseObject({
  request_id: z.string(),
  model: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  provider: z.string().optional(),
  operation: z.string().optional(),
  stream: z.boolean().optional(),
  retry_of: z.string().optional(),
});

/** `llm_request`: a model call starts. */
export const llmRequestSchema = z.looseObject({
  type: z.literal("llm_request"),
  ...envelope,
  data: llmRequestDataSchema,
});

/** The `data` of an `llm_response`. */
export const llmResponseDataSchema = z.looseObject({
  request_id: z.string(),
  duration_seconds: nonNegative,
  success: z.boolean().optional(),
  model: z.string().optional(),
  output: z.string().nullable().optional(),
  usage: usageSchema.optional(),
  ttft_seconds: nonNegative.optional(),
  finish_reason: z.string().nullable().optional(),
  provider: z.string().optional(),
  operation: z.string().optional(),
  stream: z.boolean().optional(),
  retry_of: z.string().optional(),
});

/** `llm_response`: a model call succeeded. */
export const llmResponseSchema = z.looseObject({
  type: z.literal("llm_response"),
  ...envelope,
  data: llmResponseDataSchema,
});

/** The `data` of an `llm_error`; it names no model (the request's is joined). */
export const llmErrorDataSchema = z.looseObject({
  request_id: z.string(),
  duration_seconds: nonNegative,
  success: z.boolean().optional(),
  error: z.string(),
  error_type: z.string().optional(),
  provider: z.string().optional(),
  retry_of: z.string().optional(),
});

/** `llm_error`: a model call failed. */
export const llmErrorSchema = z.looseObject({
  type: z.literal("llm_error"),
  ...envelope,
  data: llmErrorDataSchema,
});

/** `session_end`: closes a session; `duration_seconds` is at the top level. */
export const sessionEndSchema = z.looseObject({
  type: z.literal("session_end"),
  ...envelope,
  duration_seconds: nonNegative,
});

/** Any other event type: `tracer.logEvent(type, data)`. Kept, never an error. */
export const customEventSchema = z.looseObject({
  type: z.string().min(1),
  ...envelope,
  data: z.record(z.string(), z.unknown()).optional(),
});

/** Schemas of the known event types, by type. */
export const EVENT_SCHEMAS = {
  session_start: sessionStartSchema,
  session_metadata: sessionMetadataSchema,
  llm_request: llmRequestSchema,
  llm_response: llmResponseSchema,
  llm_error: llmErrorSchema,
  session_end: sessionEndSchema,
} as const;

/**
 * The fields every event has. The schemas are loose: any other field is kept
 * (the index signature), so a writer may add its own.
 */
export interface EventEnvelope {
  /** When it happened, ISO 8601 ({@link TIMESTAMP_PATTERN}); a naive time is read as UTC. */
  timestamp: string;
  /** The session the event belongs to. */
  session_id: string;
  /** Fields the format does not name, kept as written. */
  [field: string]: unknown;
}

/** A `session_start` event: opens a session. */
export interface SessionStartEvent extends EventEnvelope {
  /** The event type. */
  type: "session_start";
}

/** A `session_metadata` event: any object describing the session. */
export interface SessionMetadataEvent extends EventEnvelope {
  /** The event type. */
  type: "session_metadata";
  /** The metadata (`user`, `project`, `version`, …). */
  data: Record<string, unknown>;
}

/** The `data` of an `llm_request` event. */
export interface LlmRequestData {
  /** Pairs the request with its response or error, within the session. */
  request_id: string;
  /** The requested model. */
  model?: string;
  /** The call's parameters, without the messages (`temperature`, `max_tokens`, …). */
  params?: Record<string, unknown>;
  /** The messages sent. */
  messages?: unknown[];
  /** The provider (`openai`, `anthropic`, …), when known. */
  provider?: string;
  /** The kind of call (`chat`, `embeddings`, …), when known. */
  operation?: string;
  /** Whether the response is streamed. */
  stream?: boolean;
  /** The request id this request retries. */
  retry_of?: string;
  /** Fields the format does not name, kept as written. */
  [field: string]: unknown;
}

/** An `llm_request` event: a model call starts. */
export interface LlmRequestEvent extends EventEnvelope {
  /** The event type. */
  type: "llm_request";
  /** What was asked. */
  data: LlmRequestData;
}

/** The `data` of an `llm_response` event. */
export interface LlmResponseData {
  /** The request this answers. */
  request_id: string;
  /** Seconds from the request to the response (≥ 0). */
  duration_seconds: number;
  /** `true` when given. */
  success?: boolean;
  /** The model the response named (may be a dated version of the requested one). */
  model?: string;
  /** The output text. */
  output?: string | null;
  /** Token usage, in any of the accepted shapes. */
  usage?: RawUsage;
  /** Seconds to the first token of a streamed response (≥ 0). */
  ttft_seconds?: number;
  /** Why the response ended (`stop`, `length`, …). */
  finish_reason?: string | null;
  /** The provider, when known. */
  provider?: string;
  /** The kind of call, when known. */
  operation?: string;
  /** Whether the response was streamed. */
  stream?: boolean;
  /** The request id this request retries. */
  retry_of?: string;
  /** Fields the format does not name, kept as written. */
  [field: string]: unknown;
}

/** An `llm_response` event: a model call succeeded. */
export interface LlmResponseEvent extends EventEnvelope {
  /** The event type. */
  type: "llm_response";
  /** What came back. */
  data: LlmResponseData;
}

/** The `data` of an `llm_error` event; it names no model (the request's is joined). */
export interface LlmErrorData {
  /** The request that failed. */
  request_id: string;
  /** Seconds from the request to the error (≥ 0). */
  duration_seconds: number;
  /** `false` when given. */
  success?: boolean;
  /** The error message. */
  error: string;
  /** The error's class or kind (`RateLimitError`, …). */
  error_type?: string;
  /** The provider, when known. */
  provider?: string;
  /** The request id this request retries. */
  retry_of?: string;
  /** Fields the format does not name, kept as written. */
  [field: string]: unknown;
}

/** An `llm_error` event: a model call failed. */
export interface LlmErrorEvent extends EventEnvelope {
  /** The event type. */
  type: "llm_error";
  /** What went wrong. */
  data: LlmErrorData;
}

/** A `session_end` event: closes a session. */
export interface SessionEndEvent extends EventEnvelope {
  /** The event type. */
  type: "session_end";
  /** The session's length in seconds (≥ 0), at the top level. */
  duration_seconds: number;
}

/** A custom event (any type not in {@link KNOWN_EVENT_TYPES}): `tracer.logEvent(type, data)`. */
export interface CustomEvent extends EventEnvelope {
  /** The event type, any non-empty string. */
  type: string;
  /** The event's payload. */
  data?: Record<string, unknown>;
}
/** Any valid event of the native format. */
export type TraceEvent =
  | SessionStartEvent
  | SessionMetadataEvent
  | LlmRequestEvent
  | LlmResponseEvent
  | LlmErrorEvent
  | SessionEndEvent
  | CustomEvent;

/**
 * Whether `type` is one of the known event types.
 *
 * @example
 * ```ts
 * import { isKnownEventType } from "./events.ts";
 * if (!isKnownEventType("llm_request") || isKnownEventType("cache_hit")) throw new Error("known");
 * ```
 */
export function isKnownEventType(type: string): type is KnownEventType {
  return (KNOWN_EVENT_TYPES as readonly string[]).includes(type);
}

/** The schema that validates an event of the given `type` (custom for unknown types). */
export function schemaForType(type: string): z.ZodType {
  return isKnownEventType(type) ? EVENT_SCHEMAS[type] : customEventSchema;
}

/**
 * Validate one event of any type; returns the zod result.
 *
 * @example
 * ```ts
 * import { validateEvent } from "./events.ts";
 * const r = validateEvent({ type: "session_start", timestamp: "2025-04-08T19:42:09", session_id: "s" });
 * if (!r.success) throw new Error("expected valid");
 * ```
 */
export function validateEvent(value: unknown): z.ZodSafeParseResult<unknown> {
  const type = (value as { type?: unknown } | null)?.type;
  return schemaForType(typeof type === "string" ? type : "").safeParse(value);
}

/**
 * Describe the first problem of a failed validation in one clause, e.g.
 * `"data.duration_seconds" must be a number, got string`. Pass the validated
 * `value` so the clause can name what was found.
 */
export function describeIssue(error: z.ZodError, value?: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "is not a valid event";
  const path = issue.path.length ? `"${issue.path.join(".")}"` : "the event";
  if (issue.code === "invalid_type") {
    let input: unknown = value;
    for (const key of issue.path) {
      input = input && typeof input === "object"
        ? (input as Record<PropertyKey, unknown>)[key]
        : undefined;
    }
    const got = input === undefined
      ? "nothing"
      : input === null
      ? "null"
      : Array.isArray(input)
      ? "array"
      : typeof input === "number" && issue.expected === "int"
      ? String(input)
      : typeof input;
    const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
    return input === undefined
      ? `${path} is missing`
      : `${path} must be ${article(expected)}, got ${got}`;
  }
  if (issue.code === "too_small" || issue.code === "too_big") {
    const bound = (issue as { minimum?: unknown; maximum?: unknown }).minimum ??
      (issue as { maximum?: unknown }).maximum;
    let input: unknown = value;
    for (const key of issue.path) {
      input = input && typeof input === "object"
        ? (input as Record<PropertyKey, unknown>)[key]
        : undefined;
    }
    const word = issue.code === "too_small" ? "at least" : "at most";
    const got = typeof input === "number" ? `, got ${input}` : "";
    return `${path} must be ${word} ${String(bound)}${got}`;
  }
  return `${path} ${issue.message}`;
}

/** zod's type names as a user reads them. */
const EXPECTED_NAMES: Record<string, string> = { int: "integer", record: "object" };

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
