/** Test helper: mark a cached file's entry, so that a load or a tail shows it read from the entry. */
import { closeSync, openSync } from "node:fs";
import pl from "nodejs-polars";
import {
  cacheIdentity,
  cacheKeyOptions,
  findResume,
  readCached,
  storedEvents,
  writeCached,
} from "../../src/load/cache.ts";
import { prefixSamples } from "../../src/load/_append.ts";

/** The cache identity of a native file loaded with `options`. */
export const identity = (file: string, options: { keepText?: boolean } = {}) =>
  cacheIdentity(file, cacheKeyOptions(options, "native", file))!;

/**
 * Rewrite the file's entry with the model of its stored request `id` (and of
 * its call) set to "from-the-entry": a load that shows it took that request
 * from the entry, not from the file's bytes.
 */
export async function markEntry(cache: string, file: string, id: string): Promise<void> {
  const r = findResume(cache, identity(file), file)!;
  const { events } = storedEvents(r.stored()!, file, false);
  const request = events.find((e) => e.type === "llm_request" && e.request_id === id)!;
  request.model = "from-the-entry";
  const fd = openSync(file, "r");
  const samples = prefixSamples(fd, r.offset);
  closeSync(fd);
  // in the entry's frames too (the rows of sessions the new lines do not touch are taken from them)
  const frames = readCached(cache, identity(file))!;
  const calls = frames.calls.withColumns(
    pl.when(pl.col("request_id").eq(pl.lit(id))).then(pl.lit("from-the-entry"))
      .otherwise(pl.col("model")).alias("model"),
  );
  await writeCached(cache, identity(file), { ...frames, calls }, {
    size: r.size,
    offset: r.offset,
    lines: r.lines,
    samples,
    events,
    diagnostics: r.diagnostics,
    keepText: false,
  });
}
