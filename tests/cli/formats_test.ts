/** `deno task formats` lists every adapter of the registry, as text and as JSON. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { FORMATS } from "../../src/load/mod.ts";

async function formats(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), "formats", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("formats --json: every adapter in detection order with its name, title, what it reads and an example", async () => {
  const r = await formats("--json");
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as {
    name: string;
    title: string;
    reads: string;
    example: string;
  }[];
  assert.deepEqual(list.map((f) => f.name), FORMATS.map((f) => f.name));
  for (const f of list) {
    assert.deepEqual(Object.keys(f), ["name", "title", "reads", "example"]);
    for (const v of Object.values(f)) assert.ok(v.trim().length > 0, `${f.name}: empty field`);
  }
  const names = list.map((f) => f.name);
  for (const name of ["native", "otlp", "openai_batch", "anthropic_batch", "generic"]) {
    assert.ok(names.includes(name), name);
  }
  // the generic per-call log is tried last, after native
  assert.equal(names.at(-1), "generic");
  assert.ok(names.indexOf("native") < names.indexOf("generic"));
});

Deno.test("formats: one block per format as text", async () => {
  const r = await formats();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^tracebook reads ${FORMATS.length} formats\\.`));
  for (const f of FORMATS) {
    assert.ok(
      r.stdout.includes(
        `\n${f.name}  ${f.title}\n    reads:   ${f.reads}\n    example: ${f.example}\n`,
      ),
      f.name,
    );
  }
});
