/**
 * Golden files: a test compares its output with a file kept in the repository.
 * The file is written only when asked for (`UPDATE_SNAPSHOTS=1`), never silently and
 * never in CI (`CI=true` or `.ci/run`'s `TRACEBOOK_REQUIRE_ALL=1` refuses it); a missing
 * golden fails the test.
 * Used by the figure snapshots (tests/figures/_snapshot.ts) and the report goldens.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

/** Compare `actual` (already normalized) with the golden `file`, or write it with UPDATE_SNAPSHOTS=1. */
export function assertGolden(file: URL, actual: string): void {
  const name = fileURLToPath(file).split("/").slice(-2).join("/");
  const update = Deno.env.get("UPDATE_SNAPSHOTS") === "1";
  if (update) {
    // CI is `CI=true` (hosted runners) or `.ci/run`, which sets TRACEBOOK_REQUIRE_ALL=1
    if (Deno.env.get("CI") === "true" || Deno.env.get("TRACEBOOK_REQUIRE_ALL") === "1") {
      throw new Error("UPDATE_SNAPSHOTS=1 is refused in CI");
    }
    mkdirSync(dirname(fileURLToPath(file)), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`Golden ${name} is missing; run the tests with UPDATE_SNAPSHOTS=1`);
  }
  assert.equal(
    actual,
    readFileSync(file, "utf8"),
    `${name} differs from its golden (UPDATE_SNAPSHOTS=1 rewrites it)`,
  );
}
