/**
 * Inputs → trace files: files as given, directories searched recursively for
 * `*.jsonl`, `*.json`, `*.ndjson` and their `.gz`, `.zst` and `.zstd` forms (skipping
 * hidden folders and `node_modules`) and for the files of Firebase Genkit's trace
 * store (`.genkit/traces/<traceId>`, the one hidden folder searched), glob patterns
 * (tinyglobby), and `-` for
 * standard input; de-duplicated (a file reached twice by a link loads once), in
 * sorted order.
 *
 * Standard input, pipes, FIFOs, compressed files (gzip or zstd) and Parquet
 * files (known by their name or by their first bytes: {@link packingOf}) are staged: copied as a
 * stream (decompressed by `node:zlib`; Parquet rows written as JSON Lines by
 * Polars) into a temporary regular file that the readers read like any other,
 * under the name the user gave.
 *
 * @module
 */
import { deno } from "./_runtime.ts";
import {
  appendFileSync,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import process from "node:process";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { glob, isDynamicPattern } from "npm:tinyglobby@0.2.17";
import pl from "../frames/polars.ts";
import { UserError } from "../log/mod.ts";
import type { Diagnostic } from "./_event.ts";
import { messages } from "./messages.ts";
import { isFramed, unframe } from "./_framed.ts";
import { unzstd, ZSTD_MAGIC } from "./_zstd.ts";

/**
 * Firebase Genkit's trace store under a folder searched: every file in it is a trace
 * (`.genkit/traces/<traceId>`, no extension; not its index, `.genkit/traces_idx`). The glob
 * needs it at the top apart: `**` / `.genkit` does not match it there with `dot: false`.
 */
const GENKIT_STORE_PATTERNS = [".genkit/traces/*", "**/.genkit/traces/*"];

/** The patterns a directory is searched for. */
export const TRACE_FILE_PATTERNS: readonly string[] = [
  "**/*.jsonl",
  "**/*.json",
  "**/*.ndjson",
  "**/*.jsonl.gz",
  "**/*.json.gz",
  "**/*.ndjson.gz",
  "**/*.jsonl.zst",
  "**/*.json.zst",
  "**/*.ndjson.zst",
  "**/*.jsonl.zstd",
  "**/*.json.zstd",
  "**/*.ndjson.zstd",
  ...GENKIT_STORE_PATTERNS,
];

/** One input file. */
export interface TraceInput {
  /** Where to read it (a regular file; a staged copy for stdin, pipes and compressed files). */
  path: string;
  /** The name reported in the frames and messages (`<stdin>` for `-`). */
  name: string;
  /** Named by the user (not found in a directory or by a glob). */
  named: boolean;
  /** A Parquet file, its rows staged as JSON Lines at `path`. */
  parquet?: boolean;
}

/**
 * A path's stat: Deno's where it runs (node:fs's `statSync` took 10–30 ms more
 * for a folder of 1,000 files), else node:fs's (the Node package).
 */
export function fileStat(
  path: string,
): { isFile: boolean; ino: number | null; dev: number; size: number } {
  if (deno) {
    const st = deno.statSync(path);
    return { isFile: st.isFile, ino: st.ino, dev: st.dev, size: st.size };
  }
  const st = statSync(path);
  return { isFile: st.isFile(), ino: st.ino, dev: st.dev, size: st.size };
}

/**
 * Expand inputs (files, directories, globs, `-`) to the files they name, sorted
 * and de-duplicated. A missing input that is not a glob throws a {@link UserError};
 * so does finding no file at all. Unreadable folders become `diagnostics`.
 *
 * @example
 * ```ts
 * import { findTraceInputs } from "./inputs.ts";
 * const { inputs } = await findTraceInputs(["traces/"]);
 * if (inputs.length < 1 || inputs[0]!.named) throw new Error();
 * ```
 */
export async function findTraceInputs(
  list: string[],
): Promise<{ inputs: TraceInput[]; diagnostics: Diagnostic[] }> {
  const found = new Map<string, TraceInput>();
  const diagnostics: Diagnostic[] = [];
  /** A path's key (a file by its device and inode: hard links load once; else its real path), and its stat. */
  const keyOf = (path: string): { key: string; st?: ReturnType<typeof fileStat> } => {
    try {
      const st = fileStat(path);
      return { key: st.isFile && st.ino ? `${st.dev}:${st.ino}` : realpathSync(path), st };
    } catch {
      try {
        return { key: realpathSync(path) };
      } catch {
        return { key: path }; // keep the path as given
      }
    }
  };
  const add = (path: string, named: boolean, known = keyOf(path)) => {
    const { key, st } = known;
    const seen = found.get(key);
    if (!seen) {
      const input = { path, name: path, named };
      if (st) stats.set(input, st);
      found.set(key, input);
    } else if (named) seen.named = true;
  };
  for (const input of list) {
    if (input === "-") {
      found.set("-", { path: "-", name: "<stdin>", named: true });
    } else if (existsSync(input)) {
      if (statSync(input).isDirectory()) {
        const walked = walkFolder(input);
        for (const dir of walked.unreadable) {
          diagnostics.push({
            file: dir,
            line: 0,
            code: "unreadable",
            message: messages.unreadableDir(),
            severity: "warning",
          });
        }
        // the walk's files, when it could tell them as the glob does and no two are one file
        // (which of two names of a file is kept follows the glob's order)
        const paths = walked.names?.map((name) => join(input, name));
        const keys = paths?.map(keyOf);
        if (paths && keys && new Set(keys.map((k) => k.key)).size === keys.length) {
          paths.forEach((path, i) => add(path, false, keys[i]));
        } else {
          const names = await glob([...TRACE_FILE_PATTERNS], {
            cwd: input,
            onlyFiles: true,
            followSymbolicLinks: true,
            ignore: ["**/node_modules/**"],
            dot: false,
          });
          for (const name of names) add(join(input, name), false);
        }
      } else add(input, true);
    } else if (isDynamicPattern(input)) {
      for (const path of await glob(input, { onlyFiles: true })) add(path, false);
    } else {
      throw new UserError(messages.missingInput(input));
    }
  }
  if (found.size === 0) throw new UserError(messages.noTraceFiles(list));
  const inputs = [...found.values()].sort((
    a,
    b,
  ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { inputs, diagnostics };
}

/** The names a trace file found in a folder ends with (those of {@link TRACE_FILE_PATTERNS}). */
const TRACE_FILE_ENDS = TRACE_FILE_PATTERNS.filter((p) => p.startsWith("**/*."))
  .map((p) => p.slice("**/*".length));

/**
 * How a file's records are stored when it is not read as it is: compressed
 * (gzip, Zstandard), as Parquet rows, or as UTF-16 text (what Windows
 * PowerShell 5's `>` writes: `claude -p … > out.jsonl`). Such a file is staged
 * ({@link stageInputs}): decompressed, its rows written as JSON Lines, or its
 * text written again as UTF-8; or framed as the OpenTelemetry Collector's file
 * exporter frames its messages for `format: proto` or `compression: zstd`
 * (`_framed.ts`: written as OTLP/JSON Lines).
 */
export type Packing = "gzip" | "zstd" | "parquet" | "utf-16le" | "utf-16be" | "framed";

/** The name ending of each packing (a `.zstd` file is zstd too). */
const PACKED_NAME = /\.(gz|zst|zstd|parquet)$/i;

/**
 * How a file is packed ({@link Packing}), from its name (`.gz`; `.zst`,
 * `.zstd`; `.parquet`), else, with `sniff`, from its first bytes (gzip's
 * `1f 8b`, a Zstandard frame's `28 b5 2f fd`, Parquet's `PAR1`; UTF-16 by its
 * byte order mark, or by a NUL after or before each of its first two ASCII
 * characters); null for a plain file (or one that cannot be read here).
 *
 * @example
 * ```ts
 * import { packingOf } from "./inputs.ts";
 * if (packingOf("a.jsonl.zst", false) !== "zstd" || packingOf("a.jsonl", false) !== null) {
 *   throw new Error();
 * }
 * ```
 */
export function packingOf(path: string, sniff = true): Packing | null {
  const named = PACKED_NAME.exec(path)?.[1]?.toLowerCase();
  if (named) return named === "gz" ? "gzip" : named === "parquet" ? "parquet" : "zstd";
  return !sniff || path === "-" ? null : sniffedPacking(path);
}

/** How a file is packed, from its first bytes alone ({@link packingOf}). */
function sniffedPacking(path: string): Packing | null {
  const head = new Uint8Array(8);
  let n = 0, size = 0;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, 8, 0);
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // not a regular file that can be read: its reader says so
  }
  if (isFramed(head.subarray(0, n), size)) return "framed";
  const starts = (...bytes: number[]) => n >= bytes.length && bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return "gzip";
  if (starts(...ZSTD_MAGIC)) return "zstd";
  if (starts(0x50, 0x41, 0x52, 0x31)) return "parquet"; // "PAR1"
  if (starts(0xff, 0xfe)) return "utf-16le";
  if (starts(0xfe, 0xff)) return "utf-16be";
  // without a byte order mark: `{"` as UTF-16 (a text file of UTF-8 holds no NUL)
  const ascii = (b: number | undefined) => b !== undefined && b > 0 && b < 0x80;
  if (n >= 4 && ascii(head[0]) && !head[1] && ascii(head[2]) && !head[3]) return "utf-16le";
  if (n >= 4 && !head[0] && ascii(head[1]) && !head[2] && ascii(head[3])) return "utf-16be";
  return null;
}

/** Rows of a Parquet file written as JSON Lines at a time. */
const PARQUET_BATCH_ROWS = 20_000;

/** Units of a Duration column in a second. */
const PER_SECOND: Record<string, number> = { ns: 1e9, us: 1e6, ms: 1e3 };

/** `value` without its null members, at any depth (a struct's fields absent from a row). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/**
 * A Parquet file's rows as JSON Lines, row `k` on line `k` (from 1), written by
 * Polars' own JSON writer a batch of rows at a time: nested columns as JSON
 * objects and arrays, times with a zone as ISO 8601 with their offset, naive
 * ones without, durations (pandas' timedeltas) as seconds. A struct holds every
 * field in every row, as null where the row had none: in a file with nested
 * columns the null members are left out, as the JSON the rows came from did
 * (a Claude Code transcript saved as Parquet read its content blocks' null
 * fields as text). Phoenix's span dataframes saved with `to_parquet` are the
 * flattened spans its JSON Lines hold; a per-call log in Parquet is a per-call
 * log.
 */
function parquetToLines(from: string, to: string): void {
  const rows = pl.scanParquet(from);
  const schema = Object.entries(rows.head(0).collectSync().schema);
  const durations = schema.flatMap(([name, dtype]) => {
    const unit = /^DataType\(Duration\((\w+)\)\)$/.exec(String(dtype))?.[1];
    return unit && PER_SECOND[unit]
      ? [pl.col(name).cast(pl.Int64).div(PER_SECOND[unit]!).alias(name)]
      : [];
  });
  const nested = schema.some(([, dtype]) => /^DataType\((Struct|List|Array)/.test(String(dtype)));
  const count = Number(rows.select(pl.len().alias("n")).collectSync().getColumn("n").toArray()[0]);
  writeFileSync(to, "");
  for (let at = 0; at < count; at += PARQUET_BATCH_ROWS) {
    let batch = rows.slice(at, PARQUET_BATCH_ROWS).collectSync();
    if (durations.length) batch = batch.withColumns(...durations);
    const lines = batch.writeJSON({ format: "lines" });
    if (!nested) {
      appendFileSync(to, lines);
      continue;
    }
    const text = lines.toString("utf8").split("\n").filter((l) => l !== "")
      .map((l) => JSON.stringify(withoutNulls(JSON.parse(l)))).join("\n");
    appendFileSync(to, text + "\n");
  }
}

/** What a packing's cut-off stream is called in its `truncated_*` warning. */
const CUT_NAMES: Partial<Record<Packing, string>> = {
  zstd: "Zstandard",
  framed: "OpenTelemetry Collector file (a length-framed message)",
};

/**
 * Write the file `from` packed as `packing` unpacked into `to`; false when it is cut off
 * (what it held up to the cut is written).
 */
async function unpack(packing: Packing, from: string, to: string): Promise<boolean> {
  switch (packing) {
    case "utf-16le":
    case "utf-16be":
      await toUtf8(from, to, packing);
      return true;
    case "gzip":
      await pipeline(createReadStream(from), zlib.createGunzip(), createWriteStream(to));
      return true;
    case "parquet":
      parquetToLines(from, to);
      return true;
    case "zstd":
      return await unzstd(from, to);
    case "framed":
      return unframe(from, to);
  }
}

/** Write UTF-16 text as UTF-8, as a stream (its byte order mark dropped). */
async function toUtf8(from: string, to: string, encoding: "utf-16le" | "utf-16be") {
  const decoder = new TextDecoder(encoding);
  await pipeline(
    createReadStream(from),
    async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) yield decoder.decode(chunk, { stream: true });
      yield decoder.decode();
    },
    createWriteStream(to),
  );
}

/**
 * The folders below `dir` (not hidden, not node_modules; and Genkit's trace store,
 * `.genkit/traces`) that cannot be listed, and the trace files below it (paths
 * relative to it) as the glob of {@link TRACE_FILE_PATTERNS} finds them: not
 * hidden, not in node_modules or a hidden folder (but for the files of a
 * `.genkit/traces` folder: every one, whatever its name, not its subfolders),
 * named as the patterns say, regular files. The files are null when the walk
 * meets what only the glob decides (a symbolic link, which it follows, or a
 * special file such as a FIFO, not hidden), or goes deeper than 64 folders: the
 * glob then lists them. One walk where the glob took 15–20 ms more for a folder
 * of 1,000 files.
 */
function walkFolder(dir: string): { names: string[] | null; unreadable: string[] } {
  const unreadable: string[] = [];
  let names: string[] | null = [];
  /** `store`: 1 in a `.genkit` folder, 2 in its `traces` (Genkit's trace store), else 0. */
  const walk = (d: string, rel: string, depth: number, store: 0 | 1 | 2) => {
    if (depth > 64) {
      names = null;
      return;
    }
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      unreadable.push(d);
      return;
    }
    for (const e of entries) {
      const into = (store === 0 && e.name === ".genkit") || (store === 1 && e.name === "traces");
      if (into) {
        if (e.isDirectory()) {
          walk(join(d, e.name), `${rel}${e.name}/`, depth + 1, store === 0 ? 1 : 2);
        } else if (!e.isFile()) names = null; // a link, which the glob follows
        continue;
      }
      if (e.name.startsWith(".") || store === 1) continue;
      if (e.isDirectory()) {
        if (store === 0 && e.name !== "node_modules") {
          walk(join(d, e.name), `${rel}${e.name}/`, depth + 1, 0);
        }
      } else if (e.isFile()) {
        if (store === 2 || TRACE_FILE_ENDS.some((end) => e.name.endsWith(end))) {
          names?.push(rel + e.name);
        }
      } else names = null; // a link, or a special file
    }
  };
  walk(dir, "", 0, 0);
  return { names, unreadable };
}

/** The stat of each input found, when it was made (`findTraceInputs`): its size and kind then. */
const stats = new WeakMap<TraceInput, ReturnType<typeof fileStat>>();

/**
 * The size of an input file when {@link findTraceInputs} found it (undefined
 * for one it did not make, such as a staged copy), so that the loader needs
 * no second stat of each of many files.
 */
export function foundSize(input: TraceInput): number | undefined {
  return stats.get(input)?.size;
}

/**
 * Expand inputs to file names (see {@link findTraceInputs}).
 *
 * @example
 * ```ts
 * import { expandInputs } from "./inputs.ts";
 * const files = await expandInputs(["traces/"]);
 * if (!files.every((f) => f.startsWith("traces/"))) throw new Error();
 * ```
 */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  return (await findTraceInputs(inputs)).inputs.map((i) => i.name);
}

/**
 * Stage the inputs that cannot be read in place (standard input, pipes, FIFOs,
 * compressed and Parquet files, by name or first bytes: {@link packingOf}): each is streamed (decompressed, or its
 * rows written as JSON Lines) into a temporary regular file. `cleanup` removes the copies. A compressed file cut off is read
 * up to the cut, with one `truncated_gzip` (`truncated_zstd`, `truncated_framed`) warning. One
 * that cannot be read (not gzip at all) throws a {@link UserError} when the
 * user named it; found in a folder, it is skipped with one `unreadable`
 * warning in `diagnostics`, and the other files load.
 */
export async function stageInputs(
  inputs: TraceInput[],
): Promise<{ inputs: TraceInput[]; cleanup: () => void; diagnostics: Diagnostic[] }> {
  let dir: string | null = null;
  const staged: TraceInput[] = [];
  const diagnostics: Diagnostic[] = [];
  const truncated = (input: TraceInput, packing: Packing) =>
    diagnostics.push({
      file: input.name,
      line: 0,
      code: `truncated_${packing}`,
      message: messages.truncatedCompressed(CUT_NAMES[packing] ?? packing),
      severity: "warning",
    });
  for (const input of inputs) {
    const regular = input.path !== "-" && (stats.get(input) ?? fileStat(input.path)).isFile;
    // packed when its name says so, or its first bytes (a gzip file named `run.jsonl`)
    let packing = regular ? packingOf(input.path) : null;
    if (regular && !packing) {
      staged.push(input);
      continue;
    }
    dir ??= mkdtempSync(join(tmpdir(), "tracebook-"));
    // the copy is named as the file unpacked (`x.jsonl.gz` → `x.jsonl`; `x.parquet`, `x.parquet.gz`
    // → `x.jsonl`): what it holds says whether it is Parquet still
    const plain = basename(input.name).replace(/\.(gz|zst|zstd)$/i, "").replace(
      /\.parquet$/i,
      ".jsonl",
    );
    const path = join(dir, `${staged.length}-${plain}`);
    let from = input.path;
    let isParquet = false;
    try {
      if (!regular) {
        // standard input, a pipe, a FIFO: copied, then read again unpacked when it is packed
        const source = input.path === "-" ? process.stdin : createReadStream(input.path);
        await pipeline(source, createWriteStream(path));
        packing = packingOf(path);
        if (!packing) {
          staged.push({ ...input, path });
          continue;
        }
        from = `${path}.raw`;
        renameSync(path, from);
      }
      // unpacked, then what a decompressed file holds unpacked too, by its first bytes (a
      // compressed Parquet, UTF-16 or framed file: `calls.parquet.gz`)
      let layer: Packing | null = packing;
      for (let depth = 0; layer; depth++) {
        const source = depth === 0 ? from : `${path}.${depth}`;
        if (depth > 0) renameSync(path, source);
        try {
          if (!await unpack(layer, source, path)) truncated(input, layer);
        } finally {
          if (depth > 0) rmSync(source, { force: true });
        }
        isParquet ||= layer === "parquet";
        layer = (layer === "gzip" || layer === "zstd") && depth < 2 ? sniffedPacking(path) : null;
      }
    } catch (e) {
      // a gzip file cut off (a copy or a rotation interrupted): read what is there, and say so
      if (packing === "gzip" && (e as { code?: string }).code === "Z_BUF_ERROR") {
        try {
          const flush = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
          await pipeline(createReadStream(from), flush, createWriteStream(path));
          truncated(input, "gzip");
          staged.push({ ...input, path });
          continue;
        } catch { /* unreadable after all: below */ }
      }
      if (!input.named) {
        rmSync(path, { force: true });
        diagnostics.push({
          file: input.name,
          line: 0,
          code: "unreadable",
          message: messages.unreadableFile((e as Error).message),
          severity: "warning",
        });
        continue;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      throw new UserError(messages.unreadableInput(input.name, (e as Error).message), { cause: e });
    } finally {
      if (from !== input.path) rmSync(from, { force: true });
    }
    staged.push(isParquet ? { ...input, path, parquet: true } : { ...input, path });
  }
  return {
    inputs: staged,
    diagnostics,
    cleanup: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
