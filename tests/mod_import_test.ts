/**
 * What `import … from "src/mod.ts"` costs a script, read without timing: the npm
 * packages in the module graph Deno loads with it (`deno info`: every package there
 * is resolved on import, and a script without a lockfile reads its registry
 * metadata), and which of them V8 compiles and runs on import, from V8's precise
 * coverage in a fresh process (`tests/_import_probe.ts`). Observable Plot and
 * linkedom load with the first figure; the packages only some functions need are
 * deferred (`import defer`) and run on their first use.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ROOT } from "./_helpers.ts";

type Packages = Record<string, { scripts: number; ran: boolean }>;

const probed = new Map<boolean, Packages>();
/** The probe's report, after importing src/mod.ts (and, with `use`, using the deferred packages). */
function probe(use: boolean): Packages {
  const cached = probed.get(use);
  if (cached) return cached;
  const r = spawnSync(
    Deno.execPath(),
    ["run", "-A", "tests/_import_probe.ts", ...(use ? ["use"] : [])],
    { cwd: ROOT, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  const packages: Packages = JSON.parse(r.stdout);
  probed.set(use, packages);
  return packages;
}

interface InfoDependency {
  code?: { specifier: string };
  npmPackage?: string;
}
interface InfoModule {
  specifier: string;
  dependencies?: (InfoDependency & { specifier: string })[];
}

/**
 * The npm packages (names) that `src/mod.ts` imports at run time, directly or
 * through its modules, statically, deferred or by a literal `import()`: `deno info`'s
 * graph, walked along code dependencies only (type-only imports load nothing).
 */
function runtimeNpmPackages(): string[] {
  const r = spawnSync(Deno.execPath(), ["info", "--json", "src/mod.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { roots: string[]; modules: InfoModule[] };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const packages = new Set<string>();
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      if (!dep.code) continue;
      if (dep.npmPackage) packages.add(dep.npmPackage.replace(/^(@?[^@]+)@.*$/, "$1"));
      else if (dep.code.specifier.startsWith("file:")) stack.push(dep.code.specifier);
    }
  }
  return [...packages].sort();
}

/** Packages every import needs: Polars (the frames), zod (the schema), tinyglobby (inputs). */
const EVALUATED = ["nodejs-polars", "zod", "tinyglobby", "fdir", "picomatch"];
/** Packages in the import graph behind `import defer`: compiled on import, run on first use. */
const DEFERRED = [
  "@pydantic/genai-prices",
  "@resvg/resvg-js",
  "@secretlint/secretlint-rule-preset-recommend",
  "@stdlib/random-base-mt19937",
  "@stdlib/stats-base-dists-binomial-cdf",
  "@stdlib/stats-base-dists-hypergeometric-pmf",
  "@stdlib/stats-base-dists-normal-cdf",
  "@stdlib/stats-wilcoxon",
  "crc-32",
  "csv-parse",
  "eta",
  "json5",
  "protobufjs",
];
/** Loaded with the first figure, by an `import()` Deno does not read ahead. */
const ON_FIRST_FIGURE = ["@observablehq/plot", "linkedom", "jsdom"];

Deno.test("src/mod.ts's module graph holds Polars, zod, tinyglobby and the deferred packages, not Plot, linkedom or jsdom", () => {
  // tinyglobby's own dependencies (fdir, picomatch) are resolved through it
  const direct = [
    ...EVALUATED.filter((name) => name !== "fdir" && name !== "picomatch"),
    ...DEFERRED,
  ];
  assert.deepEqual(runtimeNpmPackages(), direct.sort());
});

Deno.test("importing src/mod.ts compiles only the packages of its module graph", () => {
  const onImport = probe(false);
  const allowed = new Set([...EVALUATED, ...DEFERRED]);
  const extra = Object.keys(onImport).filter((name) => !allowed.has(name)).sort();
  assert.deepEqual(
    extra,
    [],
    "load these on first use (import defer, or lazyImport in an async function)",
  );
  for (const name of ON_FIRST_FIGURE) assert.equal(onImport[name], undefined, name);
});

Deno.test("importing src/mod.ts runs Polars and zod, and none of the packages it defers", () => {
  const onImport = probe(false);
  assert.equal(onImport["nodejs-polars"]?.ran, true);
  assert.equal(onImport["zod"]?.ran, true);
  const ran = DEFERRED.filter((name) => onImport[name]?.ran !== false);
  assert.deepEqual(ran, []);
});

Deno.test("a figure loads Plot and linkedom; a PNG, a redaction, a price and a test run resvg, secretlint, genai-prices and stdlib", () => {
  const afterUse = probe(true);
  for (
    const name of [
      "@observablehq/plot",
      "linkedom",
      "@resvg/resvg-js",
      "@secretlint/secretlint-rule-preset-recommend",
      "@pydantic/genai-prices",
      "@stdlib/stats-base-dists-normal-cdf",
    ]
  ) {
    assert.equal(afterUse[name]?.ran, true, name);
  }
  // jsdom is not tracebook's DOM: linkedom is
  assert.equal(afterUse["jsdom"], undefined);
});
