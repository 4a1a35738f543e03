import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasExecutable, missing, ROOT } from "../_helpers.ts";
import { latencyHistogram } from "../../src/figures/mod.ts";
import { loadTraces } from "../../src/load/mod.ts";
import { mimeBundle } from "../../src/notebook/display.ts";
import { installKernels } from "../../scripts/kernel.ts";
import { INSTALL_JUPYTER, preflight } from "../../scripts/run_notebooks.ts";

const noJupyter = missing("Jupyter (jupyter nbconvert)", hasExecutable("jupyter"));

/** A notebook (nbformat 4) of code cells, with outputs when given. */
function notebook(cells: { source: string; outputs?: unknown[] }[], kernel = "deno") {
  return {
    cells: cells.map((c) => ({
      cell_type: "code",
      execution_count: null,
      metadata: {},
      source: c.source,
      outputs: c.outputs ?? [],
    })),
    metadata: { kernelspec: { name: kernel, display_name: kernel, language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** The images of an nbconvert HTML page's outputs: `<img … src="data:MIME;base64,…">`. */
function images(html: string): { mime: string; bytes: Uint8Array }[] {
  return [...html.matchAll(/<img[^>]*src="data:(image\/[a-z+]+);base64,([A-Za-z0-9+/=]+)"/g)].map((
    m,
  ) => ({
    mime: m[1]!,
    bytes: Uint8Array.from(atob(m[2]!), (c) => c.charCodeAt(0)),
  }));
}

Deno.test({
  name:
    "a Figure shown in a notebook survives plain `jupyter nbconvert --to html` (no tracebook config)",
  ignore: noJupyter !== undefined,
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracebook-nbconvert-"));
    try {
      const fig = await latencyHistogram((await loadTraces(join(ROOT, "traces"))).calls);
      writeFileSync(
        join(dir, "figure.ipynb"),
        JSON.stringify(notebook([{
          source: "fig",
          outputs: [{ output_type: "display_data", metadata: {}, data: mimeBundle(fig) }],
        }])),
      );
      const r = spawnSync("jupyter", ["nbconvert", "--to", "html", "figure.ipynb"], {
        cwd: dir,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      const html = readFileSync(join(dir, "figure.html"), "utf8");
      const shown = images(html);
      assert.equal(shown.length, 1);
      assert.equal(shown[0]!.mime, "image/svg+xml");
      assert.equal(new TextDecoder().decode(shown[0]!.bytes), fig.toSVG());
      // Not the blank the sanitized inline SVG gives.
      assert.doesNotMatch(html, /data-mime-type="image\/svg\+xml"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test("notebooks preflight: a missing notebook, Jupyter, kernel or bundle is one sentence saying what to run", () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-preflight-"));
  try {
    const deno = join(dir, "mine.ipynb");
    writeFileSync(deno, JSON.stringify(notebook([{ source: "1 + 1" }])));
    mkdirSync(join(dir, "nb"));
    const node = join(dir, "nb", "node.ipynb");
    writeFileSync(
      node,
      JSON.stringify(
        notebook([{ source: 'import { loadTraces } from "../dist/mod.js";' }], "tslab"),
      ),
    );
    assert.equal(
      preflight([join(dir, "nope.ipynb")], ["deno"]),
      `No such notebook: ${join(dir, "nope.ipynb")}.`,
    );
    assert.equal(
      preflight([deno], null),
      `Jupyter is not installed (no jupyter command): run ${INSTALL_JUPYTER}, then deno task kernel.`,
    );
    assert.match(INSTALL_JUPYTER, /jupyter-notebook/); // a Jupyter that opens notebooks, not only nbconvert
    assert.equal(
      preflight([deno], []),
      'mine.ipynb needs the Jupyter kernel "deno", which is not installed: run deno task kernel.',
    );
    assert.equal(
      preflight([deno, node], ["deno", "tslab"]),
      "node.ipynb imports the Node bundle ../dist/mod.js, which is not built: run deno task bundle.",
    );
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "mod.js"), "");
    assert.equal(preflight([deno, node], ["deno", "tslab"]), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("the helper tasks answer --help with their usage and run nothing", async () => {
  for (
    const [task, script] of [
      ["kernel", "scripts/kernel.ts"],
      ["notebooks", "scripts/run_notebooks.ts"],
      ["bundle", "scripts/bundle.ts"],
      ["pack", "scripts/pack.ts"],
      ["schema", "scripts/write_schema.ts"],
      ["bench", "scripts/bench.ts"],
    ] as const
  ) {
    const before = existsSync(join(ROOT, "schema", "trace-event.schema.json"))
      ? readFileSync(join(ROOT, "schema", "trace-event.schema.json"), "utf8")
      : undefined;
    for (const flag of ["--help", "-h"]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, flag],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, `${task} ${flag}: ${new TextDecoder().decode(out.stderr)}`);
      assert.ok(stdout.startsWith(`Usage: deno task ${task}`), `${task} ${flag}: ${stdout}`);
    }
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, "--no-such-option"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2, task);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /^error: Unknown option '--no-such-option'/,
      task,
    );
    if (before !== undefined) {
      assert.equal(readFileSync(join(ROOT, "schema", "trace-event.schema.json"), "utf8"), before);
    }
  }
});

Deno.test({
  name:
    "deno task notebooks PATH --executed runs a user's notebook in a folder outside the checkout",
  ignore: noJupyter !== undefined,
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracebook-user-nb-"));
    try {
      installKernels({ dataDir: join(dir, "jupyter"), only: "deno" });
      const mod = new URL("../../src/mod.ts", import.meta.url).href;
      mkdirSync(join(dir, "work"));
      writeFileSync(
        join(dir, "work", "mine.ipynb"),
        JSON.stringify(notebook([
          { source: `import { latencyHistogram, loadTraces, summarize } from "${mod}";` },
          {
            source: `const traces = await loadTraces(${
              JSON.stringify(join(ROOT, "traces"))
            });\nsummarize(traces).request_count`,
          },
          { source: "await latencyHistogram(traces.calls)" },
        ])),
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "notebooks", "work/mine.ipynb", "--executed", "--out", "out"],
        cwd: ROOT,
        env: {
          INIT_CWD: dir, // as deno task sets it when started from the user's folder
          JUPYTER_PATH: join(dir, "jupyter"),
          JUPYTER_DATA_DIR: join(dir, "jupyter"),
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.match(new TextDecoder().decode(out.stdout), /1 notebook\(s\) executed\./);
      const executed = JSON.parse(readFileSync(join(dir, "out", "mine.ipynb"), "utf8"));
      const outputs = executed.cells.map((c: { outputs: { data?: Record<string, unknown> }[] }) =>
        c.outputs
      );
      const plain = [outputs[1][0].data["text/plain"]].flat().join("").replace(
        // deno-lint-ignore no-control-regex
        /\x1b\[[0-9;]*m/g,
        "",
      );
      assert.equal(plain, "90"); // 90 requests (traces/README.md)
      assert.deepEqual(Object.keys(outputs[2][0].data).sort(), [
        "image/png",
        "image/svg+xml",
        "text/html",
        "text/plain",
      ]);
      const html = readFileSync(join(dir, "out", "mine.html"), "utf8");
      assert.equal(images(html).length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
