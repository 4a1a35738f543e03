/**
 * The worker of the parallel native reader (`_parallel.ts`): parses one
 * line-aligned byte range of a file at a time and posts back its events as
 * columns and its diagnostics.
 *
 * @module
 */
import { EventTable, transferablesOf } from "./_event_columns.ts";
import { parseTraceRange } from "./parse_trace_text.ts";
import type { RangeReply, RangeTask } from "./_parallel.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<RangeTask>) => void) | null;
  postMessage: (message: RangeReply, transfer?: Transferable[]) => void;
};

scope.onmessage = (e: MessageEvent<RangeTask>) => {
  const task = e.data;
  try {
    const table = new EventTable(task.options.keepText ?? false);
    const parsed = parseTraceRange(task.path, task.file, { ...task.options, into: table });
    const events = table.encode();
    scope.postMessage(
      {
        id: task.id,
        events,
        diagnostics: parsed.diagnostics,
        folded: parsed.folded,
        lines: parsed.lines,
      },
      transferablesOf(events),
    );
  } catch (err) {
    scope.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) });
  }
};
