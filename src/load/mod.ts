/**
 * The loader: native JSONL trace files → the frames of `src/frames/columns.ts`.
 *
 * Tiers (as Arquero's `fromJSON`/`loadJSON`): {@link parseTraceText} (text →
 * events + diagnostics), {@link fromTraceText} (text → TraceSet),
 * {@link loadTraces} (paths → TraceSet), {@link loadTraceGroups} (labelled paths
 * → one TraceSet).
 *
 * @module
 */
export {
  fromTraceText,
  type FromTraceTextOptions,
  type LoadOptions,
  loadTraceGroups,
  loadTraces,
} from "./load_traces.ts";
export {
  DEFAULT_MAX_LINE_BYTES,
  type Diagnostic,
  type EventRecord,
  type ParsedTrace,
  type ParseTraceOptions,
  parseTraceText,
} from "./parse_trace_text.ts";
export { parseTimestamp, type ParseTimestampOptions } from "./timestamp.ts";
export {
  type CallTextOptions,
  type CallTextReader,
  callTextReader,
  type TextColumns,
} from "./call_texts.ts";
export { expandInputs, findTraceInputs, type TraceInput } from "./inputs.ts";
export type { FormatAdapter, FormatSample, ParseOptions } from "./formats/adapter.ts";
export type { TraceSource } from "./formats/source.ts";
export { describeSample, detectFormat, formatByName, FORMATS } from "./formats/registry.ts";
export { sampleFile, sampleOfText } from "./formats/sample.ts";
export { parseOpenAIBatchText } from "./formats/openai_batch.ts";
export { parseOtlpText } from "./formats/otlp.ts";
export { parseAnthropicBatchText } from "./formats/anthropic_batch.ts";
export {
  FIELD_ALIASES,
  MAP_KEYS,
  parseFieldMap,
  parseGenericText,
  readFieldMap,
} from "./formats/generic.ts";
