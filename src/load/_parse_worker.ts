/**
 * The worker of the parallel native reader (`_parallel.ts`): takes the next
 * range (`Claims`) until none is left, parses each and posts back its events
 * as columns (their typed arrays transferred, not copied) and its
 * diagnostics, then posts that it is done. It imports only the reader.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { EventTable, transferablesOf } from "./_event_columns.ts";
import { parseTraceRange } from "./parse_trace_text.ts";
import { Claims } from "./_claims.ts";
import type { RangeReply, WorkerStart } from "./_parallel.ts";

const port = parentPort!;

/**
 * Events per byte of the last range this thread read: the next range's table
 * is made that large at once (with a tenth to spare), where growing it by
 * doubling copied its columns four or five times a range.
 */
let perByte = 0;

port.on("message", ({ tasks, slots, window, sliceBytes }: WorkerStart) => {
  const claims = new Claims(slots, tasks.length, window);
  for (let i = claims.take(); i >= 0; i = claims.take()) {
    const task = tasks[i]!;
    let reply: RangeReply;
    try {
      const table = new EventTable(
        task.options.keepText ?? false,
        Math.max(1024, Math.ceil(task.bytes * perByte * 1.1)),
      );
      const parsed = parseTraceRange(task.path, task.file, {
        ...task.options,
        into: table,
        sliceBytes,
      });
      perByte = table.n / Math.max(1, task.bytes);
      const events = table.encode();
      reply = {
        id: task.id,
        events,
        diagnostics: parsed.diagnostics,
        folded: parsed.folded,
        lines: parsed.lines,
        starts: parsed.starts,
      };
      port.postMessage(reply, transferablesOf(events));
    } catch (err) {
      port.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) });
      return;
    }
  }
  port.postMessage({ done: true } satisfies RangeReply);
});
