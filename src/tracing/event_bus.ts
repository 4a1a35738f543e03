/**
 * The seed's Symphony integration: a tracer subscribes to `llm.request`,
 * `llm.response` and `llm.error` on an event bus and logs them. The bus is
 * any object with `subscribe` (and optionally `unsubscribe`); Node's
 * `EventEmitter` fits through {@link fromEventEmitter}.
 *
 * Payloads (all fields optional but `request_id` pairs them):
 * - `llm.request`: `{ request_id, model, params, messages, provider, operation }`
 * - `llm.response`: `{ request_id, response }` (a raw SDK response), or
 *   `{ request_id, output, model, usage, finish_reason }`
 * - `llm.error`: `{ request_id, error }`
 *
 * @module
 */
import type { CallHandle, Tracer } from "./tracer.ts";
import { compactUsage } from "./_extract.ts";

/** A handler of one event. */
export type EventHandler = (payload: unknown) => void;

/** The small event-bus interface the plugin needs. */
export interface EventBus {
  /** Subscribe; may return a function that unsubscribes. */
  subscribe(event: string, handler: EventHandler): void | (() => void);
  /** Unsubscribe (used when `subscribe` returned nothing). */
  unsubscribe?(event: string, handler: EventHandler): void;
}

/** The part of Node's `EventEmitter` the adapter uses. */
export interface EmitterLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * An {@link EventBus} over Node's `EventEmitter` (`emitter.emit("llm.request", payload)`).
 *
 * @example
 * ```ts
 * import { EventEmitter } from "node:events";
 * import { fromEventEmitter } from "./event_bus.ts";
 * const bus = fromEventEmitter(new EventEmitter());
 * const off = bus.subscribe("llm.request", () => {});
 * if (typeof off === "function") off();
 * ```
 */
export function fromEventEmitter(emitter: EmitterLike): EventBus {
  return {
    subscribe(event, handler) {
      const listener = (payload: unknown) => handler(payload);
      emitter.on(event, listener);
      return () => {
        emitter.off(event, listener);
      };
    },
  };
}

/** The events the plugin subscribes to. */
export const LLM_EVENTS = ["llm.request", "llm.response", "llm.error"] as const;

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Obj : {};
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Subscribe `tracer` to the LLM events of `bus`; returns the function that
 * unsubscribes. Used by `Tracer.initialize`.
 */
export function subscribePlugin(tracer: Tracer, bus: EventBus): () => void {
  const inFlight = new Map<string, CallHandle>();
  const handlers: Record<(typeof LLM_EVENTS)[number], EventHandler> = {
    "llm.request": (payload) => {
      const p = obj(payload);
      const handle = tracer.startCall({
        requestId: str(p.request_id),
        model: str(p.model),
        params: obj(p.params),
        messages: Array.isArray(p.messages) ? p.messages : [],
        provider: str(p.provider),
        operation: str(p.operation),
        stream: p.stream === true || undefined,
      });
      inFlight.set(handle.requestId, handle);
    },
    "llm.response": (payload) => {
      const p = obj(payload);
      const handle = take(p);
      if (!handle) return;
      if ("response" in p) handle.succeed(p.response);
      else {
        handle.succeed(undefined, {
          model: str(p.model),
          output: str(p.output) ?? null,
          finishReason: str(p.finish_reason) ?? null,
          usage: compactUsage(p.usage),
        });
      }
    },
    "llm.error": (payload) => {
      const p = obj(payload);
      const handle = take(p);
      handle?.fail("error" in p ? p.error : payload);
    },
  };
  function take(p: Obj): CallHandle | undefined {
    const id = str(p.request_id);
    if (id === undefined) return inFlight.size === 1 ? popOnly() : undefined;
    const h = inFlight.get(id);
    inFlight.delete(id);
    return h;
  }
  function popOnly(): CallHandle | undefined {
    const [id, h] = inFlight.entries().next().value!;
    inFlight.delete(id);
    return h;
  }
  const offs: (() => void)[] = [];
  for (const event of LLM_EVENTS) {
    const handler = handlers[event];
    const off = bus.subscribe(event, handler);
    offs.push(typeof off === "function" ? off : () => bus.unsubscribe?.(event, handler));
  }
  return () => {
    for (const off of offs) off();
  };
}
