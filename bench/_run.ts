/**
 * One command timed as its own process, under `/usr/bin/time -v` where there is
 * one: its wall time, its peak resident memory and what it printed. Shared by
 * the benchmark scripts.
 *
 * @module
 */
import { existsSync } from "node:fs";

const hasTime = existsSync("/usr/bin/time");

/** What one run of a command measured. */
export interface Run {
  seconds: number;
  /** Peak resident memory in MiB (null without `/usr/bin/time`). */
  rssMb: number | null;
  /** What the command printed. */
  stdout: string;
}

/** Run `cmd` with `args` (and `env`); a failure throws with what it printed on stderr. */
export async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const argv = hasTime ? ["/usr/bin/time", "-v", cmd, ...args] : [cmd, ...args];
  const t0 = performance.now();
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const err = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${err}`);
  const rss = err.match(/Maximum resident set size \(kbytes\): (\d+)/);
  return {
    seconds,
    rssMb: rss ? Number(rss[1]) / 1024 : null,
    stdout: new TextDecoder().decode(out.stdout),
  };
}

/**
 * The number of calls a benchmark script is given as its first argument (else
 * `fallback`). `--help` prints `usage` and exits 0; anything but a whole
 * number above 0 says so in one sentence and exits 2 (a typo had written files
 * named `*-NaN.*` and a table of NaN).
 */
export function callsArg(fallback: number, usage: string): number {
  const arg = Deno.args[0];
  if (arg === "--help" || arg === "-h") {
    console.log(usage);
    Deno.exit(0);
  }
  if (arg === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(arg)) {
    console.error(
      `error: the number of calls must be a whole number above 0, got "${arg}".\n${usage}`,
    );
    Deno.exit(2);
  }
  return Number(arg);
}
