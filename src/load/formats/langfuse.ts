/**
 * Langfuse trace exports → spans → records (`_spans.ts` applies the call rules).
 *
 * Reads, one JSON value after the other (one per line, pretty-printed, or in
 * a top-level array):
 * - the "export trace" JSON of the Langfuse UI: `{trace, observations}`. The
 *   observation list is there twice (`trace.observations` without input and
 *   output, and the top-level `observations`): it is read once, the top-level one;
 * - a trace of `GET /api/public/traces/{id}` (the trace with `observations` inside);
 * - pages of `GET /api/public/observations` or `/traces` (`{data: [...], meta}`);
 * - observations one per line (the API's camelCase names or the blob-storage
 *   export's snake_case ones: `trace_id`, `start_time`, `usage_details`, …).
 *
 * The rules:
 * - a model call is a `GENERATION` observation; a GENERATION with a GENERATION
 *   below it (the Vercel AI SDK's `ai.generateText` above `ai.generateText.doGenerate`)
 *   is a wrapper: an event, so one request is never counted twice;
 * - every other observation (SPAN, TOOL, AGENT, EVENT, …) and every trace record is an
 *   event `langfuse.<type>`; `level: ERROR` is an error (`statusMessage` the text);
 *   an observation with no `endTime` is pending (an EVENT is a point in time);
 * - tokens: Langfuse's usage keys do not overlap (`total` = their sum: `output`
 *   does not hold `output_reasoning`), so `input_tokens` is the sum of the keys
 *   naming input (`input`, `input_cache_read`, `input_audio`, … as Langfuse's
 *   `inputUsage`) and `output_tokens` the sum of those naming output (`output`,
 *   `output_reasoning`, … as `outputUsage`): cache reads are inside
 *   `input_tokens` and reasoning inside `output_tokens`, as in OpenAI's usage.
 *   `reasoning_tokens` is `output_reasoning`, `cache_read_tokens` `input_cache_read`;
 *   when the usage has no reasoning key, the OpenTelemetry attributes Langfuse kept in
 *   `metadata.attributes` give it (Pydantic AI's Gemini `gen_ai.usage.details.thoughts_tokens`),
 *   as they give the finish reasons; with neither, a Gemini call whose `total` exceeds its
 *   keys' sum thought the rest (Langfuse's traces of Vertex AI name only input and output):
 *   reasoning, inside the output;
 * - the model rule: `model` is the model the request named (LangChain's
 *   `metadata.ls_model_name`, the AI SDK's `ai.model.id` / `gen_ai.request.model`),
 *   else Langfuse's `model`; `served_model` is the response's (`gen_ai.response.model`,
 *   `ai.response.model`), else Langfuse's `model` when it differs from the request's;
 * - prompt characters: the input's texts, with a Responses API request's `instructions` (the
 *   OpenAI Agents SDK's agent instructions) as a system prompt, from the input, else
 *   `modelParameters` or the response ({@link promptTextOf});
 * - session: the trace's `sessionId`, else the trace id; latency `endTime − startTime`;
 *   time to first token `completionStartTime − startTime`.
 *
 * @module
 */
import { countChars } from "../_event.ts";
import type { FormatAdapter, FormatSample, ParseOptions } from "./adapter.ts";
import { parseJsonValues } from "./_json_values.ts";
import type { ImportedRecords } from "./_records.ts";
import {
  type CallFields,
  callFieldsOf,
  type Span,
  spansToRecords,
  systemProvider,
  toolResultPartText,
} from "./_spans.ts";
import {
  count,
  first,
  isObj,
  jsonObject,
  keyList,
  num,
  type Obj,
  str,
  toMicros,
  unnamedThinking,
} from "./_util.ts";
import { problemList, timeWarner } from "./_span_values.ts";

/** Observation types of Langfuse (v2 and v3 SDKs). */
const TYPES = new Set([
  "GENERATION",
  "SPAN",
  "EVENT",
  "AGENT",
  "TOOL",
  "CHAIN",
  "RETRIEVER",
  "EVALUATOR",
  "EMBEDDING",
  "GUARDRAIL",
]);

/** The first of several spellings of a field (camelCase API, snake_case blob export). */
const pick = (o: Obj, ...keys: string[]): unknown => first(...keys.map((k) => o[k]));

/** An object, or a JSON text of one (Langfuse writes `metadata` as JSON text), else `{}`. */
const objectOf = (v: unknown): Obj => jsonObject(v) ?? {};

/** True for a Langfuse observation record. */
function isObservation(v: unknown): v is Obj {
  return isObj(v) && str(v.id) !== null && TYPES.has(String(v.type)) &&
    ("startTime" in v || "start_time" in v) && ("traceId" in v || "trace_id" in v);
}

/** True for a Langfuse trace record (API or export): an id, a timestamp and Langfuse's keys. */
function isTrace(v: unknown): v is Obj {
  return isObj(v) && str(v.id) !== null && "timestamp" in v && !("type" in v) &&
    (Array.isArray(v.observations) || "sessionId" in v || "htmlPath" in v || "projectId" in v ||
      "session_id" in v);
}

/** True for a session download (`session-<id>.json`) or `GET /api/public/sessions/{id}`: `{id, traces}`. */
function isSession(v: unknown): v is Obj {
  return isObj(v) && Array.isArray(v.traces) &&
    (v.traces.length === 0 ? str(v.id) !== null : isTrace(v.traces[0]));
}

/** True for a page of the public API: `{data: [observations or traces], meta}`. */
function isPage(v: unknown): v is Obj {
  return isObj(v) && Array.isArray(v.data) && isObj(v.meta) &&
    (isObservation(v.data[0]) || isTrace(v.data[0]));
}

function detect(s: FormatSample): boolean {
  if (s.keys.includes("trace") && s.keys.includes("observations")) return true;
  const v = s.values[0];
  if (v !== undefined) {
    return isObservation(v) || isPage(v) || (isTrace(v) && Array.isArray(v.observations)) ||
      (isSession(v) && (v.traces as unknown[]).length > 0);
  }
  // a first value longer than the sample: its keys (and Langfuse's own key names)
  const k = new Set(s.keys);
  return k.has("id") && k.has("traceId") && k.has("startTime") && k.has("type") &&
    (k.has("parentObservationId") || k.has("completionStartTime"));
}

/**
 * The text of a prompt or output: strings, message `content`, text parts
 * (Gemini's `system_instruction` and `contents[].parts[].text` too, and its response's
 * `candidates[].content.parts[].text`, seven levels down in a response written as JSON
 * text), a tool's result given back as a message part ({@link toolResultPartText}); null when none. A string holding
 * JSON is read as that JSON; inside a message, it counts as it is written when
 * it holds no text (a tool's result `{"name": …}` is its text).
 */
function textOf(v: unknown, depth = 0): string | null {
  if (depth > 10 || v === null || v === undefined) return null;
  if (typeof v === "string") {
    const t = v.trimStart();
    if (t.startsWith("[") || t.startsWith("{")) {
      try {
        // a whole request or response with no text (a function call) has none; JSON inside a
        // message (a tool's result) is its text
        return textOf(JSON.parse(v), depth + 1) ?? (depth > 0 ? v : "");
      } catch {
        return v;
      }
    }
    return v;
  }
  // a tool's result given back to the model as a message part (the Vercel AI SDK's tool-result,
  // GenAI's tool_call_response, Gemini's function_response), counted as the span formats count it
  const result = isObj(v) ? toolResultPartText(v) : null;
  if (result !== null) return result;
  const parts = Array.isArray(v) ? v.map((x) => textOf(x, depth + 1)) : isObj(v)
    // message content, text parts, OpenAI choices and Responses-API output items, Gemini's
    // contents and parts
    ? [
      v.content,
      v.text,
      v.prompt,
      v.messages,
      v.completion,
      v.message,
      v.choices,
      v.candidates, // Gemini's response (google-genai): candidates[].content.parts[].text
      v.output,
      v.config, // Gemini's request: its `system_instruction` and `contents`
      v.system_instruction,
      v.systemInstruction,
      v.contents,
      v.parts,
      v.args, // LlamaIndex's call arguments
    ].map((x) => textOf(x, depth + 1))
    : [];
  const found = parts.filter((p): p is string => p !== null);
  return found.length ? found.join("") : null;
}

/**
 * The text of a generation's prompt: its input's ({@link textOf}), with the instructions of a
 * Responses API request (the OpenAI Agents SDK's agent instructions), counted as a system prompt.
 * Langfuse's OpenAI wrapper logs them in the input (`{instructions, input}`); OpenInference's
 * openai-agents instrumentation gives Langfuse the request's items alone as the input, the
 * instructions being in `llm.invocation_parameters` (Langfuse's `modelParameters`) and in the
 * response (`output`, `object: "response"`). Instructions the input's text holds already (a
 * system message written from them) are not counted again.
 */
function promptTextOf(input: unknown, params: Obj, output: Obj): string | null {
  const request = objectOf(input);
  // a request written as JSON text whose known fields hold no text is "" (the Responses API's
  // `input` is none of them)
  const own = textOf(input);
  const body = own === null || own === "" ? textOf(request.input) ?? own : own;
  const instructions = first(
    str(request.instructions),
    str(params.instructions),
    output.object === "response" ? str(output.instructions) : null,
  );
  if (instructions === null || instructions === "" || body?.includes(instructions)) return body;
  return instructions + (body ?? "");
}

/** Sum of the usage keys that match, or null when none does. */
function sumOf(d: Obj, match: (key: string) => boolean): number | null {
  let total: number | null = null;
  for (const [k, v] of Object.entries(d)) {
    const n = count(v);
    if (n !== null && match(k)) total = (total ?? 0) + n;
  }
  return total;
}

type Usage = Pick<
  CallFields,
  | "input_tokens"
  | "output_tokens"
  | "total_tokens"
  | "cache_read_tokens"
  | "cache_write_tokens"
  | "cache_write_1h_tokens"
  | "reasoning_tokens"
>;

/**
 * Tokens of an observation: `usageDetails` (keys that do not overlap), else the older
 * `usage: {input, output, total}`, `promptTokens`/`completionTokens`/`totalTokens`,
 * `inputUsage`/`outputUsage`/`totalUsage`.
 */
function usageOf(o: Obj): Usage {
  const details = objectOf(pick(o, "usageDetails", "usage_details"));
  const keys = Object.keys(details).filter((k) => count(details[k]) !== null);
  if (keys.length > 0) {
    const lower = (k: string) => k.toLowerCase();
    // LangChain's TTL split of the cache writes (`input_ephemeral_1h_input_tokens`, as Langfuse's
    // callback handler names its input_token_details) is part of `input_cache_creation`
    const part = (k: string) => lower(k).includes("ephemeral");
    const input = sumOf(
      details,
      (k) => lower(k) !== "total" && lower(k).includes("input") && !part(k),
    );
    const output = sumOf(details, (k) => lower(k) !== "total" && lower(k).includes("output"));
    return {
      input_tokens: input,
      output_tokens: output,
      total_tokens: count(details.total) ??
        sumOf(details, (k) => lower(k) !== "total" && !part(k)),
      cache_read_tokens: sumOf(details, (k) => /cache_read|cached/.test(lower(k))),
      cache_write_tokens: sumOf(details, (k) => /cache_creation|cache_write/.test(lower(k))),
      // of them, Anthropic's 1-hour writes: Langfuse's `input_cache_creation_1h` (its price
      // key), or LangChain's `ephemeral_1h_input_tokens` as Langfuse's handler names it
      cache_write_1h_tokens: sumOf(details, (k) => /(cache_creation|ephemeral)_1h/.test(lower(k))),
      reasoning_tokens: sumOf(details, (k) => lower(k).includes("reasoning")),
    };
  }
  const usage = objectOf(o.usage);
  const input = first(
    count(usage.input),
    count(usage.promptTokens),
    count(pick(o, "promptTokens", "prompt_tokens")),
    count(pick(o, "inputUsage", "input_usage")),
  );
  const output = first(
    count(usage.output),
    count(usage.completionTokens),
    count(pick(o, "completionTokens", "completion_tokens")),
    count(pick(o, "outputUsage", "output_usage")),
  );
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: first(
      count(usage.total),
      count(usage.totalTokens),
      count(pick(o, "totalTokens", "total_tokens")),
      count(pick(o, "totalUsage", "total_usage")),
    ) ?? (input !== null && output !== null ? input + output : null),
    cache_read_tokens: null,
    cache_write_tokens: null,
    cache_write_1h_tokens: null,
    reasoning_tokens: null,
  };
}

/**
 * A Gemini call's thinking that its usage leaves unnamed: Langfuse's usage keys add up to
 * `total`, but its traces of Google's Vertex AI SDK record only the prompt and the answer's
 * counts (`input`, `output`), so a thinking model's `total` exceeds them by its thoughts
 * (billed as output): the rest is reasoning, inside the output as OpenAI counts it (Langfuse's
 * own Vertex AI trace: 5 in, 845 out, 2,023 in all, so 1,173 of thinking). Only for a model named
 * Gemini, whose usage names no reasoning.
 */
function withUnnamedThinking(u: Usage, model: string | null): Usage {
  if (model === null || !/gemini/i.test(model)) return u;
  const rest = unnamedThinking(u.total_tokens, u.input_tokens, u.output_tokens);
  return rest > 0 ? { ...u, output_tokens: u.output_tokens! + rest, reasoning_tokens: rest } : u;
}

/** What Langfuse knows of a trace that its observations need. */
interface TraceInfo {
  session: string | null;
}

/**
 * Parse the text of a Langfuse export into calls, events and diagnostics.
 *
 * @example
 * ```ts
 * import { parseLangfuseText } from "./langfuse.ts";
 * const gen = (id: string, parent: string | null, input: number) => ({
 *   id, traceId: "t1", parentObservationId: parent, type: "GENERATION", model: "gpt-4o",
 *   startTime: "2025-01-01T00:00:00.000Z", endTime: "2025-01-01T00:00:01.500Z",
 *   level: "DEFAULT", usageDetails: { input, output: 5, output_reasoning: 2 },
 * });
 * const text = [gen("outer", null, 10), gen("inner", "outer", 12)].map((o) => JSON.stringify(o)).join("\n");
 * const r = parseLangfuseText(text, "obs.jsonl");
 * // the outer GENERATION wraps the inner one: one call; output 5 + reasoning 2
 * if (r.calls.length !== 1 || r.calls[0]!.input_tokens !== 12 || r.calls[0]!.output_tokens !== 7) throw new Error();
 * if (r.calls[0]!.duration_s !== 1.5 || r.events.length !== 2) throw new Error();
 * ```
 */
export function parseLangfuseText(
  text: string,
  file: string,
  options: Pick<ParseOptions, "keepText" | "textsOf"> = {},
): ImportedRecords {
  const { values, diagnostics } = parseJsonValues(text, file);
  const traces = new Map<string, TraceInfo>();
  const traceRecords: { trace: Obj; line: number }[] = [];
  const observations: { o: Obj; line: number; trace: string | null }[] = [];
  const problem = problemList(file, diagnostics);

  const addTrace = (t: Obj, line: number) => {
    const id = str(t.id)!;
    traces.set(id, { session: str(pick(t, "sessionId", "session_id")) });
    traceRecords.push({ trace: t, line });
  };
  const addObservations = (list: unknown[], line: number, trace: string | null, path: string) => {
    for (const [i, o] of list.entries()) {
      if (typeof o === "string") continue; // the trace list API names its observations by id
      if (isObservation(o)) observations.push({ o, line, trace });
      else {
        problem(
          line,
          "langfuse_bad_observation",
          `${path}[${i}] is not a Langfuse observation (it needs "id", "type", "traceId" and "startTime")`,
        );
      }
    }
  };
  const read = (v: unknown, line: number, path: string) => {
    if (Array.isArray(v) && path === "") {
      v.forEach((x, i) => read(x, line, `[${i}]`));
    } else if (isObj(v) && ("trace" in v || "observations" in v) && !("id" in v)) {
      // the export: {trace, observations}; the list is read once (the top-level one, with input and output)
      const trace = isObj(v.trace) && str(v.trace.id) !== null ? v.trace : null;
      if (trace) addTrace(trace, line);
      const top = Array.isArray(v.observations) ? v.observations : [];
      const inner = trace && Array.isArray(trace.observations) ? trace.observations : [];
      const at = top.length > 0 || inner.length === 0 ? "observations" : "trace.observations";
      addObservations(
        top.length > 0 || inner.length === 0 ? top : inner,
        line,
        str(trace?.id),
        `${path}${at}`,
      );
    } else if (isPage(v)) {
      (v.data as unknown[]).forEach((x, i) => read(x, line, `${path}data[${i}]`));
    } else if (isSession(v)) {
      (v.traces as unknown[]).forEach((x, i) => read(x, line, `${path}traces[${i}]`));
    } else if (isObservation(v)) {
      observations.push({ o: v, line, trace: null });
    } else if (isTrace(v)) {
      addTrace(v, line);
      if (Array.isArray(v.observations)) {
        addObservations(v.observations, line, str(v.id), `${path}observations`);
      }
    } else {
      const keys = keyList(v);
      problem(
        line,
        "langfuse_unknown_record",
        `${path || "record"} is neither a Langfuse trace nor an observation${
          keys ? ` (keys ${keys})` : ""
        }`,
      );
    }
  };
  for (const { value, line } of values) read(value, line, "");

  // in a pretty-printed document, each observation's own line: where its `"id"` is written
  // (the last time: the export's top-level list comes after `trace.observations`)
  const perLine = new Map<number, number>();
  for (const { line } of observations) perLine.set(line, (perLine.get(line) ?? 0) + 1);
  const idLines = new Map<string, number>();
  if ([...perLine.values()].some((n) => n > 1)) {
    // the next newline kept, not looked for again from each id (a document on one line: 100,000
    // ids took 10 s, each search running to the end of the text)
    let lineNo = 1, newline = text.indexOf("\n");
    for (const m of text.matchAll(/"id"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) {
      while (newline !== -1 && newline < m.index) {
        lineNo++;
        newline = text.indexOf("\n", newline + 1);
      }
      idLines.set(m[1]!, lineNo);
    }
  }
  const lineOf = (id: string, line: number) =>
    (perLine.get(line) ?? 0) > 1 && (idLines.get(id) ?? 0) >= line ? idLines.get(id)! : line;

  const time = timeWarner(problem, "langfuse_bad_time");
  const spans: Span[] = [];
  for (const { o, line: valueLine, trace } of observations) {
    const id = str(o.id)!;
    const line = lineOf(id, valueLine);
    const traceId = str(pick(o, "traceId", "trace_id")) ?? trace ?? file;
    const type = String(o.type);
    const start = time(pick(o, "startTime", "start_time"), line, `observation ${id} startTime`);
    let end = time(pick(o, "endTime", "end_time"), line, `observation ${id} endTime`);
    if (end === null && type === "EVENT") end = start; // an event is a point in time
    const level = str(o.level);
    const meta = objectOf(o.metadata);
    const attrs = objectOf(meta.attributes);
    const span: Span = {
      trace_id: traceId,
      span_id: id,
      parent_span_id: str(pick(o, "parentObservationId", "parent_observation_id")),
      name: str(o.name),
      kind: type,
      start_us: start,
      end_us: end,
      status: level === "ERROR" ? "error" : "unset",
      status_message: str(pick(o, "statusMessage", "status_message")),
      attributes: {
        "langfuse.observation.type": type,
        "langfuse.observation.level": level,
        "langfuse.observation.model": str(
          pick(o, "model", "providedModelName", "provided_model_name"),
        ),
      },
      line,
      session_id: first(traces.get(traceId)?.session, str(pick(o, "sessionId", "session_id"))),
      event_type: type.toLowerCase(),
      call: null,
    };
    if (type === "GENERATION") {
      const recorded = str(pick(o, "model", "providedModelName", "provided_model_name"));
      const input = objectOf(o.input), output = objectOf(o.output);
      // OpenAI's first choice, else Gemini's first candidate (google-genai's response)
      const choice = Array.isArray(output.choices)
        ? objectOf(output.choices[0])
        : Array.isArray(output.candidates)
        ? objectOf(output.candidates[0])
        : {};
      const requested = first(
        str(meta.ls_model_name),
        str(attrs["gen_ai.request.model"]),
        str(attrs["ai.model.id"]),
        str(input.model), // the request's arguments, when the SDK logs them whole
      );
      const responded = first(str(attrs["gen_ai.response.model"]), str(attrs["ai.response.model"]));
      const model = requested ?? recorded;
      const completionStart = time(
        pick(o, "completionStartTime", "completion_start_time"),
        line,
        `observation ${id} completionStartTime`,
      );
      const ttftSeconds = num(pick(o, "timeToFirstToken", "time_to_first_token"));
      const params = objectOf(pick(o, "modelParameters", "model_parameters"));
      const promptText = promptTextOf(o.input, params, output);
      const outputText = textOf(o.output);
      // the OpenTelemetry attributes Langfuse kept: what its usage leaves out (Pydantic AI's
      // Gemini thinking, `gen_ai.usage.details.thoughts_tokens`; the finish reasons)
      const fromAttrs = callFieldsOf(attrs, false);
      let usage = usageOf(o);
      if (usage.reasoning_tokens === null && fromAttrs.reasoning_tokens === null) {
        usage = withUnnamedThinking(usage, recorded ?? model);
      }
      span.call = {
        model,
        served_model: responded ?? (recorded !== null && recorded !== model ? recorded : null),
        // the AI SDK names the provider with its API (`openai.responses`); Google ADK's
        // gen_ai.system is the agent's (`gcp.vertex.agent`: no provider), its llm.provider the
        // model's
        provider: first(
          str(meta.ls_provider),
          str(attrs["llm.provider"]),
          systemProvider(str(attrs["gen_ai.system"])),
          str(attrs["ai.model.provider"]),
          // the AI SDK's provider as Langfuse's JS SDK keeps it without the attributes
          // (`modelParameters.system: "groq.chat"`, beside its finishReason)
          str(params.system),
        )?.split(".")[0] ?? null,
        ...usage,
        reasoning_tokens: usage.reasoning_tokens ?? fromAttrs.reasoning_tokens,
        ttft_s: completionStart !== null && start !== null
          ? (completionStart - start) / 1e6
          : ttftSeconds,
        finish_reason: first(
          str(attrs["ai.response.finishReason"]),
          str(params.finishReason),
          str(meta.finish_reason),
          str(output.stop_reason),
          str(output.finish_reason),
          str(choice.finish_reason),
          fromAttrs.finish_reason,
        ),
        messages: o.input === undefined || o.input === null
          ? null
          : typeof o.input === "string"
          ? o.input
          : JSON.stringify(o.input),
        prompt_chars: promptText === null ? null : countChars(promptText),
        output: outputText,
        output_chars: outputText === null ? null : countChars(outputText),
        error: level === "ERROR"
          ? str(pick(o, "statusMessage", "status_message")) ?? "level ERROR"
          : null,
      };
    }
    spans.push(span);
  }
  const records = spansToRecords(spans, file, {
    eventPrefix: "langfuse",
    keepText: options.keepText,
    textsOf: options.textsOf,
  }, diagnostics);
  // every trace record is an event too (its session, its start)
  for (const { trace, line } of traceRecords) {
    const id = str(trace.id)!;
    records.events.push({
      file,
      line,
      type: "langfuse.trace",
      ts: toMicros(trace.timestamp).us,
      end: null,
      session_id: traces.get(id)?.session ?? id,
      request_id: id,
      payload: JSON.stringify({
        name: trace.name ?? null,
        user_id: pick(trace, "userId", "user_id") ?? null,
        tags: trace.tags ?? null,
      }),
    });
  }
  return records;
}

/** Langfuse trace exports. */
export const langfuse: FormatAdapter = {
  name: "langfuse",
  title: "Langfuse trace exports",
  reads:
    "GENERATION observations are calls (a GENERATION wrapping another is an event, never counted twice); other observations and traces are events; level ERROR is an error; no endTime is pending; the trace's sessionId (else the trace) is the session",
  example:
    '{"trace": {"id", "sessionId", ...}, "observations": [{"id", "traceId", "type": "GENERATION", "model", "startTime", "endTime", "usageDetails": {"input", "output"}, "level"}]}',
  detect,
  parse: (source, file, options) => parseLangfuseText(source.text(), file, options),
};
