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
 * Usage: `deno task notebooks [NOTEBOOK…] [--out analysis/notebooks] [--executed DIR] [--timeout 600]`
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

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
      if (!data || svg === undefined) continue;
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
  writeFileSync(executed, JSON.stringify(svgAsImages(JSON.parse(readFileSync(executed, "utf8")))));
  mkdirSync(options.outDir, { recursive: true });
  const html = spawnSync("jupyter", [
    "nbconvert",
    "--to",
    "html",
    "--output-dir",
    options.outDir,
    executed,
  ], {
    cwd: ROOT,
    encoding: "utf8",
  });
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

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { out: { type: "string" }, executed: { type: "string" }, timeout: { type: "string" } },
  });
  const notebooks = positionals.length ? positionals : listNotebooks();
  let runs: NotebookRun[];
  try {
    runs = runNotebooks(notebooks, {
      outDir: values.out,
      executedDir: values.executed,
      timeout: values.timeout ? Number(values.timeout) : undefined,
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
