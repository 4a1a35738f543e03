/**
 * `validate [inputs…] [--json] [--warnings-fail]`: check trace files and list every
 * problem as `file:line: severity code: message`. Exit 0 when every line loads,
 * 1 when a line is bad (or, with `--warnings-fail`, when anything is suspicious).
 * The tallies count problems, not rows: a row that stands for several (the bad lines
 * past the listing limit, a warning an adapter folds, as Claude Code's retries) counts
 * them all and says how many (`(2 times)`).
 *
 * @module
 */
import type { Command } from "npm:commander@15.1.0";
import { loadTraces } from "../../load/mod.ts";
import { messages } from "../../load/messages.ts";
import { escapeControl } from "../../log/terminal.ts";
import { progressReporter } from "../progress.ts";
import { addInputOptions, inputLoadOptions, type InputOptions } from "../input_options.ts";

/** Options of the `validate` command. */
export interface ValidateOptions extends InputOptions {
  json?: boolean;
  warningsFail?: boolean;
  timezone?: string;
  quiet?: boolean;
}

interface DiagnosticRow {
  file: string;
  line: number | null;
  code: string;
  message: string;
  severity: string;
  count?: number;
}

/** Validate the inputs; returns the exit code. */
export async function runValidate(inputs: string[], options: ValidateOptions): Promise<number> {
  const progress = options.quiet || options.json ? undefined : progressReporter("Checking traces");
  const traces = await loadTraces(inputs.length ? inputs : ["traces/"], {
    timezone: options.timezone,
    ...await inputLoadOptions(options),
    onProgress: progress?.update,
  }).finally(() => progress?.stop());
  const rows = traces.diagnostics.toRecords() as unknown as DiagnosticRow[];
  // a folded row counts the lines past the listing limit (its `count`)
  const lines = (d: DiagnosticRow) => d.count ?? 1;
  const errors = rows.filter((d) => d.severity === "error").reduce((n, d) => n + lines(d), 0);
  const warnings = rows.filter((d) => d.severity !== "error").reduce((n, d) => n + lines(d), 0);
  const failed = errors > 0 || (options.warningsFail === true && warnings > 0);
  if (options.json) {
    console.log(escapeControl(
      JSON.stringify(
        {
          files: traces.files,
          events: traces.events.height,
          calls: traces.calls.height,
          errors,
          warnings,
          valid: !failed,
          diagnostics: rows,
        },
        null,
        2,
      ),
      { json: true },
    ));
  } else {
    for (const d of rows) {
      console.log(escapeControl(messages.diagnosticLine(d)));
    }
    if (!options.quiet) {
      console.error(
        `${traces.files.length} file(s), ${traces.events.height} valid event(s), ${traces.calls.height} call(s): ` +
          `${errors} bad line(s), ${warnings} warning(s).`,
      );
    }
  }
  return failed ? 1 : 0;
}

/** Define the `validate` command. */
export function define(cmd: Command): void {
  cmd
    .argument("[inputs...]", "trace files, directories or globs (default traces/)", [])
    .option("--json", "print the result as JSON on stdout")
    .option("--warnings-fail", "also exit 1 on warnings (orphan responses, duplicate request ids)")
    .option("--timezone <iana>", "time zone of naive timestamps (default UTC)")
    .option("-q, --quiet", "print only the problems")
    .action(async (inputs: string[], opts: ValidateOptions) => {
      const code = await runValidate(inputs, opts);
      if (code !== 0) Deno.exitCode = code;
    });
  addInputOptions(cmd);
}
