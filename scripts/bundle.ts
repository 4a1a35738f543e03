/**
 * `deno task bundle`: the library as one ESM file for Node, with type declarations.
 *
 * - `dist/mod.js`: `src/mod.ts` bundled by esbuild (platform node, ESM). The pure
 *   JavaScript dependencies (Observable Plot, zod, genai-prices, …) are inside it;
 *   the native ones (nodejs-polars, @resvg/resvg-js) and jsdom stay external and
 *   are resolved by Node from a `node_modules/` above `dist/`: in this checkout the
 *   one Deno lays out (`nodeModulesDir: "auto"`); for a copied `dist/`, the
 *   `npm install` that `dist/package.json` asks for.
 * - Files the library reads at run time through `new URL("…", import.meta.url)`
 *   (the report's `templates/`) are copied into `dist/` and the URLs rewritten, so
 *   they resolve beside the bundle.
 * - `dist/mod.d.ts` (and one `.d.ts` per module beside it): declarations from the
 *   TypeScript compiler (pinned), with `.ts` import specifiers rewritten to `.js`.
 * - `dist/package.json`: `"type": "module"`, the entry, the types, and the
 *   external dependencies pinned to the versions of `deno.json`.
 *
 * - `npm install` in `dist/` puts the externals in `dist/node_modules/` (skip it
 *   with `--no-install`).
 *
 * Usage: `deno task bundle [--entry src/mod.ts] [--outdir dist] [--no-install]`.
 *
 * @module
 */
import * as esbuild from "esbuild";
import ts from "typescript";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "./_cli.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * Packages left out of the bundle and installed by npm beside it: the native
 * addons (nodejs-polars, @resvg/resvg-js), jsdom (it loads files of its own at
 * run time), and the packages whose types the declarations name (zod,
 * Observable Plot), so that the `.d.ts` files resolve and type-check.
 */
export const EXTERNAL = [
  "nodejs-polars",
  "@resvg/resvg-js",
  "jsdom",
  "zod",
  "@observablehq/plot",
] as const;
/**
 * Polars' native binaries for Linux (glibc and musl) and macOS, x64 and arm64:
 * optional dependencies, so npm installs the one of the platform it runs on.
 * They declare `engines.node >= 22`, and npm always skips an optional package
 * whose engines do not match, so on Node 20 the binary must be named
 * explicitly (see {@linkcode localManifest} and the README).
 */
export const POLARS_PLATFORMS = [
  "nodejs-polars-linux-x64-gnu",
  "nodejs-polars-linux-arm64-gnu",
  "nodejs-polars-linux-x64-musl",
  "nodejs-polars-linux-arm64-musl",
  "nodejs-polars-darwin-x64",
  "nodejs-polars-darwin-arm64",
] as const;
/**
 * Type packages the declarations need that no dependency brings: Observable
 * Plot's own `.d.ts` import `d3`'s types, which Plot lists only as a development
 * dependency (pinned to what Plot 0.6.17 develops with).
 */
export const TYPE_DEPENDENCIES: Record<string, string> = { "@types/d3": "7.4.3" };
/** The Node versions the package supports: those Polars' native binaries declare. */
export const NODE_ENGINES = ">=22";
/**
 * Versions for Node that differ from deno.json's: jsdom 30+ needs Node 22.22
 * (its undici calls zlib's zstd), so the bundle asks for jsdom 29, which runs
 * on every Node 22 (and 20.19+) and which Plot draws with just as well.
 */
export const NODE_PINS: Record<string, string> = { jsdom: "29.0.1" };

/** The Polars binary package of this machine (`nodejs-polars-linux-x64-gnu`, …), if there is one. */
export function polarsPlatformPackage(
  platform: string = process.platform,
  arch: string = process.arch,
  glibc: boolean = Boolean(
    (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
      ?.header?.glibcVersionRuntime,
  ),
): string | undefined {
  const name = platform === "linux"
    ? `nodejs-polars-linux-${arch}-${glibc ? "gnu" : "musl"}`
    : `nodejs-polars-${platform}-${arch}`;
  return (POLARS_PLATFORMS as readonly string[]).includes(name) ? name : undefined;
}

/** The version of tracebook (the CLI's `--version`). */
export function tracebookVersion(): string {
  const main = readFileSync(join(ROOT, "src", "cli", "main.ts"), "utf8");
  const m = /const VERSION = "([^"]+)"/.exec(main);
  if (!m) throw new Error("Cannot find VERSION in src/cli/main.ts.");
  return m[1]!;
}

/** The major version of the `node` on PATH (not Deno's own `process.versions.node`); 0 if none. */
export function systemNodeMajor(): number {
  const r = spawnSync("node", ["--version"], { encoding: "utf8" });
  const m = /^v(\d+)\./.exec(r.stdout ?? "");
  return m ? Number(m[1]) : 0;
}

/**
 * `package.json` of `dist/`, the bundle for this machine: the package's, except
 * that on Node older than 22, this platform's Polars binary is a plain
 * dependency (npm skips it as an optional one there, see {@linkcode POLARS_PLATFORMS}).
 * The package for other machines is `deno task pack`'s.
 */
export function localManifest(nodeMajor: number = systemNodeMajor()): Record<string, unknown> {
  const manifest = packageManifest({ private: true });
  const binary = polarsPlatformPackage();
  if (nodeMajor >= 22 || !binary) return manifest;
  const optional = { ...(manifest.optionalDependencies as Record<string, string>) };
  const version = optional[binary]!;
  delete optional[binary];
  return {
    ...manifest,
    dependencies: { ...(manifest.dependencies as Record<string, string>), [binary]: version },
    optionalDependencies: optional,
  };
}

/** `package.json` of the bundle: the entry, its types, the externals pinned as deno.json pins them. */
export function packageManifest(options: { private?: boolean } = {}): Record<string, unknown> {
  const pins = { ...denoJsonPins(), ...NODE_PINS };
  const polars = pins["nodejs-polars"] ?? "*";
  return {
    name: "tracebook",
    version: tracebookVersion(),
    description:
      "Analyse the traces of your LLM calls, offline: Polars frames, metrics, figures, HTML reports, exports.",
    ...(options.private ? { private: true } : { license: "MIT" }),
    type: "module",
    main: "./mod.js",
    types: "./mod.d.ts",
    exports: {
      ".": { types: "./mod.d.ts", default: "./mod.js" },
      "./package.json": "./package.json",
    },
    dependencies: {
      ...Object.fromEntries(EXTERNAL.map((n) => [n, pins[n] ?? "*"])),
      ...TYPE_DEPENDENCIES,
    },
    optionalDependencies: Object.fromEntries(POLARS_PLATFORMS.map((n) => [n, polars])),
    engines: { node: NODE_ENGINES },
  };
}

/** Options of {@linkcode bundle}. */
export interface BundleOptions {
  /** @default {"src/mod.ts"} */
  entry?: string;
  /** @default {"dist"} */
  outdir?: string;
  /** Also write the type declarations. @default {true} */
  declarations?: boolean;
  /**
   * Run `npm install` in OUTDIR, so that Node finds the external packages in
   * `OUTDIR/node_modules/` (as a user who copies `dist/` would).
   * @default {true}
   */
  install?: boolean;
  /** Print nothing but errors (type errors of the declaration emit are then only counted). @default {false} */
  quiet?: boolean;
}

/** What {@linkcode bundle} wrote. */
export interface BundleResult {
  /** The bundle, `OUTDIR/mod.js`. */
  js: string;
  /** The entry's declarations, `OUTDIR/mod.d.ts` (absent when not asked). */
  dts?: string;
  /** Run-time asset folders copied into `OUTDIR` (relative to the repository root). */
  assets: string[];
  /** Type errors the declaration emit met (declarations are written anyway). */
  typeErrors: number;
}

/** `npm:` version pins of deno.json, by package name. */
export function denoJsonPins(): Record<string, string> {
  const imports = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).imports as Record<
    string,
    string
  >;
  const pins: Record<string, string> = {};
  for (const spec of Object.values(imports)) {
    const m = /^npm:(@?[^@]+)@([^/]+)$/.exec(spec);
    if (m) pins[m[1]!] = m[2]!;
  }
  return pins;
}

/** `npm:name@1.2.3/sub` → `name/sub` (and `npm:@scope/name@1/sub` → `@scope/name/sub`). */
export function npmToBare(specifier: string): string {
  const m = /^npm:(@[^/]+\/[^@/]+|[^@/]+)(?:@[^/]+)?(\/.*)?$/.exec(specifier);
  return m ? m[1]! + (m[2] ?? "") : specifier;
}

/** esbuild plugin: `npm:name@1.2.3/sub` specifiers → `name/sub` (resolved in node_modules). */
const npmSpecifiers: esbuild.Plugin = {
  name: "npm-specifiers",
  setup(build) {
    build.onResolve({ filter: /^npm:/ }, (args) => {
      const path = npmToBare(args.path);
      if (path === args.path) return undefined;
      if (EXTERNAL.some((e) => path === e || path.startsWith(`${e}/`))) {
        return { path, external: true };
      }
      return build.resolve(path, { kind: args.kind, resolveDir: args.resolveDir });
    });
  },
};

/**
 * `import defer * as ns from "…"` → `import * as ns from "…"`: the library defers
 * its heavy dependencies (stdlib, genai-prices, resvg, …) so that importing it in
 * Deno is quick, but esbuild cannot bundle a deferred import and Node 22 cannot
 * run one, so the bundle evaluates them on import as a plain import does. Only a
 * statement at the start of a line is rewritten (never a JSDoc example's text).
 *
 * @example
 * ```ts
 * import { undeferImports } from "./bundle.ts";
 * const out = undeferImports('import defer * as stdlib from "./_stdlib.ts";\n');
 * if (out !== 'import * as stdlib from "./_stdlib.ts";\n') throw new Error(out);
 * ```
 */
export function undeferImports(source: string): string {
  return source.replace(/^import defer \* as /gm, "import * as ");
}

/**
 * `lazyImport<T>("npm:…", import.meta.url)` → `import("npm:…")`: the library imports
 * the packages only its async functions use (Observable Plot, linkedom) by a
 * specifier Deno does not read ahead (`src/log/_lazy.ts`), so that importing it in
 * Deno does not load them; esbuild cannot follow such a call, so the bundle turns it
 * back into a literal `import()`, which it bundles (or leaves external) as any other.
 *
 * @example
 * ```ts
 * import { literalLazyImports } from "./bundle.ts";
 * const out = literalLazyImports('lazyImport<typeof L>("npm:linkedom@1.0.0", import.meta.url)');
 * if (out !== 'import("npm:linkedom@1.0.0")') throw new Error(out);
 * ```
 */
export function literalLazyImports(source: string): string {
  return source.replace(
    /\blazyImport<[^>]*>\(\s*("npm:[^"]+")\s*,\s*import\.meta\.url\s*,?\s*\)/g,
    "import($1)",
  );
}

/**
 * esbuild plugin: `new URL("../../templates/", import.meta.url)` in a source file
 * points at a repository folder; rewrite it to the same folder beside the bundle,
 * and note the folder so it is copied there. Deferred imports become plain ones
 * ({@link undeferImports}) and lazy npm imports literal ones ({@link literalLazyImports}):
 * esbuild runs the first `onLoad` that answers, so this one does all three.
 */
function assetUrls(assets: Set<string>): esbuild.Plugin {
  return {
    name: "asset-urls",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        let source = readFileSync(args.path, "utf8");
        if (args.path.includes(`${sep}node_modules${sep}`)) {
          return { contents: source, loader: "ts" };
        }
        source = literalLazyImports(undeferImports(source)).replace(
          /new URL\(\s*(["'])(\.{1,2}\/[^"']*)\1\s*,\s*import\.meta\.url\s*\)/g,
          (whole, _q: string, rel: string, offset: number, text: string) => {
            // A URL in a comment (a JSDoc example) is not a run-time asset.
            const line = text.slice(text.lastIndexOf("\n", offset) + 1, offset);
            if (/^\s*(\*|\/\/|\/\*)/.test(line)) return whole;
            const target = resolve(dirname(args.path), rel);
            const fromRoot = relative(ROOT, target);
            if (fromRoot.startsWith("..") || fromRoot === "" || fromRoot.startsWith(`src${sep}`)) {
              return whole;
            }
            assets.add(fromRoot.split(sep)[0]!);
            const suffix = rel.endsWith("/") ? "/" : "";
            return `new URL(${
              JSON.stringify(`./${fromRoot.split(sep).join("/")}${suffix}`)
            }, import.meta.url)`;
          },
        );
        return { contents: source, loader: "ts" };
      });
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** `src/` for an entry inside it (the usual case), else the repository root. */
function declarationRoot(entry: string): string {
  return relative(join(ROOT, "src"), entry).startsWith("..") ? ROOT : join(ROOT, "src");
}

/** Emit `.d.ts` files for `entry` and what it imports into `outdir`; returns the type-error count. */
export function emitDeclarations(entry: string, outdir: string, quiet = false): number {
  const options: ts.CompilerOptions = {
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    noEmitOnError: false,
    skipLibCheck: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.esnext.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    // Node's own modules (node:fs, …) from @types/node, which deno.json pins for this.
    types: ["node"],
    typeRoots: [join(ROOT, "node_modules", "@types")],
    rootDir: declarationRoot(entry),
    outDir: outdir,
  };
  // Source files import packages as "npm:name@1.2.3/sub": resolve them as "name/sub"
  // in the node_modules/ Deno lays out, so their types reach the declarations.
  const host = ts.createCompilerHost(options);
  host.resolveModuleNameLiterals = (literals, containingFile, _redirect, compilerOptions) =>
    literals.map((literal) => {
      const name = literal.text.startsWith("npm:") ? npmToBare(literal.text) : literal.text;
      return ts.resolveModuleName(name, containingFile, compilerOptions, host);
    });
  const program = ts.createProgram([entry], options, host);
  const emitted = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  for (const d of quiet ? [] : errors.slice(0, Number(Deno.env.get("TRACEBOOK_DTS_ERRORS") ?? 5))) {
    const where = d.file ? `${relative(ROOT, d.file.fileName)}: ` : "";
    console.warn(`warning: ${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  // Specifiers in declarations must name the emitted files ("./x.ts" → "./x.js") and
  // packages as Node resolves them ("npm:name@1.2.3/sub" → "name/sub").
  for (const file of walk(outdir).filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(file, "utf8");
    const fixed = text.replace(
      /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g,
      "$1$2.js$3",
    ).replace(/(["'])npm:(@[^/@"']+\/[^@/"']+|[^@/"']+)(?:@[^/"']+)?(\/[^"']*)?\1/g, "$1$2$3$1")
      // nodejs-polars' default export is a namespace without the types (`pl.DataType`) that
      // its module has: name the module itself, which every module resolution types alike.
      .replace(
        /^import (type )?(\w+) from "nodejs-polars";$/gm,
        'import $1* as $2 from "nodejs-polars";',
      )
      // the same for the library's one import of it (src/frames/polars.ts), re-exported
      .replace(
        /^export \{ default \} from "nodejs-polars";$/gm,
        'import * as pl from "nodejs-polars";\nexport default pl;',
      )
      .replace(
        /((?:from|import)\s*\(?\s*["'])((?:@[^/"'.][^/"']*\/)?[^/"'.:][^/"':]*)\/([^"']+)(["'])/g,
        (whole, head: string, pkg: string, sub: string, tail: string) => {
          const file = esmSubpath(pkg, sub);
          return file ? `${head}${pkg}/${file}${tail}` : whole;
        },
      );
    if (fixed !== text) writeFileSync(file, fixed);
  }
  return errors.length;
}

/**
 * A deep import of a package without an `exports` map (`nodejs-polars/bin/datatypes`,
 * which TypeScript writes for inferred types) as Node's ESM resolution needs it:
 * with the file's extension (`bin/datatypes/index.js`). Undefined to leave it as it is.
 */
function esmSubpath(pkg: string, sub: string): string | undefined {
  const dir = join(ROOT, "node_modules", pkg);
  if (!existsSync(join(dir, "package.json")) || /\.(c|m)?js$/.test(sub)) return undefined;
  if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).exports) return undefined;
  if (existsSync(join(dir, `${sub}.d.ts`))) return `${sub}.js`;
  if (existsSync(join(dir, sub, "index.d.ts"))) return `${sub}/index.js`;
  return undefined;
}

/** Make sure every npm package of deno.json is in `node_modules/` (esbuild resolves there). */
function denoInstall(): void {
  const result = spawnSync(Deno.execPath(), ["install", "--quiet"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (result.status !== 0) throw new Error(`deno install failed (exit ${result.status}).`);
}

/** Build `OUTDIR/mod.js`, its declarations and `OUTDIR/package.json`. */
export async function bundle(options: BundleOptions = {}): Promise<BundleResult> {
  const entry = resolve(ROOT, options.entry ?? "src/mod.ts");
  const outdir = resolve(ROOT, options.outdir ?? "dist");
  if (!existsSync(entry)) throw new Error(`Cannot bundle: ${entry} does not exist.`);
  denoInstall();
  mkdirSync(outdir, { recursive: true });
  // Start clean, but keep the installed externals (npm install is then a no-op) and the
  // packages of `deno task pack`.
  for (const name of readdirSync(outdir)) {
    if (name !== "node_modules" && name !== "package-lock.json" && !name.endsWith(".tgz")) {
      rmSync(join(outdir, name), { recursive: true, force: true });
    }
  }
  const assets = new Set<string>();
  const js = join(outdir, "mod.js");
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile: js,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "linked",
      legalComments: "none",
      absWorkingDir: ROOT,
      external: [...EXTERNAL, ...POLARS_PLATFORMS],
      plugins: [npmSpecifiers, assetUrls(assets)],
      // CommonJS code inside an ESM bundle may call require() for Node built-ins.
      banner: {
        js: 'import { createRequire as __tracebookCreateRequire } from "node:module";\n' +
          "const require = __tracebookCreateRequire(import.meta.url);",
      },
      logLevel: "warning",
    });
  } finally {
    await esbuild.stop();
  }
  for (const asset of assets) cpSync(join(ROOT, asset), join(outdir, asset), { recursive: true });

  let dts: string | undefined;
  let typeErrors = 0;
  if (options.declarations !== false) {
    typeErrors = emitDeclarations(entry, outdir, options.quiet);
    const entryDts = join(
      outdir,
      relative(declarationRoot(entry), entry).replace(/\.ts$/, ".d.ts"),
    );
    dts = join(outdir, "mod.d.ts");
    if (entryDts !== dts) {
      // An entry outside src/ (a test's): mod.d.ts points at its declarations.
      writeFileSync(
        dts,
        `export * from "./${
          relative(outdir, entryDts).split(sep).join("/").replace(/\.d\.ts$/, ".js")
        }";\n`,
      );
    }
  }

  writeFileSync(
    join(outdir, "package.json"),
    JSON.stringify(localManifest(), null, 2) + "\n",
  );
  if (options.install !== false) npmInstall(outdir, options.quiet);
  return { js, dts, assets: [...assets].sort(), typeErrors };
}

/** `npm install` the externals into `dir/node_modules/`. */
export function npmInstall(dir: string, quiet = false): void {
  const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
  });
  if (npm.status !== 0) throw new Error(`npm install in ${dir} failed (exit ${npm.status}).`);
}

/** `deno task bundle --help`. */
export const USAGE = `Usage: deno task bundle [--entry src/mod.ts] [--outdir dist] [--no-install]

Builds the library for Node on this machine: OUTDIR/mod.js (ESM), OUTDIR/mod.d.ts
and OUTDIR/package.json, then runs npm install in OUTDIR (skip with --no-install).
For the package to install in other projects and on other machines: deno task pack.`;

if (import.meta.main) {
  const { values } = parseCli(USAGE, {
    entry: { type: "string" },
    outdir: { type: "string" },
    "no-install": { type: "boolean" },
  });
  try {
    const result = await bundle({
      entry: values.entry,
      outdir: values.outdir,
      install: !values["no-install"],
    });
    const size = (statSync(result.js).size / 1024).toFixed(0);
    console.log(
      `Wrote ${relative(ROOT, result.js)} (${size} KiB) and ${
        result.dts ? relative(ROOT, result.dts) : "no declarations"
      }`,
    );
    if (result.assets.length) console.log(`Copied beside it: ${result.assets.join(", ")}`);
    if (result.typeErrors) {
      console.warn(`warning: the declaration emit met ${result.typeErrors} type error(s)`);
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
