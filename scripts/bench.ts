/**
 * `deno task bench`: runs every benchmark script in `bench/` in turn (each is a
 * standalone program that prints a Markdown table) and prints their output.
 * Speed and memory targets live here, never in unit tests.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { parseCli } from "./_cli.ts";

const dir = new URL("../bench/", import.meta.url);
const { positionals: only } = parseCli(
  `Usage: deno task bench [NAME…]

Runs every benchmark script in bench/ (or those whose file name contains a NAME)
and prints their Markdown tables; generated inputs go to .bench/.
Benchmarks: ${
    readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort().join(", ")
  }`,
  {},
  { allowPositionals: true },
);
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
