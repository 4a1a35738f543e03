/**
 * The options every command that reads traces shares about its inputs, defined
 * once: `--format NAME` (read every input as this format), `--map SPEC|FILE`
 * (the field mapping of a per-call log; implies `--format generic`) and
 * `--list-prices` (batch results at list prices), `--cache-dir DIR` and
 * `--no-cache` (the per-file cache, and the results cache of `analyze` and
 * `report`). Inputs themselves are files,
 * directories, globs or `-` (standard input).
 *
 * @module
 */
import type { Command } from "npm:commander@15.1.0";
// Imported only for `--map`: a run replayed from the results cache neither loads nor
// evaluates the reader's modules (generic.ts's graph holds the schema, with zod).
import type * as Generic from "../load/formats/generic.ts";
import type { TraceSet } from "../frames/columns.ts";
import { lazyImport } from "../log/_lazy.ts";
import type { LoadOptions } from "../load/mod.ts";
import { messages } from "../load/messages.ts";
import { UserError } from "../log/mod.ts";

/** The parsed shared input options (commander's camelCase names). */
export interface InputOptions {
  /** `--format` (or, for `export`, whose `--format` is the output's, `--input-format`). */
  format?: string;
  inputFormat?: string;
  map?: string;
  listPrices?: boolean;
  /** `--cache-dir DIR`, or false for `--no-cache` (commander's negation). */
  cache?: boolean;
  cacheDir?: string;
  /** `--workers N`: threads that parse native files (as given, checked by {@link inputLoadOptions}). */
  workers?: string;
}

/** Options of {@link addInputOptions}. */
export interface AddInputOptions {
  /**
   * Name the input format option `--input-format` (for a command whose own
   * `--format` is something else, e.g. `export`'s output format).
   * @default {false}
   */
  inputFormatFlag?: boolean;
}

/**
 * Add `--format`, `--map` and `--list-prices` to a command that reads traces.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@15.1.0";
 * import { addInputOptions, inputLoadOptions } from "./input_options.ts";
 * const cmd = addInputOptions(new Command("x").argument("[inputs...]")).exitOverride();
 * cmd.parse(["calls.jsonl", "--map", "model=engine,duration_ms=elapsed", "--list-prices", "--no-cache"], { from: "user" });
 * const o = await inputLoadOptions(cmd.opts());
 * if (o.format !== "generic" || o.map?.duration_ms !== "elapsed" || o.listPrices !== true) throw new Error(JSON.stringify(o));
 * if (o.cache !== false) throw new Error("--no-cache");
 * cmd.parse(["big.jsonl", "--workers", "2"], { from: "user" });
 * if ((await inputLoadOptions(cmd.opts())).workers !== 2) throw new Error("--workers 2");
 * ```
 */
export function addInputOptions(cmd: Command, options: AddInputOptions = {}): Command {
  const formatFlag = options.inputFormatFlag ? "--input-format <name>" : "--format <name>";
  return cmd
    .option(
      formatFlag,
      "read every input as this format instead of detecting each file's ('deno task formats' lists them)",
    )
    .option(
      "--map <spec|file>",
      "read a per-call log through a field mapping: COLUMN=FIELD,… (e.g. model=engine,duration_ms=elapsed) or a JSON mapping file; implies --format generic",
    )
    .option(
      "--list-prices",
      "price batch results at list prices (default: the batch rate, half the list price)",
    )
    .option(
      "--cache-dir <dir>",
      "the cache folder: each file's frames, and the results of analyze and report (default: $XDG_CACHE_HOME/tracebook, else ~/.cache/tracebook)",
    )
    .option(
      "--no-cache",
      "read every file and compute everything, neither reading nor writing the cache",
    )
    .option(
      "--workers <n>",
      "threads that parse native files while this one joins them (default: one less than the cores from 4 cores on, for 32 MB or more; 2 on 2 or 3 cores for 256 MiB or more; else 0)",
    );
}

/**
 * The load options of the shared input options: the format (`generic` when a
 * mapping is given without a format), the parsed mapping, and list prices.
 * A mapping that does not parse is a usage error (exit 2).
 */
export async function inputLoadOptions(
  opts: InputOptions,
  options: AddInputOptions = {},
): Promise<Pick<LoadOptions, "format" | "map" | "listPrices" | "cache" | "workers">> {
  const map = opts.map === undefined ? undefined : (await lazyImport<typeof Generic>(
    "../load/formats/generic.ts",
    import.meta.url,
  )).readFieldMap(opts.map);
  const format = (options.inputFormatFlag ? opts.inputFormat : opts.format) ??
    (map ? "generic" : undefined);
  const cache = opts.cache === false ? false : opts.cacheDir;
  if (opts.workers !== undefined && !/^[0-9]{1,2}$/.test(opts.workers)) {
    throw new UserError(
      `--workers takes a number of threads from 0 to 99, not "${opts.workers}".`,
      { exitCode: 2 },
    );
  }
  return {
    format,
    map,
    listPrices: opts.listPrices ?? false,
    ...(cache === undefined ? {} : { cache }),
    ...(opts.workers === undefined ? {} : { workers: Number(opts.workers) }),
  };
}

/**
 * The options of a run that change what it reads, as the results cache keys
 * them (`analyze` and `report` add their own).
 */
export function readKeyValues(
  opts: { strict?: boolean; timezone?: string },
  load: Awaited<ReturnType<typeof inputLoadOptions>>,
): Record<string, unknown> {
  return {
    strict: opts.strict ?? false,
    timezone: opts.timezone ?? null,
    format: load.format ?? null,
    map: load.map ?? null,
    listPrices: load.listPrices ?? false,
  };
}

/**
 * Throw a {@link UserError} (exit 1) when the inputs held records but not one
 * could be read (no event, no call, only bad lines: a document cut off, every
 * line malformed), instead of writing an empty "0 requests" report. Empty
 * inputs (nothing bad either) pass. The bad line named is the first that is
 * not text outside any JSON value (`stray_text`), when there is one.
 *
 * @example
 * ```ts
 * import { requireSomethingRead } from "./input_options.ts";
 * import { fromTraceText } from "../load/mod.ts";
 * const t = fromTraceText('{"custom_id": "r1", "response": null}\n', { file: "b.jsonl" });
 * let said = "";
 * try { requireSomethingRead(t); } catch (e) { said = (e as Error).message; }
 * if (!said.startsWith("Nothing in the inputs could be read: 1 bad line, the first b.jsonl:1:")) throw new Error(said);
 * ```
 */
export function requireSomethingRead(traces: TraceSet): void {
  if (traces.calls.height > 0 || traces.events.height > 0) return;
  // Columns of the frame, not Polars' expressions: this module does not import Polars.
  const severity = traces.diagnostics.getColumn("severity").toArray();
  const counts = traces.diagnostics.getColumn("count").toArray();
  const codes = traces.diagnostics.getColumn("code").toArray();
  let total = 0;
  let firstError = -1;
  // the first error that is not text outside any JSON value (a program's banner before its
  // JSON output is read past; the value after it that does not parse is what stopped the read)
  let firstParsed = -1;
  for (let i = 0; i < severity.length; i++) {
    if (severity[i] !== "error") continue;
    total += Number(counts[i]);
    if (firstError < 0) firstError = i;
    if (firstParsed < 0 && codes[i] !== "stray_text") firstParsed = i;
  }
  if (firstError < 0) return;
  const shown = firstParsed >= 0 ? firstParsed : firstError;
  const first = traces.diagnostics.slice(shown, 1).toRecords()[0]!;
  const reason = String(first.message).replace(/\.$/, "");
  throw new UserError(
    messages.nothingRead(
      total,
      `${first.file}:${first.line}: ${reason}`,
      shown === firstError ? "the first" : "the first besides text outside JSON",
    ),
  );
}
