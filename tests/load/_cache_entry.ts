/** Test helper: mark a cached file's entry, so that a load or a tail shows it read from the entry. */
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import {
  cacheIdentity,
  cacheKeyOptions,
  encodeChunks,
  findResume,
  readCached,
  storedEvents,
  writeCached,
} from "../../src/load/cache.ts";
import { prefixSamples } from "../../src/load/_append.ts";
import type { EventRecord } from "../../src/load/_event.ts";
import type { ImportedFrames } from "../../src/load/formats/_records.ts";

/** The cache identity of a native file loaded with `options`. */
export const identity = (file: string, options: { keepText?: boolean } = {}) =>
  cacheIdentity(file, cacheKeyOptions(options, "native", file))!;

/** The entry file of a native file. */
const entryFile = (cache: string, file: string) => {
  const { lineage } = identity(file);
  return join(cache, lineage.slice(0, 2), `${lineage}.tbc`);
};

/** The header of a native file's entry (as `cache.ts` writes it: magic, length, JSON). */
export function entryHeader(cache: string, file: string): Record<string, unknown> & {
  lengths: number[];
  sections?: number[];
} {
  const bytes = readFileSync(entryFile(cache, file));
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
}

/** Write `header` as the header of a native file's entry, its sections as they were. */
export function rewriteEntryHeader(cache: string, file: string, header: unknown): void {
  const path = entryFile(cache, file);
  const bytes = readFileSync(path);
  const old = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - old);
  out.set(bytes.subarray(0, 4));
  new DataView(out.buffer).setUint32(4, json.length);
  out.set(json, 8);
  out.set(bytes.subarray(8 + old), 8 + json.length);
  writeFileSync(path, out);
}

/**
 * Rewrite a native file's entry, keeping its place to read on from: its frames
 * as `change` makes them (read, and written, under the price identity
 * `prices`), its stored events as `changeEvents` leaves them.
 */
export function rewriteEntry(
  cache: string,
  file: string,
  change: (frames: ImportedFrames) => ImportedFrames,
  { prices, changeEvents }: { prices?: string; changeEvents?: (events: EventRecord[]) => void } =
    {},
): void {
  const r = findResume(cache, identity(file), file)!;
  const { events } = storedEvents(r.stored()!, file, false);
  changeEvents?.(events);
  const fd = openSync(file, "r");
  const samples = prefixSamples(fd, r.offset);
  closeSync(fd);
  const frames = change(readCached(cache, identity(file), prices)!);
  writeCached(cache, identity(file), frames, {
    size: r.size,
    offset: r.offset,
    lines: r.lines,
    samples,
    events: encodeChunks(events.length, (a, b) => events.slice(a, b), false),
    diagnostics: r.diagnostics,
    keepText: false,
  }, prices);
}

/**
 * Rewrite the file's entry with the model of its stored request `id` (and of
 * its call) set to "from-the-entry": a load that shows it took that request
 * from the entry, not from the file's bytes.
 */
export function markEntry(cache: string, file: string, id: string): void {
  // in the entry's frames too (the rows of sessions the new lines do not touch are taken from them)
  rewriteEntry(cache, file, (frames) => ({
    ...frames,
    calls: frames.calls.withColumns(
      pl.when(pl.col("request_id").eq(pl.lit(id))).then(pl.lit("from-the-entry"))
        .otherwise(pl.col("model")).alias("model"),
    ),
  }), {
    changeEvents: (events) => {
      events.find((e) => e.type === "llm_request" && e.request_id === id)!.model = "from-the-entry";
    },
  });
}
