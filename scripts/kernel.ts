/**
 * `deno task kernel`: install the Jupyter kernels the notebooks run on, for the
 * current user.
 *
 * - `deno`: the Deno kernel. `deno jupyter --install` writes a kernelspec that
 *   points at the running binary (under `npx`, a path in npm's cache) and always
 *   into the user's data dir; we write the same kernelspec ourselves, pointing at
 *   `Deno.execPath()` (checked to exist), into the chosen Jupyter data dir.
 * - `tslab`: the TypeScript kernel for Node. tslab (pinned) is installed with npm
 *   into `.tools/tslab/` (git-ignored) and its kernelspec points at this Node
 *   and that copy (tslab's own `tslab install` needs IPython, which Debian's
 *   jupyter packages do not bring).
 *
 * Usage: `deno task kernel [--data-dir DIR] [--only deno|tslab]`. The data dir
 * defaults to `$JUPYTER_DATA_DIR`, else `jupyter --data-dir`, else
 * `~/.local/share/jupyter`. Kernelspecs go to `DIR/kernels/NAME/kernel.json`.
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { parseCli } from "./_cli.ts";
import { fileURLToPath } from "node:url";

/** The tslab version the notebooks are tested with. */
export const TSLAB_VERSION = "1.0.22";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Where tslab is installed (git-ignored). */
export const TSLAB_DIR = join(ROOT, ".tools", "tslab");

/** A Jupyter kernelspec (`kernel.json`). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env?: Record<string, string>;
}

/** The Jupyter data dir: `$JUPYTER_DATA_DIR`, else what `jupyter --data-dir` says, else the XDG default. */
export function jupyterDataDir(): string {
  const fromEnv = Deno.env.get("JUPYTER_DATA_DIR");
  if (fromEnv) return fromEnv;
  try {
    const out = execFileSync("jupyter", ["--data-dir"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    if (out) return out;
  } catch { /* jupyter not installed yet: use the default */ }
  const home = Deno.env.get("HOME") ?? ".";
  return join(Deno.env.get("XDG_DATA_HOME") ?? join(home, ".local", "share"), "jupyter");
}

/** Absolute path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/** The Deno kernelspec, pointing at the deno binary running this script. */
export function denoKernelSpec(deno: string = Deno.execPath()): KernelSpec {
  if (!existsSync(deno)) throw new Error(`Cannot install the Deno kernel: ${deno} does not exist.`);
  return {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
  };
}

/** The tslab kernelspec, pointing at this Node and the tslab in `.tools/tslab/`. */
export function tslabKernelSpec(node: string, tslabDir: string = TSLAB_DIR): KernelSpec {
  const bin = join(tslabDir, "node_modules", "tslab", "bin", "tslab");
  if (!existsSync(bin)) throw new Error(`Cannot install the tslab kernel: ${bin} does not exist.`);
  return {
    argv: [node, bin, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (tslab)",
    language: "typescript",
  };
}

/** Install the pinned tslab with npm into `dir` (skipped when that version is there). */
export function installTslab(dir: string = TSLAB_DIR): void {
  const installed = join(dir, "node_modules", "tslab", "package.json");
  if (
    existsSync(installed) && JSON.parse(readFileSync(installed, "utf8")).version === TSLAB_VERSION
  ) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ private: true, dependencies: { tslab: TSLAB_VERSION } }, null, 2) + "\n",
  );
  console.error(`Installing tslab ${TSLAB_VERSION} into ${dir} …`);
  const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    stdio: "inherit",
  });
  if (npm.status !== 0) {
    throw new Error(`npm install tslab@${TSLAB_VERSION} failed (exit ${npm.status}).`);
  }
}

/** Write `kernel.json` for `name` under `dataDir/kernels/`. Returns its path. */
export function writeKernelSpec(dataDir: string, name: string, spec: KernelSpec): string {
  const dir = join(dataDir, "kernels", name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "kernel.json");
  writeFileSync(path, JSON.stringify(spec, null, 2) + "\n");
  return path;
}

/** Install the requested kernels; returns the kernelspec paths written. */
export function installKernels(
  options: { dataDir?: string; only?: "deno" | "tslab" } = {},
): string[] {
  const dataDir = resolve(options.dataDir ?? jupyterDataDir());
  const written: string[] = [];
  if (options.only !== "tslab") written.push(writeKernelSpec(dataDir, "deno", denoKernelSpec()));
  if (options.only !== "deno") {
    const node = which("node");
    if (!node) throw new Error("Cannot install the tslab kernel: node is not on PATH.");
    installTslab();
    written.push(writeKernelSpec(dataDir, "tslab", tslabKernelSpec(node)));
  }
  return written;
}

/** `deno task kernel --help`. */
export const USAGE = `Usage: deno task kernel [--data-dir DIR] [--only deno|tslab]

Installs the Jupyter kernels the notebooks run on, for the current user:
  deno   the Deno kernel (this Deno), for notebooks that import src/mod.ts
  tslab  TypeScript on Node (npm installs tslab ${TSLAB_VERSION} into .tools/tslab/)
Kernelspecs go to DIR/kernels/NAME/kernel.json; DIR defaults to $JUPYTER_DATA_DIR,
else \`jupyter --data-dir\`, else ~/.local/share/jupyter.`;

if (import.meta.main) {
  const { values } = parseCli(USAGE, { "data-dir": { type: "string" }, only: { type: "string" } });
  const only = values.only;
  if (only !== undefined && only !== "deno" && only !== "tslab") {
    console.error(`error: --only must be deno or tslab, not ${only}.`);
    Deno.exit(2);
  }
  try {
    for (const path of installKernels({ dataDir: values["data-dir"], only })) {
      console.log(`Installed kernelspec ${path}`);
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
