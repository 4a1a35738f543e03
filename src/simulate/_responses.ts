/**
 * What a simulated call returns, shaped like each provider's SDK: a whole
 * response, or the chunks of a streamed one moving the simulated clock.
 *
 * @module
 */
import type { Plan, SessionContext } from "./_plan.ts";

/** The SDK-shaped response of a successful call (OpenAI, Anthropic or Gemini). */
export function responseOf(plan: Plan): unknown {
  const { profile, output } = plan;
  switch (profile.shape) {
    case "anthropic":
      return {
        type: "message",
        role: "assistant",
        model: profile.name,
        content: [{ type: "text", text: output }],
        stop_reason: plan.finishLength ? "max_tokens" : "end_turn",
        usage: {
          input_tokens: plan.inputTokens - plan.cachedTokens,
          output_tokens: plan.outputTokens,
          cache_read_input_tokens: plan.cachedTokens,
        },
      };
    case "gemini":
      return {
        candidates: [{
          content: { role: "model", parts: [{ text: output }] },
          finishReason: plan.finishLength ? "MAX_TOKENS" : "STOP",
        }],
        usageMetadata: {
          promptTokenCount: plan.inputTokens,
          candidatesTokenCount: plan.outputTokens,
          totalTokenCount: plan.inputTokens + plan.outputTokens,
          cachedContentTokenCount: plan.cachedTokens || undefined,
        },
        modelVersion: profile.name,
      };
    default:
      return {
        object: "chat.completion",
        model: profile.name,
        choices: [{
          index: 0,
          message: { role: "assistant", content: output },
          finish_reason: plan.finishLength ? "length" : "stop",
        }],
        usage: openaiUsage(plan),
      };
  }
}

function openaiUsage(plan: Plan) {
  return {
    prompt_tokens: plan.inputTokens,
    completion_tokens: plan.outputTokens + plan.reasoningTokens,
    total_tokens: plan.inputTokens + plan.outputTokens + plan.reasoningTokens,
    prompt_tokens_details: { cached_tokens: plan.cachedTokens },
    completion_tokens_details: { reasoning_tokens: plan.reasoningTokens },
  };
}

/** The chunks of a streamed response; each chunk moves the simulated clock. */
export async function* streamOf(ctx: SessionContext, plan: Plan): AsyncGenerator<unknown> {
  const half = plan.output.length >> 1;
  const a = plan.output.slice(0, half);
  const b = plan.output.slice(half);
  const mid = plan.ttftUs + ((plan.endUs - plan.ttftUs) >> 1);
  const name = plan.profile.name;
  if (plan.profile.shape === "anthropic") {
    ctx.nowUs = plan.ttftUs;
    yield {
      type: "message_start",
      message: { model: name, usage: { input_tokens: plan.inputTokens, output_tokens: 1 } },
    };
    yield { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: a } };
    ctx.nowUs = mid;
    yield { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: b } };
    ctx.nowUs = plan.endUs;
    yield {
      type: "message_delta",
      delta: { stop_reason: plan.finishLength ? "max_tokens" : "end_turn" },
      usage: { output_tokens: plan.outputTokens },
    };
    return;
  }
  if (plan.profile.shape === "gemini") {
    ctx.nowUs = plan.ttftUs;
    yield { candidates: [{ content: { parts: [{ text: a }] } }], modelVersion: name };
    ctx.nowUs = plan.endUs;
    yield {
      candidates: [{
        content: { parts: [{ text: b }] },
        finishReason: plan.finishLength ? "MAX_TOKENS" : "STOP",
      }],
      usageMetadata: {
        promptTokenCount: plan.inputTokens,
        candidatesTokenCount: plan.outputTokens,
      },
    };
    return;
  }
  ctx.nowUs = plan.ttftUs;
  yield {
    object: "chat.completion.chunk",
    model: name,
    choices: [{ index: 0, delta: { role: "assistant", content: a } }],
  };
  ctx.nowUs = mid;
  yield {
    object: "chat.completion.chunk",
    model: name,
    choices: [{ index: 0, delta: { content: b } }],
  };
  ctx.nowUs = plan.endUs;
  yield {
    object: "chat.completion.chunk",
    model: name,
    choices: [{ index: 0, delta: {}, finish_reason: plan.finishLength ? "length" : "stop" }],
  };
  yield { object: "chat.completion.chunk", model: name, choices: [], usage: openaiUsage(plan) };
}
