/**
 * Every format tracebook reads, one adapter each, in the order detection tries
 * them: specific formats first, the native format, then the generic per-call
 * log (which claims any JSON or CSV rows with a model and token or timing
 * fields).
 *
 * ```
 * file ─► sampleFile ─► detectFormat (first adapter whose detect() is true)
 *                         ├► native ──► the line reader (parse_trace_text.ts)
 *                         ├► other ───► adapter.parse(source: text, values or lines) ─► records ─► frames
 *                         └► none ────► one `not_a_trace` diagnostic (or an error for a named file)
 * ```
 *
 * @module
 */
import { UserError } from "../../log/mod.ts";
import type { FormatAdapter, FormatSample } from "./adapter.ts";
import { SAMPLE_BYTES } from "./sample.ts";
import { anthropicAgentEvents } from "./anthropic_agent_events.ts";
import { anthropicBatch } from "./anthropic_batch.ts";
import { atif } from "./atif.ts";
import { claudeCode } from "./claude_code.ts";
import { claudeCodeStream } from "./claude_code_stream.ts";
import { codex } from "./codex.ts";
import { codexExec } from "./codex_exec.ts";
import { geminiCliChat, geminiCliStream } from "./gemini_cli.ts";
import { geminiCliJson } from "./gemini_cli_json.ts";
import { geminiBatch } from "./gemini_batch.ts";
import { generic } from "./generic.ts";
import { genkit } from "./genkit.ts";
import { langfuse } from "./langfuse.ts";
import { mlflow } from "./mlflow.ts";
import { openinference } from "./openinference.ts";
import { native } from "./native.ts";
import { openaiBatch } from "./openai_batch.ts";
import { otlp } from "./otlp.ts";
import { otelPython } from "./otel_python.ts";
import { otelGo } from "./otel_go.ts";
import { jaeger } from "./jaeger.ts";
import { zipkin } from "./zipkin.ts";
import { otelJs } from "./otel_js.ts";

/** The formats, in detection order. */
export const FORMATS: readonly FormatAdapter[] = [
  otlp,
  langfuse,
  mlflow,
  openinference,
  openaiBatch,
  anthropicBatch,
  geminiBatch,
  otelPython,
  otelGo,
  jaeger,
  zipkin,
  genkit,
  otelJs,
  claudeCode,
  claudeCodeStream,
  codex,
  codexExec,
  anthropicAgentEvents,
  geminiCliStream,
  atif,
  geminiCliChat,
  geminiCliJson,
  native,
  generic,
];

/**
 * The adapter of a format name (as `--format` takes it).
 *
 * @example
 * ```ts
 * import { formatByName } from "./registry.ts";
 * if (formatByName("otlp").name !== "otlp") throw new Error();
 * ```
 */
export function formatByName(name: string): FormatAdapter {
  const found = FORMATS.find((f) => f.name === name);
  if (!found) {
    throw new UserError(
      `Unknown format ${JSON.stringify(name)}: the formats are ${
        FORMATS.map((f) => f.name).join(", ")
      }.`,
      { exitCode: 2 },
    );
  }
  return found;
}

/**
 * The format of a sample: the first adapter that recognises it, or null.
 *
 * @example
 * ```ts
 * import { detectFormat } from "./registry.ts";
 * import { sampleOfText } from "./sample.ts";
 * const s = sampleOfText('{"type":"session_start","timestamp":"2025-01-01T00:00:00","session_id":"s"}\n', "a.jsonl");
 * if (detectFormat(s)?.name !== "native") throw new Error();
 * if (detectFormat(sampleOfText("a,b\n1,2\n", "x.csv")) !== null) throw new Error();
 * ```
 */
export function detectFormat(sample: FormatSample): FormatAdapter | null {
  return FORMATS.find((f) => f.detect(sample)) ?? null;
}

/**
 * What a file that no adapter reads looks like, for the one sentence that says
 * so (`it looks like CSV`). `parquet`: the sample is of a Parquet file's rows,
 * staged as JSON Lines (its columns are named, not its JSON).
 *
 * @example
 * ```ts
 * import { describeSample } from "./registry.ts";
 * import { sampleOfText } from "./sample.ts";
 * if (describeSample(sampleOfText("a,b\n1,2\n", "x.csv")) !== "it looks like CSV") throw new Error();
 * if (describeSample(sampleOfText('{"data": [{"id": 1', "x.json")) !== "it starts as JSON but is cut off or malformed") throw new Error();
 * if (describeSample(sampleOfText('{"city":"a","n":1}\n', "x.parquet"), true) !== 'it is a Parquet file whose columns are "city", "n"') throw new Error();
 * ```
 */
export function describeSample(sample: FormatSample, parquet = false): string {
  if (parquet) {
    // its rows were written as JSON Lines: the keys of the first are the file's columns
    const columns = sample.keys.slice(0, 6).map((k) => JSON.stringify(k)).join(", ");
    return columns
      ? `it is a Parquet file whose columns are ${columns}${sample.keys.length > 6 ? ", …" : ""}`
      : "it is a Parquet file with no rows";
  }
  const head = sample.head.trimStart();
  if (head.startsWith("{") || head.startsWith("[")) {
    // the whole file is in the head, yet not one value parses: a document cut off or malformed
    const whole = sample.head.length < SAMPLE_BYTES / 4;
    if (whole && sample.values.length === 0 && !/^\[\s*\]\s*$/.test(head)) {
      return "it starts as JSON but is cut off or malformed";
    }
    const keys = sample.keys.slice(0, 6).map((k) => JSON.stringify(k)).join(", ");
    return keys
      ? `it is JSON whose first object has the keys ${keys}${sample.keys.length > 6 ? ", …" : ""}`
      : "it is JSON of no known shape";
  }
  const firstLine = head.split("\n", 1)[0] ?? "";
  if (/^\s*$/.test(head)) return "it is empty";
  if (/^[^,\t]+([,\t][^,\t]*)+$/.test(firstLine.trim())) return "it looks like CSV";
  if (/^\s*</.test(head)) return "it looks like HTML or XML";
  if (/^[\w.-]+\s*[:=]/.test(firstLine)) return "it looks like a config file (YAML, TOML or INI)";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0e-\x1f]/.test(head.slice(0, 512))) return "it looks like binary data";
  return "it looks like plain text";
}
