/**
 * Frames made on first use: a cache entry's `events` frame is decoded when it
 * is first read, not when the entry is (most analyses never read it: 200,000
 * calls, 432,000 events, about 30 ms and 45 MB saved on a load from the
 * entry). The entry's bytes are read and checked with the others (`cache.ts`),
 * so that decoding them later gives what decoding them at once would have, and
 * a change of the entry file meanwhile changes nothing. The property is an
 * ordinary one to its readers (enumerable, assignable); {@link withFrames}
 * copies an object of frames without making it.
 *
 * @module
 */
import type pl from "./polars.ts";

/** How a lazy property makes its value (once: later reads get the same value). */
const makers = new WeakMap<object, Map<PropertyKey, () => unknown>>();

/** A property that holds `value` (what a lazy one becomes once read or assigned). */
const plain = (target: object, key: PropertyKey, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });

/**
 * Give `target` the property `key`, made by `make` when first read (and kept:
 * every read gives the same value); assigning it replaces it. The loader's one
 * lazy property: a cache entry's events frame ({@link lazyFrame}), the parts of
 * its stored event chunks (`cache.ts`).
 *
 * @example
 * ```ts
 * import { lazyProperty } from "./lazy.ts";
 * let made = 0;
 * const count = () => made;
 * const o = lazyProperty({ n: 3 }, "squares", () => (made++, [1, 4, 9]));
 * if (count() !== 0) throw new Error("made before use");
 * if (o.squares.length !== 3 || o.squares !== o.squares || count() !== 1) throw new Error();
 * ```
 */
export function lazyProperty<T extends object, K extends string, V>(
  target: T,
  key: K,
  make: () => V,
): T & Record<K, V> {
  let made: { value: V } | undefined;
  const once = () => (made ??= { value: make() }).value;
  Object.defineProperty(target, key, {
    get(this: object) {
      const value = once();
      try {
        if (this === target) plain(target, key, value); // an ordinary property from now on
      } catch { /* a frozen object: it stays an accessor, giving the same value */ }
      return value;
    },
    set(this: object, value: V) {
      plain(this, key, value);
    },
    enumerable: true,
    configurable: true,
  });
  let list = makers.get(target);
  if (!list) makers.set(target, list = new Map());
  list.set(key, once);
  return target as T & Record<K, V>;
}

/**
 * What makes `source[key]` while it is not yet made (a {@link lazyProperty}
 * not yet read), or null once it is made or when it is an ordinary property:
 * calling it makes the value once, as reading the property would, without
 * holding `source`.
 *
 * @example
 * ```ts
 * import { lazyProperty, pendingMaker } from "./lazy.ts";
 * const o = lazyProperty({}, "n", () => 42);
 * const make = pendingMaker(o, "n");
 * if (make?.() !== 42 || o.n !== 42 || pendingMaker(o, "n") !== null) throw new Error();
 * ```
 */
export function pendingMaker<V>(source: object, key: PropertyKey): (() => V) | null {
  const make = makers.get(source)?.get(key);
  const d = Object.getOwnPropertyDescriptor(source, key);
  return make && d?.get ? make as () => V : null;
}

/**
 * {@link lazyProperty} for a frame.
 *
 * @example
 * ```ts
 * import pl from "./polars.ts";
 * import { lazyFrame } from "./lazy.ts";
 * let made = 0;
 * const count = () => made;
 * const frames = lazyFrame({ calls: pl.DataFrame({ a: [1] }) }, "events", () => {
 *   made++;
 *   return pl.DataFrame({ b: [2, 3] });
 * });
 * if (count() !== 0) throw new Error("made before use");
 * if (frames.events.height !== 2 || frames.events.height !== 2 || count() !== 1) throw new Error();
 * ```
 */
export const lazyFrame: <T extends object, K extends string>(
  target: T,
  key: K,
  make: () => pl.DataFrame,
) => T & Record<K, pl.DataFrame> = lazyProperty;

/**
 * A shallow copy of `source` with `changes` (in the source's order of keys,
 * new ones last), whose frames not yet made stay so (a spread would make
 * them); with `clone`, each frame taken from the source is a `clone()` (made
 * ones at once, lazy ones when made), so that the copy and the source never
 * share a frame.
 *
 * @example
 * ```ts
 * import pl from "./polars.ts";
 * import { lazyFrame, withFrames } from "./lazy.ts";
 * let made = 0;
 * const count = () => made;
 * const a = lazyFrame({ calls: pl.DataFrame({ a: [1] }) }, "events", () => {
 *   made++;
 *   return pl.DataFrame({ b: [2] });
 * });
 * const b = withFrames(a, { calls: pl.DataFrame({ a: [5] }) });
 * if (count() !== 0 || b.calls.getColumn("a").get(0) !== 5) throw new Error();
 * if (b.events.getColumn("b").get(0) !== 2 || count() !== 1) throw new Error();
 * ```
 */
export function withFrames<T extends object>(
  source: T,
  changes: Partial<T> = {},
  clone = false,
): T {
  const out = {} as T;
  const lazy = makers.get(source);
  const change = (key: PropertyKey) =>
    plain(out, key, (changes as Record<PropertyKey, unknown>)[key]);
  for (const key of Reflect.ownKeys(source)) {
    if (Object.hasOwn(changes, key)) {
      change(key); // in the source's order
      continue;
    }
    const d = Object.getOwnPropertyDescriptor(source, key)!;
    const make = lazy?.get(key);
    if (make && d.get) {
      lazyProperty(
        out,
        key as string,
        clone ? () => (make() as pl.DataFrame).clone() : make,
      );
    } else {
      const value = d.value ?? (source as Record<PropertyKey, unknown>)[key];
      const frame = clone && typeof (value as pl.DataFrame | null)?.clone === "function" &&
        typeof (value as pl.DataFrame).height === "number";
      plain(out, key, frame ? (value as pl.DataFrame).clone() : value);
    }
  }
  for (const key of Reflect.ownKeys(changes)) if (!Object.hasOwn(source, key)) change(key);
  return out;
}
