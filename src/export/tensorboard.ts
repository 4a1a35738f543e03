/**
 * TensorBoard export: event files with one scalar series per model and metric,
 * over time buckets, in `DIR/<group>/events.out.tfevents.<time>.tracebook` (one
 * folder, a TensorBoard "run", per comparison group; `traces` when the inputs
 * are not grouped). TensorBoard shows them as they are, and W&B imports them
 * with `wandb sync --sync-tensorboard DIR`.
 *
 * Tags are `<model>/<metric>` and `all/<metric>` with the metrics `calls`,
 * `errors`, `error_rate`, `latency_p50`, `latency_p95` (seconds, the
 * `response_time` population: successful calls with a positive duration),
 * `input_tokens`, `output_tokens`, `tokens` and `cost_usd`. A step is one time
 * bucket (the same numbering in every run), its wall time the bucket's start.
 * A scalar that has no value in a bucket (no latency sample, no priced call) is
 * left out rather than written as 0.
 *
 * The file format: TFRecord framing (length, masked CRC-32C of the length,
 * data, masked CRC-32C of the data) around `tensorflow.Event` protobuf messages
 * (`wall_time`, `step`, `file_version` or `summary` of `simple_value`s),
 * encoded with protobufjs from the message definitions below; CRC-32C from
 * the crc-32 package.
 *
 * @module
 */
import pl from "../frames/polars.ts";
// Deferred: protobufjs runs on the first TensorBoard export, not on import.
import defer * as protobuf from "npm:protobufjs@8.8.1/light.js";
import type { Type } from "npm:protobufjs@8.8.1/light.js";
// Deferred too: crc-32 runs on the first TensorBoard export.
import defer * as crc32c from "npm:crc-32@1.2.2/crc32c.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceSet } from "../frames/columns.ts";
import { errorCount, errorRate } from "../metrics/errors.ts";
import { latency } from "../metrics/latency.ts";
import { costTotal, tokenSum } from "../metrics/tokens.ts";

/** The part of TensorFlow's `event.proto` and `summary.proto` an event file of scalars uses. */
const PROTO = {
  nested: {
    tensorflow: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ["file_version", "summary"] } },
          fields: {
            wall_time: { type: "double", id: 1 },
            step: { type: "int64", id: 2 },
            file_version: { type: "string", id: 3 },
            summary: { type: "Summary", id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: "repeated", type: "Value", id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ["simple_value"] } },
              fields: {
                tag: { type: "string", id: 1 },
                simple_value: { type: "float", id: 2 },
              },
            },
          },
        },
      },
    },
  },
};
let eventType: Type | undefined;
/** `tensorflow.Event`, built from {@link PROTO} on first use. */
function EventType(): Type {
  return eventType ??= protobuf.default.Root.fromJSON(PROTO).lookupType("tensorflow.Event");
}

/** The scalar metrics written per model and bucket, in this order. */
export const TENSORBOARD_METRICS = [
  "calls",
  "errors",
  "error_rate",
  "latency_p50",
  "latency_p95",
  "input_tokens",
  "output_tokens",
  "tokens",
  "cost_usd",
] as const;

/** Options of {@linkcode writeTensorBoard}. */
export interface TensorBoardOptions {
  /** The time bucket of a step, as Polars durations (`1m`, `1h`, `1d`). @default {"1h"} */
  every?: string;
  /** Run folder of calls with no group. @default {"traces"} */
  defaultGroup?: string;
  /** The time in the event file names (seconds since the epoch). @default now */
  fileTime?: number;
}

/** TFRecord's masked CRC-32C. */
export function maskedCrc32c(data: Uint8Array): number {
  // a CommonJS module: a namespace import holds its exports as `default` (Deno's, esbuild's)
  const crc = (crc32c as unknown as { default: typeof crc32c }).default.buf(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length (u64 LE), its masked CRC, the data, the data's masked CRC. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** One encoded `tensorflow.Event`. */
export function encodeEvent(
  event: {
    wall_time: number;
    step?: number;
    file_version?: string;
    summary?: { value: { tag: string; simple_value: number }[] };
  },
): Uint8Array {
  const type = EventType();
  return type.encode(type.fromObject(event)).finish();
}

/** A folder name for a group label: path separators and odd characters become `_`. */
export function runFolderName(group: string): string {
  const safe = group.replace(/[^\w.@+=-]+/g, "_").replace(/^\.+/, "_");
  return safe || "_";
}

/** Per group, model and bucket: the metrics of {@linkcode TENSORBOARD_METRICS}. */
export function tensorBoardScalars(
  calls: pl.DataFrame,
  options: { every?: string; defaultGroup?: string } = {},
): pl.DataFrame {
  const every = options.every ?? "1h";
  const group = calls.columns.includes("group")
    ? pl.col("group").cast(pl.Utf8).fillNull(pl.lit(options.defaultGroup ?? "traces"))
    : pl.lit(options.defaultGroup ?? "traces");
  const base = calls.filter(pl.col("started_at").isNotNull()).withColumns(
    group.alias("__group"),
    pl.col("started_at").dt.truncate(every).alias("__bucket"),
  );
  const metrics = [
    pl.len().cast(pl.Float64).alias("calls"),
    errorCount().cast(pl.Float64).alias("errors"),
    errorRate().alias("error_rate"),
    latency().quantile(0.5, "linear").alias("latency_p50"),
    latency().quantile(0.95, "linear").alias("latency_p95"),
    tokenSum("input_tokens").cast(pl.Float64).alias("input_tokens"),
    tokenSum("output_tokens").cast(pl.Float64).alias("output_tokens"),
    tokenSum("input_tokens").add(tokenSum("output_tokens")).cast(pl.Float64).alias("tokens"),
    costTotal().alias("cost_usd"),
  ];
  const perModel = base.groupBy(["__group", "model", "__bucket"]).agg(...metrics);
  const all = base.groupBy(["__group", "__bucket"]).agg(...metrics).withColumns(
    pl.lit("all").alias("model"),
  ).select(...perModel.columns);
  return pl.concat([all, perModel]).sort(["__group", "__bucket", "model"]);
}

/**
 * Write TensorBoard event files for `traces` under `dir`; returns the files written.
 *
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { join } from "node:path";
 * import { tmpdir } from "node:os";
 * import { fromTraceText } from "../load/mod.ts";
 * import { writeTensorBoard } from "./tensorboard.ts";
 * const traces = fromTraceText(
 *   '{"type":"llm_request","timestamp":"2025-04-08T09:00:00Z","session_id":"s","data":{"request_id":"r","model":"m"}}\n',
 * );
 * const dir = mkdtempSync(join(tmpdir(), "tracebook-tb-"));
 * const [file] = writeTensorBoard(traces, dir, { fileTime: 1 });
 * if (!file!.endsWith("traces/events.out.tfevents.1.tracebook")) throw new Error(file);
 * // The first record is 8 + 4 + data + 4 bytes; its length field comes first.
 * if (readFileSync(file!)[0]! === 0) throw new Error("empty first record");
 * rmSync(dir, { recursive: true });
 * ```
 */
export function writeTensorBoard(
  traces: TraceSet,
  dir: string,
  options: TensorBoardOptions = {},
): string[] {
  const scalars = tensorBoardScalars(traces.calls, options);
  const rows = scalars.withColumns(pl.col("__bucket").cast(pl.Int64).alias("__bucket_us"))
    .toRecords() as Record<string, unknown>[];
  const buckets = [...new Set(rows.map((r) => Number(r.__bucket_us)))].sort((a, b) => a - b);
  const stepOf = new Map(buckets.map((b, i) => [b, i]));
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const g = String(row.__group);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(row);
  }
  if (groups.size === 0) groups.set(options.defaultGroup ?? "traces", []);
  const fileTime = options.fileTime ?? Math.floor(Date.now() / 1000);
  const written: string[] = [];
  for (const [group, groupRows] of groups) {
    const records: Uint8Array[] = [
      tfRecord(encodeEvent({ wall_time: fileTime, file_version: "brain.Event:2" })),
    ];
    const byBucket = new Map<number, Record<string, unknown>[]>();
    for (const row of groupRows) {
      const b = Number(row.__bucket_us);
      if (!byBucket.has(b)) byBucket.set(b, []);
      byBucket.get(b)!.push(row);
    }
    for (const [bucket, bucketRows] of [...byBucket].sort((a, b) => a[0] - b[0])) {
      const value = bucketRows.flatMap((row) =>
        TENSORBOARD_METRICS.flatMap((m) => {
          const v = row[m];
          return typeof v === "number" && Number.isFinite(v)
            ? [{ tag: `${row.model}/${m}`, simple_value: v }]
            : [];
        })
      );
      records.push(tfRecord(encodeEvent({
        wall_time: bucket / 1e6,
        step: stepOf.get(bucket)!,
        summary: { value },
      })));
    }
    const folder = join(dir, runFolderName(group));
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `events.out.tfevents.${fileTime}.tracebook`);
    const size = records.reduce((n, r) => n + r.length, 0);
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const r of records) {
      bytes.set(r, offset);
      offset += r.length;
    }
    writeFileSync(path, bytes);
    written.push(path);
  }
  return written;
}
