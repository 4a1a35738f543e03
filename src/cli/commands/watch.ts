/**
 * `watch [inputs…] [--interval SECONDS] [--window MINUTES] [--once] [--json]
 * [--cache-dir DIR | --no-cache]`: real-time monitoring of trace files as they
 * are written. Follows every native `*.jsonl` file of the inputs (`TraceTail`: the
 * lines completed since the last poll, read by the loader's one read from an
 * offset; a file the loader has cached starts from its cache entry), keeps running
 * totals, prints one status line every interval on stdout (one JSON object per
 * line with `--json`), and each new `llm_error` and bad line on stderr as it is
 * read. `--once` reads what is there, prints one status and exits. Ctrl-C
 * (SIGINT) prints a final summary and exits 0.
 *
 * Time windows (latency percentiles, calls per minute) run on the traces' own
 * clock: "now" is the newest event timestamp seen, advanced by the wall-clock
 * time since it was read. So an old file is summarised over its own last
 * minutes, naive timestamps need no time zone to be compared with, and a quiet
 * run's windows empty as time passes.
 *
 * @module
 */
import type { Command } from "npm:commander@15.1.0";
import { UserError } from "../../log/mod.ts";
import { formatFixed, formatPercent } from "../../log/format.ts";
import { escapeControl } from "../../log/terminal.ts";
import { TraceTail } from "../../load/tail.ts";
import type { Diagnostic, EventRecord } from "../../load/_event.ts";
import { defaultCacheDir } from "../../load/cache_key.ts";
import { messages } from "../../load/messages.ts";
import { type LiveStatus, LiveTotals } from "../../metrics/live_totals.ts";

/** Options of the `watch` command. */
export interface WatchOptions {
  interval?: string;
  window?: string;
  once?: boolean;
  json?: boolean;
  timezone?: string;
  /** `--cache-dir DIR`, or false for `--no-cache` (commander's negation). */
  cache?: boolean;
  cacheDir?: string;
}

/** One status, as printed with `--json` (the library's `LiveStatus`). */
export type WatchStatus = LiveStatus;
export { LiveTotals };

const seconds = (x: number | null) => (x === null ? "-" : `${formatFixed(x, 2)}s`);

/** One status as a line of text. */
export function statusLine(s: WatchStatus): string {
  const rate = s.error_rate === null ? "" : ` (${formatPercent(s.error_rate)})`;
  const models = Object.entries(s.by_model)
    .map(([name, m]) => `${name} ${m.requests}/${m.responses}/${m.errors}`)
    .join(", ");
  return `${s.final ? "final" : s.time.slice(11, 19)} ` +
    `files ${s.files} · requests ${s.requests} · responses ${s.responses} · ` +
    `errors ${s.errors}${rate} · pending ${s.pending} · ` +
    `p50 ${seconds(s.latency_p50_s)} p95 ${seconds(s.latency_p95_s)} · ` +
    `${s.calls_per_minute} calls/min · bad lines ${s.bad_lines}` +
    (models ? ` · by model (req/ok/err): ${models}` : "");
}

function positive(value: string | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UserError(`${option} must be a number above 0, got "${value}".`, { exitCode: 2 });
  }
  return n;
}

/** Watch the inputs until SIGINT (or once); returns the exit code. */
export async function runWatch(inputs: string[], options: WatchOptions): Promise<number> {
  const interval = positive(options.interval, 2, "--interval");
  const window = positive(options.window, 5, "--window");
  const tail = TraceTail.open(inputs.length ? inputs : ["traces/"], {
    timezone: options.timezone,
    cache: options.cache === false ? false : options.cacheDir ?? defaultCacheDir(),
  });
  const totals = new LiveTotals(window);
  const print = (final: boolean) => {
    const s = totals.status(tail.files.length, final);
    console.log(
      options.json
        ? escapeControl(JSON.stringify(s), { json: true })
        : escapeControl(statusLine(s)),
    );
  };
  const step = async (final: boolean) => {
    // the events counted as the tail hands them (a large file started from its cache entry comes
    // in batches, never held all at once); their errors printed after the poll's other messages
    const errors: { event: EventRecord; model: string }[] = [];
    const count = (events: EventRecord[], diagnostics: Diagnostic[] = []) => {
      for (const error of totals.add(events, diagnostics)) errors.push(error);
    };
    const u = await tail.poll({ final, onEvents: (events) => count(events) });
    count(u.events, u.diagnostics);
    for (const { path, format } of u.skipped) {
      console.error(escapeControl(
        `${path} is in the ${format} format, not tracebook's native one: watch follows native ` +
          `trace files only (report, analyze and validate read it).`,
      ));
    }
    for (const f of u.restarted) {
      console.error(`${escapeControl(f)}: truncated or replaced, reading it again from the start`);
    }
    for (const d of u.diagnostics) {
      console.error(escapeControl(messages.diagnosticLine(d)));
    }
    for (const { event: e, model } of errors) {
      console.error(escapeControl(
        `${e.file}:${e.line}: llm_error ${model} ${e.request_id ?? ""}: ${e.error ?? ""}`,
      ));
    }
  };

  if (options.once) {
    await step(true);
    print(false);
    return 0;
  }

  let stop = false;
  let wake: () => void = () => {};
  const onSignal = () => {
    stop = true;
    wake();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    while (!stop) {
      await step(false);
      print(false);
      if (stop) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await step(false); // what was written up to the signal (a partial last line stays unread)
    print(true);
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
  return 0;
}

/** Define the `watch` command. */
export function define(cmd: Command): void {
  cmd
    .argument("[inputs...]", "trace files, directories or globs (default traces/)", [])
    .option("--interval <seconds>", "seconds between status lines (default 2)")
    .option("--window <minutes>", "latency percentiles over the last minutes (default 5)")
    .option("--once", "read what is there, print one status and exit")
    .option("--json", "one JSON object per status line")
    .option("--timezone <iana>", "time zone of naive timestamps (default UTC)")
    .option(
      "--cache-dir <dir>",
      "the per-file cache folder: a file loaded before starts from its entry (default: $XDG_CACHE_HOME/tracebook, else ~/.cache/tracebook)",
    )
    .option("--no-cache", "read every file from its first byte")
    .action(async (inputs: string[], opts: WatchOptions) => {
      const code = await runWatch(inputs, opts);
      if (code !== 0) Deno.exitCode = code;
    });
}
