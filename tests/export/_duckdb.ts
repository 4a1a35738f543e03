/**
 * DuckDB (`@duckdb/node-api`), the independent reader of the Parquet exports
 * and the engine the SQL views are tested on.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";

/** Plain JS values: BIGINT/HUGEINT → number (exact below 2^53), DECIMAL → number. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v !== null && typeof v === "object" && "toDouble" in v) {
    return (v as { toDouble(): number }).toDouble();
  }
  if (
    v !== null && typeof v === "object" && "toString" in v &&
    v.constructor?.name?.startsWith("DuckDB")
  ) {
    return String(v);
  }
  return v;
}

/** Run SQL statements in a fresh in-memory DuckDB; `query` returns rows as plain objects. */
export async function duckdb(): Promise<{
  run(sql: string): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  return {
    async run(sql: string) {
      await connection.run(sql);
    },
    async query(sql: string) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjects().map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))
      );
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** `'path'` as a SQL string literal. */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
