/**
 * `src/cli/_npm.ts` names every npm package the source imports at run time (so
 * that a command's dynamic `import()` meets only packages Deno has resolved), and
 * nothing else.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../_helpers.ts";

const SRC = join(ROOT, "src");
const LIST = join(SRC, "cli", "_npm.ts");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/**
 * The `npm:` specifiers of a module's run-time imports: static (not `import type`),
 * `import("…")` and `lazyImport<…>("npm:…", …)` (`src/log/_lazy.ts`).
 */
function npmImports(text: string): string[] {
  const found: string[] = [];
  // A statement starts a line (a JSDoc example's lines start with " * ").
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s)?[^;]*?\bfrom\s+"(npm:[^"]+)"/gm)) {
    if (!m[1]) found.push(m[2]!);
  }
  for (const m of text.matchAll(/^import\s+"(npm:[^"]+)"/gm)) found.push(m[1]!);
  for (const line of text.split("\n")) {
    if (/^\s*(\*|\/\/)/.test(line)) continue;
    for (const m of line.matchAll(/\bimport\(\s*"(npm:[^"]+)"\s*\)/g)) found.push(m[1]!);
    for (const m of line.matchAll(/\blazyImport<[^>]*>\(\s*"(npm:[^"]+)"/g)) found.push(m[1]!);
  }
  return found;
}

Deno.test("npmImports() reads static, deferred, dynamic and lazy imports, not types or comments", () => {
  const text = [
    'import pl from "npm:a@1";',
    'import defer * as b from "npm:b@2/sub.js";',
    "import {",
    "  c,",
    "  type C,",
    '} from "npm:c@3";',
    'import type { D } from "npm:d@4";',
    'export { default as e } from "npm:e@5";',
    ' * import f from "npm:f@6";',
    'const g = await import("npm:g@7");',
    '// await import("npm:h@8");',
    'import "npm:i@9";',
    'const j = await lazyImport<typeof J>("npm:j@10", import.meta.url);',
  ].join("\n");
  assert.deepEqual(npmImports(text).sort(), [
    "npm:a@1",
    "npm:b@2/sub.js",
    "npm:c@3",
    "npm:e@5",
    "npm:g@7",
    "npm:i@9",
    "npm:j@10",
  ]);
});

Deno.test("src/cli/_npm.ts lists every npm package src/ imports at run time, and only those", () => {
  const used = new Map<string, string>();
  for (const file of tsFiles(SRC)) {
    if (file === LIST) continue;
    for (const spec of npmImports(readFileSync(file, "utf8"))) {
      if (!used.has(spec)) used.set(spec, relative(ROOT, file));
    }
  }
  const listed = new Set(
    [...readFileSync(LIST, "utf8").matchAll(/^import defer \* as \w+ from "(npm:[^"]+)";$/gm)]
      .map((m) => m[1]!),
  );
  const missing = [...used].filter(([spec]) => !listed.has(spec))
    .map(([spec, file]) => `${spec} (imported by ${file})`);
  assert.deepEqual(missing, [], "add these to src/cli/_npm.ts");
  assert.deepEqual([...listed].filter((spec) => !used.has(spec)), [], "no longer imported");
  // the packages every command needs are there (a check of the reading above)
  for (const spec of ["npm:commander@15.1.0", "npm:nodejs-polars@0.25.2", "npm:zod@4.6.7"]) {
    assert.ok(listed.has(spec), spec);
  }
});
