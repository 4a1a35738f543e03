import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasExecutable, missing, ROOT } from "../_helpers.ts";
import {
  bundle,
  literalLazyImports,
  npmToBare,
  polarsPlatformPackage,
  systemNodeMajor,
  undeferImports,
} from "../../scripts/bundle.ts";
import { withDistLock } from "./_dist.ts";
import { loadTraces } from "../../src/load/mod.ts";

const skip = missing("node and npm", hasExecutable("node") && hasExecutable("npm"));

/** What the bundled traces/ hold (traces/README.md). */
const EXPECTED_SUMMARY = [
  "90 requests, 6 errors, p95 16.27 s",
  "gpt-4o: 39 calls, 7.7% errors",
  "claude-3-5-sonnet-20241022: 27 calls, 11.1% errors",
  "gpt-4o-mini: 24 calls, 0.0% errors",
  "",
].join("\n");

function node(args: string[], cwd: string) {
  const r = spawnSync("node", args, { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, `node ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

Deno.test({
  name:
    "bundle() writes a dist/ that plain node imports, copied anywhere, and loads the bundled traces",
  ignore: skip !== undefined,
  fn: async () => {
    const out = mkdtempSync(join(tmpdir(), "tracebook-dist-"));
    try {
      const result = await bundle({ outdir: out, quiet: true });
      assert.deepEqual(result.assets, ["templates"]);
      // the declarations compile from the sources without an error (a library module that
      // named Deno's global without a Node path, as the whole-document reader once did, is one)
      assert.equal(result.typeErrors, 0);
      assert.ok(existsSync(join(out, "mod.d.ts")));
      assert.match(readFileSync(join(out, "mod.d.ts"), "utf8"), /from "\.\/load\/mod\.js"/);
      const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8"));
      // Polars' binaries are optional (npm takes this platform's), except on Node < 22 where
      // npm would skip it: there this machine's is a plain dependency of this local build.
      const platforms = [
        "nodejs-polars-darwin-arm64",
        "nodejs-polars-darwin-x64",
        "nodejs-polars-linux-arm64-gnu",
        "nodejs-polars-linux-arm64-musl",
        "nodejs-polars-linux-x64-gnu",
        "nodejs-polars-linux-x64-musl",
      ];
      const local = systemNodeMajor() < 22 ? polarsPlatformPackage() : undefined;
      assert.deepEqual(pkg.dependencies, {
        "nodejs-polars": "0.25.2",
        "@resvg/resvg-js": "2.6.2",
        jsdom: "29.0.1",
        zod: "4.6.7",
        "@observablehq/plot": "0.6.17",
        "@types/d3": "7.4.3",
        ...(local ? { [local]: "0.25.2" } : {}),
      });
      assert.deepEqual(
        Object.keys(pkg.optionalDependencies).sort(),
        platforms.filter((p) => p !== local),
      );
      assert.equal(pkg.engines.node, ">=22");
      // Native packages stay outside the bundle.
      const js = readFileSync(join(out, "mod.js"), "utf8");
      assert.match(js, /from "nodejs-polars"/);
      const script = `
        import { loadTraces, summarize, latencyHistogram, toHTML } from "./mod.js";
        const t = await loadTraces(${JSON.stringify(join(ROOT, "traces"))});
        const s = summarize(t);
        const fig = await latencyHistogram(t.calls);
        console.log(JSON.stringify({
          files: t.files.length, calls: t.calls.height, sessions: t.sessions.height,
          events: t.events.height, diagnostics: t.diagnostics.height,
          requests: s.request_count, responses: s.response_count, errors: s.error_count,
          pending: s.calls.pending, png: fig.toPNG().subarray(1, 4).toString(),
          html: toHTML(t).startsWith('<div class="tracebook-traces">'),
        }));`;
      const printed = JSON.parse(node(["--input-type=module", "-e", script], out));
      // formats read as one document (their text whole) and a span dump read with JSON5, in Node
      // as in Deno: the same calls from each file
      const documents = [
        "langfuse_page.json",
        "mlflow2_trace.json",
        "atif_metrics.json",
        "jaeger_small.json",
        "otel_js_readable.json",
      ].map((f) => join(ROOT, "tests/load/formats/fixtures", f));
      const loads = `
        import { loadTraces } from "./mod.js";
        const out = [];
        for (const f of ${JSON.stringify(documents)}) {
          const t = await loadTraces(f, { cache: false });
          out.push([Object.values(t.formats)[0], t.calls.height, t.calls.getColumn("request_id").toArray()]);
        }
        console.log(JSON.stringify(out));`;
      const inNode = JSON.parse(node(["--input-type=module", "-e", loads], out));
      const inDeno = [];
      for (const f of documents) {
        const t = await loadTraces(f, { cache: false });
        inDeno.push([
          Object.values(t.formats!)[0],
          t.calls.height,
          t.calls.getColumn("request_id").toArray(),
        ]);
      }
      assert.deepEqual(inNode, inDeno);
      assert.deepEqual(inDeno.map((r) => r[0]), [
        "langfuse",
        "mlflow",
        "atif",
        "jaeger",
        "otel_js",
      ]);
      assert.ok(inDeno.every((r) => (r[1] as number) > 0));
      assert.deepEqual(printed, {
        files: 6,
        calls: 90,
        sessions: 6,
        events: 231,
        diagnostics: 0,
        requests: 90,
        responses: 83,
        errors: 6,
        pending: 1,
        png: "PNG",
        html: true,
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name:
    "examples/node-script.mjs (on dist/) and examples/deno-script.ts print the same summary and write a PNG",
  ignore: skip !== undefined,
  fn: async () => {
    const out = mkdtempSync(join(tmpdir(), "tracebook-examples-"));
    try {
      await withDistLock(async () => {
        await bundle({ quiet: true });
        assert.equal(
          node(["examples/node-script.mjs", "traces/", join(out, "node")], ROOT),
          EXPECTED_SUMMARY,
        );
      });
      const deno = spawnSync(Deno.execPath(), [
        "run",
        "-A",
        "examples/deno-script.ts",
        "traces/",
        join(out, "deno"),
      ], {
        cwd: ROOT,
        encoding: "utf8",
      });
      assert.equal(deno.status, 0, deno.stderr);
      assert.equal(deno.stdout, EXPECTED_SUMMARY);
      // a missing input: the loader's one sentence and exit 1, no stack trace
      const missing = spawnSync(Deno.execPath(), [
        "run",
        "-A",
        "examples/deno-script.ts",
        join(out, "no-such-folder"),
        join(out, "deno"),
      ], { cwd: ROOT, encoding: "utf8" });
      assert.equal(missing.status, 1);
      assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
      assert.match(missing.stderr, /no-such-folder/);
      for (const who of ["node", "deno"]) {
        assert.ok(statSync(join(out, who, "latency.png")).size > 1000);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
});

Deno.test("npmToBare() maps Deno's npm: specifiers to the package paths Node and esbuild resolve", () => {
  assert.equal(npmToBare("npm:nodejs-polars@0.25.2"), "nodejs-polars");
  assert.equal(npmToBare("npm:crc-32@1.2.2/crc32c.js"), "crc-32/crc32c.js");
  assert.equal(npmToBare("npm:@resvg/resvg-js@2.6.2"), "@resvg/resvg-js");
  assert.equal(npmToBare("npm:@scope/name@1.0.0-r.1/sub/path.js"), "@scope/name/sub/path.js");
  assert.equal(npmToBare("npm:zod"), "zod");
  assert.equal(npmToBare("./local.ts"), "./local.ts");
});

Deno.test("undeferImports() makes deferred imports plain for esbuild and Node, and leaves the rest", () => {
  const source = [
    'import defer * as stdlib from "./_stdlib.ts";',
    'import defer * as genai from "npm:@pydantic/genai-prices@0.1.8";',
    'import pl from "npm:nodejs-polars@0.25.2";',
    ' * import defer * as shown from "./in-a-comment.ts";',
    'const s = "import defer * as x";',
    "",
  ].join("\n");
  assert.equal(
    undeferImports(source),
    [
      'import * as stdlib from "./_stdlib.ts";',
      'import * as genai from "npm:@pydantic/genai-prices@0.1.8";',
      'import pl from "npm:nodejs-polars@0.25.2";',
      ' * import defer * as shown from "./in-a-comment.ts";',
      'const s = "import defer * as x";',
      "",
    ].join("\n"),
  );
});

Deno.test("literalLazyImports() turns lazy npm imports into literal import() for esbuild, and leaves the rest", () => {
  const source = [
    'lazyImport<typeof Linkedom>("npm:linkedom@0.18.15", import.meta.url),',
    "lazyImport<Plot>(",
    '  "npm:@observablehq/plot@0.6.17",',
    "  import.meta.url,",
    ")",
    'lazyImport<typeof Terminal>("../log/terminal.ts", import.meta.url)',
    'import("npm:zod@4.6.7")',
  ].join("\n");
  assert.equal(
    literalLazyImports(source),
    [
      'import("npm:linkedom@0.18.15"),',
      'import("npm:@observablehq/plot@0.6.17")',
      'lazyImport<typeof Terminal>("../log/terminal.ts", import.meta.url)',
      'import("npm:zod@4.6.7")',
    ].join("\n"),
  );
});
