/**
 * The event types of `src/schema` are declared by hand (so the docs show them and
 * name no zod type); this file fails to type-check when one stops matching what its
 * zod schema accepts.
 */
import assert from "node:assert/strict";
import type { z } from "zod";
import {
  type CustomEvent,
  customEventSchema,
  type LlmErrorEvent,
  llmErrorSchema,
  type LlmRequestEvent,
  llmRequestSchema,
  type LlmResponseEvent,
  llmResponseSchema,
  type RawUsage,
  type SessionEndEvent,
  sessionEndSchema,
  type SessionMetadataEvent,
  sessionMetadataSchema,
  type SessionStartEvent,
  sessionStartSchema,
  usageSchema,
} from "../../src/schema/mod.ts";

/** `true` when A and B are assignable to each other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

Deno.test("the declared event types and the zod schemas' types are the same", () => {
  const same: [
    Same<SessionStartEvent, z.infer<typeof sessionStartSchema>>,
    Same<SessionMetadataEvent, z.infer<typeof sessionMetadataSchema>>,
    Same<LlmRequestEvent, z.infer<typeof llmRequestSchema>>,
    Same<LlmResponseEvent, z.infer<typeof llmResponseSchema>>,
    Same<LlmErrorEvent, z.infer<typeof llmErrorSchema>>,
    Same<SessionEndEvent, z.infer<typeof sessionEndSchema>>,
    Same<CustomEvent, z.infer<typeof customEventSchema>>,
    Same<RawUsage, z.infer<typeof usageSchema>>,
  ] = [true, true, true, true, true, true, true, true];
  assert.deepEqual(same, Array(8).fill(true));
  // A negative control: a missing field makes the types differ.
  const differs: Same<Omit<LlmErrorEvent, "data">, z.infer<typeof llmErrorSchema>> = false;
  assert.equal(differs, false);
});
