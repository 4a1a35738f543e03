/**
 * Secrets never reach a trace file: every value the tracer writes from the
 * caller's arguments, responses and errors goes through {@link sanitize},
 * which redacts by name and by shape (see `secrets.ts`) and turns the value
 * into plain JSON in the same walk, reading only data properties: no getter,
 * proxy trap, `toJSON` or `toString` of the caller's runs.
 *
 * Headers are redacted in every form: a plain object, `[name, value]` pairs,
 * a `Headers` or a `Map`; URLs as strings or `URL` objects (userinfo and
 * key-like query parameters).
 *
 * @module
 */
import {
  dataProp,
  inherits,
  isErrorLike,
  isProxy,
  ownDataEntries,
  primitiveText,
} from "./_safe.ts";
import {
  type KnownSecrets,
  looksLikeCredential,
  REDACTED,
  redactText,
  secretKeySet,
  secretNameKind,
} from "./secrets.ts";

export { DEFAULT_SECRET_KEYS, REDACTED, secretKeySet } from "./secrets.ts";

const DEFAULT_KEYS = secretKeySet();

/** Options of {@link sanitize}. */
export interface SanitizeOptions {
  /** Extra secret keys (from `secretKeySet`). @default the `DEFAULT_SECRET_KEYS` */
  secretKeys?: Set<string>;
  /** Deeper values are replaced by `"[…]"`. @default 12 */
  maxDepth?: number;
  /** Redact secrets; `false` only copies (for reading a response safely). @default true */
  redact?: boolean;
  /** Remembers the values redacted by name, and redacts the values it knows wherever they are. */
  known?: KnownSecrets;
}

interface Walk {
  keys: Set<string>;
  redact: boolean;
  seen: Set<object>;
  known?: KnownSecrets;
}

const URL_HREF = Object.getOwnPropertyDescriptor(URL.prototype, "href")!.get!;
const DATE_TIME = Date.prototype.getTime;
const DATE_ISO = Date.prototype.toISOString;
const MAP_ENTRIES = Map.prototype.entries;
const HEADERS_ENTRIES = typeof Headers === "undefined" ? undefined : Headers.prototype.entries;
const SEARCH_TO_STRING = URLSearchParams.prototype.toString;
const TYPED_LENGTH = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  "byteLength",
)!.get!;

function tryBuiltin<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function keyText(k: unknown): string {
  return typeof k === "string" ? k : primitiveText(k);
}

/**
 * A JSON-safe copy of `value` with secrets redacted. `undefined` and functions
 * are dropped from objects (`null` in arrays), bigint becomes a string, a
 * `Date` its ISO string, a `URL` its redacted address, an `Error` its redacted
 * message, `Headers`/`Map` plain objects, a cycle `"[Circular]"`, a Proxy
 * `"[Proxy]"`; accessors are skipped (never invoked).
 *
 * @example
 * ```ts
 * import { sanitize } from "./redact.ts";
 * const out = sanitize({
 *   headers: [["Authorization", "Bearer sk-123"], ["Accept", "*\/*"]],
 *   openAIApiKey: "k",
 *   max_tokens: 9,
 * });
 * const want = { headers: [["Authorization", "[REDACTED]"], ["Accept", "*\/*"]], openAIApiKey: "[REDACTED]", max_tokens: 9 };
 * if (JSON.stringify(out) !== JSON.stringify(want)) throw new Error(JSON.stringify(out));
 * ```
 */
export function sanitize(value: unknown, options: SanitizeOptions = {}): unknown {
  try {
    const ctx: Walk = {
      keys: options.secretKeys ?? DEFAULT_KEYS,
      redact: options.redact ?? true,
      seen: new Set(),
      known: options.known,
    };
    if (ctx.redact && ctx.known) collectNamed(value, ctx, 12);
    return walk(value, options.maxDepth ?? 12, ctx);
  } catch {
    return "[unreadable]";
  }
}

/** Whether the name `key` hides `value`: a secret name always, a weak one when the value looks like a credential. */
function hides(key: string, value: unknown, keys: Set<string>): boolean {
  const kind = secretNameKind(key, keys);
  return kind === "secret" || (kind === "weak" && looksLikeCredential(value));
}

/**
 * A named value, `{ name: "Authorization", value: … }` (HAR headers) or
 * `{ key: "x-api-key", value: … }` (attributes): the field that holds the
 * name (never hidden itself), and whether the name is secret (then the value is).
 */
function namedValue(
  entries: [unknown, unknown][],
  keys: Set<string>,
): { field: string; secret: boolean } | undefined {
  let field: string | undefined;
  let name: unknown;
  let hasValue = false;
  for (const [k, v] of entries) {
    if ((k === "name" || k === "key") && field === undefined) [field, name] = [k, v];
    else if (k === "value") hasValue = true;
  }
  if (!hasValue || field === undefined || typeof name !== "string") return undefined;
  return { field, secret: secretNameKind(name, keys) === "secret" };
}

function secretValue(v: unknown): unknown {
  return v === undefined || v === null || typeof v === "boolean" ? v : REDACTED;
}

function walk(value: unknown, depth: number, ctx: Walk): unknown {
  const { keys, seen } = ctx;
  const text = (s: string) => ctx.redact ? redactText(s, keys, ctx.known) : s;
  switch (typeof value) {
    case "string":
      return text(value);
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
  if (isProxy(obj)) return "[Proxy]";
  if (seen.has(obj)) return "[Circular]";
  if (depth <= 0) return "[…]";
  if (inherits(obj, Date.prototype)) {
    const t = tryBuiltin(() => DATE_TIME.call(obj));
    return t === undefined || Number.isNaN(t) ? null : DATE_ISO.call(obj);
  }
  if (inherits(obj, URL.prototype)) return text(tryBuiltin(() => URL_HREF.call(obj)) ?? "");
  if (inherits(obj, URLSearchParams.prototype)) {
    return text(tryBuiltin(() => SEARCH_TO_STRING.call(obj)) ?? "");
  }
  if (isErrorLike(obj)) {
    // its message, as `_errors.ts` records a thrown value (a non-string message as JSON)
    const message = dataProp(obj, "message");
    if (typeof message === "string" && message !== "") return text(message);
    if (typeof message === "object" && message !== null) {
      return JSON.stringify(walk(message, depth - 1, ctx)) ?? "Error";
    }
    const name = dataProp(obj, "name");
    return typeof name === "string" && name !== "" ? name : "Error";
  }
  if (ArrayBuffer.isView(obj)) {
    const n = tryBuiltin(() => TYPED_LENGTH.call(obj));
    return n === undefined ? "[binary]" : `[${n} bytes]`;
  }
  if (inherits(obj, ArrayBuffer.prototype)) return "[binary]";
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return walkArray(obj, depth, ctx);
    let entries: [unknown, unknown][];
    if (inherits(obj, Map.prototype)) entries = tryBuiltin(() => [...MAP_ENTRIES.call(obj)]) ?? [];
    else if (HEADERS_ENTRIES && inherits(obj, Headers.prototype)) {
      entries = tryBuiltin(() => [...HEADERS_ENTRIES.call(obj)]) ?? [];
    } else entries = ownDataEntries(obj);
    const named = ctx.redact ? namedValue(entries, keys) : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const key = keyText(k);
      const isName = named !== undefined && key === named.field;
      if (
        ctx.redact && ((!isName && hides(key, v, keys)) || (named?.secret && key === "value"))
      ) {
        const s = secretValue(v);
        if (s !== undefined) out[key] = s;
        continue;
      }
      const clean = walk(v, depth - 1, ctx);
      if (clean !== undefined) out[ctx.redact ? redactText(key, keys, ctx.known) : key] = clean;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

/** An array, element by element; a `[name, value]` pair with a secret name keeps its name only. */
function walkArray(arr: unknown[], depth: number, ctx: Walk): unknown[] {
  const items: unknown[] = [];
  for (const [k, v] of ownDataEntries(arr)) {
    if (/^\d+$/.test(k)) items[Number(k)] = v;
  }
  const n = Math.min(items.length, 1_000_000);
  if (
    ctx.redact && n === 2 && typeof items[0] === "string" && hides(items[0], items[1], ctx.keys)
  ) {
    return [items[0], secretValue(items[1]) ?? null];
  }
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = walk(items[i], depth - 1, ctx) ?? null;
  return out;
}

/** Every entry of a value a secret name hides: a key name to remember, then the leaves. */
function entriesOf(obj: object): [unknown, unknown][] {
  if (inherits(obj, Map.prototype)) return tryBuiltin(() => [...MAP_ENTRIES.call(obj)]) ?? [];
  if (HEADERS_ENTRIES && inherits(obj, Headers.prototype)) {
    return tryBuiltin(() => [...HEADERS_ENTRIES.call(obj)]) ?? [];
  }
  if (Array.isArray(obj)) {
    const items = ownDataEntries(obj).filter(([k]) => /^\d+$/.test(k)).map(([, v]) => v);
    if (items.length === 2 && typeof items[0] === "string") return [[items[0], items[1]]];
    return items.map((v) => [undefined, v]);
  }
  return ownDataEntries(obj);
}

/** Remember the strings found under secret names (first pass, before anything is written). */
function collectNamed(value: unknown, ctx: Walk, depth: number, hidden = false): void {
  if (depth <= 0 || ctx.known === undefined) return;
  if (typeof value === "string") {
    if (hidden) ctx.known.add(value);
    return;
  }
  if (typeof value !== "object" || value === null || isProxy(value) || ctx.seen.has(value)) return;
  if (inherits(value, URL.prototype)) {
    const href = tryBuiltin(() => URL_HREF.call(value));
    if (hidden && href) ctx.known.add(href);
    return;
  }
  ctx.seen.add(value);
  try {
    const entries = entriesOf(value);
    const pair = Array.isArray(value) ? undefined : namedValue(entries, ctx.keys);
    for (const [k, v] of entries) {
      const named = hidden || (pair?.secret === true && k === "value") ||
        (typeof k === "string" && k !== pair?.field && hides(k, v, ctx.keys));
      collectNamed(v, ctx, depth - 1, named);
    }
  } finally {
    ctx.seen.delete(value);
  }
}
