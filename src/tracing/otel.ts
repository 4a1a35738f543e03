/**
 * Optional OpenTelemetry output: every traced call also becomes an OTLP span
 * with the GenAI semantic-convention attributes (`gen_ai.operation.name`,
 * `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`,
 * `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, `error.type`, …),
 * exported through the official OpenTelemetry JS SDK (OTLP/HTTP, JSON).
 *
 * Kept out of `tracing/mod.ts` so that tracing without OpenTelemetry does not
 * load the SDK: import it from `tracing/otel.ts`.
 *
 * @module
 */
import {
  type Attributes,
  type HrTime,
  SpanKind,
  SpanStatusCode,
} from "npm:@opentelemetry/api@1.10.0";
import {
  BatchSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from "npm:@opentelemetry/sdk-trace@3.1.0";
import { resourceFromAttributes } from "npm:@opentelemetry/resources@3.1.0";
import { OTLPTraceExporter } from "npm:@opentelemetry/exporter-trace-otlp-http@0.301.0";
import type { CallSink, FinishedCall } from "./tracer.ts";

/** Options of {@link otelSink}. */
export interface OtelSinkOptions {
  /** OTLP/HTTP traces endpoint. @default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else http://localhost:4318/v1/traces */
  url?: string;
  /** Extra HTTP headers of the export requests (e.g. an API key of the collector). */
  headers?: Record<string, string>;
  /** `service.name` of the resource. @default "tracebook" */
  serviceName?: string;
  /** Use this exporter instead of OTLP/HTTP (tests, other protocols). */
  exporter?: SpanExporter;
}

/** A {@link CallSink} that exports spans; `await tracer.close()` flushes it, `shutdown()` stops it. */
export interface OtelSink extends CallSink {
  /** Export the spans buffered so far. */
  forceFlush(): Promise<void>;
  /** Flush and stop. */
  shutdown(): Promise<void>;
}

/** Provider names of the GenAI semantic conventions, from genai-prices' provider ids. */
const PROVIDER_NAMES: Record<string, string> = {
  google: "gcp.gemini",
  mistral: "mistral_ai",
  "x-ai": "x_ai",
  azure: "azure.ai.openai",
  bedrock: "aws.bedrock",
};

function hrTime(micros: number): HrTime {
  const seconds = Math.floor(micros / 1e6);
  return [seconds, Math.round((micros - seconds * 1e6) * 1000)];
}

/** The GenAI semantic-convention attributes of one finished call. */
export function genAiAttributes(call: FinishedCall): Attributes {
  const a: Attributes = {
    "gen_ai.operation.name": call.operation ?? "chat",
    "gen_ai.request.model": call.requestModel,
    "gen_ai.conversation.id": call.sessionId,
    "tracebook.request_id": call.requestId,
  };
  if (call.provider) a["gen_ai.provider.name"] = PROVIDER_NAMES[call.provider] ?? call.provider;
  if (call.status === "ok") a["gen_ai.response.model"] = call.responseModel ?? call.requestModel;
  const p = call.params;
  const num = (key: string, attr: string) => {
    if (typeof p[key] === "number") a[attr] = p[key] as number;
  };
  num("temperature", "gen_ai.request.temperature");
  num("top_p", "gen_ai.request.top_p");
  num("max_tokens", "gen_ai.request.max_tokens");
  num("max_completion_tokens", "gen_ai.request.max_tokens");
  num("seed", "gen_ai.request.seed");
  const u = call.usage;
  if (u?.input_tokens != null) a["gen_ai.usage.input_tokens"] = u.input_tokens;
  if (u?.output_tokens != null) a["gen_ai.usage.output_tokens"] = u.output_tokens;
  if (u?.cache_read_tokens != null) a["gen_ai.usage.cache_read.input_tokens"] = u.cache_read_tokens;
  if (u?.cache_write_tokens != null) {
    a["gen_ai.usage.cache_creation.input_tokens"] = u.cache_write_tokens;
  }
  if (call.finishReason) a["gen_ai.response.finish_reasons"] = [call.finishReason];
  if (call.ttftSeconds !== undefined) a["gen_ai.response.time_to_first_chunk"] = call.ttftSeconds;
  if (call.stream) a["gen_ai.request.stream"] = true;
  if (call.status === "error") a["error.type"] = call.errorType ?? "_OTHER";
  return a;
}

/**
 * A sink for `new Tracer({ sinks: [otelSink()] })` that exports every call as
 * an OTLP span (kind CLIENT, named `{operation} {model}`, with the call's own
 * start and end times).
 *
 * @example
 * ```ts
 * import { InMemorySpanExporter } from "npm:@opentelemetry/sdk-trace@3.1.0";
 * import { MemoryTraceWriter, Tracer } from "./mod.ts";
 * import { otelSink } from "./otel.ts";
 * // in real use: otelSink({ url: "http://127.0.0.1:4318/v1/traces" })
 * const exporter = new InMemorySpanExporter();
 * const otel = otelSink({ exporter });
 * const tracer = new Tracer({ writer: new MemoryTraceWriter(), sinks: [otel], endOnExit: false });
 * await tracer.traceModelCall(async (model: string) => `hi from ${model}`)("gpt-4o-mini");
 * await tracer.close(); // flushes the sink: the span is exported
 * if (exporter.getFinishedSpans()[0]?.name !== "chat gpt-4o-mini") throw new Error("not exported");
 * await otel.shutdown();
 * ```
 */
export function otelSink(options: OtelSinkOptions = {}): OtelSink {
  const exporter = options.exporter ??
    new OTLPTraceExporter({ url: options.url, headers: options.headers });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? "tracebook" }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("tracebook");
  return {
    onCall(call) {
      const span = tracer.startSpan(`${call.operation ?? "chat"} ${call.requestModel}`, {
        kind: SpanKind.CLIENT,
        startTime: hrTime(call.startMicros),
        attributes: genAiAttributes(call),
      });
      if (call.status === "error") {
        span.setStatus({ code: SpanStatusCode.ERROR, message: call.error });
      }
      span.end(hrTime(call.endMicros));
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
