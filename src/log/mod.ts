/**
 * The leaf every stage may import: the error class for user-facing problems
 * and the warning sink. User-facing messages are one sentence that names the
 * file and line and says what is wrong.
 *
 * @module
 */
import { escapeControl } from "./terminal.ts";

/**
 * A problem the user can fix (bad input, a missing file, a failed gate).
 * The CLI prints its message as one sentence on stderr and exits with
 * `exitCode`, never with a stack trace. Callers may catch it.
 *
 * @example
 * ```ts
 * import { UserError } from "./mod.ts";
 * const err = new UserError("No traces found in empty/.", { exitCode: 1 });
 * if (err.exitCode !== 1) throw new Error("expected 1");
 * ```
 */
export class UserError extends Error {
  /** The process exit code the CLI uses: 1 unusable input or failed gate, 2 wrong usage. */
  readonly exitCode: number;
  /**
   * A user error with its message and exit code (default 1); `cause` keeps the underlying error.
   */
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "UserError";
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A sink for warnings; the default writes one line to stderr. */
export type WarnFn = (message: string) => void;

/** The default warning sink: one line on stderr, control characters escaped (`terminal.ts`). */
export const warnToStderr: WarnFn = (message) => {
  console.error(`warning: ${escapeControl(message)}`);
};
