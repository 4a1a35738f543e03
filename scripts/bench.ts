/**
 * `deno task bench`: runs every benchmark script in `bench/` in turn (each is a
 * standalone program that prints a Markdown table) and prints their output.
 * Speed and memory targets live here, never in unit tests.
 *
 * @module
 */
import { readdirSync } from "node:fs";

const dir = new URL("../bench/", import.meta.url);
const only = Deno.args;
const scripts = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
let failed = 0;
for (const script of scripts) {
  console.log(`\n## ${script}\n`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(script, dir).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    failed++;
    console.log(`(${script} exited with ${code})`);
  }
}
Deno.exit(failed ? 1 : 0);
