/**
 * Inputs → trace files: files as given, directories searched recursively for
 * `*.jsonl`, glob patterns (tinyglobby); de-duplicated, in sorted order.
 *
 * @module
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { glob, isDynamicPattern } from "npm:tinyglobby@0.2.17";
import { UserError } from "../log/mod.ts";
import { messages } from "./messages.ts";

/**
 * Expand inputs (files, directories, globs) to the trace files they name, sorted
 * and de-duplicated. A missing input that is not a glob throws a {@link UserError};
 * so does finding no file at all.
 *
 * @example
 * ```ts
 * import { expandInputs } from "./inputs.ts";
 * const files = await expandInputs(["traces/"]);
 * ```
 */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const found = new Map<string, string>();
  const add = (path: string) => {
    let key = path;
    try {
      key = realpathSync(path);
    } catch { /* keep the path as given */ }
    if (!found.has(key)) found.set(key, path);
  };
  for (const input of inputs) {
    if (existsSync(input)) {
      if (statSync(input).isDirectory()) {
        const names = await glob("**/*.jsonl", { cwd: input, onlyFiles: true, followSymbolicLinks: true });
        for (const name of names) add(join(input, name));
      } else add(input);
    } else if (isDynamicPattern(input)) {
      for (const path of await glob(input, { onlyFiles: true })) add(path);
    } else {
      throw new UserError(messages.missingInput(input));
    }
  }
  if (found.size === 0) throw new UserError(messages.noTraceFiles(inputs));
  return [...found.values()].sort();
}
