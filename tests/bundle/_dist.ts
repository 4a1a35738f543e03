/**
 * The repository's `dist/` is shared by the bundle test and the notebook test,
 * which `deno test --parallel` runs in separate processes: each holds this
 * lock (a directory, created atomically) while it builds and uses `dist/`.
 * @module
 */
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";

const LOCK = join(ROOT, "dist.lock");

/** Run `fn` while holding the `dist/` lock (a stale lock older than 20 minutes is broken). */
export async function withDistLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 20 * 60 * 1000) {
          rmSync(LOCK, { recursive: true, force: true });
        }
      } catch { /* released meanwhile */ }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
