/**
 * Reading a caller's values without running the caller's code: no getter, no
 * proxy trap, no `toString`/`toJSON` is ever invoked, and nothing here throws.
 * The tracer records through these so that recording can never change or
 * break a traced call.
 *
 * @module
 */
import { types } from "node:util";

/** Whether `value` is a Proxy (revoked or not); asking never runs a trap. */
export function isProxy(value: unknown): boolean {
  try {
    return types.isProxy(value);
  } catch {
    return true;
  }
}

/** Whether `value` is an object or a function that is not a Proxy. */
export function isPlainReadable(value: unknown): value is object {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    !isProxy(value);
}

/**
 * The value of the data property `key` of `obj`, own or inherited, or
 * `undefined` when it is missing, an accessor, or behind a Proxy.
 *
 * @example
 * ```ts
 * import { dataProp } from "./_safe.ts";
 * const o = { a: 1, get b() { throw new Error("never called"); } };
 * if (dataProp(o, "a") !== 1 || dataProp(o, "b") !== undefined) throw new Error("wrong");
 * ```
 */
export function dataProp(obj: unknown, key: PropertyKey): unknown {
  let o: unknown = obj;
  for (let depth = 0; depth < 64; depth++) {
    if (!isPlainReadable(o)) return undefined;
    try {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d) return "value" in d ? d.value : undefined;
      o = Reflect.getPrototypeOf(o);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The own enumerable string-keyed data properties of `obj` (accessors and Proxies skipped). */
export function ownDataEntries(obj: object): [string, unknown][] {
  if (isProxy(obj)) return [];
  const out: [string, unknown][] = [];
  try {
    for (const key of Reflect.ownKeys(obj)) {
      if (typeof key !== "string") continue;
      const d = Reflect.getOwnPropertyDescriptor(obj, key);
      if (d && d.enumerable && "value" in d) out.push([key, d.value]);
    }
  } catch {
    // an exotic object: what was read so far
  }
  return out;
}

/** Whether `proto` is on the prototype chain of `value`, read without traps. */
export function inherits(value: unknown, proto: object): boolean {
  let o: unknown = value;
  for (let depth = 0; depth < 64; depth++) {
    if (!isPlainReadable(o)) return false;
    try {
      o = Reflect.getPrototypeOf(o);
    } catch {
      return false;
    }
    if (o === proto) return true;
    if (o === null) return false;
  }
  return false;
}

/** Whether `value` is an Error (native, subclass, or one from another realm). */
export function isErrorLike(value: unknown): value is object {
  if (!isPlainReadable(value)) return false;
  try {
    return types.isNativeError(value) || inherits(value, Error.prototype);
  } catch {
    return false;
  }
}

/** `String(value)` for primitives; a short tag for objects (whose `toString` is never called). */
export function primitiveText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    case "symbol":
      return value.description === undefined ? "Symbol()" : `Symbol(${value.description})`;
    case "function":
      return "[function]";
  }
  if (value === null) return "null";
  return isProxy(value) ? "[Proxy]" : "[object]";
}
