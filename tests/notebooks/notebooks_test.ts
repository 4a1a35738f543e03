import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasExecutable, missing, ROOT } from "../_helpers.ts";
import { bundle } from "../../scripts/bundle.ts";
import { installKernels } from "../../scripts/kernel.ts";
import {
  describeFailure,
  listNotebooks,
  runNotebooks,
  svgAsImages,
} from "../../scripts/run_notebooks.ts";
import { withDistLock } from "../bundle/_dist.ts";

const skip = missing(
  "Jupyter (jupyter nbconvert), node and npm",
  hasExecutable("jupyter") && hasExecutable("node") && hasExecutable("npm"),
);

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
  text?: string | string[];
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}
const join_ = (x: string | string[] | undefined) => Array.isArray(x) ? x.join("") : x ?? "";

Deno.test("the committed notebooks have no outputs and name their kernel", () => {
  const names = listNotebooks().map((p) => p.slice(p.lastIndexOf("/") + 1));
  assert.deepEqual(names, [
    "01-explore.ipynb",
    "02-compare-models.ipynb",
    "03-extend.ipynb",
    "04-node-tslab.ipynb",
  ]);
  for (const path of listNotebooks()) {
    const nb = JSON.parse(readFileSync(path, "utf8"));
    const kernel = path.endsWith("04-node-tslab.ipynb") ? "tslab" : "deno";
    assert.equal(nb.metadata.kernelspec.name, kernel, path);
    for (const cell of nb.cells as Cell[]) {
      if (cell.cell_type === "code") assert.deepEqual(cell.outputs, [], path);
      const imports = [...join_(cell.source).matchAll(/from "(\.[^"]+)"/g)].map((m) => m[1]);
      for (const spec of imports) {
        assert.equal(spec, kernel === "tslab" ? "../dist/mod.js" : "../src/mod.ts", path);
      }
    }
  }
});

Deno.test("describeFailure() names the notebook, the cell and the error from nbclient's message", () => {
  const stderr = [
    "nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:",
    "------------------",
    "const summary = summarize(traces);\nshow(summary)",
    "------------------",
    "",
    "ReferenceError: summarize is not defined",
  ].join("\n");
  assert.equal(
    describeFailure(join(ROOT, "notebooks/01-explore.ipynb"), stderr),
    "notebooks/01-explore.ipynb: cell 8 failed (const summary = summarize(traces);):\nReferenceError: summarize is not defined",
  );
});

Deno.test("svgAsImages() turns SVG outputs into an <img> the HTML export keeps", () => {
  const nb = svgAsImages({
    cells: [{
      cell_type: "code",
      source: "",
      outputs: [{ output_type: "execute_result", data: { "image/svg+xml": "<svg/>" } } as never],
    }],
  });
  assert.deepEqual((nb.cells[0]!.outputs![0] as Output).data, {
    "text/html":
      '<img alt="figure" style="max-width:100%" src="data:image/svg+xml;base64,PHN2Zy8+">',
  });
});

Deno.test({
  name: "deno task notebooks executes all four notebooks on the Deno and tslab kernels",
  ignore: skip !== undefined,
  fn: async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tracebook-jupyter-"));
    try {
      // Kernels in a private Jupyter data dir, found through JUPYTER_PATH.
      installKernels({ dataDir: join(tmp, "jupyter") });
      Deno.env.set("JUPYTER_PATH", join(tmp, "jupyter"));
      Deno.env.set("JUPYTER_DATA_DIR", join(tmp, "jupyter"));
      const runs = await withDistLock(async () => {
        await bundle({ quiet: true }); // 04 imports ../dist/mod.js
        return runNotebooks(listNotebooks(), {
          outDir: join(tmp, "html"),
          executedDir: join(tmp, "executed"),
          log: () => {},
        });
      });
      assert.deepEqual(
        runs.map((
          r,
        ) => [r.notebook.slice(r.notebook.lastIndexOf("/") + 1), r.kernel, r.ok, r.error]),
        [
          ["01-explore.ipynb", "deno", true, undefined],
          ["02-compare-models.ipynb", "deno", true, undefined],
          ["03-extend.ipynb", "deno", true, undefined],
          ["04-node-tslab.ipynb", "tslab", true, undefined],
        ],
      );
      // The summary cell of 01-explore shows the seed's numbers of the bundled traces.
      const explored = JSON.parse(readFileSync(join(tmp, "executed", "01-explore.ipynb"), "utf8"))
        .cells as Cell[];
      const summaryCell = explored.find((c) =>
        join_(c.source).startsWith("const summary = summarize(traces);")
      )!;
      const data = summaryCell.outputs![0]!.data!;
      const text = join_(data["text/plain"]);
      assert.ok(text.includes("Total Requests: 90\nSuccessful Responses: 83\nErrors: 6\n"), text);
      assert.ok(join_(data["text/html"]).includes(">Total requests</th>"));
      // Every code cell that ends in an expression showed something (no result lost).
      for (const run of runs) {
        const cells = JSON.parse(
          readFileSync(
            join(tmp, "executed", run.notebook.slice(run.notebook.lastIndexOf("/") + 1)),
            "utf8",
          ),
        ).cells as Cell[];
        const silent = cells.filter((c) => c.cell_type === "code" && (c.outputs ?? []).length === 0)
          .map((c) => join_(c.source).split("\n").at(-1)!);
        for (const last of silent) {
          assert.match(
            last,
            /[;}]$|^import |^\s*\)?;?$/,
            `${run.notebook}: no output for …${last}`,
          );
        }
      }
      const html = readFileSync(join(tmp, "html", "01-explore.html"), "utf8");
      assert.ok(html.includes("data:image/svg+xml;base64,"));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
});
