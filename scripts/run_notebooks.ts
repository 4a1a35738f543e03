/**
 * `deno task notebooks`: execute every notebook in `notebooks/` headless, on the
 * kernel its metadata names, and write an HTML copy of each executed notebook
 * to `analysis/notebooks/`. The first cell error stops the run with the
 * notebook, the cell number and the error named, and the exit code 1.
 *
 * Needs Jupyter (`jupyter nbconvert`) and the kernels (`deno task kernel`);
 * the tslab notebook needs the bundle (`deno task bundle`). Executed notebooks
 * go to a temporary folder: the committed ones stay without outputs.
 *
 * Also runs a user's own notebooks, anywhere: `deno task notebooks PATH…` (relative
 * paths are read from the folder the task was started in). Before running, a
 * missing Jupyter, kernel or Node bundle is one sentence saying what to run.
 *
 * Usage: `deno task notebooks [NOTEBOOK…] [--out analysis/notebooks] [--executed] [--timeout 600]`
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "./_cli.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCRIPTS = fileURLToPath(new URL("./", import.meta.url));

/** A notebook cell, as nbformat stores it. */
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; ename?: string; evalue?: string; traceback?: string[] }[];
}

/** The outcome of one notebook. */
export interface NotebookRun {
  notebook: string;
  kernel: string;
  ok: boolean;
  /** The HTML copy (when the run succeeded). */
  html?: string;
  /** One sentence naming the notebook, the cell and the error (when it failed). */
  error?: string;
}

/** The notebooks of `notebooks/`, sorted by name. */
export function listNotebooks(dir: string = join(ROOT, "notebooks")): string[] {
  return readdirSync(dir).filter((n) => n.endsWith(".ipynb") && !n.startsWith("_")).sort().map((
    n,
  ) => join(dir, n));
}

function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

// deno-lint-ignore no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

/**
 * Name the failing cell from nbclient's message ("An error occurred while
 * executing the following cell: ---- SOURCE ---- TRACEBACK").
 */
export function describeFailure(notebookPath: string, stderr: string): string {
  const cells = JSON.parse(readFileSync(notebookPath, "utf8")).cells as Cell[];
  const clean = stripAnsi(stderr);
  const m = /An error occurred while executing the following cell:\n-+\n([\s\S]*?)\n-+\n([\s\S]*)$/
    .exec(clean);
  const name = relative(ROOT, notebookPath);
  if (!m) {
    const tail = clean.trim().split("\n").slice(-8).join("\n");
    return `${name} failed to execute:\n${tail}`;
  }
  const [, source, rest] = m;
  const index = cells.findIndex((c) =>
    c.cell_type === "code" && sourceOf(c).trim() === source!.trim()
  );
  const where = index >= 0 ? `cell ${index + 1}` : "a cell";
  const lines = rest!.trim().split("\n").filter((l) => l.trim() !== "");
  const error = lines.slice(-6).join("\n");
  const first = source!.trim().split("\n")[0];
  return `${name}: ${where} failed (${first}):\n${error}`;
}

/**
 * nbconvert's HTML export passes `image/svg+xml` outputs through an HTML
 * sanitizer that drops SVG elements (blank figures), so the HTML copies show
 * each SVG as an `<img>` with a data URI instead (which also runs no script).
 */
export function svgAsImages(notebook: { cells: Cell[] }): { cells: Cell[] } {
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      const data = (output as { data?: Record<string, string | string[]> }).data;
      const svg = data?.["image/svg+xml"];
      // A Figure's bundle has its own <img> (text/html), which the export prefers.
      if (!data || svg === undefined || data["text/html"] !== undefined) continue;
      const text = Array.isArray(svg) ? svg.join("") : svg;
      const b64 = Buffer.from(text, "utf8").toString("base64");
      data["text/html"] =
        `<img alt="figure" style="max-width:100%" src="data:image/svg+xml;base64,${b64}">`;
      delete data["image/svg+xml"];
    }
  }
  return notebook;
}

/** Execute one notebook into `workDir`, then export its HTML copy into `outDir`. */
export function runNotebook(
  path: string,
  options: { workDir: string; outDir: string; timeout?: number },
): NotebookRun {
  const nb = JSON.parse(readFileSync(path, "utf8"));
  const kernel: string = nb.metadata?.kernelspec?.name ?? "deno";
  const name = basename(path);
  const executed = join(options.workDir, name);
  const run = spawnSync("jupyter", [
    "nbconvert",
    "--to",
    "notebook",
    // --execute, through a subclass that keeps a result Deno's kernel sends after idle.
    "--NotebookExporter.preprocessors=late_outputs.LateOutputExecutePreprocessor",
    "--LateOutputExecutePreprocessor.enabled=True",
    `--ExecutePreprocessor.kernel_name=${kernel}`,
    `--ExecutePreprocessor.timeout=${options.timeout ?? 600}`,
    "--ExecutePreprocessor.startup_timeout=120",
    "--output-dir",
    options.workDir,
    "--output",
    name,
    path,
  ], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...Deno.env.toObject(),
      PYTHONPATH: [SCRIPTS, Deno.env.get("PYTHONPATH")].filter(Boolean).join(":"),
    },
  });
  if (run.error) throw new Error(`Cannot run jupyter nbconvert: ${run.error.message}`);
  if (run.status !== 0) {
    return { notebook: path, kernel, ok: false, error: describeFailure(path, run.stderr ?? "") };
  }
  // Cells that reported an error without raising (a kernel may do that) fail too.
  const cells = JSON.parse(readFileSync(executed, "utf8")).cells as Cell[];
  const bad = cells.findIndex((c) => (c.outputs ?? []).some((o) => o.output_type === "error"));
  if (bad >= 0) {
    const out = cells[bad]!.outputs!.find((o) => o.output_type === "error")!;
    return {
      notebook: path,
      kernel,
      ok: false,
      error: `${relative(ROOT, path)}: cell ${bad + 1} failed: ${out.ename}: ${
        stripAnsi(out.evalue ?? "")
      }`,
    };
  }
  // The HTML copy is made from a copy whose bare SVG outputs are <img>s; the executed
  // notebook (kept with --executed) stays as the kernel wrote it.
  const htmlSource = mkdtempSync(join(tmpdir(), "tracebook-nbhtml-"));
  writeFileSync(
    join(htmlSource, name),
    JSON.stringify(svgAsImages(JSON.parse(readFileSync(executed, "utf8")))),
  );
  mkdirSync(options.outDir, { recursive: true });
  const html = spawnSync("jupyter", [
    "nbconvert",
    "--to",
    "html",
    "--output-dir",
    options.outDir,
    join(htmlSource, name),
  ], {
    cwd: ROOT,
    encoding: "utf8",
  });
  rmSync(htmlSource, { recursive: true, force: true });
  if (html.status !== 0) {
    return {
      notebook: path,
      kernel,
      ok: false,
      error: `${relative(ROOT, path)}: HTML export failed:\n${html.stderr}`,
    };
  }
  return {
    notebook: path,
    kernel,
    ok: true,
    html: join(options.outDir, name.replace(/\.ipynb$/, ".html")),
  };
}

/** Execute notebooks in order; stop at the first failure. */
export function runNotebooks(
  notebooks: string[] = listNotebooks(),
  options: {
    outDir?: string;
    /** Keep the executed notebooks here (default: a temporary folder, removed). */
    executedDir?: string;
    timeout?: number;
    log?: (line: string) => void;
  } = {},
): NotebookRun[] {
  const outDir = resolve(ROOT, options.outDir ?? "analysis/notebooks");
  const workDir = options.executedDir
    ? (mkdirSync(options.executedDir, { recursive: true }), resolve(options.executedDir))
    : mkdtempSync(join(tmpdir(), "tracebook-notebooks-"));
  const log = options.log ?? ((line: string) => console.error(line));
  const runs: NotebookRun[] = [];
  try {
    for (const notebook of notebooks) {
      const started = performance.now();
      const result = runNotebook(resolve(notebook), { workDir, outDir, timeout: options.timeout });
      runs.push(result);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (!result.ok) {
        log(`FAIL ${relative(ROOT, result.notebook)} [${result.kernel}] (${seconds} s)`);
        break;
      }
      log(
        `ok   ${relative(ROOT, result.notebook)} [${result.kernel}] (${seconds} s) → ${
          relative(ROOT, result.html!)
        }`,
      );
    }
  } finally {
    if (!options.executedDir) rmSync(workDir, { recursive: true, force: true });
  }
  return runs;
}

/** How to get Jupyter, in one line. */
export const INSTALL_JUPYTER =
  "sudo apt-get install -y jupyter-notebook jupyter-nbconvert jupyter-client (or pip install notebook nbconvert jupyter_client)";

/** The kernelspecs Jupyter knows (names), or null when `jupyter` cannot run. */
export function installedKernels(): string[] | null {
  const run = spawnSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8" });
  if (run.error || run.status !== 0) return null;
  try {
    return Object.keys(JSON.parse(run.stdout).kernelspecs ?? {});
  } catch {
    return null;
  }
}

/**
 * What is missing to run `notebooks`, as one sentence saying what to run, or
 * undefined when everything is there: the notebook files, Jupyter, each
 * notebook's kernel, and the Node bundle a notebook imports (`…/dist/mod.js`).
 */
export function preflight(
  notebooks: string[],
  /** The installed kernels (null: no Jupyter). @default what `jupyter kernelspec list` says */
  kernels?: string[] | null,
): string | undefined {
  for (const path of notebooks) {
    if (!existsSync(path)) return `No such notebook: ${path}.`;
  }
  if (kernels === undefined) kernels = installedKernels();
  if (kernels === null) {
    return `Jupyter is not installed (no jupyter command): run ${INSTALL_JUPYTER}, then deno task kernel.`;
  }
  for (const path of notebooks) {
    let nb: { metadata?: { kernelspec?: { name?: string } }; cells?: Cell[] };
    try {
      nb = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      return `${path} is not a notebook (not JSON).`;
    }
    const kernel = nb.metadata?.kernelspec?.name ?? "deno";
    if (!kernels.includes(kernel)) {
      return `${
        basename(path)
      } needs the Jupyter kernel "${kernel}", which is not installed: run deno task kernel.`;
    }
    for (const cell of nb.cells ?? []) {
      if (cell.cell_type !== "code") continue;
      for (const m of sourceOf(cell).matchAll(/from\s+["']((?:\.{1,2}\/)+dist\/mod\.js)["']/g)) {
        if (!existsSync(resolve(dirname(path), m[1]!))) {
          return `${basename(path)} imports the Node bundle ${
            m[1]
          }, which is not built: run deno task bundle.`;
        }
      }
    }
  }
  return undefined;
}

/** `deno task notebooks --help`. */
export const USAGE =
  `Usage: deno task notebooks [NOTEBOOK…] [--out DIR] [--executed] [--timeout SECONDS]

Executes notebooks headless on the kernel each one names (deno or tslab) and writes
an HTML copy of each into --out (default analysis/notebooks/). With no NOTEBOOK,
runs tracebook's own notebooks/; give paths to run your own, from any folder.
  --executed   also keep the executed notebooks (with their outputs) in --out
  --timeout    seconds per cell (default 600)
Stops at the first failing cell, naming the notebook and the cell (exit 1).
Needs Jupyter (${INSTALL_JUPYTER}) and the kernels (deno task kernel).`;

if (import.meta.main) {
  const { values, positionals } = parseCli(USAGE, {
    out: { type: "string" },
    executed: { type: "boolean" },
    timeout: { type: "string" },
  }, { allowPositionals: true });
  // deno task runs in the repository; paths the user typed are relative to where they typed them.
  const from = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  const notebooks = positionals.length ? positionals.map((p) => resolve(from, p)) : listNotebooks();
  const outDir = values.out ? resolve(from, values.out) : undefined;
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    console.error(`error: --timeout must be a number of seconds, not ${values.timeout}.`);
    Deno.exit(2);
  }
  const missing = preflight(notebooks);
  if (missing) {
    console.error(missing);
    Deno.exit(1);
  }
  let runs: NotebookRun[];
  try {
    runs = runNotebooks(notebooks, {
      outDir,
      executedDir: values.executed ? resolve(ROOT, outDir ?? "analysis/notebooks") : undefined,
      timeout,
    });
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
  const failed = runs.find((r) => !r.ok);
  if (failed) {
    console.error(failed.error);
    Deno.exit(1);
  }
  console.log(`${runs.length} notebook(s) executed.`);
}
