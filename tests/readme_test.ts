/**
 * The README stays true: every ```ts block in it runs (from the repository root,
 * as a user would paste it) and every `deno task` it names exists in deno.json.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./_helpers.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

Deno.test("every `deno task` the README names exists in deno.json", () => {
  const tasks = Object.keys(JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).tasks);
  const named = new Set(
    [...readme.matchAll(/deno(?:@[\d.]+)? task ([a-z:-]+)/g)].map((m) => m[1]!),
  );
  assert.deepEqual([...named].filter((t) => !tasks.includes(t)), []);
});

Deno.test("the README has no unfilled section", () => {
  assert.deepEqual(readme.match(/^[A-Z_]+_SECTION$/gm), null);
});

for (const [i, code] of blocks.entries()) {
  Deno.test(`README code block ${i + 1} runs: ${code.split("\n").find((l) => l.trim() && !l.startsWith("import"))?.trim().slice(0, 60)}`, async () => {
    const file = join(ROOT, `.readme_block_${i + 1}.ts`);
    writeFileSync(file, code);
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", file],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    } finally {
      rmSync(file, { force: true });
    }
  });
}
