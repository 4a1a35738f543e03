/**
 * Spans → calls, events and diagnostics: the one place that decides which
 * span of a span tree is a model call, for every span format (OTLP/JSON,
 * OpenTelemetry Python and JS dumps, Jaeger, Zipkin, MLflow, OpenInference,
 * Langfuse). An adapter only maps its file to {@link Span}s.
 *
 * The rules (DESIGN.md, "Other formats"):
 * - a span is a model call when its attributes say so in any of the known
 *   conventions ({@link callFieldsOf}), or when the adapter says so (`span.call`);
 * - a call-like span with a call-like span below it is a wrapper (an agent or
 *   workflow span that repeats the usage of its calls): an event, not a call, so
 *   tokens are never counted twice; a call that names no model takes the model
 *   of its nearest wrapper;
 * - an agent's span that counts tokens, in a trace with no model call (an
 *   instrumentation that records only the run's usage), is one call standing
 *   for its run, with one `agent_run_as_call` warning (an agent's run below it
 *   makes it a wrapper);
 * - tool and other spans are events;
 * - an error status, an `exception` event or `error.type` makes a call an error;
 *   a span with no end is pending;
 * - several records of one span (identical repeats, a start record then an end
 *   record) are one span, with one warning.
 *
 * @module
 */
import { countChars, type Diagnostic } from "../_event.ts";
import { geminiInputTokens, responseInfo } from "../../schema/provider_calls.ts";
import type { Usage } from "../../schema/usage.ts";
import type { ParseOptions } from "./adapter.ts";
import { iterationCalls, iterationsNotCounted } from "./_agent_logs.ts";
import { claudeCodeUsage } from "./_cli_events.ts";
import {
  type ImportedCall,
  type ImportedEvent,
  type ImportedRecords,
  type ImportedSession,
  keepsTexts,
} from "./_records.ts";
import {
  arrayTag,
  compactPayload,
  count,
  first,
  isObj,
  jsonObject,
  num,
  type Obj,
  pythonLiteral,
  secondsBetween,
  str,
  toMicros,
} from "./_util.ts";

/** One span, in the shape every span adapter maps its format to. */
export interface Span {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  kind?: unknown;
  /** Start, µs since the epoch (null when unknown). */
  start_us: number | null;
  /** End, µs since the epoch; null when the span never ended (pending). */
  end_us: number | null;
  /**
   * The span ended though its end is not known (a Go dump written without times): with no
   * `end_us`, not pending.
   */
  ended?: boolean;
  /** Exact duration in seconds when the format gives more precision than µs (OTLP's ns). */
  duration_s?: number | null;
  status: "ok" | "error" | "unset";
  status_message?: string | null;
  /** Flat attributes, values decoded (numbers as numbers). */
  attributes: Obj;
  events?: { name: string; ts: number | null; attributes: Obj }[];
  /** 1-based line where the span's record starts. */
  line: number;
  /** Resource attributes (e.g. `service.name`). */
  resource?: Obj;
  /**
   * The name of the instrumentation scope that made the span (OTLP's `scopeSpans[].scope`, the
   * JS SDK's `instrumentationScope`), when the format keeps it apart from the attributes.
   */
  scope?: string | null;
  /** The session, when the format names one apart from the attributes (Langfuse's `sessionId`). */
  session_id?: string | null;
  /**
   * The event type after the prefix, when the format has a kind of its own
   * (Langfuse's `GENERATION` → `langfuse.generation`). Default: the GenAI operation, else the name.
   */
  event_type?: string | null;
  /**
   * What the adapter already knows of the call (e.g. a Langfuse GENERATION):
   * merged over {@link callFieldsOf}. `null`: this span is never a call.
   */
  call?: Partial<CallFields> | null;
  /**
   * What the records read of the attributes, read when the span was lightened
   * ({@link SpanList}): its attributes and events are then dropped.
   */
  reading?: SpanReading;
  /** Its event's payload, made when the span was lightened. */
  payload?: string;
}

/** What {@link spansToRecords} reads of one span, apart from its payload and texts. */
export interface SpanReading {
  /** {@link callFieldsOf} without texts, for a call-like span ({@link callConvention}; else null). */
  fields: CallFields | null;
  /** The session the span names ({@link namedSession}). */
  session: string | null;
  operation: string | null;
  /** The error text of a failed span ({@link errorOf}). */
  error: string | null;
  /** tracebook's own export marked it pending (`tracebook.status`). */
  pending: boolean;
  /** A call whose cache reads its spans do not record ({@link aiSdkCacheReadsUnrecorded}). */
  cacheReadsUnrecorded?: true;
  /**
   * The `usage.iterations` of the Anthropic message a call's span keeps
   * ({@link keptAnthropicMessage}): its sub-requests, calls of their own (`iterationCalls`).
   */
  iterations?: unknown[];
  /**
   * For an agent's span that counts tokens ({@link isAgentRun}, not call-like):
   * its call fields, the run's, which make it a call when its trace has no other.
   */
  run?: CallFields;
  /**
   * For a span that is no call but holds the request of the call below it ({@link isModelStep}):
   * its call fields, whose texts are that call's when the call's own span records none.
   */
  step?: CallFields;
}

/** The call fields a span's attributes give. */
export interface CallFields {
  model: string | null;
  served_model: string | null;
  provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  /** Of the cache writes, those to Anthropic's 1-hour cache (priced apart). */
  cache_write_1h_tokens: number | null;
  /** Anthropic's server-side web searches (not tokens: priced per search). */
  web_search_requests: number | null;
  reasoning_tokens: number | null;
  ttft_s: number | null;
  finish_reason: string | null;
  /** Prompt and output text, when the span carries them. */
  messages: string | null;
  prompt_chars: number | null;
  output: string | null;
  output_chars: number | null;
  error: string | null;
}

/**
 * `gen_ai.operation.name` values of spans that are model calls: the GenAI
 * conventions' and the older names Semantic Kernel (Python until 2025, .NET, JS)
 * and the first Agent Framework releases wrote (`chat.completions`,
 * `chat.streaming_completions`, `text.completions`, …).
 */
export const CALL_OPERATIONS: readonly string[] = [
  "chat",
  "text_completion",
  "generate_content",
  "completion",
  "chat.completions",
  "chat.streaming_completions",
  "text.completions",
  "text.streaming_completions",
  "text_completions",
];

/**
 * `llm.request.type` values of model calls: OpenLLMetry's (`chat`, `completion`; its
 * `embedding` and `rerank` are not calls) and LiteLLM's, whose OpenTelemetry callback
 * writes its call type there (`acompletion`, `text_completion`, `aresponses`,
 * `anthropic_messages`, … and the async `a…` forms; `aembedding`, `image_generation`,
 * `moderation`, … are not calls).
 */
const CALL_REQUEST_TYPES = new Set(
  [
    "chat",
    "completion",
    "text_completion",
    "responses",
    "anthropic_messages",
    "generate_content",
  ].flatMap((t) => [t, `a${t}`]),
);

/** Operations that are never model calls, even with a model attribute. */
const NOT_CALL_OPERATIONS = new Set([
  "invoke_agent",
  "create_agent",
  "execute_tool",
  "embeddings",
  "invoke_workflow",
]);

/** An agent's span: OpenInference's AGENT kind, or GenAI's `invoke_agent` operation. */
const isAgentRun = (a: Obj): boolean =>
  str(a["openinference.span.kind"])?.toUpperCase() === "AGENT" ||
  str(a["gen_ai.operation.name"]) === "invoke_agent";

/**
 * Mastra 1.x's model step (`agent_step`, `mastra.span.type` `model_step`): no call, but the request
 * of the `chat` span below it is its `mastra.model_step.input`, which that span does not record.
 * (Before 1.0 its model steps were below its `model_generation` call.)
 */
const isModelStep = (a: Obj): boolean => str(a["mastra.span.type"]) === "model_step";

/**
 * Claude Code's span of one model request (`claude_code.llm_request`, with
 * `CLAUDE_CODE_ENHANCED_TELEMETRY_BETA`): before it wrote the GenAI keys on it (2.1.285 did not),
 * its type and Anthropic's counts ({@link claudeCodeUsage}) say what it is.
 */
const isClaudeCodeRequest = (a: Obj): boolean => str(a["span.type"]) === "llm_request";

/** The operations {@link callConvention} knows by name: the others are read by their attributes. */
const KNOWN_OPERATIONS = new Set([...CALL_OPERATIONS, ...NOT_CALL_OPERATIONS]);

const TTFT_KEYS = [
  "gen_ai.response.time_to_first_chunk",
  // the Vercel AI SDK 7's (@ai-sdk/otel), on its chat spans
  "gen_ai.client.operation.time_to_first_chunk",
  "gen_ai.server.time_to_first_token",
  "gen_ai.response.time_to_first_token",
];

/** Milliseconds as seconds (null stays null). */
const msToSeconds = (ms: number | null) => ms === null ? null : ms / 1000;

/** A field of an object given as JSON text (or as the object), or undefined. */
function jsonField(v: unknown, key: string): unknown {
  return jsonObject(v)?.[key];
}

/**
 * LangSmith's token details (`gen_ai.usage.input_token_details`): LangChain's
 * `usage_metadata` details as JSON text (its JS SDK) or as Python's `str()` of
 * the dict (its Python SDK), e.g. `{'cache_read': 10, 'cache_creation': 0}`.
 */
function tokenDetails(v: unknown): Obj {
  const json = jsonObject(v);
  if (json || typeof v !== "string" || !v.trimStart().startsWith("{'")) return json ?? {};
  const dict = pythonLiteral(v);
  return isObj(dict) ? dict : {};
}

/** A list of messages (JSON text or a value), or null. */
export function messageList(v: unknown): unknown[] | null {
  let value = v;
  if (typeof v === "string") {
    try {
      value = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return Array.isArray(value) ? value : null;
}

/** A tool's result given back to the model as text: a string as it is, another value as its JSON text. */
const resultText = (v: unknown): string => typeof v === "string" ? v : JSON.stringify(v);

/** The text of a list of text blocks (`[{type: "text", text}]`), other blocks giving none. */
const blocksText = (blocks: unknown[]): string =>
  blocks.map((p) => isObj(p) && typeof p.text === "string" ? p.text : "").join("");

/**
 * The text the Vercel AI SDK's tool result part gives back to the model: its `output`
 * (`{type: "text" | "json" | "error-text" | "error-json", value}`, or `content` parts'
 * text; since AI SDK 5), else its `result` (AI SDK 4); null when it holds none.
 */
function toolResultText(part: Obj): string | null {
  const output = part.output;
  if (isObj(output) && output.value !== undefined && output.value !== null) {
    if (output.type !== "content" || !Array.isArray(output.value)) return resultText(output.value);
    return blocksText(output.value);
  }
  const result = output ?? part.result;
  return result === undefined || result === null ? null : resultText(result);
}

/**
 * The text of a tool's result given back to the model as a message part: the Vercel AI SDK's
 * `tool-result` part ({@link toolResultText}), the GenAI conventions' `tool_call_response` part
 * (its `response`), Anthropic's `tool_result` block (its `content`, text or text blocks),
 * Genkit's `toolResponse` part (its `output`) or Gemini's `functionResponse` part (its `response`;
 * `function_response` as Google ADK for Python's requests write it), read as input as a `tool`
 * message's content is; null for another part, or one that holds none.
 *
 * @example
 * ```ts
 * import { toolResultPartText } from "./_spans.ts";
 * const part = { type: "tool-result", toolCallId: "c1", output: { type: "json", value: { c: 21 } } };
 * if (toolResultPartText(part) !== '{"c":21}') throw new Error();
 * if (toolResultPartText({ type: "tool_call_response", response: "18C" }) !== "18C") throw new Error();
 * const block = { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "18C" }] };
 * if (toolResultPartText(block) !== "18C") throw new Error();
 * if (toolResultPartText({ toolResponse: { name: "w", ref: "c1", output: "18C" } }) !== "18C") throw new Error();
 * const gemini = { functionResponse: { name: "w", response: { c: 21 } } };
 * if (toolResultPartText(gemini) !== '{"c":21}') throw new Error();
 * if (toolResultPartText({ type: "text", text: "hi" }) !== null) throw new Error();
 * ```
 */
export function toolResultPartText(part: Obj): string | null {
  if (part.type === "tool-result") return toolResultText(part);
  if (part.type === "tool_result") {
    const content = part.content;
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) return null;
    return blocksText(content);
  }
  if (isObj(part.toolResponse)) {
    const output = part.toolResponse.output;
    return output === undefined || output === null ? null : resultText(output);
  }
  const gemini = part.functionResponse ?? part.function_response;
  if (isObj(gemini)) {
    return gemini.response === undefined || gemini.response === null
      ? null
      : resultText(gemini.response);
  }
  if (part.type !== "tool_call_response") return null;
  return part.response === undefined || part.response === null ? null : resultText(part.response);
}

/** Text of messages: `text` parts (GenAI conventions), string `content` or its text parts, and strings. */
export function messageText(list: unknown[] | null): string | null {
  if (!list) return null;
  const texts: string[] = [];
  for (const m of list) {
    if (typeof m === "string") texts.push(m);
    if (!isObj(m)) continue;
    if (typeof m.content === "string") texts.push(m.content);
    // a tool's result given back to the model as a Responses API input item
    if (m.type === "function_call_output" && m.output !== undefined && m.output !== null) {
      texts.push(resultText(m.output));
    }
    // content as parts (OpenAI's, Anthropic's, the Vercel AI SDK's): their text, and the tool
    // results given back to the model (the AI SDK's, Anthropic's tool_result blocks; read as
    // input, as a `tool` message's content is)
    if (Array.isArray(m.content)) {
      for (const p of m.content) {
        if (!isObj(p)) continue;
        if (typeof p.text === "string") texts.push(p.text);
        else texts.push(toolResultPartText(p) ?? "");
      }
    }
    if (Array.isArray(m.parts)) {
      for (const p of m.parts) {
        if (!isObj(p)) continue;
        if (p.type === "text" && typeof p.content === "string") texts.push(p.content);
        // Gemini's parts (`{text}`, no type; a thought is not the message's text)
        if (p.type === undefined && typeof p.text === "string" && p.thought !== true) {
          texts.push(p.text);
        }
        // a tool's result given back to the model (GenAI's ToolCallResponsePart, Gemini's
        // functionResponse)
        texts.push(toolResultPartText(p) ?? "");
      }
    }
  }
  return texts.join("");
}

/**
 * OpenInference's flattened messages (`llm.input_messages.0.message.content`,
 * or its parts' `…message.contents.0.message_content.text`) as text: "" for
 * messages without text (an answer that only calls a tool),
 * null when there are no such messages.
 */
function flatMessages(a: Obj, prefix: string): string | null {
  const texts: string[] = [];
  let messages = false;
  for (const [k, v] of Object.entries(a)) {
    if (!k.startsWith(prefix)) continue;
    messages = true;
    if (k.endsWith(".message.content") && typeof v === "string") texts.push(v);
    // a message written as parts (`message.contents.0.message_content.text`: the Responses API's
    // answers in OpenInference's JS OpenAI instrumentation)
    if (k.endsWith(".message_content.text") && k.includes(".message.contents.")) {
      if (typeof v === "string") texts.push(v);
    }
  }
  return messages ? texts.join("") : null;
}

/** Whether OpenInference's flattened messages (`llm.input_messages.0.message.role`) hold a system message. */
function flatSystem(a: Obj): boolean {
  return Object.entries(a).some(([k, v]) =>
    k.startsWith("llm.input_messages.") && k.endsWith(".message.role") && v === "system"
  );
}

/** An Anthropic request's `system` (text, or text blocks) as text; null when it has none. */
function anthropicSystem(request: Obj | null): string | null {
  return request?.system === undefined ? null : messageText([{ content: request.system }]);
}

/**
 * `gen_ai.system` values that name an agent framework, not the model's provider: Google ADK's
 * (`gcp.vertex.agent`, on its `call_llm` spans whatever model they call).
 */
const AGENT_SYSTEMS = new Set(["gcp.vertex.agent"]);

/**
 * The provider a span's `gen_ai.system` names, or null for an agent framework's
 * ({@link AGENT_SYSTEMS}): the provider is then the model's, inferred from its name when pricing.
 * The span formats and Langfuse's observation attributes read it alike.
 *
 * @example
 * ```ts
 * import { systemProvider } from "./_spans.ts";
 * if (systemProvider("gcp.vertex.agent") !== null) throw new Error("ADK is no provider");
 * if (systemProvider("openai") !== "openai") throw new Error("a provider");
 * ```
 */
export function systemProvider(system: string | null): string | null {
  return system === null || AGENT_SYSTEMS.has(system) ? null : system;
}

/** A provider named with its API as the Vercel AI SDK's ids are (`openai.chat`): the provider. */
function withoutApi(provider: string | null): string | null {
  const m = provider === null
    ? null
    : /^([\w-]+)\.(chat|responses|completion|completions|messages|embedding|image|transcription|speech|generative-ai)$/
      .exec(provider);
  return m ? m[1]! : provider;
}

/** The keys of {@link indexedMessages}: a message's field (`role`, `content`, …) is the group. */
const INDEXED = {
  "gen_ai.prompt": /^gen_ai\.prompt\.\d+\.(\w+)$/,
  "gen_ai.completion": /^gen_ai\.completion\.\d+\.(\w+)$/,
};

/**
 * The older GenAI conventions' indexed messages (`gen_ai.prompt.0.content`,
 * `gen_ai.completion.0.content`: OpenLLMetry before 0.47, AgentOps, LiteLLM) as
 * text: a content written as JSON parts (Anthropic's blocks) gives their text;
 * "" for messages without content (an answer that only calls a tool), null when
 * there are none.
 */
function indexedMessages(a: Obj, prefix: keyof typeof INDEXED): string | null {
  const texts: string[] = [];
  let messages = false;
  const re = INDEXED[prefix];
  for (const [k, v] of Object.entries(a)) {
    const m = re.exec(k);
    if (m === null) continue;
    messages = true;
    if (m[1] !== "content" || typeof v !== "string") continue;
    const parts = v.startsWith("[") ? messageList(v) : null;
    texts.push(parts ? messageText([{ content: parts }]) ?? "" : v);
  }
  return messages ? texts.join("") : null;
}

/** A list of strings (or its JSON text, as some writers set it) joined with commas; a string as it is. */
function joined(v: unknown): string | null {
  v = arrayTag(v);
  if (Array.isArray(v)) return v.filter((f) => typeof f === "string").join(",") || null;
  return str(v);
}

/**
 * A model's name, or null when the value names none: not a string, blank, or
 * the placeholder `unknown` that some instrumentations write when they could
 * not tell (OpenLLMetry's LangChain spans of `ChatLiteLLM`), which would hide
 * the name another attribute gives.
 */
function modelName(v: unknown): string | null {
  const name = str(v);
  return name === null || name.trim() === "" || name.trim().toLowerCase() === "unknown"
    ? null
    : name;
}

/**
 * The model LangChain's run metadata names (`ls_model_name`), as OpenLLMetry
 * (`traceloop.association.properties.ls_model_name`) and instrumentations
 * built on it (`<name>.association.properties.ls_model_name`) copy it onto a span.
 */
function langchainModel(a: Obj): string | null {
  const known = modelName(a["traceloop.association.properties.ls_model_name"]);
  if (known !== null) return known;
  for (const k in a) {
    if (k.endsWith(".association.properties.ls_model_name")) {
      const name = modelName(a[k]);
      if (name !== null) return name;
    }
  }
  return null;
}

/**
 * A Haystack component type that calls a model: its text and chat generators
 * (`OpenAIGenerator`, `OpenAIChatGenerator`, `AnthropicChatGenerator`, …), not its
 * image generators.
 */
const isHaystackGenerator = (type: string): boolean =>
  /Generator$/.test(type) && !/ImageGenerator$/.test(type);

/**
 * What Haystack's tracing records of a generator's run when content tracing is on
 * (`haystack.component.input` / `output`, JSON of the component's arguments and
 * result): the messages or prompt, the replies, and the first reply's `meta` (its
 * `model`, `usage`, `finish_reason`). A chat reply is a `ChatMessage.to_dict()`:
 * `{role, meta, name, content: [{text}…]}` since Haystack 2.12, `{_role, _meta,
 * _content}` before, `{role, meta, content: "…"}` before 2.9; a text generator's
 * output is `{replies: ["…"], meta: [{…}]}`.
 */
function haystackRun(a: Obj): { input: unknown[] | null; replies: unknown[] | null; meta: Obj } {
  const asMessage = (m: unknown): unknown =>
    isObj(m) && !("content" in m) && "_content" in m ? { ...m, content: m._content } : m;
  const input = jsonObject(a["haystack.component.input"]);
  const output = jsonObject(a["haystack.component.output"]);
  const messages = input?.messages;
  const replies = Array.isArray(output?.replies) ? output.replies : null;
  const reply = replies?.[0];
  const meta = isObj(reply)
    ? (reply.meta ?? reply._meta)
    : Array.isArray(output?.meta)
    ? output.meta[0]
    : null;
  return {
    input: Array.isArray(messages)
      ? messages.map(asMessage)
      : typeof input?.prompt === "string"
      ? [input.prompt]
      : null,
    replies: replies ? replies.map(asMessage) : null,
    meta: isObj(meta) ? meta : {},
  };
}

/**
 * LangChain's result (`LLMResult`: `{generations: [[{text, message}]], llmOutput}`) as
 * OpenInference's LangChain instrumentations record an LLM span's output in `output.value`, and
 * LangSmith's OpenTelemetry export in `gen_ai.completion`, or null when neither is one.
 */
function langchainResult(a: Obj): Obj | null {
  for (const v of [a["output.value"], a["gen_ai.completion"]]) {
    if (typeof v !== "string" || !/^\s*\{\s*"generations"\s*:/.test(v)) continue;
    const result = jsonObject(v);
    if (result && Array.isArray(result.generations)) return result;
  }
  return null;
}

/**
 * A LangChain chat model's input as LangSmith's OpenTelemetry export records it in
 * `gen_ai.prompt`: `{"messages": [[message]]}` (one list of messages per prompt of the batch),
 * each message serialized (`{lc, type, id, kwargs: {content, type}}`) or as it is; the first
 * prompt's messages, or null when the value is not one.
 */
function langchainMessages(v: unknown): unknown[] | null {
  if (typeof v !== "string" || !/^\s*\{\s*"messages"\s*:\s*\[\s*\[/.test(v)) return null;
  const batch = jsonObject(v)?.messages;
  const messages = Array.isArray(batch) ? batch[0] : undefined;
  if (!Array.isArray(messages)) return null;
  return messages.map((m) => isObj(m) && isObj(m.kwargs) ? m.kwargs : m);
}

/** The text of a LangChain result's first set of generations (`generations[0][].text`), or null. */
function generationsText(result: Obj | null): string | null {
  const set = result && Array.isArray(result.generations) ? result.generations[0] : undefined;
  if (!Array.isArray(set)) return null;
  const texts = set.map((g) => isObj(g) && typeof g.text === "string" ? g.text : null);
  return texts.some((t) => t !== null) ? texts.join("") : null;
}

/** Why a LangChain result's first generation ended (`generation_info.finish_reason`), or null. */
function generationsFinish(result: Obj | null): string | null {
  const set = result && Array.isArray(result.generations) ? result.generations[0] : undefined;
  const generation = Array.isArray(set) ? set[0] : undefined;
  return isObj(generation) ? str(jsonField(generation.generation_info, "finish_reason")) : null;
}

/** The fields of a LangChain result's first generation's message (`{}` when it has none). */
function generationMessage(result: Obj | null): Obj {
  const set = result && Array.isArray(result.generations) ? result.generations[0] : undefined;
  const generation = Array.isArray(set) ? set[0] : undefined;
  const message = isObj(generation) && isObj(generation.message) ? generation.message : {};
  // the message serialized (`{lc, type, id, kwargs}`) or as it is
  return isObj(message.kwargs) ? message.kwargs : message;
}

/**
 * The model that answered, as a LangChain result names it: its first generation's
 * `response_metadata` (`model_name`, OpenAI's; `model`, Anthropic's), else the run's
 * `llmOutput` (`llm_output` in Python). OpenInference's LangChain.js instrumentation names
 * the requested model in `llm.model_name` (`gpt-4o-mini`, where `gpt-4o-mini-2024-07-18` answered).
 */
function generationsModel(result: Obj | null): string | null {
  if (result === null) return null;
  const meta = jsonObject(generationMessage(result).response_metadata) ?? {};
  const run = jsonObject(result.llmOutput ?? result.llm_output) ?? {};
  return first(
    modelName(meta.model_name),
    modelName(meta.model),
    modelName(run.model_name),
    modelName(run.model),
  );
}

/** Firebase Genkit's span of a model action (`genkit:type` `action`, `genkit:metadata:subtype` `model`). */
const isGenkitModel = (a: Obj): boolean =>
  str(a["genkit:type"]) === "action" && str(a["genkit:metadata:subtype"]) === "model";

/** Genkit's plugin namespaces that are not the provider's name (`googleai/gemini-2.5-flash`). */
const GENKIT_PROVIDERS: Record<string, string> = { googleai: "google" };

/** What {@link genkitModelCall} reads of a Genkit model action. */
interface GenkitModelCall {
  model: string | null;
  served_model: string | null;
  provider: string | null;
  usage: Usage;
  finish_reason: string | null;
  /** The request's messages and the answer, Genkit's `{role, content: [parts]}`. */
  input: unknown[] | null;
  output: unknown[] | null;
}

/**
 * The call a Firebase Genkit model action records ({@link isGenkitModel}), or null for another
 * span. Its name is the plugin's namespace and the model (`openai/gpt-4o-mini`,
 * `googleai/gemini-2.5-flash`): the model asked for is the part after the namespace (or the
 * request's `config.version`, which the plugins send in its place), the provider the namespace
 * (`googleai` is `google`). `genkit:input` is the GenerateRequest (JSON), `genkit:output` the
 * response: the answer (`message`, or google-genai's `candidates[0].message`), `finishReason`, and
 * Genkit's `usage`, whose `outputTokens` leave out the thinking it counts apart
 * (`thoughtsTokens`, the Gemini plugins' `thoughtsTokenCount`). The provider's own response, when
 * the plugin keeps it (compat-oai's `raw`: OpenAI's chat.completion, whose usage alone holds the
 * cache reads and reasoning; google-genai's `custom`: Gemini's response; `@genkit-ai/anthropic`'s
 * `raw`: Anthropic's message, whose input, as Genkit's `inputTokens`, leaves out the cache reads and
 * writes it counts beside it, added as they are to every Anthropic usage read as a response), gives
 * the served model, its usage and its finish reason first, read as every provider response is
 * ({@link responseInfo}).
 *
 * @example
 * ```ts
 * import { callFieldsOf } from "./_spans.ts";
 * const f = callFieldsOf({
 *   "genkit:type": "action", "genkit:metadata:subtype": "model", "genkit:name": "googleai/gemini-2.5-flash",
 *   "genkit:output": JSON.stringify({ usage: { inputTokens: 30, outputTokens: 9, thoughtsTokens: 21 } }),
 * });
 * if (f.model !== "gemini-2.5-flash" || f.provider !== "google" || f.output_tokens !== 30) throw new Error();
 * ```
 */
function genkitModelCall(a: Obj): GenkitModelCall | null {
  if (!isGenkitModel(a)) return null;
  const name = str(a["genkit:name"]);
  const slash = name?.indexOf("/") ?? -1;
  const namespace = name !== null && slash > 0 ? name.slice(0, slash) : null;
  const request = jsonObject(a["genkit:input"]) ?? {};
  const response = jsonObject(a["genkit:output"]) ?? {};
  const candidate = Array.isArray(response.candidates) && isObj(response.candidates[0])
    ? response.candidates[0]
    : {};
  const own = isObj(response.usage) ? response.usage : {};
  const raw = isObj(response.raw) ? response.raw : isObj(response.custom) ? response.custom : null;
  const provider = raw ? responseInfo(raw) : null;
  const rawUsage: Partial<Usage> = { ...provider?.usage };
  const answer = count(own.outputTokens), thoughts = count(own.thoughtsTokens);
  const message = isObj(response.message) ? response.message : candidate.message;
  return {
    model: modelName(jsonField(request.config, "version")) ??
      modelName(namespace === null ? name : name!.slice(slash + 1)),
    served_model: modelName(provider?.model),
    provider: namespace === null ? null : GENKIT_PROVIDERS[namespace] ?? namespace,
    usage: {
      input_tokens: first(rawUsage.input_tokens, count(own.inputTokens)),
      output_tokens: first(
        rawUsage.output_tokens,
        answer === null && thoughts === null ? null : (answer ?? 0) + (thoughts ?? 0),
      ),
      total_tokens: first(rawUsage.total_tokens, count(own.totalTokens)),
      cache_read_tokens: first(rawUsage.cache_read_tokens, count(own.cachedContentTokens)),
      cache_write_tokens: rawUsage.cache_write_tokens ?? null,
      cache_write_1h_tokens: rawUsage.cache_write_1h_tokens ?? null,
      web_search_requests: rawUsage.web_search_requests ?? null,
      reasoning_tokens: first(rawUsage.reasoning_tokens, thoughts),
    },
    finish_reason: first(
      str(provider?.finishReason),
      str(response.finishReason),
      str(candidate.finishReason),
    ),
    input: Array.isArray(request.messages) ? request.messages : null,
    output: isObj(message) ? [message] : null,
  };
}

/**
 * Which convention marks a span as a model call: `gen_ai` (OpenTelemetry GenAI),
 * `openinference`, `promptflow`, `mlflow`, `openllmetry` (`llm.request.type`), `genkit` (Firebase
 * Genkit's model actions; its flows, `generate` steps and tools are not calls), or null when none
 * does. `resource`: the span's resource attributes; a model the span names only as its resource
 * does (the same key, the same value) does not make it a call.
 */
export function callConvention(a: Obj, resource?: Obj): string | null {
  const op = str(a["gen_ai.operation.name"]);
  // LangSmith's OpenTelemetry export names its prompt-template runs `chat` too: its run
  // type (`langsmith.span.kind`) says which spans are the model's (`llm`)
  const langsmithKind = str(a["langsmith.span.kind"]);
  if (langsmithKind !== null && langsmithKind.toLowerCase() !== "llm" && op === "chat") {
    return null;
  }
  if (op !== null) {
    if (CALL_OPERATIONS.includes(op)) return "gen_ai";
    if (NOT_CALL_OPERATIONS.has(op)) return null;
  }
  if (isGenkitModel(a)) return "genkit";
  if (isClaudeCodeRequest(a)) return "claude_code";
  // an operation the conventions do not name (any-agent's and Google ADK's `call_llm`) is read
  // by the attributes below: a call when it names a model or counts tokens (a wrapper of calls,
  // as ADK's call_llm is of its generate_content spans, is then an event, as every wrapper)
  const unnamed = op === null || !KNOWN_OPERATIONS.has(op);
  const kind = str(a["openinference.span.kind"]);
  if (kind !== null) return kind.toUpperCase() === "LLM" ? "openinference" : null;
  const mlflowType = str(a["mlflow.spanType"]);
  if (mlflowType !== null) {
    return mlflowType === "CHAT_MODEL" || mlflowType === "LLM" ? "mlflow" : null;
  }
  const spanType = str(a["span_type"]);
  if (spanType !== null) return spanType === "LLM" ? "promptflow" : null;
  // OpenLLMetry (Traceloop) and LiteLLM mark their model spans with the request type;
  // embeddings are not calls
  const requestType = str(a["llm.request.type"]);
  if (unnamed && requestType !== null) {
    return CALL_REQUEST_TYPES.has(requestType) ? "openllmetry" : null;
  }
  // Haystack's own tracing: a pipeline component's span; its generators are the model calls
  const haystack = str(a["haystack.component.type"]);
  if (unnamed && haystack !== null) return isHaystackGenerator(haystack) ? "haystack" : null;
  // GenAI attributes without an operation name (older or hand-written instrumentations):
  // a model named, or token usage counted (a generation span that leaves the model to its parent).
  // A model named only as the resource names it describes the process, not the span: kagent puts
  // gen_ai.request.model in its agents' resource and Claude Code repeats its resource attributes on
  // every span, its tool spans too
  const ownModel = (k: string) => a[k] !== resource?.[k];
  if (
    unnamed &&
    [
      ...["gen_ai.request.model", "gen_ai.response.model"].filter(ownModel),
      "gen_ai.usage.input_tokens",
      "gen_ai.usage.output_tokens",
      "gen_ai.usage.prompt_tokens",
      "gen_ai.usage.completion_tokens",
    ].some((k) => a[k] !== undefined && a[k] !== null && a[k] !== "")
  ) {
    return "gen_ai";
  }
  return null;
}

/**
 * A field of what Google ADK's call_llm span records (`gcp.vertex.agent.llm_request`,
 * `llm_response`), by its Python name: ADK for Python writes them as its pydantic models dump
 * them (`usage_metadata`, `prompt_token_count`), ADK for TypeScript (`@google/adk`) as
 * `JSON.stringify` writes its objects (`usageMetadata`, `promptTokenCount`).
 */
function adkField(o: unknown, name: string): unknown {
  if (!isObj(o)) return undefined;
  return o[name] ?? o[name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

/**
 * The error a Google ADK call_llm span's response records, or null: ADK makes a response Gemini
 * answered without content into an error (`error_code`, `error_message`; ADK for TypeScript's
 * `errorCode`, `errorMessage`): a prompt blocked (`promptFeedback.blockReason`) or a candidate
 * with no parts (its `finishReason`, `SAFETY`, and `finishMessage`), which the span records with no
 * error status. A request that failed (an HTTP error) leaves ADK for TypeScript's span empty.
 *
 * @example
 * ```ts
 * import { callFieldsOf } from "./_spans.ts";
 * const f = callFieldsOf({
 *   "gen_ai.request.model": "gemini-2.5-flash",
 *   "gcp.vertex.agent.llm_response": JSON.stringify({ errorCode: "SAFETY", finishReason: "SAFETY" }),
 * });
 * if (f.error !== "SAFETY") throw new Error();
 * ```
 */
function adkError(response: unknown): string | null {
  const text = (v: unknown) => typeof v === "number" ? String(v) : str(v);
  const code = text(adkField(response, "error_code"));
  const message = text(adkField(response, "error_message"));
  return code === null ? message : message === null ? code : `${code}: ${message}`;
}

/**
 * The call fields of a span's attributes, in every known convention (the first
 * present wins): OpenTelemetry GenAI (`gen_ai.*`, current and older names),
 * OpenInference (`llm.*`), promptflow (`llm.usage.*`), MLflow (`mlflow.chat.tokenUsage`,
 * `usage`, `model_name`), Genkit (`genkit:*`, {@link genkitModelCall}).
 */
export function callFieldsOf(a: Obj, texts = true): CallFields {
  const genkit = genkitModelCall(a);
  const genkitUsage: Partial<Usage> = genkit?.usage ?? {};
  const claude: Partial<Usage> = isClaudeCodeRequest(a) ? claudeCodeUsage(a) : {};
  const requested = first(
    modelName(a["gen_ai.request.model"]),
    modelName(a["llm.request.model"]),
    modelName(a["model_name"]),
    modelName(a["model"]),
    // promptflow: the LLM span's `inputs` are the request's arguments (JSON)
    str(a["span_type"]) === "LLM" ? modelName(jsonField(a["inputs"], "model")) : null,
    // MLflow 3's own model key; the request's parameters (OpenInference, LangChain via MLflow)
    modelName(a["mlflow.llm.model"]),
    modelName(jsonField(a["llm.invocation_parameters"], "model")),
    modelName(jsonField(a["llm.invocation_parameters"], "model_name")),
    modelName(jsonField(a["invocation_params"], "model")),
    modelName(jsonField(a["invocation_params"], "model_name")),
    // MLflow autolog (OpenAI, Anthropic…): the call's arguments and its response
    modelName(jsonField(a["mlflow.spanInputs"], "model")),
    genkit?.model,
  ) ?? langchainModel(a);
  // Google ADK's call_llm span: the request and the response it records (Gemini's)
  const adkResponse = jsonObject(a["gcp.vertex.agent.llm_response"]);
  const adkRequest = jsonObject(a["gcp.vertex.agent.llm_request"]);
  const haystack = a["haystack.component.type"] === undefined
    ? { input: null, replies: null, meta: {} as Obj }
    : haystackRun(a);
  // LangChain's result, as OpenInference's LangChain instrumentations and LangSmith record it
  const langchain = langchainResult(a);
  const served = first(
    modelName(a["gen_ai.response.model"]),
    modelName(a["llm.response.model"]),
    generationsModel(langchain),
    modelName(a["llm.model_name"]),
    modelName(jsonField(a["mlflow.spanOutputs"], "model")),
    modelName(jsonField(jsonField(a["mlflow.spanOutputs"], "llm_output"), "model_name")),
    modelName(haystack.meta.model),
    // Google ADK's call_llm: the response's model version (`gemini-2.5-flash-001`)
    modelName(adkField(adkResponse, "model_version")),
    genkit?.served_model,
  );
  // the response an OpenInference span records as its output (OpenAI's chat.completion as JSON)
  const openinferenceResponse = a["openinference.span.kind"] === undefined
    ? null
    : jsonObject(a["output.value"]);
  const openinferenceChoice = Array.isArray(openinferenceResponse?.choices)
    ? openinferenceResponse.choices[0]
    : undefined;
  const usage = isObj(a["usage"]) ? a["usage"] as Obj : {};
  const mlflowUsage = isObj(a["mlflow.chat.tokenUsage"]) ? a["mlflow.chat.tokenUsage"] as Obj : {};
  // MLflow autolog without mlflow.chat.tokenUsage (before MLflow 2.20): the response's own
  // usage, OpenAI's or Anthropic's (`usage`) or LangChain's (`llm_output.token_usage`)
  const responseUsage = [
    jsonField(a["mlflow.spanOutputs"], "usage"),
    jsonField(jsonField(a["mlflow.spanOutputs"], "llm_output"), "token_usage"),
    // Braintrust's own span attributes
    a["braintrust.metrics"] === undefined ? undefined : jsonObject(a["braintrust.metrics"]),
    // Logfire's OpenAI spans: the response it records (Chat Completions' `response_data`,
    // the Responses API's `response`), whose usage alone has the cached and reasoning counts
    a["logfire.msg_template"] === undefined ? undefined : jsonField(a["response_data"], "usage"),
    a["logfire.msg_template"] === undefined ? undefined : jsonField(a["response"], "usage"),
    // Haystack's generator runs: the provider's usage in the reply's meta
    jsonObject(haystack.meta.usage),
    // OpenInference's: the response it records (its JS OpenAI instrumentation before 4.x names
    // no cache reads or reasoning of its own)
    openinferenceResponse?.usage,
  ].find(isObj) ?? {};
  // the Vercel AI SDK: its usage (v4 promptTokens, v5 inputTokens) and the provider's metadata
  const providerMeta = jsonObject(a["ai.response.providerMetadata"]) ?? {};
  const openaiMeta = isObj(providerMeta.openai) ? providerMeta.openai : {};
  // Google ADK's call_llm span: the response it records (its own gen_ai.usage.output_tokens was
  // the total of prompt and answer in ADK 1.x until it took candidates_token_count, which
  // leaves out thinking; ADK for TypeScript's is candidatesTokenCount, its input promptTokenCount):
  // Gemini's usage, the answer and the thoughts being the output, the prompt and the tools'
  // prompt the input
  const adk = jsonObject(adkField(adkResponse, "usage_metadata"));
  const adkOutput = count(adkField(adk, "candidates_token_count"));
  const adkThoughts = count(adkField(adk, "thoughts_token_count"));
  // LangChain's usage_metadata details: LangSmith's, else those of the result OpenInference's
  // LangChain instrumentations record (its JS one records no cache writes of its own: ChatAnthropic's)
  const langchainUsage = jsonObject(generationMessage(langchain).usage_metadata) ?? {};
  const inputDetails = tokenDetails(
    a["gen_ai.usage.input_token_details"] ?? langchainUsage.input_token_details,
  );
  const outputDetails = tokenDetails(
    a["gen_ai.usage.output_token_details"] ?? langchainUsage.output_token_details,
  );
  const anthropicMeta = isObj(providerMeta.anthropic) ? providerMeta.anthropic : {};
  // the Bedrock Converse provider's: Bedrock's cache counts (AI SDK 5 keeps its writes alone here)
  const bedrockUsage = jsonObject(jsonField(providerMeta.bedrock, "usage")) ?? {};
  const input = first(
    geminiInputTokens(
      count(adkField(adk, "prompt_token_count")),
      count(adkField(adk, "tool_use_prompt_token_count")),
    ),
    count(a["gen_ai.usage.input_tokens"]),
    count(a["gen_ai.usage.prompt_tokens"]),
    // Semantic Kernel's first GenAI attributes (2024)
    count(a["gen_ai.response.prompt_tokens"]),
    count(a["llm.token_count.prompt"]),
    count(a["llm.usage.prompt_tokens"]),
    count(mlflowUsage.input_tokens),
    count(usage.prompt_tokens),
    count(usage.input_tokens),
    count(responseUsage.prompt_tokens),
    count(responseUsage.input_tokens),
    count(a["ai.usage.promptTokens"]),
    count(a["ai.usage.inputTokens"]),
    genkitUsage.input_tokens,
    claude.input_tokens,
  );
  const output = first(
    adkOutput === null ? null : adkOutput + (adkThoughts ?? 0),
    count(a["gen_ai.usage.output_tokens"]),
    count(a["gen_ai.usage.completion_tokens"]),
    count(a["gen_ai.response.completion_tokens"]),
    count(a["llm.token_count.completion"]),
    count(a["llm.usage.completion_tokens"]),
    count(mlflowUsage.output_tokens),
    count(usage.completion_tokens),
    count(usage.output_tokens),
    count(responseUsage.completion_tokens),
    count(responseUsage.output_tokens),
    count(a["ai.usage.completionTokens"]),
    count(a["ai.usage.outputTokens"]),
    genkitUsage.output_tokens,
    claude.output_tokens,
  );
  const total = first(
    count(adkField(adk, "total_token_count")),
    count(a["gen_ai.usage.total_tokens"]),
    count(a["llm.token_count.total"]),
    count(a["llm.usage.total_tokens"]),
    count(mlflowUsage.total_tokens),
    count(usage.total_tokens),
    count(responseUsage.total_tokens),
    count(responseUsage.tokens), // Braintrust's
    count(a["ai.usage.totalTokens"]),
    genkitUsage.total_tokens,
    claude.total_tokens,
  ) ?? (input !== null && output !== null ? input + output : null);
  // promptflow's LLM span: the request's `inputs.messages`, the answer in `llm.generated_message`
  const promptflow = str(a["span_type"]) === "LLM";
  const generated = promptflow ? jsonField(a["llm.generated_message"], "content") : undefined;
  // MLflow: `mlflow.chat.messages` is the conversation with the answer last; else the call's
  // arguments (`messages`) and the response's first choice
  const chat = messageList(a["mlflow.chat.messages"]);
  const answer = chat?.length && isObj(chat.at(-1)) && (chat.at(-1) as Obj).role === "assistant"
    ? chat.at(-1)
    : null;
  const choices = jsonField(a["mlflow.spanOutputs"], "choices");
  const choice = Array.isArray(choices) ? choices[0] : undefined;
  const chosen = jsonField(choice, "message");
  // MLflow's autolog of the Responses API: the request's `input` (a string, the user's message,
  // or a list of items) and the response's `output` items, whose messages are the answer
  const spanInputs = jsonObject(a["mlflow.spanInputs"]);
  const spanOutputs = jsonObject(a["mlflow.spanOutputs"]);
  const requestItems = typeof spanInputs?.input === "string"
    ? [{ role: "user", content: spanInputs.input }]
    : spanInputs?.input;
  const answerItems = spanOutputs?.object === "response" && Array.isArray(spanOutputs.output)
    ? spanOutputs.output.filter((item) => isObj(item) && item.type === "message")
    : null;
  // … and of Anthropic's Messages API: the response is one message, its content blocks the answer
  const anthropicAnswer = spanOutputs?.type === "message" && Array.isArray(spanOutputs.content)
    ? [spanOutputs]
    : null;
  const inputList = messageList(
    first(
      a["gen_ai.input.messages"],
      // LangSmith's: LangChain's chat model input
      langchainMessages(a["gen_ai.prompt"]),
      a["gen_ai.prompt"],
      a["ai.prompt.messages"], // the Vercel AI SDK's
      a["braintrust.input_json"],
      haystack.input,
      promptflow ? jsonField(a["inputs"], "messages") : null,
      chat ? (answer ? chat.slice(0, -1) : chat) : null,
      spanInputs?.messages,
      requestItems,
      // Mastra 1.x's model step, above its chat span (isModelStep)
      a["mastra.model_step.input"],
      // Google ADK's call_llm: the request it records, Gemini's contents
      adkRequest?.contents,
      genkit?.input,
    ),
  );
  const outputList = messageList(
    first(
      a["gen_ai.output.messages"],
      a["gen_ai.completion"],
      typeof generated === "string" ? [generated] : null,
      answer ? [answer] : null,
      isObj(chosen) ? [chosen] : null,
      answerItems,
      anthropicAnswer,
      a["braintrust.output_json"],
      haystack.replies,
      isObj(adkResponse?.content) ? [adkResponse.content] : null,
      genkit?.output,
    ),
  );
  const listed = messageText(inputList);
  const flatInput = listed === null ? flatMessages(a, "llm.input_messages.") : null;
  const messages = listed ?? flatInput ?? indexedMessages(a, "gen_ai.prompt") ??
    str(a["input.value"]);
  // the system prompt the GenAI conventions keep apart from the messages (a list of parts)
  const instructions = messageList(a["gen_ai.system_instructions"]);
  // Google ADK's request keeps Gemini's system instruction in its config (text, or a content)
  const adkSystem = adkField(adkRequest?.config, "system_instruction");
  const system = instructions
    ? messageText([{ parts: instructions }])
    : typeof adkSystem === "string"
    ? adkSystem
    : isObj(adkSystem)
    ? messageText([adkSystem])
    // a Responses API request's instructions, an Anthropic request's system (text or text
    // blocks), recorded by MLflow's autolog
    : str(spanInputs?.instructions) ?? anthropicSystem(spanInputs) ??
      // OpenInference's flattened messages without a system message, whose request (input.value)
      // has one: its Bedrock instrumentation leaves out an InvokeModel Anthropic body's system
      (flatInput !== null && !flatSystem(a) ? anthropicSystem(jsonObject(a["input.value"])) : null);
  const prompt = system ? system + (messages ?? "") : messages;
  // OpenInference's LangChain.js instrumentation writes a message's content only when it is a
  // string: an answer written as content blocks (the Responses API's through ChatOpenAI) is a role
  // alone, and its text is LangChain's, in the result it records (a tool call alone's text is "")
  const flatOutput = flatMessages(a, "llm.output_messages.");
  const output_ = messageText(outputList) ??
    (flatOutput === "" ? generationsText(langchain) ?? "" : flatOutput) ??
    indexedMessages(a, "gen_ai.completion") ??
    // LangChain's result (LangSmith's gen_ai.completion)
    generationsText(langchain) ??
    // the Vercel AI SDK's answer (`ai.result.text` before AI SDK 3.3)
    str(a["ai.response.text"]) ?? str(a["ai.result.text"]) ?? str(a["output.value"]);
  return {
    model: requested ?? served,
    served_model: served,
    provider: first(
      // the Vercel AI SDK (and Mastra over it) names the provider with its API (`openai.chat`,
      // `anthropic.messages`), in ai.model.provider and gen_ai.system alike, and Mastra 1.x in
      // gen_ai.provider.name
      withoutApi(str(a["gen_ai.provider.name"])),
      withoutApi(str(a["ai.model.provider"])),
      withoutApi(systemProvider(str(a["gen_ai.system"]))),
      str(a["llm.provider"]),
      str(a["llm.system"]),
      str(a["mlflow.llm.provider"]),
      genkit?.provider,
    ),
    input_tokens: input,
    output_tokens: output,
    total_tokens: total,
    cache_read_tokens: first(
      count(a["gen_ai.usage.cache_read.input_tokens"]),
      count(adkField(adk, "cached_content_token_count")),
      count(a["gen_ai.usage.cache_read_input_tokens"]),
      // Pydantic AI's (its usage details, before it wrote the GenAI keys too)
      count(a["gen_ai.usage.details.cache_read_tokens"]),
      count(inputDetails.cache_read),
      count(a["llm.token_count.prompt_details.cache_read"]),
      count(mlflowUsage.cache_read_input_tokens),
      count(jsonField(responseUsage.prompt_tokens_details, "cached_tokens")),
      // the Responses API's usage
      count(jsonField(responseUsage.input_tokens_details, "cached_tokens")),
      count(responseUsage.cache_read_input_tokens),
      count(a["ai.usage.cachedInputTokens"]),
      // Mastra's OpenTelemetry exporter before 1.0 (@mastra/otel-exporter 0.x: the AI SDK's name)
      count(a["gen_ai.usage.cached_input_tokens"]),
      // the Vercel AI SDK's usage details (since AI SDK 6)
      count(a["ai.usage.inputTokenDetails.cacheReadTokens"]),
      count(openaiMeta.cachedPromptTokens),
      count(anthropicMeta.cacheReadInputTokens),
      count(bedrockUsage.cacheReadInputTokens),
      // AI SDK 5's Anthropic metadata: the response's usage as Anthropic gives it, the only place
      // a generateText span records its cache reads (it writes no ai.usage.cachedInputTokens)
      count(jsonField(anthropicMeta.usage, "cache_read_input_tokens")),
      genkitUsage.cache_read_tokens,
      claude.cache_read_tokens,
    ),
    cache_write_tokens: first(
      count(a["gen_ai.usage.cache_creation.input_tokens"]),
      // GitHub Copilot CLI's name for it
      count(a["gen_ai.usage.cache_write.input_tokens"]),
      count(a["gen_ai.usage.cache_creation_input_tokens"]),
      // Strands Agents' (Bedrock's cacheWriteInputTokens)
      count(a["gen_ai.usage.cache_write_input_tokens"]),
      count(a["gen_ai.usage.details.cache_write_tokens"]),
      count(inputDetails.cache_creation),
      count(a["llm.token_count.prompt_details.cache_write"]),
      count(mlflowUsage.cache_creation_input_tokens),
      count(responseUsage.cache_creation_input_tokens),
      count(a["ai.usage.inputTokenDetails.cacheWriteTokens"]),
      count(anthropicMeta.cacheCreationInputTokens),
      count(bedrockUsage.cacheWriteInputTokens),
      count(jsonField(anthropicMeta.usage, "cache_creation_input_tokens")),
      genkitUsage.cache_write_tokens,
      claude.cache_write_tokens,
    ),
    // no GenAI convention names them: tracebook's export, LangChain's details (LangSmith's JS
    // SDK spells them `1hr`), Anthropic's usage as a response or the Vercel AI SDK's metadata hold it
    cache_write_1h_tokens: first(
      count(a["tracebook.cache_write_1h_tokens"]),
      count(inputDetails.ephemeral_1h_input_tokens),
      count(inputDetails.ephemeral_1hr_input_tokens),
      count(jsonField(responseUsage.cache_creation, "ephemeral_1h_input_tokens")),
      count(
        jsonField(jsonField(anthropicMeta.usage, "cache_creation"), "ephemeral_1h_input_tokens"),
      ),
      genkitUsage.cache_write_1h_tokens,
      claude.cache_write_1h_tokens,
    ),
    // Anthropic's server-side web searches: tracebook's export names them, and Anthropic's usage
    // in a kept message (MLflow's outputs, OpenInference's output.value, Genkit's raw)
    web_search_requests: first(
      count(a["tracebook.web_search_requests"]),
      count(jsonField(responseUsage.server_tool_use, "web_search_requests")),
      genkitUsage.web_search_requests ?? null,
    ),
    reasoning_tokens: first(
      count(a["gen_ai.usage.reasoning.output_tokens"]),
      adkThoughts,
      count(a["gen_ai.usage.reasoning_tokens"]),
      // OpenLLMetry's (its OpenAI and Anthropic instrumentations: llm.usage.*)
      count(a["llm.usage.reasoning_tokens"]),
      count(a["gen_ai.usage.details.reasoning_tokens"]),
      // Pydantic AI's with Gemini (inside its output tokens)
      count(a["gen_ai.usage.details.thoughts_tokens"]),
      count(outputDetails.reasoning),
      count(a["llm.token_count.completion_details.reasoning"]),
      count(jsonField(responseUsage.completion_tokens_details, "reasoning_tokens")),
      count(jsonField(responseUsage.output_tokens_details, "reasoning_tokens")),
      count(a["ai.usage.reasoningTokens"]),
      // the Vercel AI SDK's since 6 (AI SDK 7's OpenTelemetry integration writes the reasoning only here)
      count(a["ai.usage.outputTokenDetails.reasoningTokens"]),
      count(openaiMeta.reasoningTokens),
      genkitUsage.reasoning_tokens,
    ),
    ttft_s: TTFT_KEYS.map((k) => num(a[k])).find((v) => v !== null) ??
      // the Vercel AI SDK's, in milliseconds, and Claude Code's
      msToSeconds(
        first(
          num(a["ai.response.msToFirstChunk"]),
          num(a["ai.stream.msToFirstChunk"]),
          isClaudeCodeRequest(a) ? num(a["ttft_ms"]) : null,
        ),
      ),
    // the spec's list; some instrumentations write one reason under the singular key
    finish_reason:
      joined(a["gen_ai.response.finish_reasons"] ?? a["gen_ai.response.finish_reason"]) ??
        str(jsonField(choice, "finish_reason")) ??
        str(jsonField(a["mlflow.spanOutputs"], "stop_reason")) ??
        // a Responses API response cut short says why (`max_output_tokens`), as openai_batch reads it
        (spanOutputs?.object === "response"
          ? str(jsonField(spanOutputs.incomplete_details, "reason"))
          : null) ??
        str(haystack.meta.finish_reason) ??
        // OpenLLMetry's indexed completions; the GenAI output messages' own (LiteLLM's)
        str(a["gen_ai.completion.0.finish_reason"]) ??
        // OpenInference's (its JS OpenAI instrumentation since 4.x; before, its response's first choice's)
        str(a["llm.finish_reason"]) ??
        str(jsonField(openinferenceChoice, "finish_reason")) ??
        joined(outputList?.map((m) => (isObj(m) ? m.finish_reason : null)) ?? null) ??
        generationsFinish(langchain) ??
        genkit?.finish_reason ?? null,
    messages: !texts ? null : inputList ? JSON.stringify(inputList) : prompt,
    prompt_chars: prompt === null ? null : countChars(prompt),
    output: texts ? output_ : null,
    output_chars: output_ === null ? null : countChars(output_),
    error: adkError(adkResponse),
  };
}

/** Options of {@link spansToRecords}. */
export interface SpansOptions {
  /** Prefix of the events' `type` (`otel` gives `otel.chat`, `otel.execute_tool`). @default {"otel"} */
  eventPrefix?: string;
  /** Keep the prompt and output text of calls. @default {false} */
  keepText?: boolean;
  /** With `keepText`, the calls whose texts are kept (`ParseOptions.textsOf`). */
  textsOf?: ParseOptions["textsOf"];
  /**
   * With `keepText`, a read for the texts of the calls on these lines only
   * (`ParseOptions.textLines`): no events, and no calls of other lines.
   */
  textLines?: ParseOptions["textLines"];
  /** With `textLines`, the ids of the spans whose calls are read (`ParseOptions.textIds`). */
  textIds?: ParseOptions["textIds"];
}

/** The session a span names: by the format or an attribute (null when it names none). */
function namedSession(span: Span): string | null {
  const a = span.attributes;
  return first(
    str(span.session_id),
    str(a["session.id"]),
    str(a["gen_ai.conversation.id"]),
    // Google ADK's call_llm spans (its agent spans name the session as gen_ai.conversation.id)
    str(a["gcp.vertex.agent.session_id"]),
    str(a["langfuse.session.id"]),
    str(a["ai.telemetry.metadata.sessionId"]),
    // OpenLLMetry's association properties (Traceloop.set_association_properties); LangGraph's
    // thread, the conversation its checkpoints keep
    str(a["traceloop.association.properties.session_id"]),
    str(a["traceloop.association.properties.thread_id"]),
    // Firebase Genkit's: its agents' action span (1.39 on), its chat's `send` span (to 1.38)
    str(a["genkit:metadata:agent:sessionId"]),
    str(a["genkit:sessionId"]),
  );
}

/** The error text of a failed span: status message, exception event, `error.type`. */
/**
 * An error message's first paragraph: a status message that carries the exception's stack
 * (`500 …\n\nError: …\n    at …`, OpenInference's JS instrumentations) or a help text after a
 * blank line (OpenLLMetry's "Troubleshooting URL") is its first paragraph in the error column.
 */
function errorParagraph(message: string | null): string | null {
  if (message === null) return null;
  const cut = message.search(/\n\s*\n|\n\s+at /);
  return cut > 0 ? message.slice(0, cut).trimEnd() : message;
}

function errorOf(span: Span): string | null {
  const exception = (span.events ?? []).find((e) => e.name === "exception");
  const failed = span.status === "error" || exception !== undefined;
  if (!failed) return null;
  return first(
    errorParagraph(str(span.status_message)),
    exception
      ? first(
        str(exception.attributes["exception.message"]),
        str(exception.attributes["exception.type"]),
      )
      : null,
    str(span.attributes["error.type"]),
  ) ?? "span status is ERROR";
}

/** Merge two records of one span: the later one fills what the first lacks. */
function mergeSpan(a: Span, b: Span, owned: WeakSet<object>): Span {
  // the events of a span merged before are its own: added to, not copied again (a span read
  // 50,000 times took 9.5 s, each merge copying every event so far)
  const events = a.events && owned.has(a.events) ? a.events : [...(a.events ?? [])];
  owned.add(events);
  for (const e of b.events ?? []) events.push(e);
  return {
    ...a,
    end_us: a.end_us ?? b.end_us,
    ended: a.ended || b.ended || undefined,
    duration_s: a.duration_s ?? b.duration_s,
    start_us: a.start_us ?? b.start_us,
    status: a.status === "unset" ? b.status : a.status,
    status_message: a.status_message ?? b.status_message,
    attributes: { ...b.attributes, ...a.attributes },
    events,
    parent_span_id: a.parent_span_id ?? b.parent_span_id,
    name: a.name ?? b.name,
    call: a.call === undefined ? b.call : a.call,
    // read again from the merged attributes (a lightened span is never merged: SpanList)
    reading: undefined,
    payload: undefined,
  };
}

/**
 * MLflow's Python SDK writes every attribute value as JSON text (`"\"CHAT_MODEL\""`), also in
 * the OTLP it exports: such attributes (a JSON-quoted `mlflow.spanType`) are decoded. The
 * TypeScript SDK's are written as they are (`"CHAT_MODEL"`): not decoded again, so that a text
 * (a session `"1001"`) stays text.
 *
 * @example
 * ```ts
 * import { mlflowDecoded } from "./_spans.ts";
 * const python = mlflowDecoded({ "mlflow.spanType": '"LLM"', "session.id": '"1001"', n: "2" });
 * if (python["mlflow.spanType"] !== "LLM" || python["session.id"] !== "1001" || python.n !== 2) throw new Error();
 * const ts = mlflowDecoded({ "mlflow.spanType": "LLM", "session.id": "1001" });
 * if (ts["session.id"] !== "1001") throw new Error();
 * ```
 */
export function mlflowDecoded(a: Obj): Obj {
  const type = a["mlflow.spanType"];
  if (typeof type !== "string" || !type.startsWith('"')) return a;
  const out: Obj = {};
  for (const [k, v] of Object.entries(a)) {
    if (typeof v !== "string") out[k] = v;
    else {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    }
  }
  return out;
}

/**
 * A span's event payload (`s` as it is shown: pending when its export said so),
 * clipped as every format's event payloads are: a span's prompt and output (its
 * attributes) are the call's texts, kept whole only in the calls frame (`keepText`).
 */
function spanPayload(s: Span): string {
  return compactPayload({
    name: s.name,
    kind: s.kind ?? null,
    trace_id: s.trace_id,
    parent_span_id: s.parent_span_id,
    status: s.status,
    status_message: s.status_message ?? null,
    // the span's end, for the report's waterfall (the events frame has one time per row)
    ended_at: s.end_us === null ? null : new Date(Math.floor(s.end_us / 1000)).toISOString(),
    duration_s: s.end_us === null || s.start_us === null
      ? null
      : s.duration_s ?? (s.end_us - s.start_us) / 1e6,
    attributes: s.attributes,
  });
}

/**
 * The events that carry a call's texts in the first GenAI conventions (Semantic
 * Kernel, OpenLIT, OpenLLMetry's event mode): the event's name and the attribute
 * holding the text, read as the span attribute of the same name.
 */
const CONTENT_EVENTS: Record<string, string> = {
  "gen_ai.content.prompt": "gen_ai.prompt",
  "gen_ai.content.completion": "gen_ai.completion",
};

/**
 * A span's attributes with the texts its content events hold
 * ({@link CONTENT_EVENTS}), when its attributes do not hold them already.
 */
function withContentEvents(s: Span): Obj {
  let a = s.attributes;
  for (const e of s.events ?? []) {
    const key = CONTENT_EVENTS[e.name];
    if (key === undefined || a[key] !== undefined || e.attributes[key] === undefined) continue;
    if (a === s.attributes) a = { ...a };
    a[key] = e.attributes[key];
  }
  return a;
}

/**
 * Instrumentations whose model name can be a cut of the model id the request names, by the name of
 * their instrumentation scope: OpenInference's Bedrock instrumentation (0.5) takes the part of a
 * Converse request's `modelId` after its first dot, so a cross-region inference profile
 * (`us.amazon.nova-pro-v1:0`, `eu.anthropic.claude-…`) is recorded as the model `amazon` or
 * `anthropic`; the request it records (`input.value`) keeps the id.
 */
const MODEL_CUT_FROM_REQUEST = new Set(["@arizeai/openinference-instrumentation-bedrock"]);

/**
 * Instrumentations whose input count leaves out the cache counts they record beside it, by the
 * name of their instrumentation scope: OpenLLMetry JS's Anthropic instrumentation writes Anthropic's
 * own `input_tokens` (the tokens after the last cache breakpoint) as `gen_ai.usage.input_tokens`
 * and its total as that plus the output (0.25 to 0.27), where the GenAI conventions, and
 * OpenLLMetry's Python instrumentation of the same SDK (`opentelemetry.instrumentation.anthropic`),
 * count the cache reads and writes in the input. Before 0.25 (0.8 to 0.22) it recorded no cache
 * count to add.
 * OpenInference's Bedrock instrumentation writes Bedrock's `inputTokens` (Converse) or the
 * model's own input count (InvokeModel: Anthropic's `input_tokens`) as `llm.token_count.prompt`,
 * both without the cache, which it records beside them for InvokeModel and leaves in the
 * response it records (`output.value`'s `usage`) for Converse, whose total counts it.
 */
const INPUT_WITHOUT_CACHE = new Set([
  "@traceloop/instrumentation-anthropic",
  "@arizeai/openinference-instrumentation-bedrock",
]);

/**
 * Instrumentations of Gemini whose output count leaves out the thinking they record beside it, by
 * the name of their instrumentation scope: OpenLLMetry JS's `@google/genai` instrumentation (0.27)
 * writes Gemini's `candidatesTokenCount` (the answer alone) as `gen_ai.usage.output_tokens`, its
 * `thoughtsTokenCount` as `gen_ai.usage.reasoning_tokens`, its `promptTokenCount` as the input and
 * its `totalTokenCount` as the total, which counts the prompt of its tools
 * (`toolUsePromptTokenCount`) too. Gemini bills the thinking as output and the tools' prompt as
 * input, as tracebook counts them (`geminiInputTokens`).
 */
const OUTPUT_WITHOUT_REASONING = new Set(["@traceloop/instrumentation-google-generativeai"]);

/**
 * The Vercel AI SDK's providers of Anthropic's Messages API before AI SDK 6, wherever it is served
 * (`ai.model.provider` `anthropic.messages`; `vertex.anthropic.messages`, `@ai-sdk/google-vertex`'s
 * Anthropic provider; `bedrock.anthropic.messages`, `@ai-sdk/amazon-bedrock`'s), give Anthropic's
 * own `input_tokens` as the call's input (`ai.usage.promptTokens`, AI SDK 5's `inputTokens`, and
 * `gen_ai.usage.input_tokens`), its total as that and the output, and the cache reads and writes
 * apart (`ai.usage.cachedInputTokens`, the provider's metadata), as {@link INPUT_WITHOUT_CACHE}'s
 * instrumentations do; so does its Bedrock Converse provider (`amazon-bedrock`), with Bedrock's
 * `inputTokens`, which leave out the cache too, its cache in the provider metadata's
 * `bedrock.usage` (AI SDK 5: its reads in `ai.usage.cachedInputTokens`, which a generateText span
 * does not write). Since AI SDK 6 their input counts the cache, with the usage details they write
 * beside it (`ai.usage.inputTokenDetails.*`).
 */
function aiSdkInputWithoutCache(a: Obj): boolean {
  const provider = str(a["ai.model.provider"]) ?? "";
  if (!/^(?:[\w-]+\.)?anthropic\./.test(provider) && provider !== "amazon-bedrock") return false;
  for (const k in a) if (k.startsWith("ai.usage.inputTokenDetails.")) return false;
  return true;
}

/** The operations of the Vercel AI SDK 5's calls that record no cache reads over Bedrock's Converse API. */
const AI_SDK_DO_GENERATE = new Set(["ai.generateText.doGenerate", "ai.generateObject.doGenerate"]);

/**
 * A call of the Vercel AI SDK 5's generateText or generateObject over Amazon Bedrock's Converse API
 * (`amazon-bedrock`, `@ai-sdk/amazon-bedrock` 3.x) that used the prompt cache (its provider metadata
 * counts cache writes, or its prompt, `ai.prompt.messages`, sets a Bedrock `cachePoint`), whose span
 * records no cache reads: that provider gives Bedrock's `cacheReadInputTokens` to the result's
 * usage alone, which these spans do not write (streamText's write `ai.usage.cachedInputTokens`, AI
 * SDK 6's `ai.usage.inputTokenDetails.*`, and AI SDK 4's provider kept them in its metadata's
 * `bedrock.usage`). Its reads are unknown: its input counts the writes and not the reads.
 */
function aiSdkCacheReadsUnrecorded(a: Obj): boolean {
  if (str(a["ai.model.provider"]) !== "amazon-bedrock") return false;
  if (!AI_SDK_DO_GENERATE.has(str(a["ai.operationId"]) ?? "")) return false;
  if (a["ai.usage.cachedInputTokens"] !== undefined) return false;
  for (const k in a) if (k.startsWith("ai.usage.inputTokenDetails.")) return false;
  const bedrock = jsonObject(
    jsonField(jsonField(a["ai.response.providerMetadata"], "bedrock"), "usage"),
  );
  if (bedrock?.cacheReadInputTokens !== undefined) return false;
  return bedrock?.cacheWriteInputTokens !== undefined ||
    (str(a["ai.prompt.messages"])?.includes('"cachePoint":') ?? false);
}

/**
 * The Anthropic message a span keeps as the provider's response, or null: a Genkit model action's
 * (`@genkit-ai/anthropic`'s `raw`, in `genkit:output`), MLflow's (its Anthropic autolog's and the
 * TypeScript SDK's `tracedAnthropic`'s `mlflow.spanOutputs`) or OpenInference's (`output.value`).
 */
function keptAnthropicMessage(a: Obj): Obj | null {
  const genkit = isGenkitModel(a) ? jsonObject(a["genkit:output"]) : null;
  const kept = first(
    genkit === null ? null : isObj(genkit.raw) ? genkit.raw : genkit.custom,
    a["mlflow.spanType"] === undefined ? null : jsonObject(a["mlflow.spanOutputs"]),
    a["openinference.span.kind"] === undefined ? null : jsonObject(a["output.value"]),
  );
  return isObj(kept) && kept.type === "message" && isObj(kept.usage) ? kept : null;
}

/**
 * A span whose input is the `input_tokens` of the Anthropic message it keeps
 * ({@link keptAnthropicMessage}): Anthropic's own count, which leaves out the cache reads and writes
 * it counts beside it, as {@link INPUT_WITHOUT_CACHE}'s instrumentations do. So do Genkit's
 * `inputTokens` over `@genkit-ai/anthropic` (where the message's usage is not read first: read, it
 * is the whole prompt already), and MLflow's `mlflow.chat.tokenUsage` of an Anthropic
 * call (its `input_tokens` is the message's, its total that and the output). An input that differs
 * from the message's own (OpenInference's JS Anthropic instrumentation counts the cache in
 * `llm.token_count.prompt`) counts the cache already.
 */
function anthropicInputWithoutCache(a: Obj, input: number | null): boolean {
  const message = keptAnthropicMessage(a);
  return message !== null && input !== null && count((message.usage as Obj).input_tokens) === input;
}

/**
 * When a span's first chunk came, µs since the epoch, for a span that says so but not how long it
 * took: Mastra's `mastra.completion_start_time` (ISO, ms), or the Vercel AI SDK's
 * `ai.stream.firstChunk` event (before AI SDK 3.3 its only record of it: `ai.response.msToFirstChunk`
 * came later).
 */
function firstChunkAt(s: Span): number | null {
  const mastra = s.attributes["mastra.completion_start_time"];
  if (mastra !== undefined) return toMicros(mastra).us;
  return s.events?.find((e) => e.name === "ai.stream.firstChunk")?.ts ?? null;
}

/**
 * {@link callFieldsOf} a span's attributes (without texts), with what they give only beside the
 * span's own fields: a span that gives the time its first chunk came ({@link firstChunkAt}) has its
 * distance from the span's start as the time to first token (as Mastra's Langfuse and Arize
 * exporters take it); an instrumentation whose input count leaves out the cache
 * ({@link INPUT_WITHOUT_CACHE}, {@link aiSdkInputWithoutCache}, {@link anthropicInputWithoutCache})
 * has it added to the input,
 * and to the total when that left it out; one whose output count leaves out Gemini's thinking
 * ({@link OUTPUT_WITHOUT_REASONING}) has it added to the output, and what its total counts beyond
 * the input and that output (the tools' prompt) added to the input.
 */
function spanCallFields(s: Span): CallFields {
  const fields = callFieldsOf(withContentEvents(s), false);
  // the scope kept apart, else as OpenTelemetry's Jaeger and Zipkin exporters write it, a tag
  const scope = str(s.scope) ?? str(s.attributes["otel.scope.name"]) ??
    str(s.attributes["otel.library.name"]);
  if (scope !== null && MODEL_CUT_FROM_REQUEST.has(scope)) {
    // a name that is one of the requested id's parts but its last (`amazon` of
    // `us.amazon.nova-pro-v1:0`) is the id cut, not a model: the request's id is the model
    const id = str(jsonField(s.attributes["input.value"], "modelId"));
    const parts = id?.split(".") ?? [];
    const cut = (name: string | null) =>
      name !== null && parts.length > 1 && parts.slice(0, -1).includes(name);
    if (id !== null && (cut(fields.model) || cut(fields.served_model))) {
      if (cut(fields.model) || fields.model === null) fields.model = id;
      if (cut(fields.served_model) || fields.served_model === null) fields.served_model = id;
    }
  }
  const withoutCache = (scope !== null && INPUT_WITHOUT_CACHE.has(scope)) ||
    aiSdkInputWithoutCache(s.attributes) ||
    anthropicInputWithoutCache(s.attributes, fields.input_tokens);
  if (withoutCache && fields.input_tokens !== null) {
    // Bedrock's Converse usage, in the response OpenInference records (camelCase)
    const usage = jsonObject(jsonField(s.attributes["output.value"], "usage"));
    if (usage && fields.cache_read_tokens === null && fields.cache_write_tokens === null) {
      fields.cache_read_tokens = count(usage.cacheReadInputTokens);
      fields.cache_write_tokens = count(usage.cacheWriteInputTokens);
    }
    fields.input_tokens += (fields.cache_read_tokens ?? 0) + (fields.cache_write_tokens ?? 0);
    // a total that left the cache out (the input and output alone) counts it now
    const sum = fields.input_tokens + (fields.output_tokens ?? 0);
    if (fields.total_tokens !== null && fields.total_tokens < sum) fields.total_tokens = sum;
  }
  if (scope !== null && OUTPUT_WITHOUT_REASONING.has(scope) && fields.output_tokens !== null) {
    fields.output_tokens += fields.reasoning_tokens ?? 0;
    const rest = (fields.total_tokens ?? 0) - (fields.input_tokens ?? 0) - fields.output_tokens;
    if (fields.input_tokens !== null && rest > 0) fields.input_tokens += rest;
  }
  if (fields.ttft_s === null) {
    const ttft = secondsBetween(s.start_us, firstChunkAt(s));
    if (ttft !== null && ttft >= 0) fields.ttft_s = ttft;
  }
  return fields;
}

/** What the records read of a span whose attributes are decoded ({@link mlflowDecoded}). */
function spanReading(s: Span): SpanReading {
  const a = s.attributes;
  const convention = s.call === null ? null : callConvention(a, s.resource);
  const callLike = s.call !== null && (convention !== null || s.call !== undefined);
  const run = !callLike && s.call !== null && isAgentRun(a) ? spanCallFields(s) : null;
  return {
    ...(run && (run.input_tokens !== null || run.output_tokens !== null) ? { run } : {}),
    ...(!callLike && isModelStep(a) ? { step: spanCallFields(s) } : {}),
    fields: callLike ? spanCallFields(s) : null,
    session: namedSession(s),
    operation: str(a["gen_ai.operation.name"]),
    error: errorOf(s),
    pending: a["tracebook.status"] === "pending",
    ...(callLike && aiSdkCacheReadsUnrecorded(a) ? { cacheReadsUnrecorded: true as const } : {}),
    ...(callLike ? messageIterations(a) : {}),
  };
}

/** The non-empty `usage.iterations` of the Anthropic message a span keeps, as a reading's field. */
function messageIterations(a: Obj): { iterations?: unknown[] } {
  const usage = keptAnthropicMessage(a)?.usage;
  const iterations = isObj(usage) ? usage.iterations : undefined;
  return Array.isArray(iterations) && iterations.length > 0 ? { iterations } : {};
}

/**
 * The spans of one read, as an adapter pushes them. When no call keeps its
 * texts (or, given `textLines`, for the spans of the other lines), each span
 * is lightened as it comes: what the records read of its attributes is read at
 * once ({@link SpanReading}), its event's payload is made, and its attributes
 * and events are dropped, so that a file's prompts and outputs are not all
 * held until its spans are paired (the records are the same). Several records
 * of one span are merged before they are read, which a lightened span cannot
 * be: `duplicated` then tells the adapter to read the file again unlightened.
 *
 * @example
 * ```ts
 * import { SpanList, spansToRecords } from "./_spans.ts";
 * const list = new SpanList({});
 * list.push({ trace_id: "t", span_id: "c", parent_span_id: null, name: "chat", start_us: 0,
 *   end_us: 1_000_000, status: "ok", line: 1,
 *   attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "m", "input.value": "p".repeat(500) } });
 * if (list.duplicated || "input.value" in list.spans[0]!.attributes) throw new Error();
 * const r = spansToRecords(list.spans, "f.json");
 * if (r.calls[0]!.prompt_chars !== 500 || !r.events[0]!.payload!.includes("(500 characters)")) throw new Error();
 * ```
 */
export class SpanList {
  readonly spans: Span[] = [];
  #seen: Set<string> | null;
  #keeps: (span: Span) => boolean;
  // a read for the texts of a few lines: the other spans' payloads are not made
  #textsOnly: boolean;
  #duplicated = false;

  /**
   * `options`: the parse's (a span is kept whole with `keepText`, on the
   * `textLines` when they are given); `lighten`: false to keep every span
   * whole (the read again after `duplicated`).
   */
  constructor(
    options: Pick<ParseOptions, "keepText" | "textLines" | "textIds" | "textParents">,
    lighten = true,
  ) {
    const lines = options.textLines, ids = options.textIds, parents = options.textParents;
    this.#seen = !lighten || (options.keepText && lines === undefined) ? null : new Set();
    this.#keeps = options.keepText && lines
      ? (span) =>
        (lines.has(span.line) && (ids === undefined || ids.has(span.span_id))) ||
        (parents?.has(span.span_id) ?? false)
      : () => false;
    this.#textsOnly = (options.keepText ?? false) && lines !== undefined;
  }

  /** A span was pushed twice while lightening (the spans cannot be merged exactly). */
  get duplicated(): boolean {
    return this.#duplicated;
  }

  push(span: Span): void {
    if (this.#seen === null) {
      this.spans.push(span);
      return;
    }
    const key = `${span.trace_id}\u0000${span.span_id}`;
    if (this.#seen.has(key)) this.#duplicated = true;
    else this.#seen.add(key);
    if (this.#keeps(span)) {
      this.spans.push(span);
      return;
    }
    const decoded = { ...span, attributes: mlflowDecoded(span.attributes) };
    const reading = spanReading(decoded);
    this.spans.push({
      ...decoded,
      attributes: {},
      events: undefined,
      reading,
      payload: this.#textsOnly
        ? undefined
        : spanPayload(reading.pending ? { ...decoded, end_us: null } : decoded),
    });
  }
}

/**
 * Calls, events and diagnostics of a file's spans. `diagnostics` of the
 * adapter (unreadable records) are passed in and returned with the warnings
 * of this step.
 *
 * @example
 * ```ts
 * import { spansToRecords } from "./_spans.ts";
 * const base = { trace_id: "t", start_us: 0, end_us: 2_000_000, status: "ok" as const, line: 1 };
 * const r = spansToRecords([
 *   { ...base, span_id: "a", parent_span_id: null, name: "agent",
 *     attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 5 } },
 *   { ...base, span_id: "c", parent_span_id: "a", name: "chat",
 *     attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 5 } },
 * ], "f.json");
 * if (r.calls.length !== 1 || r.calls[0]!.input_tokens !== 5 || r.events.length !== 2) throw new Error();
 * ```
 */
export function spansToRecords(
  spans: Span[],
  file: string,
  options: SpansOptions = {},
  diagnostics: Diagnostic[] = [],
): ImportedRecords {
  const prefix = options.eventPrefix ?? "otel";
  // one record per span
  const byKey = new Map<string, Span>();
  const owned = new WeakSet<object>();
  // records of a span already read: one warning for all (some writers print every span twice,
  // when it starts and when it ends), naming the first
  let repeats = 0;
  let firstRepeat = "";
  let firstRepeatLine = 0;
  for (const raw of spans) {
    // a lightened span's attributes are decoded already
    const span = raw.reading ? raw : { ...raw, attributes: mlflowDecoded(raw.attributes) };
    const key = `${span.trace_id}\u0000${span.span_id}`;
    const seen = byKey.get(key);
    if (seen) {
      if (repeats++ === 0) {
        firstRepeatLine = span.line;
        const which = `span ${JSON.stringify(span.span_id)} of trace ${
          JSON.stringify(span.trace_id)
        }`;
        firstRepeat = span.line === seen.line
          ? `${which} was read twice on line ${span.line}`
          : `${which} on line ${span.line} was already read on line ${seen.line}`;
      }
      byKey.set(key, mergeSpan(seen, span, owned));
    } else byKey.set(key, span);
  }
  if (repeats > 0) {
    diagnostics.push({
      file,
      line: firstRepeatLine,
      code: "duplicate_span",
      message: repeats === 1
        ? `${firstRepeat} (read as one span)`
        : `${repeats} records repeat a span already read (each read as one span with it); the first: ${firstRepeat}`,
      severity: "warning",
      count: repeats,
    });
  }
  const unique = [...byKey.values()];
  const readings = unique.map((s) => s.reading ?? spanReading(s));
  // call-like spans, then wrappers: call-like spans with a call-like span below them
  const callLike = new Map<string, CallFields>();
  unique.forEach((s, i) => {
    const read = readings[i]!.fields;
    if (read === null) return;
    const fields = { ...read };
    for (const [k, v] of Object.entries(s.call ?? {})) {
      if (v !== null && v !== undefined) (fields as unknown as Obj)[k] = v;
    }
    callLike.set(`${s.trace_id}\u0000${s.span_id}`, fields);
  });
  // an agent's span that counts tokens (OpenInference's AGENT kind, GenAI's invoke_agent) in a
  // trace with no model call (an instrumentation that records only the run's usage, as
  // OpenInference's of the Claude Agent SDK) is one call standing for its run, so that its
  // tokens are not dropped; an agent's run with another below it is a wrapper of it. A trace
  // with a model call of its own keeps its agents' spans as events, whether or not the calls
  // are below them (Microsoft Agent Framework's chat spans are its invoke_agent span's
  // siblings, the agent's usage their sum)
  const runs = new Set<string>();
  const tracesWithCalls = new Set(
    unique.filter((_, i) => readings[i]!.fields).map((s) => s.trace_id),
  );
  unique.forEach((s, i) => {
    const run = readings[i]!.run;
    if (!run || tracesWithCalls.has(s.trace_id)) return;
    const key = `${s.trace_id}\u0000${s.span_id}`;
    callLike.set(key, { ...run });
    runs.add(key);
  });
  const wrappers = new Set<string>();
  // each span's ancestors walked once: a span already walked through has had its own marked (a
  // chain of n spans is n steps, not n²/2; a loop of parents ends)
  const walked = new Set<string>();
  for (const s of unique) {
    if (!callLike.has(`${s.trace_id}\u0000${s.span_id}`)) continue;
    for (let p = s.parent_span_id; p !== null;) {
      const key = `${s.trace_id}\u0000${p}`;
      if (walked.has(key)) break;
      walked.add(key);
      if (callLike.has(key)) wrappers.add(key);
      p = byKey.get(key)?.parent_span_id ?? null;
    }
  }
  const runCalls = [...runs].filter((key) => !wrappers.has(key));
  if (runCalls.length > 0) {
    const first = byKey.get(runCalls[0]!)!;
    diagnostics.push({
      file,
      line: first.line,
      code: "agent_run_as_call",
      message: `${runCalls.length} agent span${
        runCalls.length > 1 ? "s count" : " counts"
      } tokens in a trace with no model call: each is read as one call standing for its run (its duration the run's), the first: span ${
        JSON.stringify(first.span_id)
      } (${JSON.stringify(first.name ?? "")})`,
      severity: "warning",
      count: runCalls.length,
    });
  }
  // the model nearest above a span (itself included) that a call-like span names: a call that
  // names none takes its nearest wrapper's (an endpoint span naming the model above a generation
  // span counting tokens). Only wrappers are above calls, and their models are never filled in,
  // so each span's answer is found once for all (a chain of n spans is n steps)
  const modelFrom = new Map<string, string | null>();
  const nearestModel = (trace: string, from: string | null): string | null => {
    const path = new Set<string>();
    let found: string | null = null;
    for (let p = from; p !== null;) {
      const key = `${trace}\u0000${p}`;
      const known = modelFrom.get(key);
      if (known !== undefined) {
        found = known;
        break;
      }
      if (path.has(key)) break; // a loop of parents: no model on it
      const model = callLike.get(key)?.model ?? null;
      if (model) {
        found = model;
        modelFrom.set(key, model);
        break;
      }
      path.add(key);
      p = byKey.get(key)?.parent_span_id ?? null;
    }
    for (const key of path) modelFrom.set(key, found);
    return found;
  };
  // the call below each wrapper, when it is its only call (null when it has several): a wrapper is
  // the same request seen by another instrumentation (Google ADK's call_llm above the
  // generate_content span of google-genai's, LangChain's run above the provider's), so its texts
  // are that call's when the call's own span records none; so are a model step's (isModelStep)
  const steps = new Map<string, CallFields>();
  unique.forEach((s, i) => {
    const step = readings[i]!.step;
    if (step) steps.set(`${s.trace_id}\u0000${s.span_id}`, step);
  });
  const soleCall = new Map<string, string | null>();
  for (const s of unique) {
    const key = `${s.trace_id}\u0000${s.span_id}`;
    if (s.parent_span_id === null || !callLike.has(key) || wrappers.has(key)) continue;
    const above = `${s.trace_id}\u0000${s.parent_span_id}`;
    if (wrappers.has(above) || steps.has(above)) {
      soleCall.set(above, soleCall.has(above) ? null : key);
    }
  }
  // every span of a trace is in the session the trace names (its first span that
  // names one, in file order), else in the trace's own session
  const traceSession = new Map<string, string>();
  unique.forEach((s, i) => {
    const named = readings[i]!.session;
    if (named !== null && !traceSession.has(s.trace_id)) traceSession.set(s.trace_id, named);
  });
  const calls: ImportedCall[] = [];
  const events: ImportedEvent[] = [];
  const sessions = new Map<string, ImportedSession>();
  // a read for some calls' texts: only their calls are made
  const only = options.keepText ? options.textLines : undefined;
  const onlyIds = only ? options.textIds : undefined;
  // calls whose cache reads their spans do not record: one warning for all, naming the first
  let unrecordedReads = 0;
  let firstUnrecorded: Span | null = null;
  // the kept Anthropic messages whose iterations are not read: one warning for all
  const uncountedIterations = { n: 0, tokens: 0, line: Infinity, types: new Set<string>() };
  unique.forEach((u, i) => {
    if (only && (!only.has(u.line) || (onlyIds && !onlyIds.has(u.span_id)))) return;
    const reading = readings[i]!;
    // tracebook's own OTLP export writes a call that never ended as a zero-length span
    // marked tracebook.status=pending: it is pending again when read back
    const s = reading.pending ? { ...u, end_us: null, ended: false } : u;
    const key = `${s.trace_id}\u0000${s.span_id}`;
    const session_id = traceSession.get(s.trace_id) ?? s.trace_id;
    const operation = reading.operation;
    const service = str(s.resource?.["service.name"]);
    if (!only) {
      events.push({
        file,
        line: s.line,
        type: `${prefix}.${s.event_type ?? operation ?? s.name ?? "span"}`,
        ts: s.start_us,
        end: s.end_us,
        session_id,
        request_id: s.span_id,
        payload: s.payload ?? spanPayload(s),
        metadata: service === null ? undefined : { service_name: service },
      });
    }
    if (s.end_us === null && !s.ended) {
      const known = sessions.get(session_id);
      if (!known) sessions.set(session_id, { session_id, complete: false });
    }
    const fields = callLike.get(key);
    if (!fields || wrappers.has(key)) return;
    // a call that names no model takes the one its nearest wrapper asked for
    if (fields.model === null) fields.model = nearestModel(s.trace_id, s.parent_span_id);
    const error = fields.error ?? reading.error;
    const pending = s.end_us === null && !s.ended;
    const call: ImportedCall = {
      session_id,
      request_id: s.span_id,
      model: fields.model ?? "unknown",
      served_model: fields.served_model,
      provider: fields.provider,
      started_at: s.start_us,
      ended_at: s.end_us,
      duration_s: pending ? null : s.duration_s ??
        (s.start_us !== null && s.end_us !== null ? (s.end_us - s.start_us) / 1e6 : null),
      status: error !== null ? "error" : pending ? "pending" : "ok",
      error,
      input_tokens: fields.input_tokens,
      output_tokens: fields.output_tokens,
      total_tokens: fields.total_tokens,
      cache_read_tokens: fields.cache_read_tokens,
      reasoning_tokens: fields.reasoning_tokens,
      ttft_s: fields.ttft_s,
      prompt_chars: fields.prompt_chars,
      output_chars: fields.output_chars,
      file,
      line: s.line,
      finish_reason: fields.finish_reason,
      cache_write_tokens: fields.cache_write_tokens,
      cache_write_1h_tokens: fields.cache_write_1h_tokens,
      web_search_requests: fields.web_search_requests,
      trace_id: s.trace_id,
      span_id: s.span_id,
      parent_span_id: s.parent_span_id,
    };
    const aboveKey = s.parent_span_id === null ? null : `${s.trace_id}\u0000${s.parent_span_id}`;
    const outer = aboveKey !== null && soleCall.get(aboveKey) === key
      ? callLike.get(aboveKey) ?? steps.get(aboveKey)
      : undefined;
    const sameRequest = outer !== undefined &&
      (outer.model === null || outer.model === fields.model);
    if (sameRequest) {
      call.prompt_chars ??= outer.prompt_chars;
      call.output_chars ??= outer.output_chars;
      call.served_model ??= outer.served_model;
      call.finish_reason ??= outer.finish_reason;
    }
    if (keepsTexts(options, call)) {
      // the texts, made for the calls that keep them only (a prompt's JSON is a copy)
      const texts = callFieldsOf(withContentEvents(s), true);
      call.messages = s.call?.messages ?? texts.messages;
      call.output = s.call?.output ?? texts.output;
      const wrapper = sameRequest ? byKey.get(aboveKey!) : undefined;
      if (wrapper && (call.messages === null || call.output === null)) {
        const theirs = callFieldsOf(withContentEvents(wrapper), true);
        call.messages ??= wrapper.call?.messages ?? theirs.messages;
        call.output ??= wrapper.call?.output ?? theirs.output;
      }
    }
    if (reading.cacheReadsUnrecorded && unrecordedReads++ === 0) firstUnrecorded = s;
    calls.push(call);
    // the sub-requests of the Anthropic message it keeps (compaction, an advisor's): calls of
    // their own below it, as Claude Code's (iterationCalls)
    if (!only && reading.iterations) {
      const subs = iterationCalls(call, reading.iterations, options.keepText);
      calls.push(...subs.calls);
      if (subs.uncounted.tokens > 0) {
        uncountedIterations.n++;
        uncountedIterations.tokens += subs.uncounted.tokens;
        uncountedIterations.line = Math.min(uncountedIterations.line, s.line);
        for (const t of subs.uncounted.types) uncountedIterations.types.add(t);
      }
    }
  });
  if (!only && uncountedIterations.n > 0) {
    const { line, n, tokens, types } = uncountedIterations;
    diagnostics.push(iterationsNotCounted(file, line, n, tokens, [...types]));
  }
  if (!only && firstUnrecorded !== null) {
    const first: Span = firstUnrecorded;
    diagnostics.push({
      file,
      line: first.line,
      code: "cache_reads_not_recorded",
      message: `${unrecordedReads} call${
        unrecordedReads > 1 ? "s" : ""
      } of the Vercel AI SDK 5's generateText or generateObject over Amazon Bedrock's Converse API used the prompt cache, but AI SDK 5 gives Bedrock's cache reads to the result alone, not to its spans: ${
        unrecordedReads > 1 ? "their" : "its"
      } input counts the cache writes and not the reads (unknown), and so does the cost; the first: span ${
        JSON.stringify(first.span_id)
      } (${JSON.stringify(first.name ?? "")})`,
      severity: "warning",
      count: unrecordedReads,
    });
  }
  if (!only && calls.length === 0 && unique.length > 0) {
    // spans and no model call among them: said, so that a file whose spans name their model and
    // tokens by keys no convention uses is not taken for a file with no calls
    diagnostics.push({
      file,
      line: unique[0]!.line,
      code: "no_model_call",
      message: `none of the ${unique.length} span${
        unique.length > 1 ? "s" : ""
      } is a model call by the attributes tracebook reads (OpenTelemetry GenAI, OpenInference, OpenLLMetry, MLflow, …): ${
        unique.length > 1 ? "they are events" : "it is an event"
      }`,
      severity: "warning",
    });
  }
  diagnostics.sort((x, y) => x.line - y.line);
  return { calls, events, diagnostics, sessions: [...sessions.values()] };
}
