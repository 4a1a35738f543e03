/**
 * The tracing library: writes native JSONL traces of model calls (the seed's
 * `LLMTracingPlugin`, in TypeScript). Imports only `schema/` and `log/`.
 *
 * ```ts
 * import { Tracer } from "./mod.ts";
 * const tracer = new Tracer({ traceDir: Deno.makeTempDirSync() });
 * const call = tracer.traceModelCall(async (model: string, prompt: string) => `echo ${prompt}`);
 * if (await call("gpt-4o-mini", "hello") !== "echo hello") throw new Error("the result is kept");
 * await tracer.close();
 * const events = Deno.readTextFileSync(tracer.traceFile!).trim().split("\n").map((l) => JSON.parse(l));
 * // The model is read from the first argument; the string result is the output.
 * if (events[1].data.model !== "gpt-4o-mini" || events[2].data.output !== "echo hello") {
 *   throw new Error(JSON.stringify(events));
 * }
 * ```
 *
 * @module
 */
export {
  CallHandle,
  type CallOutcome,
  type CallSink,
  type CallStart,
  type Clock,
  createTracer,
  DEFAULT_TRACE_DIR,
  type FinishedCall,
  type TraceCallOptions,
  type TraceModelCall,
  Tracer,
  type TracerOptions,
} from "./tracer.ts";
export {
  type EmitterLike,
  type EventBus,
  type EventHandler,
  fromEventEmitter,
  LLM_EVENTS,
} from "./event_bus.ts";
export {
  BufferedFileWriter,
  type BufferedFileWriterOptions,
  FileTraceWriter,
  MemoryTraceWriter,
  type TraceWriter,
} from "./writer.ts";
export { DEFAULT_SECRET_KEYS, REDACTED, sanitize, type SanitizeOptions } from "./redact.ts";
export { isSecretName, KnownSecrets, redactText } from "./secrets.ts";
export type { AnyFn } from "./wrap.ts";
