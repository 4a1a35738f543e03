/**
 * Strict validation of what the tracer writes: the schema's event shapes with
 * no unknown field anywhere in the envelope or in `data` (the loader is
 * lenient; the writer is not).
 *
 * @module
 */
import { z } from "../schema/zod.ts";
import {
  customEventSchema,
  describeIssue,
  isKnownEventType,
  llmErrorDataSchema,
  llmRequestDataSchema,
  llmResponseDataSchema,
  sessionEndSchema,
  sessionMetadataSchema,
  sessionStartSchema,
  usageSchema,
} from "../schema/mod.ts";

const envelope = {
  type: z.string(),
  timestamp: sessionStartSchema.shape.timestamp,
  session_id: z.string(),
};

/** Strict schemas of every event type the tracer writes. */
export const STRICT_SCHEMAS: Record<string, z.ZodType> = {
  session_start: z.strictObject({ ...sessionStartSchema.shape }),
  session_metadata: z.strictObject({ ...sessionMetadataSchema.shape }),
  llm_request: z.strictObject({
    ...envelope,
    type: z.literal("llm_request"),
    data: z.strictObject({ ...llmRequestDataSchema.shape }),
  }),
  llm_response: z.strictObject({
    ...envelope,
    type: z.literal("llm_response"),
    data: z.strictObject({
      ...llmResponseDataSchema.shape,
      usage: z.strictObject({
        input_tokens: usageSchema.shape.input_tokens,
        output_tokens: usageSchema.shape.output_tokens,
        total_tokens: usageSchema.shape.total_tokens,
        cache_read_tokens: usageSchema.shape.cache_read_tokens,
        cache_write_tokens: usageSchema.shape.cache_write_tokens,
        reasoning_tokens: usageSchema.shape.reasoning_tokens,
      }).optional(),
    }),
  }),
  llm_error: z.strictObject({
    ...envelope,
    type: z.literal("llm_error"),
    data: z.strictObject({ ...llmErrorDataSchema.shape }),
  }),
  session_end: z.strictObject({ ...sessionEndSchema.shape }),
};

const strictCustom = z.strictObject({ ...customEventSchema.shape });

/**
 * Validate an event strictly; returns `undefined` when valid, else a clause
 * saying what is wrong (`"data.duration_seconds" must be a number, got string`).
 */
export function strictProblem(event: Record<string, unknown>): string | undefined {
  const type = event.type;
  const schema = typeof type === "string" && isKnownEventType(type)
    ? STRICT_SCHEMAS[type]!
    : strictCustom;
  const r = schema.safeParse(event);
  return r.success ? undefined : describeIssue(r.error, event);
}
