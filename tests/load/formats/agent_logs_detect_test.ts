import assert from "node:assert/strict";
import { detectFormat, sampleOfText } from "../../../src/load/mod.ts";

const AGENT_FORMATS = new Set([
  "claude_code",
  "codex",
  "anthropic_agent_events",
  "gemini_cli_chat",
  "gemini_cli_stream",
  "atif",
]);
const formatOf = (text: string) => detectFormat(sampleOfText(text, "x.json"))?.name ?? null;
const lines = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join("\n") + "\n";

Deno.test("the agent-log formats are told apart from each other by their keys", () => {
  const cases: [string, string][] = [
    [lines({ type: "summary", summary: "x", leafUuid: "u" }), "claude_code"],
    [
      lines({
        type: "file-history-snapshot",
        messageId: "m",
        snapshot: {},
        isSnapshotUpdate: false,
      }),
      "claude_code",
    ],
    [
      lines({
        type: "user",
        sessionId: "s",
        uuid: "u",
        parentUuid: null,
        timestamp: "2026-01-01T00:00:00Z",
        message: {},
      }),
      "claude_code",
    ],
    [
      lines({ timestamp: "2026-01-01T00:00:00Z", type: "session_meta", payload: { id: "s" } }),
      "codex",
    ],
    [
      lines({ id: "s", timestamp: "2025-05-01T00:00:00Z", instructions: null }, {
        record_type: "state",
      }),
      "codex",
    ],
    [
      lines({
        id: "sevt_1",
        type: "span.model_request_start",
        processed_at: "2026-01-01T00:00:00Z",
      }),
      "anthropic_agent_events",
    ],
    [
      lines({
        role: "system",
        kind: "status_running",
        time: "2026-01-01T00:00:00Z",
        raw: { id: "sevt_1", type: "session.status_running", processed_at: "x" },
      }),
      "anthropic_agent_events",
    ],
    [
      JSON.stringify(
        { sessionId: "s", projectHash: "h", startTime: "x", lastUpdated: "x", messages: [] },
        null,
        2,
      ),
      "gemini_cli_chat",
    ],
    [
      lines({ sessionId: "s", projectHash: "h", startTime: "x" }, {
        id: "m1",
        type: "user",
        content: "hi",
      }),
      "gemini_cli_chat",
    ],
    [
      lines({ type: "message", role: "user", content: "hi" }, {
        type: "init",
        timestamp: "x",
        session_id: "g",
        model: "gemini-2.5-pro",
      }),
      "gemini_cli_stream",
    ],
    [
      lines(
        { type: "init", session_id: "g", model: "m" },
        { type: "thought_update", text: "later versions" },
        { type: "message", role: "assistant", content: "a" },
        { type: "result", status: "success", stats: {} },
        { type: "message", role: "assistant", content: "b" },
      ),
      "gemini_cli_stream",
    ],
    [
      JSON.stringify(
        {
          schema_version: "ATIF-v1.2",
          session_id: "t",
          agent: { name: "a", version: "1" },
          steps: [],
        },
        null,
        2,
      ),
      "atif",
    ],
  ];
  for (const [text, format] of cases) assert.equal(formatOf(text), format, text);
});

Deno.test("the agent-log formats claim no native trace, config JSON or look-alike", () => {
  const cases = [
    // native lines whose custom event types are stream-json's names: they carry data and session_id
    lines({ type: "session_start", timestamp: "2025-01-01T00:00:00", session_id: "s" }, {
      type: "result",
      timestamp: "2025-01-01T00:00:01",
      session_id: "s",
      data: { stats: {} },
    }),
    lines({
      type: "init",
      timestamp: "2025-01-01T00:00:00",
      session_id: "s",
      data: { model: "m" },
    }),
    JSON.stringify({ name: "my-app", version: "1.0.0", dependencies: {} }, null, 2),
    JSON.stringify({ steps: [{ source: "agent" }] }), // no schema_version and no agent: not ATIF
    lines({ sessionId: "s", theme: "dark" }), // a settings file, not a chat recording
    lines({ id: "x", type: "span.start", name: "a span" }), // no processed_at: not a managed-agent event
    lines({ timestamp: "x", type: "response_item" }), // no payload: not a rollout line
  ];
  for (const text of cases) {
    const format = formatOf(text);
    assert.ok(format === null || !AGENT_FORMATS.has(format), `${text} → ${format}`);
  }
});

Deno.test("claude_code: a first line longer than the sample is recognised by its keys", () => {
  const big = JSON.stringify({
    type: "file-history-snapshot",
    messageId: "m",
    snapshot: { trackedFileBackups: { "a.ts": "x".repeat(1_100_000) } },
  });
  const head = big.slice(0, 1024 * 1024); // what detection reads of the file
  assert.equal(formatOf(head), "claude_code");
});
