import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasExecutable, missing, ROOT } from "../_helpers.ts";
import { pack, type PackResult } from "../../scripts/pack.ts";
import { polarsPlatformPackage } from "../../scripts/bundle.ts";
import { envWith, node22, npmCli } from "./_node22.ts";

const skip = missing("node and npm", hasExecutable("node") && hasExecutable("npm"));

/** What the bundled traces/ hold (traces/README.md): requests, responses, errors, pending, sessions. */
const EXPECTED = { requests: 90, responses: 83, errors: 6, pending: 1, sessions: 6, png: "PNG" };

const SCRIPT = `
import { latencyHistogram, loadTraces, summarize } from "tracebook";
const t = await loadTraces(process.argv[2]);
const s = summarize(t);
const png = (await latencyHistogram(t.calls)).toPNG();
console.log(JSON.stringify({
  requests: s.request_count, responses: s.response_count, errors: s.error_count,
  pending: s.calls.pending, sessions: t.sessions.height, png: Buffer.from(png.subarray(1, 4)).toString(),
}));
`;

/** Uses the types: a wrong type must be an error (so the declarations are not \`any\`). */
const TYPED = `
import { CALL_COLUMNS, emptyFrame, loadTraces, summarize, type TraceSet, type Summary } from "tracebook";
const traces: TraceSet = await loadTraces(["traces/"]);
const empty: number = emptyFrame(CALL_COLUMNS).height; // a Polars dtype in a signature
const summary: Summary = summarize(traces);
const requests: number = summary.request_count;
// @ts-expect-error: request_count is a number
const wrong: string = summary.request_count;
console.log(requests, wrong, traces.calls.height, empty);
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    types: ["node"],
  },
  files: ["typed.ts"],
};

/** The package, built once for all the tests of this file (into a folder removed at exit). */
let packed: Promise<PackResult> | undefined;
const PACK_DIR = mkdtempSync(join(tmpdir(), "tracebook-pack-"));
globalThis.addEventListener("unload", () => rmSync(PACK_DIR, { recursive: true, force: true }));
const packOnce = () => packed ??= pack({ outdir: PACK_DIR, quiet: true });

function run(cmd: string, args: string[], cwd: string, env?: Record<string, string>) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** A fresh Node project outside the checkout with the tarball installed by `node`'s npm. */
function project(tarball: string, node: string, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-consumer-"));
  writeFileSync(
    join(dir, "package.json"),
    '{ "name": "consumer", "private": true, "type": "module" }\n',
  );
  const install = run(
    node,
    [
      npmCli(),
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      tarball,
      ...extra,
    ],
    dir,
    envWith(node),
  );
  return { dir, install };
}

Deno.test({
  name:
    "deno task pack: dist/tracebook-<version>.tgz holds the bundle, the declarations, the templates and a portable package.json",
  ignore: skip !== undefined,
  fn: async () => {
    const out = mkdtempSync(join(tmpdir(), "tracebook-pack-"));
    try {
      const { tarball, manifest } = await packOnce();
      assert.equal(tarball, join(PACK_DIR, "tracebook-0.1.0.tgz"));
      const files = run("tar", ["tzf", tarball], out).stdout.split("\n");
      for (
        const f of [
          "package/package.json",
          "package/mod.js",
          "package/mod.d.ts",
          "package/README.md",
          "package/templates/report.eta",
        ]
      ) {
        assert.ok(files.includes(f), f);
      }
      assert.ok(!files.some((f) => f.includes("node_modules/")));
      // No declaration names a package by a Deno specifier.
      const dts = run("tar", ["xzf", tarball, "-C", out], out);
      assert.equal(dts.code, 0);
      const grep = run("grep", ["-rl", "npm:", join(out, "package"), "--include=*.d.ts"], out);
      assert.equal(grep.stdout, "");
      assert.equal(manifest.engines && (manifest.engines as { node: string }).node, ">=22");
      // Polars' binaries for Linux and macOS, x64 and arm64, optional: none is a hard dependency.
      const optional = Object.keys(manifest.optionalDependencies as object);
      for (const p of ["linux-x64-gnu", "linux-arm64-gnu", "darwin-x64", "darwin-arm64"]) {
        assert.ok(optional.includes(`nodejs-polars-${p}`), p);
      }
      assert.deepEqual(
        Object.keys(manifest.dependencies as object).filter((d) => d.startsWith("nodejs-polars-")),
        [],
      );
      assert.equal(
        JSON.parse(readFileSync(join(out, "package", "package.json"), "utf8")).name,
        "tracebook",
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name:
    "npm install of the tarball on Node 22, in a folder outside the checkout: no warning, this platform's Polars only, runs, types check without skipLibCheck",
  ignore: skip !== undefined,
  fn: async () => {
    const node = node22();
    if (!node) {
      return console.warn(`skipped: no Node 22 package for ${process.platform}-${process.arch}`);
    }
    const { tarball } = await packOnce();
    const { dir, install } = project(tarball, node, ["typescript@5.9.3", "@types/node@22.20.7"]);
    try {
      assert.equal(install.code, 0, install.stderr);
      assert.doesNotMatch(install.stderr, /EBADENGINE|npm warn/i, install.stderr);
      const binaries = readdirSync(join(dir, "node_modules")).filter((n) =>
        n.startsWith("nodejs-polars-")
      );
      assert.deepEqual(binaries, [polarsPlatformPackage()]);
      writeFileSync(join(dir, "script.mjs"), SCRIPT);
      const script = run(node, ["script.mjs", join(ROOT, "traces")], dir);
      assert.equal(script.code, 0, script.stderr);
      assert.deepEqual(JSON.parse(script.stdout), EXPECTED);
      writeFileSync(join(dir, "typed.ts"), TYPED);
      // Node's own resolution, and a bundler's (Vite, esbuild, …).
      for (const [module, moduleResolution] of [["nodenext", "nodenext"], ["esnext", "bundler"]]) {
        const config = {
          ...TSCONFIG,
          compilerOptions: { ...TSCONFIG.compilerOptions, module, moduleResolution },
        };
        writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
        const tsc = run(
          node,
          [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
          dir,
        );
        assert.equal(tsc.code, 0, `${moduleResolution}: ${tsc.stdout}${tsc.stderr}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name:
    "npm install of the tarball for macOS and Linux, arm64 and x64 (npm's --os/--cpu/--libc), picks that platform's Polars and resvg binaries",
  ignore: skip !== undefined,
  fn: async () => {
    const node = node22();
    if (!node) {
      return console.warn(`skipped: no Node 22 package for ${process.platform}-${process.arch}`);
    }
    const { tarball } = await packOnce();
    for (
      const [os, cpu, libc, polars] of [
        ["darwin", "arm64", undefined, "nodejs-polars-darwin-arm64"],
        ["darwin", "x64", undefined, "nodejs-polars-darwin-x64"],
        ["linux", "arm64", "glibc", "nodejs-polars-linux-arm64-gnu"],
        ["linux", "x64", "musl", "nodejs-polars-linux-x64-musl"],
      ] as const
    ) {
      const flags = [`--os=${os}`, `--cpu=${cpu}`, ...(libc ? [`--libc=${libc}`] : [])];
      const { dir, install } = project(tarball, node, flags);
      try {
        assert.equal(install.code, 0, install.stderr);
        assert.doesNotMatch(install.stderr, /npm warn/i, install.stderr);
        const modules = readdirSync(join(dir, "node_modules"));
        assert.deepEqual(modules.filter((n) => n.startsWith("nodejs-polars-")), [polars]);
        const resvg = readdirSync(join(dir, "node_modules", "@resvg"))
          .filter((n) => n !== "resvg-js");
        assert.deepEqual(resvg, [`resvg-js-${polars.slice("nodejs-polars-".length)}`]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  },
});

Deno.test({
  name:
    "on Node 20.19+, naming Polars' binary beside the tarball (as the README says) gives a working install",
  ignore: skip !== undefined,
  fn: async () => {
    const version = spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim();
    if (!version.startsWith("v20.")) {
      return console.warn(`skipped: this machine's Node is ${version}`);
    }
    const { tarball } = await packOnce();
    const which = spawnSync("which", ["node"], { encoding: "utf8" }).stdout.trim();
    const { dir, install } = project(tarball, which, [`${polarsPlatformPackage()}@0.25.2`]);
    try {
      assert.equal(install.code, 0, install.stderr);
      assert.ok(existsSync(join(dir, "node_modules", polarsPlatformPackage()!)));
      writeFileSync(join(dir, "script.mjs"), SCRIPT);
      const script = run("node", ["script.mjs", join(ROOT, "traces")], dir);
      assert.equal(script.code, 0, script.stderr);
      assert.deepEqual(JSON.parse(script.stdout), EXPECTED);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test("a Deno script in a folder outside the checkout imports src/mod.ts by path and by file URL, with no config", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tracebook-deno-anywhere-"));
  try {
    const modUrl = new URL("../../src/mod.ts", import.meta.url).href;
    writeFileSync(
      join(dir, "by_url.ts"),
      `import { loadTraces, summarize } from ${JSON.stringify(modUrl)};
const s = summarize(await loadTraces(${JSON.stringify(join(ROOT, "traces"))}));
console.log(JSON.stringify([s.request_count, s.response_count, s.error_count, s.calls.pending]));`,
    );
    writeFileSync(
      join(dir, "by_path.ts"),
      `import { loadTraces } from ${JSON.stringify(join(ROOT, "src", "mod.ts"))};
console.log((await loadTraces(${JSON.stringify(join(ROOT, "traces"))})).calls.height);`,
    );
    for (const [file, expected] of [["by_url.ts", "[90,83,6,1]"], ["by_path.ts", "90"]] as const) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", file],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { DENO_NO_UPDATE_CHECK: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.equal(new TextDecoder().decode(out.stdout).trim(), expected);
    }
    assert.ok(!existsSync(join(dir, "node_modules")) && !existsSync(join(dir, "deno.json")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
