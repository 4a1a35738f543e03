/**
 * Per-call logs that applications write themselves → imported records: one
 * call per row, from JSON Lines (or a JSON array, or objects concatenated) or
 * CSV with a header row.
 *
 * Recognised without help when rows use the common field names
 * ({@link FIELD_ALIASES}): a model field plus token and/or timing fields.
 * Everything else is read through a mapping (`--map`, {@link parseFieldMap}):
 * our column on the left, the log's field path on the right, the unit in the
 * column name (`duration_ms=elapsed`, `started_at_ms=t0`). A mapped field wins
 * over the common names; fields not mapped are still found by their common names.
 *
 * Status: a row is an error when its error field is non-empty, its status field
 * says error/failed/failure/exception/timeout/… or ends in `fallback` (the
 * requested model did not answer: NexusCore's `mode: "stub-fallback"`), its
 * `success`/`ok` field is false, its HTTP status is ≥ 400, or an `error_when`
 * rule of the mapping matches (`error_when=mode:stub-fallback|stub`).
 * The row's time (`ts`, `timestamp`, …) is taken as the start of the call, a
 * time named as its end (`end_time`, `finished_at`, …) as its end (the start
 * is then end − duration); map `ended_at` when the log writes the end under a
 * start's name (a mapped field is read as its column only). No session field →
 * the file is the session.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { UserError } from "../../log/mod.ts";
import type { Diagnostic } from "../_event.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { textSource, type TraceSource } from "./source.ts";
import { pastNoise } from "./sample.ts";
import type { ImportedCall, ImportedRecords } from "./_records.ts";
import { at, count, isObj, num, str, type TimeUnit, toMicros } from "./_util.ts";
import { importMessages } from "./messages.ts";
import { wholePrompt } from "../../schema/usage.ts";
import { csvHeader, csvRows, looksLikeCsv } from "./_csv.ts";

/** The common names of each of our fields, tried in order (dotted paths reach into objects). */
export const FIELD_ALIASES = {
  model: [
    "request_model", // Helicone's requested model (its `model` is the one resolved from the response)
    "model",
    "model_name",
    "engine",
    "llm_model",
    "modelName",
    "model_id",
    "modelId",
    "deployment",
    "model_used",
    "llm",
    "request.model",
    "params.model",
    "input.model", // OpenPipe's export: {input: the request, output: the response, tags}
    "response.model",
    "model_permaslug", // OpenRouter's activity export (`openai/gpt-oss-120b`)
    "ai_model", // Portkey's log export
    // LangSmith runs: the model LangChain asked for, else its invocation parameters
    "extra.metadata.ls_model_name",
    "custom_metadata.ls_model_name",
    "extra.invocation_params.model",
    "extra.invocation_params.model_name",
  ],
  served_model: [
    "served_model",
    "response_model",
    "responseModel",
    "response.model",
    "output.model",
  ],
  provider: [
    "provider",
    "vendor",
    "llm_provider",
    "model_provider",
    "provider_name",
    "custom_llm_provider", // LiteLLM's (spend logs, StandardLoggingPayload)
    "ai_org", // Portkey's log export
    "extra.metadata.ls_provider",
    "custom_metadata.ls_provider",
  ],
  session_id: [
    "session_id",
    "sessionId",
    "session",
    "conversation_id",
    "conversationId",
    "conversation",
    "thread_id",
    "threadId",
    "trace_id",
    "traceId",
    "run_id",
    "runId",
    "chat_id",
    "properties.Helicone-Session-Id", // Helicone's session header, kept as a property
    "request_properties.Helicone-Session-Id",
  ],
  request_id: [
    "request_id",
    "requestId",
    "call_id",
    "callId",
    "id",
    "response_id",
    "custom_id",
    "uuid",
    "generation_id",
    "response.id", // a logged response's id (OpenPipe's `output`)
    "output.id",
  ],
  input_tokens: [
    "input_tokens",
    "prompt_tokens",
    "inputTokens",
    "promptTokens",
    "tokens_in",
    "native_tokens_prompt", // OpenRouter's generation: the provider's own count (its tokens_prompt is normalized)
    "req_units", // Portkey's log export
    "tokens_prompt",
    "input_token_count",
    "num_input_tokens",
    "n_input_tokens",
    "tokens.input",
    "tokens.prompt",
    "usage.input",
    "usage.input_tokens",
    "usage.prompt_tokens",
    "prompt_token_count", // Gemini's usage_metadata names
    "usage_metadata.prompt_token_count",
    "usageMetadata.promptTokenCount",
    "usage.prompt_token_count",
    "token_usage.prompt_tokens", // LangChain's llm_output
    // the usage of a logged provider response (OpenAI's, Anthropic's names; OpenPipe's `output`)
    "response.usage.prompt_tokens",
    "response.usage.input_tokens",
    "output.usage.prompt_tokens",
  ],
  output_tokens: [
    "output_tokens",
    "completion_tokens",
    "outputTokens",
    "completionTokens",
    "tokens_out",
    "native_tokens_completion",
    "res_units", // Portkey's log export
    "tokens_completion",
    "output_token_count",
    "completion_token_count",
    "num_output_tokens",
    "n_output_tokens",
    "tokens.output",
    "tokens.completion",
    "usage.output",
    "usage.output_tokens",
    "usage.completion_tokens",
    "candidates_token_count",
    "usage_metadata.candidates_token_count",
    "usageMetadata.candidatesTokenCount",
    "usage.candidates_token_count",
    "token_usage.completion_tokens",
    "response.usage.completion_tokens",
    "response.usage.output_tokens",
    "output.usage.completion_tokens",
  ],
  total_tokens: [
    "total_tokens",
    "totalTokens",
    "tokens",
    "total_token_count",
    "tokens.total",
    "usage.total_tokens",
    "usage.total",
    "usage_metadata.total_token_count",
    "usage.total_token_count",
    "token_usage.total_tokens",
    "total_units", // Portkey's log export
    "response.usage.total_tokens",
    "output.usage.total_tokens",
  ],
  cache_read_tokens: [
    "cached_input_tokens",
    "cache_read_tokens",
    "cache_read_input_tokens",
    "cached_tokens",
    "usage.cache_read_input_tokens",
    "usage.prompt_tokens_details.cached_tokens",
    "cached_content_token_count",
    "usage_metadata.cached_content_token_count",
    "usage.cached_content_token_count",
    "tokens_cached", // OpenRouter's: inside `tokens_prompt`, as OpenAI counts cached tokens
    "native_tokens_cached", // OpenRouter's generation (GET /generation)
    // LiteLLM's usage, in its SpendLogs' and payload's `metadata` (inside `prompt_tokens`)
    "metadata.usage_object.prompt_tokens_details.cached_tokens",
    "response.usage.prompt_tokens_details.cached_tokens",
    "response.usage.cache_read_input_tokens",
    "output.usage.prompt_tokens_details.cached_tokens",
    "prompt_token_details.cache_read", // LangSmith's: inside `prompt_tokens`
    "prompt_cache_read_tokens", // Helicone's
    "prompt_cache_hit_tokens", // DeepSeek's usage: `prompt_tokens` = hit + miss
    "usage.prompt_cache_hit_tokens",
    "cache_hit_tokens", // DeepSeek's count as apps log it (reasonix's usage.jsonl: cacheHitTokens)
  ],
  cache_write_tokens: [
    "cache_write_tokens",
    "cache_creation_input_tokens",
    "usage.cache_creation_input_tokens",
    "prompt_cache_write_tokens", // Helicone's
    "native_tokens_cache_creation", // OpenRouter's generation
    "metadata.usage_object.cache_creation_input_tokens", // LiteLLM's (Anthropic's usage)
    "response.usage.cache_creation_input_tokens",
    // LiteLLM's own usage (inside `prompt_tokens`, as its cached tokens)
    "metadata.usage_object.prompt_tokens_details.cache_creation_tokens",
    "response.usage.prompt_tokens_details.cache_creation_tokens",
  ],
  // of the cache writes, those to Anthropic's 1-hour cache (priced apart): the column `export`
  // writes (a calls table read back keeps its cost) and Anthropic's usage.cache_creation
  cache_write_1h_tokens: [
    "cache_write_1h_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "usage.cache_creation.ephemeral_1h_input_tokens",
    "response.usage.cache_creation.ephemeral_1h_input_tokens",
    // LiteLLM's usage: its payload's and SpendLogs' `metadata.usage_object`, its response's
    "metadata.usage_object.prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens",
    "metadata.usage_object.cache_creation.ephemeral_1h_input_tokens",
    "response.usage.prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens",
  ],
  // Anthropic's server-side web searches (billed per search): the column `export` writes and
  // Anthropic's usage.server_tool_use (LiteLLM's usage too)
  web_search_requests: [
    "web_search_requests",
    "server_tool_use.web_search_requests",
    "usage.server_tool_use.web_search_requests",
    "response.usage.server_tool_use.web_search_requests",
    "metadata.usage_object.server_tool_use.web_search_requests",
  ],
  // reasoning counted inside the output (OpenAI's, as our columns count it)
  reasoning_tokens: [
    "reasoning_tokens",
    "reasoning_output_tokens",
    "thinking_tokens",
    "usage.completion_tokens_details.reasoning_tokens",
    "tokens_reasoning", // OpenRouter's: inside `tokens_completion`
    "native_tokens_reasoning", // OpenRouter's generation
    "metadata.usage_object.completion_tokens_details.reasoning_tokens", // LiteLLM's
    "response.usage.completion_tokens_details.reasoning_tokens",
    "output.usage.completion_tokens_details.reasoning_tokens",
    "completion_token_details.reasoning", // LangSmith's: inside `completion_tokens`
  ],
  // Gemini's thinking, counted apart from its output (`candidates_token_count`): added to the
  // output (thinking is billed as output) and read as the reasoning, as the Gemini CLI adapters do
  thoughts_tokens: [
    "thoughts_tokens",
    "thoughts_token_count",
    "usage_metadata.thoughts_token_count",
    "usageMetadata.thoughtsTokenCount",
    "usage.thoughts_token_count",
  ],
  duration_s: [
    "duration_s",
    "duration_sec",
    "duration_secs",
    "duration_seconds",
    "latency_s",
    "latency_sec",
    "latency_seconds",
    "elapsed_s",
    "elapsed_sec",
    "elapsed_seconds",
    "response_time_s",
    "response_time_sec",
    "elapsed_time_s",
    "wall_time_s",
    "time_s",
    "took_s",
  ],
  duration_ms: [
    "duration_ms",
    "latency_ms",
    "elapsed_ms",
    "response_time_ms",
    "durationMs",
    "latencyMs",
    "elapsedMs",
    "response_ms",
    "elapsed_time_ms",
    "total_time_ms",
    "request_duration_ms",
    "time_ms",
    "took_ms",
    "latency_millis",
    "duration_millis",
    "generation_time_ms", // OpenRouter's activity export
  ],
  /** Durations without a unit in their name: the unit is told from the file's values. */
  duration: ["latency", "duration", "elapsed", "response_time", "elapsed_time", "time_taken"],
  started_at: [
    "started_at",
    "start_time",
    "startTime",
    "ts",
    "timestamp",
    "timestamp_utc",
    "created_at",
    "createdAt",
    "datetime",
    "request_time",
    "requested_at",
    "start",
    "time", // a number before 1973 is not a date (a duration named time is left alone)
    "date",
    "at", // `{"at": "2025-…", "model": …}`, a record's time as many apps name it
    "created", // OpenAI and compatible API responses: epoch seconds
    "response.created", // a logged response's (OpenAI's `created`, epoch seconds)
    "output.created", // OpenPipe's export
    "request_created_at", // Helicone's
    "timestamp_start",
    "start_timestamp",
    "start_ts",
  ],
  ended_at: [
    "ended_at",
    "end_time",
    "endTime",
    "finished_at",
    "completed_at",
    "end",
    "response_created_at", // Helicone's
    "timestamp_end",
    "end_timestamp",
    "end_ts",
  ],
  // when the first token came (LiteLLM's completionStartTime): the time to it from the start
  first_token_at: [
    "first_token_at",
    "first_token_time",
    "completion_start_time",
    "completionStartTime",
  ],
  ttft_s: ["ttft_s", "time_to_first_token_s"],
  ttft_ms: ["ttft_ms", "time_to_first_token_ms"],
  error: [
    "error",
    "error_message",
    "error_msg",
    "errorMessage",
    "error_type",
    "exception",
    "exception_message",
    "failure_reason",
    "err",
    "error_str", // LiteLLM's StandardLoggingPayload
    "error_information.error_message", // LiteLLM's payload; its SpendLogs keep it in `metadata`
    "metadata.error_information.error_message",
    "response.error", // a logged provider response's error (Portkey's log export)
    "output.error", // OpenPipe's export
  ],
  /** Every one of these a row has is checked (a status "ok" beside a mode "stub-fallback" fails). */
  status: [
    "status",
    "state",
    "outcome",
    "call_status",
    "request_status",
    "mode",
    "level",
    "log_level",
  ],
  success: ["success", "ok", "succeeded"],
  is_error: ["is_error", "isError", "failed", "cancelled"],
  http_status: [
    "status_code",
    "http_status",
    "statusCode",
    "httpStatus",
    "response_status",
    "response_status_code", // Portkey's log export
  ],
  finish_reason: [
    "finish_reason",
    "stop_reason",
    "finishReason",
    "stopReason",
    "finish_reason_normalized",
  ],
} as const;

const TIME_UNITS: Record<string, TimeUnit> = { s: "s", ms: "ms", us: "us", ns: "ns" };

/** The names a mapping may use (our columns, the unit in the name; `error_when`; `rows`). */
export const MAP_KEYS: readonly string[] = [
  "model",
  "served_model",
  "provider",
  "session_id",
  "request_id",
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cache_write_1h_tokens",
  "reasoning_tokens",
  "thoughts_tokens",
  "web_search_requests",
  "duration_s",
  "duration_ms",
  "duration_us",
  "started_at",
  "started_at_s",
  "started_at_ms",
  "started_at_us",
  "started_at_ns",
  "ended_at",
  "ended_at_s",
  "ended_at_ms",
  "ended_at_us",
  "ended_at_ns",
  "first_token_at",
  "ttft_s",
  "ttft_ms",
  "error",
  "status",
  "success",
  "finish_reason",
  "error_when",
  "rows",
];

/** Values of a status field that mean the call failed. */
const ERROR_STATUS =
  /^(error|errored|failed|failure|fail|exception|critical|fatal|timeout|timed[ _-]?out|cancel+ed|aborted|rejected)$|(^|[-_ :])fallback$/i;
/** Values of a status field that mean the call has not ended. */
const PENDING_STATUS = /^(pending|running|in[ _-]?progress|started)$/i;
/** Token fields: one of them (or a duration or a time) beside a model makes a row a call. */
const TOKEN_FIELDS = [
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cache_read_tokens",
  "reasoning_tokens",
  "thoughts_tokens",
] as const satisfies readonly (keyof typeof FIELD_ALIASES)[];

/**
 * A mapping spec (`model=engine,duration_ms=elapsed,error_when=mode:stub-fallback`)
 * → `{ ourColumn: "the.log.field" }`. Unknown columns and empty fields are a
 * usage error (exit 2) naming them.
 *
 * @example
 * ```ts
 * import { parseFieldMap } from "./generic.ts";
 * const m = parseFieldMap("model=engine, duration_ms=timing.elapsed ,error_when=mode:stub-fallback");
 * if (m.model !== "engine" || m.duration_ms !== "timing.elapsed" || m.error_when !== "mode:stub-fallback") throw new Error();
 * ```
 */
export function parseFieldMap(spec: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const part of spec.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (value === "") throw new UserError(importMessages.mapNoField(part.trim()), { exitCode: 2 });
    map[key] = value;
  }
  return checkFieldMap(map);
}

/** A mapping's keys checked against {@link MAP_KEYS} (a usage error naming the unknown ones). */
export function checkFieldMap(map: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(map).filter((k) => !MAP_KEYS.includes(k));
  if (unknown.length) {
    throw new UserError(importMessages.mapUnknownColumns(unknown, MAP_KEYS), { exitCode: 2 });
  }
  return map;
}

/**
 * `--map SPEC|FILE` → a mapping: a path to a JSON mapping file (`{"model": "engine",
 * "duration_ms": "elapsed", "error_when": {"mode": ["stub-fallback"]}}`), else a spec
 * for {@link parseFieldMap}.
 *
 * @example
 * ```ts
 * import { readFieldMap } from "./generic.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".json" });
 * Deno.writeTextFileSync(file, JSON.stringify({ model: "engine", error_when: { mode: ["stub-fallback", "stub"] } }));
 * const m = readFieldMap(file);
 * if (m.model !== "engine" || m.error_when !== "mode:stub-fallback|stub") throw new Error(JSON.stringify(m));
 * if (readFieldMap("model=engine").model !== "engine") throw new Error();
 * Deno.removeSync(file);
 * ```
 */
export function readFieldMap(specOrFile: string): Record<string, string> {
  const isFile = existsSync(specOrFile) && statSync(specOrFile).isFile();
  if (!isFile) {
    if (/\.json$/i.test(specOrFile) && !specOrFile.includes("=")) {
      throw new UserError(importMessages.mapFileMissing(specOrFile), { exitCode: 2 });
    }
    return parseFieldMap(specOrFile);
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(specOrFile, "utf8"));
  } catch (e) {
    throw new UserError(importMessages.mapFileBad(specOrFile, (e as Error).message), {
      exitCode: 2,
    });
  }
  if (!isObj(value)) {
    throw new UserError(importMessages.mapFileBad(specOrFile, "it is not a JSON object"), {
      exitCode: 2,
    });
  }
  const map: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "error_when" && isObj(v)) {
      map[key] = Object.entries(v).map(([field, values]) =>
        `${field}:${(Array.isArray(values) ? values : [values]).map(String).join("|")}`
      ).join(";");
    } else if (typeof v === "string" && v !== "") map[key] = v;
    else {throw new UserError(
        importMessages.mapFileBad(specOrFile, `"${key}" must be a field name (a string)`),
        { exitCode: 2 },
      );}
  }
  return checkFieldMap(map);
}

/** `error_when` rules: `field:v1|v2;other:v3` → [[field, [v1, v2]], …]. */
function errorRules(spec: string | undefined): [string, string[]][] {
  if (!spec) return [];
  return spec.split(";").filter((r) => r.trim()).map((rule) => {
    const colon = rule.indexOf(":");
    if (colon <= 0) throw new UserError(importMessages.mapBadErrorWhen(rule), { exitCode: 2 });
    return [rule.slice(0, colon).trim(), rule.slice(colon + 1).split("|").map((v) => v.trim())];
  });
}

type Field = keyof typeof FIELD_ALIASES;

/** Where each of our fields is read in a row: the mapped path (with its unit) first, then the common names. */
interface Resolver {
  get(row: unknown, field: Field): unknown;
  /** Every value of a field the row has, with its path (the mapped one only, when mapped). */
  all(row: unknown, field: Field): { path: string; value: unknown }[];
  /** The path a field was read from in this row (for an error text). */
  path(row: unknown, field: Field): string;
  /** A mapped time or duration: value and unit. */
  time(
    row: unknown,
    field: "started_at" | "ended_at" | "first_token_at",
  ): { value: unknown; unit?: TimeUnit };
  duration(row: unknown): number | null;
  /** A duration without a unit (`latency`), when the row has no duration with one. */
  bareDuration(row: unknown): number | null;
  ttft(row: unknown): number | null;
  errorRules: [string, string[]][];
}

function resolver(map: Record<string, string>, unitless = 1): Resolver {
  const pick = (row: unknown, paths: readonly string[]): unknown => {
    const heads = isObj(row) ? headsOf(row) : null;
    for (const p of paths) {
      if (heads !== null && !heads.has(headOf(p))) continue; // no key of the row can lead there
      const v = lookup(row, p);
      if (v !== undefined && v !== null && v !== "") return v;
    }
    return undefined;
  };
  // a field mapped to one of our columns is that column only, not another one too by its common
  // name (`--map ended_at=ts`: ts is the end, not also the start)
  const mappedNames = new Set(
    Object.entries(map).filter(([k]) => k !== "rows" && k !== "error_when")
      .map(([, path]) => normalizedName(path)),
  );
  const common = {} as Record<Field, readonly string[]>;
  for (const field of Object.keys(FIELD_ALIASES) as Field[]) {
    common[field] = FIELD_ALIASES[field].filter((p) => !mappedNames.has(normalizedName(p)));
  }
  const paths = (field: Field): readonly string[] =>
    map[field] !== undefined ? [map[field]!] : common[field];
  const mappedUnit = (base: "started_at" | "ended_at" | "first_token_at" | "duration" | "ttft") =>
    Object.keys(map).filter((k) => k === base || k.startsWith(`${base}_`));
  return {
    get: (row, field) => pick(row, paths(field)),
    all: (row, field) =>
      paths(field).map((p) => ({ path: p, value: lookup(row, p) }))
        .filter((x) => x.value !== undefined && x.value !== null && x.value !== "")
        .map((x) => ({
          ...x,
          path: isObj(row) && !(x.path in row) ? normalizedKeys(row).get(x.path) ?? x.path : x.path,
        })),
    path: (row, field) => {
      const p = paths(field).find((p) => lookup(row, p) !== undefined) ?? field;
      return isObj(row) && !(p in row) ? normalizedKeys(row).get(p) ?? p : p;
    },
    time(row, field) {
      for (const key of mappedUnit(field)) {
        const v = at(row, map[key]!);
        if (v !== undefined && v !== null && v !== "") {
          return { value: v, unit: TIME_UNITS[key.slice(field.length + 1)] };
        }
      }
      // a bare number before 1973 is no date (e.g. "time": 2.3, a duration)
      for (const p of common[field]) {
        const v = lookup(row, p);
        if (v === undefined || v === null || v === "") continue;
        const n = typeof v === "number" ? v : typeof v === "string" ? num(v) : null;
        if (n !== null && Math.abs(n) < 1e8) continue;
        return { value: v };
      }
      return { value: undefined };
    },
    duration(row) {
      const scale: Record<string, number> = { duration_s: 1, duration_ms: 1e-3, duration_us: 1e-6 };
      for (const key of mappedUnit("duration")) {
        const n = num(at(row, map[key]!));
        if (n !== null) return n * scale[key]!;
      }
      const s = num(pick(row, common.duration_s));
      if (s !== null) return s;
      const ms = num(pick(row, common.duration_ms));
      if (ms !== null) return ms / 1000;
      const bare = num(pick(row, common.duration));
      return bare === null ? null : bare * unitless;
    },
    bareDuration(row) {
      if (mappedUnit("duration").length) return null;
      if (
        num(pick(row, common.duration_s)) !== null ||
        num(pick(row, common.duration_ms)) !== null
      ) return null;
      return num(pick(row, common.duration));
    },
    ttft(row) {
      if (map.ttft_s) return num(at(row, map.ttft_s));
      if (map.ttft_ms) {
        const ms = num(at(row, map.ttft_ms));
        return ms === null ? null : ms / 1000;
      }
      const s = num(pick(row, common.ttft_s));
      if (s !== null) return s;
      const ms = num(pick(row, common.ttft_ms));
      return ms === null ? null : ms / 1000;
    },
    errorRules: errorRules(map.error_when),
  };
}

/**
 * A row's keys by their normalized spelling (`Prompt Tokens`, `promptTokens`
 * and `prompt-tokens` are all `prompt_tokens`), computed once per row.
 */
const NORMALIZED = new WeakMap<object, Map<string, string>>();
function normalizedKeys(row: Record<string, unknown>): Map<string, string> {
  let keys = NORMALIZED.get(row);
  if (!keys) {
    keys = new Map();
    for (const k of Object.keys(row)) {
      const n = normalizedName(k);
      if (!keys.has(n)) keys.set(n, k);
    }
    NORMALIZED.set(row, keys);
  }
  return keys;
}

/** A name in its normalized spelling: `Prompt Tokens`, `promptTokens`, `prompt-tokens` → `prompt_tokens`. */
function normalizedName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().replace(/[^a-z0-9.]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** A path's first name (up to its first dot), computed once per path. */
const HEADS_OF_PATHS = new Map<string, string>();
function headOf(path: string): string {
  let head = HEADS_OF_PATHS.get(path);
  if (head === undefined) {
    const dot = path.indexOf(".");
    HEADS_OF_PATHS.set(path, head = dot < 0 ? path : path.slice(0, dot));
  }
  return head;
}

/**
 * The first names a path must start with to reach anything in `row` ({@link lookup}): each key's
 * own up to its first dot (a dotted key such as `usage.prompt_tokens` is matched whole or as a
 * prefix), and each key's normalized spelling; computed once per row. A path whose first name is
 * none of them finds nothing, which saves looking for the many names a row does not have.
 */
const HEADS = new WeakMap<object, Set<string>>();
function headsOf(row: Record<string, unknown>): Set<string> {
  let heads = HEADS.get(row);
  if (!heads) {
    heads = new Set(normalizedKeys(row).keys());
    for (const k of Object.keys(row)) {
      const dot = k.indexOf(".");
      heads.add(dot < 0 ? k : k.slice(0, dot));
    }
    HEADS.set(row, heads);
  }
  return heads;
}

/**
 * The JSON object a text field holds (a CSV cell, or a database column kept as text: LiteLLM's
 * SpendLogs `metadata`, Helicone's `request_properties`), parsed once per row; undefined when it
 * holds none.
 */
const JSON_CELLS = new WeakMap<object, Map<string, unknown>>();
function jsonCell(row: Record<string, unknown>, key: string): unknown {
  const text = row[key];
  // a plain text (an answer, a prompt) is not looked at further, nor remembered
  if (typeof text !== "string" || !/^\s*\{/.test(text)) return undefined;
  let cells = JSON_CELLS.get(row);
  if (cells?.has(key)) return cells.get(key);
  let value: unknown = undefined;
  try {
    value = JSON.parse(text);
  } catch { /* not JSON: no value */ }
  if (!cells) JSON_CELLS.set(row, cells = new Map());
  cells.set(key, isObj(value) ? value : undefined);
  return cells.get(key);
}

/**
 * The value at a path; a top-level name is also matched by its normalized spelling, and a path
 * reaches into a field holding a JSON object as text.
 */
function lookup(row: unknown, path: string): unknown {
  const v = at(row, path);
  if (v !== undefined || !isObj(row)) return v;
  const dot = path.indexOf(".");
  const head = dot < 0 ? path : path.slice(0, dot);
  const key = normalizedKeys(row).get(head);
  if (key === undefined) return undefined;
  if (dot < 0) return key === head ? undefined : row[key];
  const inner = typeof row[key] === "string" ? jsonCell(row, key) : row[key];
  if (key === head && typeof row[key] !== "string") return undefined;
  return lookup(inner, path.slice(dot + 1));
}

/**
 * A row's input tokens as the whole prompt ({@link wholePrompt}): the object the input was read
 * from decides whether its cache is apart (Anthropic's usage logged as it came, `input_tokens`
 * beside `cache_read_input_tokens`); otherwise the cache is added only when it alone is more than
 * the input (a log that wrote Anthropic's counts under names of its own).
 */
function inputTokens(
  row: unknown,
  r: Resolver,
  cacheRead: number | null,
  cacheWrite: number | null,
): number | null {
  const input = count(r.get(row, "input_tokens"));
  if (input === null) return null;
  const path = r.path(row, "input_tokens");
  const dot = path.lastIndexOf(".");
  const holder = dot < 0 ? row : lookup(row, path.slice(0, dot));
  return wholePrompt(input, isObj(holder) ? holder : {}, cacheRead, cacheWrite);
}

/** The resolver of the common names (no mapping). */
const COMMON = resolver({});

/** A boolean in JSON or CSV spelling, else null. */
function bool(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : null;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (["true", "yes", "1", "y", "t"].includes(t)) return true;
    if (["false", "no", "0", "n", "f"].includes(t)) return false;
  }
  return null;
}

/** The status and error text of a row. */
function statusOf(
  row: unknown,
  r: Resolver,
): { status: ImportedCall["status"]; error: string | null } {
  for (const [field, values] of r.errorRules) {
    const v = lookup(row, field);
    if (v !== undefined && v !== null && values.includes(String(v))) {
      return {
        status: "error",
        error: textOf(r.get(row, "error")) ?? importMessages.genericErrorValue(field, v),
      };
    }
  }
  const error = r.get(row, "error");
  const errorFlag = bool(error);
  if (errorFlag === true) {
    return { status: "error", error: importMessages.genericErrorValue("error", error) };
  }
  const errorText = errorFlag === false ? null : textOf(error);
  if (errorText !== null) return { status: "error", error: errorText };
  // Portkey's `mode` is its config's routing strategy (`single`, `fallback`, `loadbalance`), not
  // an outcome: its export says failure with `response_status_code`
  const statuses = r.all(row, "status").filter((s) => !(s.path === "mode" && isPortkeyRow(row)));
  for (const { path, value } of statuses) {
    if (typeof value === "string" && ERROR_STATUS.test(value.trim())) {
      return { status: "error", error: importMessages.genericErrorValue(path, value) };
    }
  }
  const status = statuses[0]?.value;
  for (const field of ["success", "is_error"] as const) {
    const raw = r.get(row, field);
    if (bool(raw) === (field === "is_error")) {
      return { status: "error", error: importMessages.genericErrorValue(r.path(row, field), raw) };
    }
  }
  // an HTTP status code, in its own field or as the status itself
  const http = num(r.get(row, "http_status")) ??
    (/^\d{3}$/.test(String(status ?? "")) ? num(status) : null);
  if (http !== null && http >= 400) {
    return { status: "error", error: importMessages.batchHttpError(http) };
  }
  if (typeof status === "string" && PENDING_STATUS.test(status.trim())) {
    return { status: "pending", error: null };
  }
  return { status: "ok", error: null };
}

/** A row of Portkey's log export (`ai_model` / `ai_org` beside `req_units` or `response_status_code`). */
function isPortkeyRow(row: unknown): boolean {
  return isObj(row) && ("ai_model" in row || "ai_org" in row) &&
    ("req_units" in row || "response_status_code" in row);
}

/** A non-empty error text of a value (a string, or an object's message), else null. */
function textOf(v: unknown): string | null {
  if (typeof v === "string") {
    return v.trim() === "" || /^(none|null|nan)$/i.test(v.trim()) ? null : v;
  }
  if (isObj(v)) return str(v.message) ?? JSON.stringify(v);
  return null;
}

/** The rows of a parsed JSON value: itself, an array's elements, or a wrapper's one array of rows. */
function rowsOf(value: unknown, rowsPath: string | undefined): unknown[] {
  if (rowsPath) {
    const v = at(value, rowsPath);
    return Array.isArray(v) ? v : [];
  }
  if (Array.isArray(value)) return value;
  if (isObj(value) && !looksLikeCall(value)) {
    const arrays = Object.values(value).filter((v) =>
      Array.isArray(v) && v.some((x) => looksLikeCall(x))
    );
    if (arrays.length === 1) return arrays[0] as unknown[];
    // an API's answer of one row in its `data` envelope (OpenRouter's `GET /generation`)
    if (arrays.length === 0 && looksLikeCall(value.data)) return [value.data];
  }
  return [value];
}

/**
 * A row that is a call. For detection (strict): a model field and a token,
 * duration or time field. In a file read as a per-call log (`loose`): a model,
 * or a token or duration field (a row with only a time, such as a heartbeat,
 * is an event).
 */
function looksLikeCall(row: unknown, r: Resolver = COMMON, loose = false): boolean {
  if (!isObj(row) || isRunWrapper(row) || isUsageBucket(row)) return false;
  // a name, counts that are numbers, times that are dates (a mapping file's
  // {"model": "engine", "input_tokens": "usage.prompt"} is none of these)
  const m = r.get(row, "model");
  const model = typeof m === "string" && m.trim() !== "";
  const measure = TOKEN_FIELDS.some((f) => num(r.get(row, f)) !== null) || r.duration(row) !== null;
  if (loose) return model || measure;
  const isTime = (t: { value: unknown; unit?: TimeUnit }) =>
    (typeof t.value === "number" || typeof t.value === "string") &&
    toMicros(t.value, t.unit).us !== null;
  return model && (measure || isTime(r.time(row, "started_at")) || isTime(r.time(row, "ended_at")));
}

/**
 * LangSmith's run types that are no model request: a chain's (or tool's) token counts are the sums
 * of the runs below it (a LangGraph node's chain repeats its llm run's usage), so such a row is
 * an event, never a call, whatever fields it has.
 */
const RUN_WRAPPERS = /^(chain|tool|retriever|prompt|parser)$/i;
function isRunWrapper(row: Record<string, unknown>): boolean {
  return typeof row.run_type === "string" && RUN_WRAPPERS.test(row.run_type);
}

/**
 * A row of a provider's usage report (OpenAI's usage API and its dashboard's CSV export:
 * `start_time`, `end_time`, `num_model_requests`, `input_tokens`, … per minute or day): the sums
 * of many requests over a time bucket, not one call, so never a call (its end − start is the
 * bucket's width, not a latency).
 */
function isUsageBucket(row: Record<string, unknown>): boolean {
  return num(lookup(row, "num_model_requests")) !== null;
}

/**
 * A LangSmith run's session: its thread (`thread_id`, or the one LangChain put in its metadata),
 * else its trace. Its `session_id` names the tracing project, not a conversation. Null for a
 * row that is no LangSmith run.
 */
function runSession(row: Record<string, unknown>): string | null {
  if (typeof row.run_type !== "string" || !("trace_id" in row || "dotted_order" in row)) {
    return null;
  }
  for (
    const p of ["thread_id", "extra.metadata.thread_id", "extra.metadata.session_id", "trace_id"]
  ) {
    const v = textOf(at(row, p));
    if (v !== null) return v;
  }
  return null;
}

/**
 * A LiteLLM row's requested model: its `model_group`, the name the client asked the proxy for
 * (`glm-5`, an alias such as `local`), where `model` is the deployment's model it was routed to
 * (`zhipu/glm-5`, `openchat:7b` of `ollama/openchat:7b`). Null for a row that is not LiteLLM's
 * (`model_group` beside its `custom_llm_provider`, `call_type` or `api_base`) or names no group.
 */
function litellmGroup(row: Record<string, unknown>): string | null {
  if (!("model_group" in row) || !isLitellmRow(row)) return null;
  return textOf(row.model_group);
}

/** A row of LiteLLM's logs (StandardLoggingPayload, SpendLogs): its `custom_llm_provider`, `call_type` or `api_base`. */
function isLitellmRow(row: Record<string, unknown>): boolean {
  return "custom_llm_provider" in row || "call_type" in row || "api_base" in row;
}

/**
 * A LiteLLM row answered from LiteLLM's own response cache (`cache_hit` true, `"True"` in its
 * SpendLogs): no model was asked (its cost is 0, its time the cache's), so it is no call.
 */
function isLitellmCacheHit(row: Record<string, unknown>): boolean {
  return "cache_hit" in row && bool(row.cache_hit) === true && isLitellmRow(row);
}

/**
 * A Helicone row's time to the first token, in seconds: its `time_to_first_token` is in
 * milliseconds (Helicone's worker logs `firstChunkTimeUnix − startTime.getTime()`), a name with no
 * unit that other logs write in seconds, so it is read only in a row of Helicone's request schema
 * (`request_created_at` beside `response_status`). Null otherwise.
 */
function heliconeTtft(row: Record<string, unknown>): number | null {
  if (!("request_created_at" in row && "response_status" in row)) return null;
  const ms = num(row.time_to_first_token);
  return ms === null || ms < 0 ? null : ms / 1000;
}

/** A source read as CSV rows (as {@link rowReader} reads it). */
function isCsv(source: TraceSource): boolean {
  return looksLikeCsv(pastNoise(source.head().slice(0, 64 * 1024)));
}

/** True when a sample's rows are a per-call log under the common names. */
function detectGeneric(sample: FormatSample): boolean {
  if (looksLikeCsv(sample.head)) {
    const header = csvHeader(sample.head);
    if (header.length < 2) return false;
    const row = Object.fromEntries(header.map((h) => [h, "1"]));
    return looksLikeCall(row);
  }
  const values = sample.values.length === 1 ? rowsOf(sample.values[0], undefined) : sample.values;
  // LangSmith's chain and tool runs are neither calls nor rows that are not (a trace has more
  // of them than llm runs)
  const objects = values.filter(isObj).filter((o) => !isRunWrapper(o));
  if (objects.length === 0) return false;
  // most rows are calls (a header or heartbeat row may come first)
  const calls = objects.filter((o) => looksLikeCall(o)).length;
  return calls > 0 && calls * 2 >= objects.length;
}

/**
 * The rows of a source, each to `onRow` with the line it starts on, and the
 * reader's problems returned: JSON values read one at a time (the text never
 * held whole), or CSV records (the text parsed whole). Each call reads them again.
 */
function rowReader(
  source: TraceSource,
  file: string,
  rowsPath: string | undefined,
): (onRow: (line: number, row: unknown) => void) => Diagnostic[] {
  // JSON or CSV as detection saw it: past a few lines of something else before the first object
  if (!isCsv(source)) {
    // an array of rows is read row by row, each on its own line (and a comma after the last row,
    // which Helicone's JSON export writes, loses nothing); a mapping's `rows` path reads a document
    return (onRow) =>
      source.values((v) => {
        for (const row of rowsOf(v.value, rowsPath)) onRow(v.line, row);
      }, { arrayElements: rowsPath === undefined });
  }
  return (onRow) => csvRows(source, file, onRow);
}

/**
 * The unit of a file's durations that have none in their name (`latency`,
 * `duration`): milliseconds when their median is 100 or more, else seconds (an
 * LLM call rarely takes 100 s at the median, or under 100 ms). One warning says
 * which, and how to name the unit.
 */
function unitlessScale(
  durations: number[],
  first: { line: number; row: unknown } | null,
  r: Resolver,
  file: string,
  diagnostics: Diagnostic[],
): number {
  if (first === null) return 1;
  const sorted = durations.sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const ms = median >= 100;
  const field = r.path(first.row, "duration");
  diagnostics.push({
    file,
    line: first.line,
    code: "duration_unit_guessed",
    message: importMessages.genericUnitGuessed(field, ms ? "ms" : "s", median),
    severity: "warning",
  });
  return ms ? 1e-3 : 1;
}

/**
 * Parse the text of a per-call log (JSON rows or CSV) into calls (rows with a
 * model, token or timing field, or a mapped one) and events (`generic.row`,
 * the other rows).
 *
 * @example
 * ```ts
 * import { parseGenericText } from "./generic.ts";
 * const text = '{"ts": 1700000000.5, "engine": "gpt-4o", "usage": {"prompt": 12}, "elapsed": 1500, "mode": "stub-fallback"}\n';
 * const r = parseGenericText(text, "calls.jsonl", { map: { model: "engine", input_tokens: "usage.prompt", duration_ms: "elapsed", started_at: "ts" } });
 * const c = r.calls[0]!;
 * if (c.model !== "gpt-4o" || c.input_tokens !== 12 || c.duration_s !== 1.5) throw new Error("fields");
 * if (c.started_at !== 1_700_000_000_500_000 || c.ended_at !== 1_700_000_002_000_000) throw new Error("times");
 * if (c.status !== "error" || c.session_id !== "calls.jsonl") throw new Error("status or session");
 * ```
 */
export function parseGenericText(
  text: string,
  file: string,
  options: ParseOptions = {},
): ImportedRecords {
  return parseGeneric(textSource(text, file), file, options);
}

/** {@link parseGenericText} of a source: its JSON rows read one at a time (twice), never all held. */
function parseGeneric(source: TraceSource, file: string, options: ParseOptions): ImportedRecords {
  const map = checkFieldMap(options.map ?? {});
  const diagnostics: Diagnostic[] = [];
  const records: ImportedRecords = { calls: [], events: [], diagnostics };
  const eachRow = rowReader(source, file, map.rows);
  const mapped = Object.keys(map).some((k) => k !== "rows" && k !== "error_when");
  const guess = resolver(map);
  // The rows are read twice, never all held: first for the unit of their durations, then into
  // calls. In a file read as a per-call log, any row with a model or a count or duration is a
  // call (a failed call may have no tokens, no duration and no time).
  const durations: number[] = [];
  let first: { line: number; row: unknown } | null = null;
  let firstLine: number | null = null;
  // a CSV's rows have its header's columns: without a column that could be a duration of no
  // unit, the first read would find none (and is not made); a header not read is no answer
  const header = isCsv(source) ? csvHeader(source.head()) : null;
  const unitless = header === null || header.length === 0 ||
    header.some((h) => guess.bareDuration({ [h]: "1" }) !== null);
  let readerProblems: Diagnostic[] | null = null;
  if (unitless) {
    readerProblems = eachRow((line, row) => {
      firstLine ??= line;
      if (!looksLikeCall(row, guess, true)) return;
      const v = guess.bareDuration(row);
      if (v === null) return;
      durations.push(v);
      first ??= { line, row };
    });
    diagnostics.push(...readerProblems);
  }
  // the reader's problems come first, as when the first read is made
  const readerAt = diagnostics.length;
  const r = resolver(map, unitlessScale(durations, first, guess, file, diagnostics));
  const warn = (line: number, message: string) =>
    diagnostics.push({ file, line, code: "bad_time", message, severity: "warning" });
  // the mapped fields no row has (a typo in --map is said, not read as no value at all)
  const unseen = new Map(
    Object.entries(map).filter(([k]) => k !== "rows" && k !== "error_when"),
  );
  const secondProblems = eachRow((line, row) => {
    firstLine ??= line;
    if (unseen.size && isObj(row)) {
      for (const [key, path] of unseen) if (at(row, path) !== undefined) unseen.delete(key);
    }
    if (!isObj(row)) {
      diagnostics.push({
        file,
        line,
        code: "not_an_object",
        message: importMessages.batchNotObject(row),
        severity: "error",
      });
      return;
    }
    const sessionId = (map.session_id === undefined ? runSession(row) : null) ??
      textOf(r.get(row, "session_id")) ??
      (num(r.get(row, "session_id"))?.toString() ?? file);
    const cacheHit = isLitellmCacheHit(row);
    if (cacheHit || !looksLikeCall(row, r, true)) {
      const t = r.time(row, "started_at");
      const ts = toMicros(t.value, t.unit, options.timezone).us;
      records.events.push({
        file,
        line,
        type: cacheHit ? "generic.cache_hit" : "generic.row",
        ts,
        end: null,
        session_id: sessionId,
        request_id: null,
        payload: JSON.stringify(row).slice(0, 2000),
      });
      return;
    }
    const timeOf = (field: "started_at" | "ended_at" | "first_token_at") => {
      const t = r.time(row, field);
      const m = toMicros(t.value, t.unit, options.timezone);
      if (m.problem) warn(line, importMessages.genericBadTime(field, m.problem));
      return m.us;
    };
    let started = timeOf("started_at");
    const firstToken = timeOf("first_token_at");
    let ended = timeOf("ended_at");
    let duration = r.duration(row);
    if (duration !== null && duration < 0) duration = null;
    if (duration === null && started !== null && ended !== null) duration = (ended - started) / 1e6;
    if (ended === null && started !== null && duration !== null) {
      ended = started + Math.round(duration * 1e6);
    }
    if (started === null && ended !== null && duration !== null) {
      started = ended - Math.round(duration * 1e6);
    }
    const { status, error } = statusOf(row, r);
    const cacheRead = count(r.get(row, "cache_read_tokens"));
    const cacheWrite = count(r.get(row, "cache_write_tokens"));
    const input = inputTokens(row, r, cacheRead, cacheWrite);
    const thoughts = count(r.get(row, "thoughts_tokens"));
    const answer = count(r.get(row, "output_tokens"));
    const output = answer === null ? null : answer + (thoughts ?? 0);
    // LiteLLM's group is the model asked for, its `model` the one that answered (unless mapped)
    const group = map.model === undefined ? litellmGroup(row) : null;
    const named = textOf(r.get(row, "model"));
    const model = group ?? named;
    const served = textOf(r.get(row, "served_model")) ?? (group === null ? null : named);
    const requestRaw = r.get(row, "request_id");
    const call: ImportedCall = {
      session_id: sessionId,
      request_id: typeof requestRaw === "number" ? String(requestRaw) : textOf(requestRaw),
      model: model ?? served ?? "unknown",
      served_model: served,
      provider: textOf(r.get(row, "provider")),
      started_at: started,
      ended_at: status === "pending" ? null : ended,
      duration_s: status === "pending" ? null : duration,
      status,
      error,
      input_tokens: input,
      output_tokens: output,
      total_tokens: count(r.get(row, "total_tokens")) ??
        (input !== null && output !== null ? input + output : null),
      cache_read_tokens: cacheRead,
      reasoning_tokens: count(r.get(row, "reasoning_tokens")) ?? thoughts,
      ttft_s: r.ttft(row) ?? (map.ttft_s || map.ttft_ms ? null : heliconeTtft(row)) ??
        (started !== null && firstToken !== null && firstToken >= started
          ? (firstToken - started) / 1e6
          : null),
      prompt_chars: null,
      output_chars: null,
      file,
      line,
      finish_reason: textOf(r.get(row, "finish_reason")),
      cache_write_tokens: cacheWrite,
      cache_write_1h_tokens: count(r.get(row, "cache_write_1h_tokens")),
      web_search_requests: count(r.get(row, "web_search_requests")),
    };
    if (options.keepText) {
      call.messages = null;
      call.output = null;
    }
    records.calls.push(call);
  });
  if (readerProblems === null) diagnostics.splice(readerAt, 0, ...secondProblems);
  if (firstLine !== null) {
    for (const [key, path] of unseen) {
      diagnostics.push({
        file,
        line: firstLine,
        code: "map_field_missing",
        message: importMessages.mapFieldMissing(key, path),
        severity: "warning",
      });
    }
  }
  if (records.calls.length === 0 && firstLine !== null) {
    diagnostics.push({
      file,
      line: firstLine,
      code: "no_calls",
      message: importMessages.genericNoCalls(mapped),
      severity: "error",
    });
  }
  return records;
}

/** Per-call logs with the common field names, or read through `--map`. */
export const generic: FormatAdapter = {
  name: "generic",
  title: "per-call log (JSON Lines, JSON array or CSV)",
  reads:
    "one call per row: model, tokens (input/prompt, output/completion, cached, reasoning), duration (duration_s, latency_ms, …), time (ts, timestamp, … ISO or epoch), error/status; --map FIELD=PATH for other names; no session field → the file is the session",
  example:
    '{"ts": 1763154448.75, "model": "gpt-4o", "input_tokens": 186, "output_tokens": 37, "duration_sec": 1.2}',
  detect: detectGeneric,
  parse: (source, file, options) => parseGeneric(source, file, options),
  noTexts: true,
};
