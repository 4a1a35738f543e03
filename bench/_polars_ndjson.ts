/**
 * An option the issue asked to measure: Polars' own NDJSON reader (`scanJson`,
 * multithreaded in Rust) with the projection the seed's numbers need (type,
 * time, and the request id, model, duration and success of `data`). It reads
 * and projects only: no pairing, no metrics. Run as its own process so that
 * its wall time and peak RSS are its own; it prints the rows and columns read.
 *
 * Usage: `deno run -A bench/_polars_ndjson.ts FILE`
 *
 * @module
 */
import pl from "nodejs-polars";

const data = pl.col("data");
const df = pl.scanJson(Deno.args[0]!, { inferSchemaLength: 1000 })
  .select(
    "type",
    "timestamp",
    data.struct.field("request_id"),
    data.struct.field("model"),
    data.struct.field("duration_seconds"),
    data.struct.field("success"),
  )
  .collectSync();
console.log(JSON.stringify({ rows: df.height, columns: df.width }));
