/**
 * `deno task pack`: the npm package of tracebook, `dist/tracebook-<version>.tgz`,
 * which `npm install` puts into any Node project on Linux and macOS, x64 and
 * arm64: the bundle (`mod.js`), its type declarations, the report templates and
 * a `package.json` whose dependencies are the external packages, pinned as
 * deno.json pins them, with Polars' platform binaries as optional dependencies
 * (npm installs the one of the machine). See `scripts/bundle.ts`.
 *
 * Usage: `deno task pack [--outdir dist]`.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, packageManifest } from "./bundle.ts";
import { parseCli } from "./_cli.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** What {@linkcode pack} wrote. */
export interface PackResult {
  /** The package file, `OUTDIR/tracebook-<version>.tgz`. */
  tarball: string;
  /** Its `package.json`. */
  manifest: Record<string, unknown>;
  /** Type errors the declaration emit met. */
  typeErrors: number;
}

/** Build the package into `outdir` (default `dist/`). */
export async function pack(
  options: { outdir?: string; quiet?: boolean } = {},
): Promise<PackResult> {
  const outdir = resolve(ROOT, options.outdir ?? "dist");
  const stage = mkdtempSync(join(tmpdir(), "tracebook-pack-"));
  try {
    const built = await bundle({ outdir: stage, install: false, quiet: options.quiet });
    const manifest = packageManifest();
    writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    copyFileSync(join(ROOT, "README.md"), join(stage, "README.md"));
    for (const name of ["LICENSE", "LICENSE.md"]) {
      if (existsSync(join(ROOT, name))) copyFileSync(join(ROOT, name), join(stage, name));
    }
    const npm = spawnSync(
      "npm",
      ["pack", "--pack-destination", outdir, "--loglevel=error", "--json"],
      { cwd: stage, encoding: "utf8" },
    );
    if (npm.status !== 0) throw new Error(`npm pack failed (exit ${npm.status}): ${npm.stderr}`);
    const [info] = JSON.parse(npm.stdout) as { filename: string }[];
    return { tarball: join(outdir, info!.filename), manifest, typeErrors: built.typeErrors };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** `deno task pack --help`. */
export const USAGE = `Usage: deno task pack [--outdir dist]

Writes OUTDIR/tracebook-<version>.tgz, the npm package of tracebook (the Node
bundle, its .d.ts, the report templates). In any Node 22+ project:
  npm install /path/to/tracebook-<version>.tgz`;

if (import.meta.main) {
  const { values } = parseCli(USAGE, { outdir: { type: "string" } });
  try {
    const result = await pack({ outdir: values.outdir });
    console.log(`Wrote ${relative(Deno.cwd(), result.tarball)}`);
    if (result.typeErrors) {
      console.warn(`warning: the declaration emit met ${result.typeErrors} type error(s)`);
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
