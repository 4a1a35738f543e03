/** Native trace lines for the loader's tests. */

const line = (session: string, type: string, timestamp: string, data: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp, session_id: session, data });

/** One call of `seconds` on `model` in session `session`: a request and its response, two lines. */
export function callLines(session: string, id: string, model: string, seconds: number): string {
  return [
    line(session, "llm_request", "2025-04-08T10:00:01", { request_id: id, model }),
    line(session, "llm_response", "2025-04-08T10:00:03", {
      request_id: id,
      duration_seconds: seconds,
      model,
    }),
  ].join("\n") + "\n";
}
