/**
 * The native trace format: zod schemas, inferred types, usage normalization
 * and the JSON Schema for other producers.
 *
 * @module
 */
import { z } from "./zod.ts";
import { customEventSchema, EVENT_SCHEMAS } from "./events.ts";

export {
  type CustomEvent,
  customEventSchema,
  describeIssue,
  EVENT_SCHEMAS,
  type EventEnvelope,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
  type LlmErrorData,
  llmErrorDataSchema,
  type LlmErrorEvent,
  llmErrorSchema,
  type LlmRequestData,
  llmRequestDataSchema,
  type LlmRequestEvent,
  llmRequestSchema,
  type LlmResponseData,
  llmResponseDataSchema,
  type LlmResponseEvent,
  llmResponseSchema,
  schemaForType,
  type SessionEndEvent,
  sessionEndSchema,
  type SessionMetadataEvent,
  sessionMetadataSchema,
  type SessionStartEvent,
  sessionStartSchema,
  TIMESTAMP_PATTERN,
  timestampSchema,
  type TraceEvent,
  validateEvent,
} from "./events.ts";
export {
  normalizeUsage,
  type RawUsage,
  type Usage,
  USAGE_FIELDS,
  type UsageIteration,
  usageIterations,
  usageSchema,
} from "./usage.ts";

/**
 * The JSON Schema (draft 2020-12) of one trace line, for other producers.
 * `deno task schema` writes it to `schema/trace-event.schema.json`.
 *
 * @example
 * ```ts
 * import { traceEventJsonSchema } from "./mod.ts";
 * const schema = traceEventJsonSchema();
 * // The file `deno task schema` writes is this object as JSON.
 * const written = JSON.parse(Deno.readTextFileSync("schema/trace-event.schema.json"));
 * if (schema.$schema !== "https://json-schema.org/draft/2020-12/schema") throw new Error("draft");
 * if (JSON.stringify(written) !== JSON.stringify(schema)) throw new Error("schema file is stale");
 * ```
 */
export function traceEventJsonSchema(): Record<string, unknown> {
  const anyEvent = z.union([
    EVENT_SCHEMAS.session_start,
    EVENT_SCHEMAS.session_metadata,
    EVENT_SCHEMAS.llm_request,
    EVENT_SCHEMAS.llm_response,
    EVENT_SCHEMAS.llm_error,
    EVENT_SCHEMAS.session_end,
    customEventSchema,
  ]);
  const schema = z.toJSONSchema(anyEvent, { target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    $id: "https://tracebook.dev/schema/trace-event.schema.json",
    title: "tracebook trace event",
    description:
      "One line of a tracebook native trace file (JSON Lines). Unknown event types are custom events.",
    ...schema,
  };
}
