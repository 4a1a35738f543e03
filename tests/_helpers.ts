/**
 * Test helpers shared by every test file.
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Absolute path of `../shared` beside the repository (may be absent on a user's clone). */
export const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));

/** True in CI: a test that would skip must fail instead. */
export const REQUIRE_ALL = Deno.env.get("TRACEBOOK_REQUIRE_ALL") === "1";

/**
 * Why a test that needs an external resource cannot run, or `undefined` when it can.
 * In CI (`TRACEBOOK_REQUIRE_ALL=1`) a missing resource throws instead, so the test fails.
 */
export function missing(what: string, ok: boolean): string | undefined {
  if (ok) return undefined;
  const message = `skipped: ${what} is not available`;
  if (REQUIRE_ALL) throw new Error(`${message}, and TRACEBOOK_REQUIRE_ALL=1 forbids skipping`);
  console.warn(message);
  return message;
}

/** The path of a file under `../shared/fixtures/real/`, or `undefined` (skip) when absent. */
export function realFixture(relative: string): string | undefined {
  const path = `${SHARED}fixtures/real/${relative}`;
  return missing(`../shared/fixtures/real/${relative}`, existsSync(path)) ? undefined : path;
}

/** Whether an executable is on PATH (or at an absolute path). */
export function hasExecutable(name: string): boolean {
  if (name.startsWith("/")) return existsSync(name);
  const dirs = (Deno.env.get("PATH") ?? "").split(":");
  return dirs.some((d) => existsSync(`${d}/${name}`));
}

/** mulberry32: a small seeded generator, so that a test's random inputs are the same every run. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A test body run in a temporary folder of its own, removed after it (named `tracebook-<prefix>-…`). */
export function inTempDir(
  prefix: string,
  fn: (dir: string) => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: `tracebook-${prefix}-` });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}
