/**
 * Throwaway generator of a large native trace file for the loader benchmark
 * (not a realistic simulation: see `simulate` for that). Deterministic.
 *
 * Usage: `deno run -A bench/_gen_native.ts OUT.jsonl [CALLS=200000] [FIRST=0]`
 *
 * @module
 */

/**
 * Write `calls` model calls (sessions of 50, 1 error in 20, a custom event every 10 calls) to
 * `out`, numbered from `first` (a multiple of 50): files written with distinct ranges share no
 * session or request id, as the files of separate runs.
 */
export async function writeNativeTrace(out: string, calls: number, first = 0): Promise<void> {
  const file = await Deno.open(out, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let t = Date.UTC(2025, 3, 8, 12, 0, 0) + first * 2500;
  const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "") + "123";
  const filler = "lorem ipsum dolor sit amet ".repeat(60);
  const models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "unknown"];
  let buf: string[] = [];
  let sid = "";
  const hex = (n: number) => n.toString(16).padStart(12, "0");
  for (let i = first; i < first + calls; i++) {
    if (i % 50 === 0) {
      if (sid) {
        buf.push(
          JSON.stringify({
            type: "session_end",
            timestamp: iso(t),
            session_id: sid,
            duration_seconds: 100.5,
          }),
        );
      }
      sid = `00000000-0000-4000-8000-${hex(i)}`;
      buf.push(JSON.stringify({ type: "session_start", timestamp: iso(t), session_id: sid }));
      buf.push(
        JSON.stringify({
          type: "session_metadata",
          timestamp: iso(t),
          session_id: sid,
          data: { user: `u${i % 7}`, project: "p" },
        }),
      );
    }
    const rid = `11111111-0000-4000-8000-${hex(i)}`;
    const model = models[i % 4];
    buf.push(JSON.stringify({
      type: "llm_request",
      timestamp: iso(t),
      session_id: sid,
      data: {
        request_id: rid,
        model,
        params: { temperature: 0.2 },
        messages: [{ role: "system", content: "You are helpful." }, {
          role: "user",
          content: filler.slice(0, 1000 + (i % 500)),
        }],
      },
    }));
    t += 1000 + (i % 3000);
    const d = 0.5 + (i % 100) / 10;
    if (i % 20 === 7) {
      buf.push(
        JSON.stringify({
          type: "llm_error",
          timestamp: iso(t),
          session_id: sid,
          data: {
            request_id: rid,
            duration_seconds: d,
            success: false,
            error: "RateLimitError: 429",
          },
        }),
      );
    } else {
      buf.push(JSON.stringify({
        type: "llm_response",
        timestamp: iso(t),
        session_id: sid,
        data: {
          request_id: rid,
          duration_seconds: d,
          success: true,
          model,
          output: filler + filler.slice(0, i % 1000),
          usage: { input_tokens: 300 + i % 50, output_tokens: 400 + i % 70 },
          finish_reason: "stop",
        },
      }));
    }
    if (i % 10 === 0) {
      buf.push(
        JSON.stringify({
          type: "step_done",
          timestamp: iso(t),
          session_id: sid,
          data: { step: i },
        }),
      );
    }
    if (buf.length > 2000) {
      await file.write(enc.encode(buf.join("\n") + "\n"));
      buf = [];
    }
  }
  buf.push(
    JSON.stringify({
      type: "session_end",
      timestamp: iso(t),
      session_id: sid,
      duration_seconds: 100.5,
    }),
  );
  await file.write(enc.encode(buf.join("\n") + "\n"));
  file.close();
}

if (import.meta.main) {
  await writeNativeTrace(
    Deno.args[0] ?? "big.jsonl",
    Number(Deno.args[1] ?? 200_000),
    Number(Deno.args[2] ?? 0),
  );
}
