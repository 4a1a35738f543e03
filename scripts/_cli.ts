/**
 * Arguments of the helper scripts (`deno task bundle`, `pack`, `kernel`,
 * `notebooks`, `schema`, `bench`): `--help`/`-h` prints the usage and exits 0;
 * an unknown option or a missing value is one sentence and exit 2, never a
 * stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Options in `node:util`'s `parseArgs` form. */
export type CliOptions = NonNullable<ParseArgsConfig["options"]>;

/** True when the arguments ask for help. */
export const wantsHelp = (args: readonly string[]): boolean =>
  args.includes("--help") || args.includes("-h");

/**
 * Parse `args` (default `Deno.args`) with `options`; handle `--help` and usage
 * errors by printing and exiting.
 */
export function parseCli<T extends CliOptions>(
  usage: string,
  options: T,
  config: { allowPositionals?: boolean; args?: string[] } = {},
): {
  values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>["values"];
  positionals: string[];
} {
  const args = config.args ?? Deno.args;
  if (wantsHelp(args)) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    const parsed = parseArgs({
      args,
      options,
      allowPositionals: config.allowPositionals ?? false,
      strict: true,
    });
    return parsed as never;
  } catch (error) {
    console.error(`error: ${(error as Error).message.split("\n")[0]}`);
    console.error("(run with --help for usage)");
    Deno.exit(2);
  }
}
