/**
 * A progress bar on stderr for long loads, only when stderr is a terminal and
 * the input is large (cli-progress).
 *
 * @module
 */
import cliProgress from "npm:cli-progress@3.12.0";
import process from "node:process";

/** Inputs smaller than this load too fast to need a bar. */
const MIN_BYTES = 16 * 1024 * 1024;

/** A progress sink for `loadTraces({ onProgress })`. */
export interface ProgressReporter {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** A bar labelled `label`, or `undefined` when stderr is not a terminal. */
export function progressReporter(label: string): ProgressReporter | undefined {
  if (!Deno.stderr.isTerminal()) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (total < MIN_BYTES) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({
          format: `${label} [{bar}] {percentage}% | {value}/{total} MB`,
          stream: process.stderr,
          hideCursor: true,
        }, cliProgress.Presets.shades_classic);
        bar.start(Math.ceil(total / 1e6), 0);
      }
      bar.update(Math.floor(done / 1e6));
    },
    stop() {
      bar?.stop();
    },
  };
}
