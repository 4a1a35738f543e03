/**
 * Secrets never reach a trace file: every value the tracer writes from the
 * caller's arguments goes through {@link sanitize}, which redacts secret keys
 * (`api_key`, `apiKey`, `authorization`, `x-api-key`, … at any depth, in any
 * case) and `Bearer …` tokens inside any string, and turns the value into
 * plain JSON (no functions, no cycles, bigint as a string) in the same walk.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[REDACTED]";

/** Keys whose values are always redacted (compared lower-cased, `-` and `_` ignored). */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  "api_key",
  "apiKey",
  "authorization",
  "x-api-key",
  "proxy-authorization",
  "x-goog-api-key",
  "api-key",
];

const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/** A set of secret keys in their normalized form. */
export function secretKeySet(extra: readonly string[] = []): Set<string> {
  return new Set([...DEFAULT_SECRET_KEYS, ...extra].map(normalizeKey));
}

const DEFAULT_KEYS = secretKeySet();

/** Redact `Bearer …` tokens inside a string. */
export function redactString(text: string): string {
  return text.includes("earer") || text.includes("EARER")
    ? text.replace(BEARER, `$1 ${REDACTED}`)
    : text;
}

/** Options of {@link sanitize}. */
export interface SanitizeOptions {
  /** Secret keys (from {@link secretKeySet}). @default the {@link DEFAULT_SECRET_KEYS} */
  secretKeys?: Set<string>;
  /** Deeper values are replaced by `"[…]"`. @default 12 */
  maxDepth?: number;
}

/**
 * A JSON-safe copy of `value` with secrets redacted. `undefined` and functions
 * are dropped from objects (`null` in arrays), bigint becomes a string, a
 * `Date` its ISO string, an `Error` its message, `Headers`/`Map` plain objects,
 * a cycle `"[Circular]"`.
 *
 * @example
 * ```ts
 * import { sanitize } from "./redact.ts";
 * sanitize({ headers: { Authorization: "Bearer sk-123" }, apiKey: "sk-1", n: 1 });
 * // { headers: { Authorization: "[REDACTED]" }, apiKey: "[REDACTED]", n: 1 }
 * ```
 */
export function sanitize(value: unknown, options: SanitizeOptions = {}): unknown {
  return walk(value, options.secretKeys ?? DEFAULT_KEYS, options.maxDepth ?? 12, new Set());
}

function walk(value: unknown, keys: Set<string>, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case "string":
      return redactString(value);
    case "number":
      return Number.isFinite(value) ? value : null;
    case "boolean":
      return value;
    case "bigint":
      return String(value);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return "[Circular]";
  if (depth <= 0) return "[…]";
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (obj instanceof Error) return redactString(obj.message);
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((v) => walk(v, keys, depth - 1, seen) ?? null);
    }
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return `[${obj.byteLength} bytes]`;
    let entries: Iterable<[unknown, unknown]>;
    if (obj instanceof Map) entries = obj.entries();
    else if (typeof Headers !== "undefined" && obj instanceof Headers) entries = obj.entries();
    else if (typeof (obj as { toJSON?: unknown }).toJSON === "function") {
      return walk((obj as { toJSON(): unknown }).toJSON(), keys, depth - 1, seen);
    } else entries = Object.entries(obj);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const key = String(k);
      if (keys.has(normalizeKey(key))) {
        if (v !== undefined && v !== null) out[key] = REDACTED;
        continue;
      }
      const clean = walk(v, keys, depth - 1, seen);
      if (clean !== undefined) out[key] = clean;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}
