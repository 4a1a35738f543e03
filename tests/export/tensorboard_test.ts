import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { fromTraceText } from "../../src/load/mod.ts";
import { writeTensorBoard } from "../../src/export/tensorboard.ts";

// ---- An independent reader: CRC-32C by its definition, the protobuf wire format by hand. ----

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit. */
function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
/** TFRecord's mask: rotate right by 15, add 0xa282ead8. */
const masked = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** Split a TFRecord file into its records, checking both CRCs of each. */
function records(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < file.length) {
    const length = Number(view.getBigUint64(at, true));
    assert.equal(
      view.getUint32(at + 8, true),
      masked(crc32c(file.subarray(at, at + 8))),
      "length CRC",
    );
    const data = file.subarray(at + 12, at + 12 + length);
    assert.equal(view.getUint32(at + 12 + length, true), masked(crc32c(data)), "data CRC");
    out.push(data);
    at += 12 + length + 4;
  }
  assert.equal(at, file.length);
  return out;
}

type Field = { n: number; wire: number; value: number | bigint | Uint8Array };
/** The fields of one protobuf message. */
function fields(buf: Uint8Array): Field[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Field[] = [];
  let at = 0;
  const varint = () => {
    let result = 0n, shift = 0n;
    for (;;) {
      const b = buf[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const n = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ n, wire, value: varint() });
    else if (wire === 1) (out.push({ n, wire, value: view.getFloat64(at, true) }), at += 8);
    else if (wire === 5) (out.push({ n, wire, value: view.getFloat32(at, true) }), at += 4);
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ n, wire, value: buf.subarray(at, at + len) });
      at += len;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

interface Event {
  wall_time: number;
  step: number;
  file_version?: string;
  scalars: Record<string, number>;
}
/** tensorflow.Event: 1 wall_time (double), 2 step, 3 file_version, 5 summary { 1 value { 1 tag, 2 simple_value } }. */
function event(data: Uint8Array): Event {
  const e: Event = { wall_time: NaN, step: 0, scalars: {} };
  for (const f of fields(data)) {
    if (f.n === 1) e.wall_time = f.value as number;
    else if (f.n === 2) e.step = Number(f.value);
    else if (f.n === 3) e.file_version = new TextDecoder().decode(f.value as Uint8Array);
    else if (f.n === 5) {
      for (const v of fields(f.value as Uint8Array).filter((x) => x.n === 1)) {
        const vf = fields(v.value as Uint8Array);
        const tag = new TextDecoder().decode(vf.find((x) => x.n === 1)!.value as Uint8Array);
        e.scalars[tag] = vf.find((x) => x.n === 2 && x.wire === 5)!.value as number;
      }
    }
  }
  return e;
}

// ---- The traces: two models over two hours, by hand. ----

const line = (type: string, ts: string, data: Record<string, unknown>, session = "s1") =>
  JSON.stringify({ type, timestamp: ts, session_id: session, data });
const call = (
  id: string,
  model: string,
  start: string,
  end: string,
  d: number,
  ok: boolean,
  usage?: object,
) => [
  line("llm_request", start, { request_id: id, model }),
  ok
    ? line("llm_response", end, {
      request_id: id,
      model,
      duration_seconds: d,
      success: true,
      usage,
    })
    : line("llm_error", end, {
      request_id: id,
      duration_seconds: d,
      success: false,
      error: "boom",
    }),
];
const TEXT = [
  ...call("r1", "model-a", "2025-04-08T09:00:00Z", "2025-04-08T09:00:01Z", 1, true, {
    input_tokens: 10,
    output_tokens: 5,
  }),
  ...call("r2", "model-a", "2025-04-08T09:30:00Z", "2025-04-08T09:30:03Z", 3, true, {
    input_tokens: 20,
    output_tokens: 10,
  }),
  ...call("r3", "model-a", "2025-04-08T09:45:00Z", "2025-04-08T09:45:02Z", 2, false),
  ...call("r4", "model-b", "2025-04-08T10:15:00Z", "2025-04-08T10:15:02Z", 2, true),
].join("\n");

Deno.test("TensorBoard export: TFRecord framing with valid masked CRC-32C and Event protobufs of the per-model scalars", () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-tb-"));
  try {
    const files = writeTensorBoard(fromTraceText(TEXT), dir, { fileTime: 1700000000 });
    assert.deepEqual(readdirSync(dir), ["traces"]);
    assert.deepEqual(files, [join(dir, "traces", "events.out.tfevents.1700000000.tracebook")]);
    const events = records(readFileSync(files[0]!)).map(event);
    assert.equal(events.length, 3); // the file version, then one event per hour
    assert.deepEqual(events[0], {
      wall_time: 1700000000,
      step: 0,
      file_version: "brain.Event:2",
      scalars: {},
    });
    const f = Math.fround;
    // 09:00–10:00: model-a has 3 calls (2 ok: 1 s and 3 s; 1 error), tokens 30 in, 15 out; unpriced.
    // p50 of [1, 3] = 2; p95 = 1 + 0.95 × (3 − 1) = 2.9.
    const hourA = {
      calls: 3,
      errors: 1,
      error_rate: f(1 / 3),
      latency_p50: 2,
      latency_p95: f(2.9),
      input_tokens: 30,
      output_tokens: 15,
      tokens: 45,
    };
    const tags = (prefix: string, values: Record<string, number>) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}/${k}`, v]));
    assert.equal(events[1]!.wall_time, Date.parse("2025-04-08T09:00:00Z") / 1000);
    assert.equal(events[1]!.step, 0);
    assert.deepEqual(events[1]!.scalars, { ...tags("all", hourA), ...tags("model-a", hourA) });
    // 10:00–11:00: model-b, one ok call of 2 s without usage.
    const hourB = {
      calls: 1,
      errors: 0,
      error_rate: 0,
      latency_p50: 2,
      latency_p95: 2,
      input_tokens: 0,
      output_tokens: 0,
      tokens: 0,
    };
    assert.equal(events[2]!.wall_time, Date.parse("2025-04-08T10:00:00Z") / 1000);
    assert.equal(events[2]!.step, 1);
    assert.deepEqual(events[2]!.scalars, { ...tags("all", hourB), ...tags("model-b", hourB) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("TensorBoard export: one run folder per comparison group, steps numbered alike across runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-tb-groups-"));
  try {
    const t = fromTraceText(TEXT);
    // model-a's calls in group "base/line" (a path separator: made safe), model-b's in "cand".
    const calls = t.calls.withColumns(
      pl.when(pl.col("model").eq(pl.lit("model-a"))).then(pl.lit("base/line")).otherwise(
        pl.lit("cand"),
      ).alias("group"),
    );
    const files = writeTensorBoard({ ...t, calls }, dir, { fileTime: 1 });
    assert.deepEqual(readdirSync(dir).sort(), ["base_line", "cand"]);
    assert.equal(files.length, 2);
    const read = (run: string) =>
      records(readFileSync(join(dir, run, "events.out.tfevents.1.tracebook"))).map(event).slice(1);
    // model-b's only hour is the second hour overall: step 1 in its own run too.
    assert.deepEqual(read("cand").map((e) => [e.step, e.scalars["model-b/calls"]]), [[1, 1]]);
    assert.deepEqual(read("base_line").map((e) => [e.step, e.scalars["model-a/calls"]]), [[0, 3]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
