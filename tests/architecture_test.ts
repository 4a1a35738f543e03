/**
 * The data flow is one-way: a stage imports only stages to its left, plus `log/`.
 * This test parses every import in `src/` and fails on a backward edge.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./_helpers.ts";

/** Pipeline stages, left to right. */
const PIPELINE = ["log", "schema", "prices", "frames", "load", "metrics", "figures", "report"];
/** Side branches and shells: the stages each may import. */
const BRANCHES: Record<string, string[]> = {
  tracing: ["log", "schema", "tracing"],
  simulate: ["log", "schema", "tracing", "simulate"],
  generate: [...PIPELINE, "tracing", "generate"],
  notebook: [...PIPELINE, "tracing", "simulate", "notebook"],
  export: [...PIPELINE, "export"],
  cli: [...PIPELINE, "tracing", "simulate", "generate", "notebook", "export", "cli"],
};

function allowed(stage: string): string[] {
  const i = PIPELINE.indexOf(stage);
  if (i >= 0) return PIPELINE.slice(0, i + 1);
  const branch = BRANCHES[stage];
  if (!branch) {
    throw new Error(`src/${stage}/ is not a known stage: add it to tests/architecture_test.ts`);
  }
  return branch;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative import (static, dynamic or re-export) of a source file. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*["'](\.[^"']+)["']|import\(\s*[`"'](\.[^`"']+)[`"']|import\s*["'](\.[^"']+)["']/g;
  for (const m of source.matchAll(re)) found.push((m[1] ?? m[2] ?? m[3])!);
  return found;
}

Deno.test("relativeImports() finds static, dynamic and re-export imports", () => {
  const src =
    `import a from "./a.ts";\nexport * from "../b/c.ts";\nconst m = await import("./d.ts");\nimport "./e.ts";`;
  assert.deepEqual(relativeImports(src), ["./a.ts", "../b/c.ts", "./d.ts", "./e.ts"]);
});

Deno.test("src/ has no backward import between stages", () => {
  const src = join(ROOT, "src");
  const violations: string[] = [];
  for (const file of files(src)) {
    const rel = relative(src, file);
    const stage = rel.split("/")[0]!;
    if (!rel.includes("/")) continue; // src/mod.ts, the public entry, sees everything
    const ok = allowed(stage);
    for (const spec of relativeImports(readFileSync(file, "utf8"))) {
      if (spec.includes("${")) continue; // the CLI's lazy command import stays inside cli/
      const target = relative(src, join(file, "..", spec));
      if (target.startsWith("..")) {
        violations.push(`${rel} imports ${spec}, outside src/`);
        continue;
      }
      const targetStage = target.includes("/") ? target.split("/")[0]! : "mod.ts";
      if (!ok.includes(targetStage)) {
        violations.push(`${rel} (${stage}) imports ${target} (${targetStage})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

/** Source without block comments (doc examples import their own module) and line comments. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** The import cycles among the files of `src/` (each once, as a list of files). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

Deno.test("importCycles() finds a cycle and only the cycle", () => {
  const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(importCycles(g), [["a", "b", "c"]]);
  assert.deepEqual(importCycles(new Map([["a", ["b"]], ["b", []]])), []);
});

Deno.test("src/ has no import cycle, inside a folder or across folders", () => {
  const src = join(ROOT, "src");
  const graph = new Map<string, string[]>();
  for (const file of files(src)) {
    const rel = relative(src, file);
    const targets = relativeImports(withoutComments(readFileSync(file, "utf8")))
      .filter((spec) => !spec.includes("${"))
      .map((spec) => relative(src, join(file, "..", spec)));
    graph.set(rel, targets);
  }
  assert.deepEqual(importCycles(graph).map((c) => c.join(" → ")), []);
});
