/**
 * The cache entries being written: a load starts writing its entries and
 * either waits for them before it returns (the default) or, inside {@link
 * writingBehind}, leaves them to be waited for at the end of the run, so that
 * a command's summaries and figures are computed while Polars encodes the
 * frames on its own threads. No import of Polars: the command line uses this
 * before it knows whether it will load anything.
 *
 * @module
 */

/** The entries being written, until each is renamed into place (or given up). */
const writing = new Set<Promise<void>>();

/** Whether loads leave their entries to be written behind them. */
let behind = false;

/** Keep `write` (an entry being written, which never rejects) until it settles. */
export function trackWrite(write: Promise<void>): void {
  writing.add(write);
  write.finally(() => writing.delete(write));
}

/** Whether loads leave their entries to be written behind them ({@link writingBehind}). */
export function entriesBehind(): boolean {
  return behind;
}

/**
 * Wait until every entry being written is in place (or given up: a cache that
 * cannot be written is only slower).
 *
 * @example
 * ```ts
 * import { cacheWrites, trackWrite } from "./_writes.ts";
 * let done = false;
 * trackWrite(new Promise<void>((resolve) => setTimeout(() => { done = true; resolve(); }, 5)));
 * await cacheWrites();
 * if (!done) throw new Error("returned before the write");
 * ```
 */
export async function cacheWrites(): Promise<void> {
  while (writing.size > 0) await Promise.all(writing);
}

/**
 * Run `run` with the entries of its loads written behind them: `loadTraces`
 * returns once its frames are built, and the entries are waited for when `run`
 * is done (whether it succeeded or not), before this returns.
 *
 * @example
 * ```ts
 * import { entriesBehind, writingBehind } from "./_writes.ts";
 * const inside = await writingBehind(() => Promise.resolve(entriesBehind()));
 * if (!inside || entriesBehind()) throw new Error("not scoped to the run");
 * ```
 */
export async function writingBehind<T>(run: () => Promise<T>): Promise<T> {
  const was = behind;
  behind = true;
  try {
    return await run();
  } finally {
    behind = was;
    await cacheWrites();
  }
}
