/**
 * The figures the agent-log adapter tests compare (calls, ok, errors, pending,
 * models, tokens, latency) read from a loaded `calls` frame, and a median for
 * the expected values computed independently from the fixtures.
 * @module
 */
import pl from "nodejs-polars";

/** What a test checks of a file's calls. */
export interface Figures {
  calls: number;
  ok: number;
  errors: number;
  pending: number;
  models: Record<string, number>;
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  latency: { n: number; p50: number | null; max: number | null };
}

/** The median (mean of the two middle values for an even count), or null. */
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Sum of a column's non-null values, or null when every value is null. */
function sum(df: pl.DataFrame, column: string): number | null {
  const values = df.getColumn(column).toArray().filter((v) => v !== null) as number[];
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
}

/** The figures of a loaded `calls` frame. */
export function figuresOf(calls: pl.DataFrame): Figures {
  const status = (s: string) => calls.filter(pl.col("status").eq(pl.lit(s))).height;
  const models: Record<string, number> = {};
  for (const m of calls.getColumn("model").toArray() as string[]) models[m] = (models[m] ?? 0) + 1;
  const durations = calls.getColumn("duration_s").toArray().filter((v) => v !== null) as number[];
  return {
    calls: calls.height,
    ok: status("ok"),
    errors: status("error"),
    pending: status("pending"),
    models,
    input: sum(calls, "input_tokens"),
    output: sum(calls, "output_tokens"),
    cacheRead: sum(calls, "cache_read_tokens"),
    latency: {
      n: durations.length,
      p50: median(durations),
      max: durations.length ? Math.max(...durations) : null,
    },
  };
}
