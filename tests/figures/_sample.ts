/**
 * A deterministic sample calls frame for figure previews and snapshots: four
 * models (two with long names), three sessions, errors, a pending call, an
 * orphan response and an unpriced model.
 * @module
 */
import type pl from "nodejs-polars";
import { at, type CallRow, callsFrame } from "./_calls.ts";

const MODELS = [
  "gpt-4o",
  "claude-3-5-sonnet-20241022",
  "accounts/fireworks/models/llama-v3p1-70b-instruct",
  "o1-mini",
];
/** Price per output token; o1-mini has none (unpriced). */
const PRICE: Record<string, number | null> = {
  "gpt-4o": 10e-6,
  "claude-3-5-sonnet-20241022": 15e-6,
  "accounts/fireworks/models/llama-v3p1-70b-instruct": 0.9e-6,
  "o1-mini": null,
};

/** A linear congruential generator: the same numbers on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` calls over three sessions, deterministic. */
export function sampleCalls(n = 60): pl.DataFrame {
  const rand = random(42);
  const rows: CallRow[] = [];
  const sessions = [
    "7f5cdcdc-afcc-46be-8f38-9c59c541392b",
    "0a1b2c3d-1111-4222-8333-944455556666",
    "c0ffee00-dead-4bee-f000-123456789abc",
  ];
  for (let i = 0; i < n; i++) {
    const s = i % 3;
    const model = MODELS[Math.floor(rand() * MODELS.length)]!;
    const start = s * 40 + Math.floor(i / 3) * 6 + rand() * 3;
    const output = Math.round(50 + rand() * 900);
    const duration = 0.4 + output / (model === "o1-mini" ? 60 : 150) + rand() * 2;
    const status = i === 7 || i === 23 || i === 41 ? "error" : "ok";
    const price = PRICE[model];
    rows.push({
      session_id: sessions[s],
      request_id: `req-${i}`,
      model,
      started_at: at(start),
      ended_at: at(start + duration),
      duration_s: duration,
      status,
      error: status === "error" ? "RateLimitError: 429" : null,
      input_tokens: status === "ok" ? 200 + Math.round(rand() * 800) : null,
      output_tokens: status === "ok" ? output : null,
      cost_usd: status === "ok" && price != null ? output * price : null,
    });
  }
  rows.push({
    session_id: sessions[2],
    request_id: "req-pending",
    model: "gpt-4o",
    status: "pending",
    started_at: at(230),
  });
  rows.push({
    session_id: sessions[1],
    request_id: "req-orphan",
    model: "unknown",
    status: "ok",
    orphan: true,
    ended_at: at(100),
    duration_s: 2.5,
  });
  return callsFrame(rows);
}
