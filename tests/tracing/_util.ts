// deno-lint-ignore-file no-explicit-any -- tests read parsed JSON
/**
 * Helpers of the tracing tests: a fixed clock and reading a trace file back.
 * @module
 */
import { readFileSync } from "node:fs";
import { strictProblem } from "../../src/tracing/_validate.ts";

/** A clock the test moves by hand: starts at 2025-04-08T19:42:09 UTC. */
export function manualClock(): { clock: () => number; advance: (seconds: number) => void } {
  let ms = Date.UTC(2025, 3, 8, 19, 42, 9);
  return { clock: () => ms, advance: (s) => (ms += s * 1000) };
}

/** Every line of a trace file, parsed; fails when a line is not JSON or not strictly valid. */
export function readEvents(path: string): Record<string, any>[] {
  const text = readFileSync(path, "utf8");
  if (!text.endsWith("\n")) throw new Error(`${path} does not end with a newline`);
  return text.slice(0, -1).split("\n").map((line, i) => {
    const event = JSON.parse(line);
    const problem = strictProblem(event);
    if (problem) throw new Error(`${path}:${i + 1}: ${problem}`);
    return event;
  });
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "tracebook-tracing-" });
}
