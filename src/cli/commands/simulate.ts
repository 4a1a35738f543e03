/**
 * `simulate --out DIR [--sessions N] [--calls N] [--models a,b,…] [--seed K]
 * [--error-rate R] [--unfinished N] [--single-file NAME] [--start ISO]`:
 * writes realistic, seeded traces through the tracer. Same options, same bytes.
 *
 * @module
 */
import type { Command } from "npm:commander@15.1.0";
import cliProgress from "npm:cli-progress@3.12.0";
import process from "node:process";
import { UserError } from "../../log/mod.ts";
import { formatFixed } from "../../log/format.ts";
import { simulate, SIMULATE_DEFAULTS, type SimulateOptions } from "../../simulate/mod.ts";

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new UserError(
        `The option ${name} must be an integer of at least ${min}, got "${value}".`,
        { exitCode: 2 },
      );
    }
    return n;
  };
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new UserError(
      `The option --error-rate must be a number between 0 and 1, got "${value}".`,
      { exitCode: 2 },
    );
  }
  return n;
}

/** Define the `simulate` command. */
export function define(cmd: Command): void {
  cmd
    .option("-o, --out <dir>", "output folder", SIMULATE_DEFAULTS.out)
    .option(
      "--sessions <n>",
      "number of sessions (one file each)",
      integer("--sessions", 1),
      SIMULATE_DEFAULTS.sessions,
    )
    .option(
      "--calls <n>",
      "total number of model calls over all sessions",
      integer("--calls", 0),
      SIMULATE_DEFAULTS.calls,
    )
    .option(
      "--models <list>",
      "comma-separated model names (default gpt-4o-mini,gpt-4o,claude-3-5-sonnet-20241022)",
    )
    .option(
      "--seed <k>",
      "PRNG seed: the same seed writes the same bytes",
      integer("--seed", 0),
      SIMULATE_DEFAULTS.seed,
    )
    .option(
      "--error-rate <r>",
      "base error rate per call (scaled per model)",
      rate,
      SIMULATE_DEFAULTS.errorRate,
    )
    .option(
      "--unfinished <n>",
      "sessions left without session_end (default 1 in 10)",
      integer("--unfinished", 0),
    )
    .option(
      "--single-file [name]",
      "write every session into one file (default name trace_simulated.jsonl)",
    )
    .option("--start <iso>", "simulated start time (naive ISO, read as UTC)", "2025-04-08T09:00:00")
    .action(async (opts: {
      out: string;
      sessions: number;
      calls: number;
      models?: string;
      seed: number;
      errorRate: number;
      unfinished?: number;
      singleFile?: string | boolean;
      start: string;
    }) => {
      const start = new Date(
        /[zZ]|[+-]\d\d:?\d\d$/.test(opts.start) ? opts.start : `${opts.start}Z`,
      );
      if (Number.isNaN(start.getTime())) {
        throw new UserError(`The option --start must be an ISO date-time, got "${opts.start}".`, {
          exitCode: 2,
        });
      }
      const bar = Deno.stderr.isTerminal() && opts.calls >= 20_000
        ? new cliProgress.SingleBar({
          format: "Simulating [{bar}] {percentage}% | {value}/{total} calls",
          stream: process.stderr,
          hideCursor: true,
        }, cliProgress.Presets.shades_classic)
        : undefined;
      bar?.start(opts.calls, 0);
      const options: SimulateOptions = {
        out: opts.out,
        sessions: opts.sessions,
        calls: opts.calls,
        models: opts.models?.split(",").map((m) => m.trim()).filter(Boolean),
        seed: opts.seed,
        errorRate: opts.errorRate,
        unfinished: opts.unfinished,
        singleFile: opts.singleFile === true
          ? "trace_simulated.jsonl"
          : opts.singleFile || undefined,
        start,
        onProgress: bar ? (done) => bar.update(done) : undefined,
      };
      const t0 = performance.now();
      const r = await simulate(options).finally(() => bar?.stop());
      const seconds = (performance.now() - t0) / 1000;
      console.error(
        `Simulated ${r.calls} calls (${r.responses} responses, ${r.errors} errors, ${r.pending} pending, ` +
          `${r.retries} retries, ${r.streamed} streamed) in ${r.sessions} sessions ` +
          `(${r.unfinishedSessions} unfinished) in ${formatFixed(seconds, 1)} s.`,
      );
      for (
        const f of r.files.length > 20
          ? [...r.files.slice(0, 20), `… and ${r.files.length - 20} more`]
          : r.files
      ) {
        console.log(f);
      }
    });
}
