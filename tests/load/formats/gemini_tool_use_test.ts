import assert from "node:assert/strict";
import { fromTraceText } from "../../../src/load/mod.ts";
import { rows } from "./_helpers.ts";

// A Gemini answer grounded with Google Search: the API counts the search results the model read
// apart from the prompt (`toolUsePromptTokenCount`), in its total (20 + 5 + 300 = 325), and bills
// them as input (genai-prices maps the count to input_tokens too). The three readers of Gemini's
// usage (the batch output, Gemini CLI's chat recording and its JSON output) count them in the input.
const PROMPT = 20, ANSWER = 5, TOOL_USE = 300, TOTAL = PROMPT + ANSWER + TOOL_USE;

Deno.test("gemini: the tool-use prompt (toolUsePromptTokenCount) is input, in every Gemini reader", () => {
  const batch = fromTraceText(
    JSON.stringify({
      key: "request-1",
      response: {
        candidates: [{
          content: { role: "model", parts: [{ text: "Paris." }] },
          finishReason: "STOP",
        }],
        usageMetadata: {
          promptTokenCount: PROMPT,
          candidatesTokenCount: ANSWER,
          toolUsePromptTokenCount: TOOL_USE,
          totalTokenCount: TOTAL,
        },
        modelVersion: "gemini-2.5-flash",
      },
    }) + "\n",
    { file: "predictions.jsonl" },
  );
  assert.equal(batch.formats?.["predictions.jsonl"], "gemini_batch");

  // Gemini CLI's chat recording names the same counts `input` and `tool`
  const chat = fromTraceText(
    [
      { sessionId: "s", projectHash: "h", startTime: "2026-12-02T10:42:17.000Z" },
      { id: "u1", timestamp: "2026-12-02T10:42:17.000Z", type: "user", content: "capital?" },
      {
        id: "g1",
        timestamp: "2026-12-02T10:42:18.000Z",
        type: "gemini",
        content: "Paris.",
        model: "gemini-2.5-flash",
        tokens: {
          input: PROMPT,
          output: ANSWER,
          cached: 0,
          thoughts: 0,
          tool: TOOL_USE,
          total: TOTAL,
        },
      },
    ].map((l) => JSON.stringify(l)).join("\n") + "\n",
    { file: "session.jsonl", format: "gemini_cli_chat" },
  );

  // and its `-o json` output `prompt` and `tool`
  const json = fromTraceText(
    JSON.stringify({
      session_id: "g",
      response: "Paris.",
      stats: {
        models: {
          "gemini-2.5-flash": {
            api: { totalRequests: 1, totalErrors: 0, totalLatencyMs: 900 },
            tokens: {
              input: PROMPT,
              prompt: PROMPT,
              candidates: ANSWER,
              total: TOTAL,
              cached: 0,
              thoughts: 0,
              tool: TOOL_USE,
            },
          },
        },
      },
    }),
    { file: "run.json" },
  );
  assert.equal(json.formats?.["run.json"], "gemini_cli_json");

  // the batch line gives no thoughtsTokenCount (none spent: Gemini leaves it out); Gemini CLI's 0
  for (const [t, reasoning] of [[batch, null], [chat, 0], [json, 0]] as const) {
    assert.equal(t.diagnostics.height, 0);
    assert.deepEqual(
      rows(t.calls, "input_tokens", "output_tokens", "reasoning_tokens", "total_tokens"),
      [{
        input_tokens: PROMPT + TOOL_USE, // 320 (was 20)
        output_tokens: ANSWER,
        reasoning_tokens: reasoning, // the 300 are named: not thinking hidden in the total
        total_tokens: TOTAL,
      }],
    );
  }
});
