/**
 * What a model call's arguments and response say: the model, params and
 * messages from its arguments, and the output, model, usage and finish reason
 * from its response (OpenAI-shaped, Anthropic-shaped, Gemini-shaped or a plain
 * string), including streamed chunks. The tracer reads the calls it wraps with
 * it; the loader reads the responses batch files hold with it (`gemini_batch`),
 * so that a response is read one way wherever it is met.
 *
 * @module
 */
import { normalizeUsage, type Usage, USAGE_FIELDS } from "./usage.ts";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

const MODEL_NAMES = new Set(["model", "modelname", "model_name", "modelid", "model_id"]);
const PROMPT_NAMES = new Set(["prompt", "input", "text", "query", "question"]);

/**
 * The parameter names of a function, read from its source (`undefined` when
 * the source cannot be read, as for native or bound functions). Handles plain,
 * async, arrow and method syntax; destructured parameters get no name.
 */
export function parameterNames(
  fn: (...args: never[]) => unknown,
): (string | undefined)[] | undefined {
  let src: string;
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return undefined;
  }
  if (src.includes("[native code]")) return undefined;
  src = src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  let list: string;
  const open = src.indexOf("(");
  const arrow = src.indexOf("=>");
  if (arrow >= 0 && (open < 0 || arrow < open)) {
    // `x => …` or `async x => …`
    list = src.slice(0, arrow).replace(/^\s*async\s+/, "");
  } else {
    if (open < 0) return undefined;
    let depth = 0;
    let end = open;
    for (; end < src.length; end++) {
      const c = src[end];
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") {
        depth--;
        if (depth === 0) break;
      }
    }
    list = src.slice(open + 1, end);
  }
  const names: (string | undefined)[] = [];
  let depth = 0;
  let current = "";
  for (const c of list + ",") {
    if (c === "(" || c === "[" || c === "{") depth++;
    if (c === ")" || c === "]" || c === "}") depth--;
    if (c === "," && depth === 0) {
      const m = /^\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)/.exec(current);
      if (current.trim() !== "") names.push(m ? m[1] : undefined);
      current = "";
    } else current += c;
  }
  return names;
}

/** What the arguments of a call say about the request. */
export interface RequestInfo {
  model: string;
  params: Obj;
  messages: unknown[];
  stream: boolean;
}

/**
 * Read model, params and messages from a call's arguments. Named: an object
 * argument with `model` / `messages` (as the OpenAI and Anthropic SDKs take), or
 * `input` items (the Responses API's);
 * positional: the argument whose parameter is named `model` (or `modelName`,
 * `model_name`), and `prompt`/`input` as a user message.
 */
export function requestInfo(
  args: readonly unknown[],
  names: (string | undefined)[] | undefined,
): RequestInfo {
  let model: string | undefined;
  let messages: unknown[] | undefined;
  const params: Obj = {};
  let prompt: string | undefined;
  let stream = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = names?.[i];
    const lname = name?.toLowerCase();
    if (lname && MODEL_NAMES.has(lname) && typeof arg === "string") {
      model ??= arg;
      continue;
    }
    if (lname === "messages" && Array.isArray(arg)) {
      messages ??= arg;
      continue;
    }
    if (lname && PROMPT_NAMES.has(lname) && typeof arg === "string") {
      prompt ??= arg;
      continue;
    }
    if (isObj(arg)) {
      const m = str(arg.model) ?? str(arg.model_name) ?? str(arg.modelName);
      if (m !== undefined) model ??= m;
      // the Responses API's `input` items ({ role, content } messages, tool outputs) are its messages
      const items = Array.isArray(arg.messages) ? undefined : itemList(arg.input);
      if (Array.isArray(arg.messages)) messages ??= arg.messages;
      else if (items) messages ??= items;
      else if (typeof arg.prompt === "string") prompt ??= arg.prompt;
      else if (typeof arg.input === "string") prompt ??= arg.input;
      if (arg.stream === true) stream = true;
      for (const [k, v] of Object.entries(arg)) {
        if (k !== "messages" && !(items && k === "input") && !(k in params)) params[k] = v;
      }
      continue;
    }
    if (name && arg !== undefined && typeof arg !== "function") params[name] = arg;
  }
  if (!messages && prompt !== undefined) messages = [{ role: "user", content: prompt }];
  return { model: model ?? "unknown", params, messages: messages ?? [], stream };
}

/** `v` when it is a non-empty array of objects (not an embedding's strings or token ids). */
function itemList(v: unknown): unknown[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every(isObj) ? v : undefined;
}

/** What a response says about the call. */
export interface ResponseInfo {
  model?: string;
  output: string | null;
  usage?: Usage;
  finishReason?: string | null;
}

function textOfContent(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts = content.map((p) =>
      typeof p === "string" ? p : isObj(p) && typeof p.text === "string" ? p.text : ""
    );
    return parts.join("");
  }
  return undefined;
}

/**
 * A Gemini request's input tokens: its prompt (`promptTokenCount`, the cache included) and the
 * prompt of its tools (`toolUsePromptTokenCount`: what a built-in tool such as Google Search
 * gave the model to read), which Gemini counts apart, in its total, and bills as input (as
 * genai-prices reads it). Null when neither is given.
 *
 * @example
 * ```ts
 * import { geminiInputTokens } from "./provider_calls.ts";
 * if (geminiInputTokens(20, 300) !== 320 || geminiInputTokens(20, null) !== 20) throw new Error();
 * if (geminiInputTokens(null, null) !== null) throw new Error("none");
 * ```
 */
export function geminiInputTokens(prompt: number | null, toolUse: number | null): number | null {
  return prompt === null && toolUse === null ? null : (prompt ?? 0) + (toolUse ?? 0);
}

/** Usage in our names with the unknown fields left out (`undefined` when none is known). */
export function compactUsage(raw: unknown): Usage | undefined {
  if (!isObj(raw)) return undefined;
  const gemini = typeof raw.promptTokenCount === "number" ||
    typeof raw.candidatesTokenCount === "number";
  // Gemini counts its thinking apart from its answer (`candidatesTokenCount`): the output is both,
  // thinking being billed as output and our output counting the reasoning inside it (OpenAI's way)
  // (a reply that spent its whole budget thinking may have no candidatesTokenCount)
  const answer = typeof raw.candidatesTokenCount === "number" ? raw.candidatesTokenCount : null;
  const thoughts = typeof raw.thoughtsTokenCount === "number" ? raw.thoughtsTokenCount : null;
  const u = normalizeUsage(
    gemini
      ? {
        input_tokens: typeof raw.promptTokenCount === "number"
          ? geminiInputTokens(
            raw.promptTokenCount,
            typeof raw.toolUsePromptTokenCount === "number" ? raw.toolUsePromptTokenCount : null,
          )
          : raw.promptTokenCount,
        output_tokens: answer === null && thoughts === null
          ? undefined
          : (answer ?? 0) + (thoughts ?? 0),
        total_tokens: raw.totalTokenCount,
        cache_read_tokens: raw.cachedContentTokenCount,
        reasoning_tokens: raw.thoughtsTokenCount,
      }
      : raw,
  );
  const out: Partial<Record<keyof Usage, number>> = {};
  let any = false;
  for (const k of USAGE_FIELDS) {
    const v = u[k];
    if (v != null && Number.isInteger(v) && v >= 0) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out as Usage : undefined;
}

/**
 * Read output text, model, usage and finish reason from a response.
 * OpenAI chat (`choices[0].message.content`), completions (`choices[0].text`),
 * Responses API (`output_text`), Anthropic (`content[].text`, `stop_reason`),
 * Gemini (`candidates[0].content.parts[].text`, `usageMetadata`), or a string.
 */
export function responseInfo(response: unknown): ResponseInfo {
  if (typeof response === "string") return { output: response };
  if (!isObj(response)) {
    return { output: response === undefined || response === null ? null : String(response) };
  }
  const model = str(response.model) ?? str(response.modelVersion);
  const usage = compactUsage(response.usage ?? response.usageMetadata);
  const choice = Array.isArray(response.choices) && isObj(response.choices[0])
    ? response.choices[0]
    : undefined;
  if (choice) {
    const message = isObj(choice.message) ? choice.message : undefined;
    const output = textOfContent(message?.content) ?? str(choice.text) ?? null;
    return { model, output, usage, finishReason: str(choice.finish_reason) ?? null };
  }
  if (Array.isArray(response.content)) {
    return {
      model,
      output: textOfContent(response.content) ?? null,
      usage,
      finishReason: str(response.stop_reason) ?? null,
    };
  }
  if (typeof response.output_text === "string") {
    return {
      model,
      output: response.output_text,
      usage,
      finishReason: str(response.status) ?? null,
    };
  }
  const candidate = Array.isArray(response.candidates) && isObj(response.candidates[0])
    ? response.candidates[0]
    : undefined;
  if (candidate) {
    const content = isObj(candidate.content) ? candidate.content : undefined;
    return {
      model,
      output: textOfContent(content?.parts) ?? null,
      usage,
      finishReason: str(candidate.finishReason) ?? null,
    };
  }
  const text = str(response.output) ?? str(response.text) ?? str(response.content) ??
    str(response.completion);
  if (text !== undefined) {
    return { model, output: text, usage, finishReason: str(response.finish_reason) ?? null };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(response);
  } catch {
    json = undefined;
  }
  return { model, output: json ?? String(response), usage };
}

/** Accumulates the chunks of a streamed response. */
export class StreamAccumulator {
  text = "";
  model?: string;
  usage?: Usage;
  finishReason?: string | null;
  #rawUsage: Obj = {};

  /** Add one chunk (OpenAI chat chunk, Responses API event, Anthropic stream event, Gemini chunk or a string). */
  add(chunk: unknown): void {
    if (typeof chunk === "string") {
      this.text += chunk;
      return;
    }
    if (!isObj(chunk)) return;
    const model = str(chunk.model) ?? (isObj(chunk.message) ? str(chunk.message.model) : undefined);
    if (model) this.model = model;
    if (Array.isArray(chunk.choices)) {
      for (const c of chunk.choices) {
        // the first choice, as a response's output is (`n` > 1 streams the others between)
        if (!isObj(c) || (typeof c.index === "number" && c.index !== 0)) continue;
        const delta = isObj(c.delta) ? c.delta : undefined;
        const piece = textOfContent(delta?.content) ?? str(c.text);
        if (piece) this.text += piece;
        if (typeof c.finish_reason === "string") this.finishReason = c.finish_reason;
      }
    }
    // Anthropic stream events
    if (
      chunk.type === "content_block_delta" && isObj(chunk.delta) &&
      typeof chunk.delta.text === "string"
    ) {
      this.text += chunk.delta.text;
    }
    if (chunk.type === "message_start" && isObj(chunk.message) && isObj(chunk.message.usage)) {
      Object.assign(this.#rawUsage, chunk.message.usage);
    }
    if (
      chunk.type === "message_delta" && isObj(chunk.delta) &&
      typeof chunk.delta.stop_reason === "string"
    ) {
      this.finishReason = chunk.delta.stop_reason;
    }
    // OpenAI Responses API stream events: text deltas, then the response with its usage
    if (chunk.type === "response.output_text.delta" && typeof chunk.delta === "string") {
      this.text += chunk.delta;
    }
    if (
      typeof chunk.type === "string" && chunk.type.startsWith("response.") &&
      isObj(chunk.response)
    ) {
      const r = chunk.response;
      if (typeof r.model === "string") this.model = r.model;
      if (typeof r.status === "string" && r.status !== "in_progress" && r.status !== "queued") {
        this.finishReason = r.status;
      }
      if (isObj(r.usage)) Object.assign(this.#rawUsage, r.usage);
    }
    // Gemini chunks
    if (Array.isArray(chunk.candidates) && isObj(chunk.candidates[0])) {
      const cand = chunk.candidates[0];
      const piece = isObj(cand.content) ? textOfContent(cand.content.parts) : undefined;
      if (piece) this.text += piece;
      if (typeof cand.finishReason === "string") this.finishReason = cand.finishReason;
    }
    if (typeof chunk.text === "string" && !chunk.choices && chunk.type === undefined) {
      this.text += chunk.text;
    }
    const usage = chunk.usage ?? chunk.usageMetadata;
    if (isObj(usage)) {
      Object.assign(this.#rawUsage, usage);
      this.usage = compactUsage(this.#rawUsage);
    } else if (Object.keys(this.#rawUsage).length) this.usage = compactUsage(this.#rawUsage);
  }
}

/** Whether `value` is a stream of chunks (an async iterable that is not a string). */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

/** The provider, inferred from a model name (genai-prices' provider ids), or `undefined`. */
export function providerOfModel(model: string): string | undefined {
  const m = model.toLowerCase();
  if (/^(gpt-|o[1-9](-|$)|chatgpt|text-embedding|davinci|babbage|dall-e|whisper|tts-)/.test(m)) {
    return "openai";
  }
  if (m.startsWith("claude")) return "anthropic";
  if (m.startsWith("gemini") || m.startsWith("gemma")) return "google";
  if (/^(mistral|mixtral|codestral|ministral|pixtral|magistral)/.test(m)) return "mistral";
  if (m.startsWith("deepseek")) return "deepseek";
  if (m.startsWith("grok")) return "x-ai";
  if (m.startsWith("command")) return "cohere";
  return undefined;
}
