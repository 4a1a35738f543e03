/**
 * The bootstraps of one comparison run side by side: the calling thread and a
 * helper thread take them one at a time until none is left (`Claims`, as the
 * parallel reader's ranges), and the calling thread waits (`Atomics.wait`)
 * for the ones the helper took. Each bootstrap is seeded on its own, so a
 * result is the same whichever thread computes it, and the same as calling
 * its function directly. The calls stay synchronous.
 *
 * ```
 * calls ──► their samples copied into one SharedArrayBuffer ──► the helper (started once, kept)
 *   │                                                               │
 *   └─► this thread takes the next call … ◄── Claims ──► the helper takes the next call …
 *                     results (v8.serialize) in a shared buffer per call ◄──┘
 * ```
 *
 * Small bootstraps, a machine of one core, or a runtime without the Web
 * `Worker` global (the Node package) run every call here, in order.
 *
 * @module
 */
import v8 from "node:v8";
import { Worker as NodeWorker } from "node:worker_threads";
import { Claims } from "../load/_claims.ts";
import {
  bootstrapDifference,
  type BootstrapMeanDifference,
  bootstrapMeanDifferences,
  bootstrapMeans,
  type BootstrapOptions,
  bootstrapResamples,
  type Statistic,
} from "./stats.ts";

/** One bootstrap to run: its function's name and arguments. */
export type BootstrapCall =
  | {
    fn: "bootstrapDifference";
    baseline: Float64Array;
    candidate: Float64Array;
    stats: readonly Statistic[];
    options: BootstrapOptions;
  }
  | {
    fn: "bootstrapMeanDifferences";
    baseline: Float64Array[];
    candidate: Float64Array[];
    options: BootstrapOptions;
  }
  | { fn: "bootstrapMeans"; samples: Float64Array[]; options: BootstrapOptions };

/** What a call's function returns. */
export type BootstrapResult<C extends BootstrapCall> = C extends { fn: "bootstrapDifference" }
  ? Record<Statistic, [number, number] | null>
  : C extends { fn: "bootstrapMeanDifferences" } ? (BootstrapMeanDifference | null)[]
  : ([number, number] | null)[];

/** The function of `call`, run on this thread. */
export function runBootstrap<C extends BootstrapCall>(call: C): BootstrapResult<C> {
  const c = call as BootstrapCall;
  const out = c.fn === "bootstrapDifference"
    ? bootstrapDifference(c.baseline, c.candidate, c.stats, c.options)
    : c.fn === "bootstrapMeanDifferences"
    ? bootstrapMeanDifferences(c.baseline, c.candidate, c.options)
    : bootstrapMeans(c.samples, c.options);
  return out as BootstrapResult<C>;
}

/** The samples of a call, in order. */
function samplesOf(call: BootstrapCall): Float64Array[] {
  return call.fn === "bootstrapDifference"
    ? [call.baseline, call.candidate]
    : call.fn === "bootstrapMeanDifferences"
    ? [...call.baseline, ...call.candidate]
    : call.samples;
}

/** Draws of a call: resamples × values drawn per resample (its cost, about 5 ns each). */
export function drawsOf(call: BootstrapCall): number {
  const sides = call.fn === "bootstrapMeans"
    ? [call.samples[0]?.length ?? 0]
    : call.fn === "bootstrapDifference"
    ? [call.baseline.length, call.candidate.length]
    : [call.baseline[0]?.length ?? 0, call.candidate[0]?.length ?? 0];
  const n = Math.max(...sides);
  return bootstrapResamples(n, call.options.resamples ?? 2000) * sides.reduce((a, b) => a + b, 0);
}

/**
 * Draws from which the calls are shared with the helper: about 0.1 s of work
 * at 5 ns a draw, against the helper's start (about 0.2 s, while this thread
 * works) and the samples' copy. 200,000 calls a side (`compare` of two copies
 * of a 784 MB file) make about 650 million.
 */
export const SHARED_FROM_DRAWS = 20_000_000;

/** Bytes of a call's result slot (a few intervals, serialized). */
const RESULT_BYTES = 16 * 1024;

/** A call's state in its slot: not done yet, done (its result serialized after), failed (run again by the caller). */
const PENDING = 0, DONE = 1, FAILED = 2;

/** What the calling thread posts to the helper for one set of calls. */
export interface BootstrapJob {
  /**
   * The calls, with their samples as `[buffer, offset, length]` in `buffers`
   * (offsets and lengths in values; the baseline's first: `baseline` of them).
   */
  calls: (Omit<BootstrapCall, "baseline" | "candidate" | "samples"> & {
    at: [number, number, number][];
    baseline: number;
  })[];
  /** The samples' buffers: their own when shared already ({@link sharedFloats}), else copies. */
  buffers: SharedArrayBuffer[];
  /** The `Claims` slots over the calls. */
  claims: SharedArrayBuffer;
  /** Per call: its state (`Int32`), then `RESULT_BYTES` of its serialized result. */
  results: SharedArrayBuffer;
}

/** The calls of `job` with their samples, as views of its shared buffer. */
export function callsOf(job: BootstrapJob): BootstrapCall[] {
  return job.calls.map(({ at, baseline, ...rest }) => {
    const s = at.map(([b, from, length]) => new Float64Array(job.buffers[b]!, from * 8, length));
    return (rest.fn === "bootstrapDifference"
      ? { ...rest, baseline: s[0]!, candidate: s[1]! }
      : rest.fn === "bootstrapMeanDifferences"
      ? { ...rest, baseline: s.slice(0, baseline), candidate: s.slice(baseline) }
      : { ...rest, samples: s }) as BootstrapCall;
  });
}

/** Where a call's state and serialized result are. */
function slot(results: SharedArrayBuffer, i: number) {
  const at = i * (8 + RESULT_BYTES);
  return {
    state: new Int32Array(results, at, 2),
    bytes: new Uint8Array(results, at + 8, RESULT_BYTES),
  };
}

/**
 * Take the calls of `job` one at a time until none is left, each result
 * stored in its slot: what the helper runs, and the calling thread too.
 * Returns the indexes this thread took.
 */
export function takeCalls(job: BootstrapJob, run: (i: number) => unknown): number[] {
  const claims = new Claims(new Int32Array(job.claims), job.calls.length, job.calls.length);
  const taken: number[] = [];
  for (let i = claims.take(); i >= 0; i = claims.take()) {
    taken.push(i);
    const { state, bytes } = slot(job.results, i);
    let code = DONE;
    try {
      const out = v8.serialize(run(i));
      if (out.length > RESULT_BYTES - 4) throw new RangeError("too large");
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(0, out.length);
      bytes.set(out, 4);
    } catch {
      code = FAILED; // the calling thread runs it again, and sees its error
    }
    Atomics.store(state, 0, code);
    Atomics.notify(state, 0);
  }
  return taken;
}

/** The helper's young generation, MB (V8's default lets it grow to 16 or more). */
const HELPER_YOUNG_MB = 4;

/** The helper thread, once started (null: none can start here). */
let helper: NodeWorker | null | undefined;

/** Whether the helper has loaded (true) or could not (false). */
let helperLoaded: Promise<boolean> = Promise.resolve(false);

/**
 * Whether this thread may block in `Atomics.wait` (a browser's main thread may
 * not; Deno's and Node's may): without it, no helper.
 */
function canWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // "not-equal" at once
    return true;
  } catch {
    return false;
  }
}

/** The helper, started on first use and kept (not holding the process open). */
function startHelper(): NodeWorker | null {
  if (helper !== undefined) return helper;
  helper = null;
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 1 : 1;
  if (typeof Worker === "undefined" || cores < 2 || !canWait()) return null;
  try {
    // a small young generation: the helper's values are typed arrays, its garbage small; with
    // V8's default, `report --group-by model` of the 784 MB file peaked 10-11 MiB higher (446-448
    // MiB against 436-437)
    const worker = new NodeWorker(new URL("./_bootstraps_worker.ts", import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: HELPER_YOUNG_MB },
    });
    helperLoaded = new Promise((resolve) => {
      worker.once("message", (m) => resolve(m === "loaded"));
      worker.once("error", () => resolve(false));
      worker.once("exit", () => resolve(false));
    });
    worker.on("error", () => {
      if (helper === worker) helper = null;
    });
    worker.on("exit", () => {
      if (helper === worker) helper = null;
    });
    worker.unref();
    helper = worker;
  } catch {
    helper = null; // no permission to start a worker: every call here
  }
  return helper;
}

/**
 * Start the helper thread (where one can run) and resolve once it has loaded:
 * true, or false where none can start or it failed to load.
 *
 * @example
 * ```ts
 * import { bootstrapHelper } from "./_bootstraps.ts";
 * const loaded = await bootstrapHelper(); // true in Deno on 2 cores or more
 * if (typeof loaded !== "boolean") throw new Error("a boolean");
 * ```
 */
export async function bootstrapHelper(): Promise<boolean> {
  const worker = startHelper();
  if (!worker) return false;
  worker.ref(); // held open while it loads
  try {
    return await helperLoaded;
  } finally {
    worker.unref();
  }
}

/**
 * Start the helper now when bootstraps of about `values` values will follow
 * (the calls compared) and be large enough to share: it loads while the
 * caller makes the samples.
 */
export function expectBootstraps(values: number): void {
  if (bootstrapResamples(values, 2000) * values >= SHARED_FROM_DRAWS) startHelper();
}

/** Options of {@link runBootstraps}. */
export interface RunBootstrapsOptions {
  /** Share the calls with the helper from this many draws in all. @default {SHARED_FROM_DRAWS} */
  sharedFrom?: number;
  /** Called with each call's index and the thread that ran it. */
  onRun?: (index: number, thread: "caller" | "helper") => void;
  /**
   * Whether the calling thread takes calls too, or only waits for the helper's
   * results (a check of the helper's path; where no helper runs, it takes them
   * all). @default {true}
   */
  caller?: boolean;
}

/** Bootstraps under way ({@link shareBootstraps}): their results when asked. */
export interface SharedBootstraps<Out> {
  /** Every result, in order: the calls left are run here, then the helper's waited for. */
  results(): Out;
}

/**
 * Bootstraps `calls` handed to the helper thread at once, when they are large
 * enough: it takes them one at a time while the caller does other work, and
 * {@link SharedBootstraps.results} runs here the ones it has not taken (all of
 * them when no helper runs). Each result is its function's.
 *
 * @example
 * ```ts
 * import { shareBootstraps } from "./_bootstraps.ts";
 * import { bootstrapMean } from "./stats.ts";
 * const values = Float64Array.from({ length: 100 }, (_, i) => i);
 * const pending = shareBootstraps([{ fn: "bootstrapMeans", samples: [values], options: { seed: 2 } }]);
 * // … other work here, while a helper works on large ones …
 * const [means] = pending.results();
 * if (String(means![0]) !== String(bootstrapMean(values, { seed: 2 }))) throw new Error("same");
 * ```
 */
export function shareBootstraps<const C extends readonly BootstrapCall[]>(
  calls: C,
  options: RunBootstrapsOptions = {},
): SharedBootstraps<{ -readonly [K in keyof C]: BootstrapResult<C[K]> }> {
  type Out = { -readonly [K in keyof C]: BootstrapResult<C[K]> };
  const draws = calls.reduce((n, c) => n + drawsOf(c), 0);
  const worker = calls.length > 1 && draws >= (options.sharedFrom ?? SHARED_FROM_DRAWS)
    ? startHelper()
    : null;
  if (!worker) {
    return {
      results: () =>
        calls.map((c, i) => {
          options.onRun?.(i, "caller");
          return runBootstrap(c);
        }) as unknown as Out,
    };
  }
  const job = jobOf(calls);
  worker.postMessage(job);
  return { results: () => resultsOf(job, calls, options) as unknown as Out };
}

/**
 * The results of `calls`, in order, each as its function returns it: shared
 * with the helper thread when they are large enough, else run here in order
 * ({@link shareBootstraps}, its results at once).
 *
 * @example
 * ```ts
 * import { runBootstraps } from "./_bootstraps.ts";
 * import { bootstrapMean } from "./stats.ts";
 * const values = Float64Array.from({ length: 100 }, (_, i) => i);
 * const [means] = runBootstraps([{ fn: "bootstrapMeans", samples: [values], options: { seed: 2 } }]);
 * if (String(means![0]) !== String(bootstrapMean(values, { seed: 2 }))) throw new Error("same");
 * ```
 */
export function runBootstraps<const C extends readonly BootstrapCall[]>(
  calls: C,
  options: RunBootstrapsOptions = {},
): { -readonly [K in keyof C]: BootstrapResult<C[K]> } {
  return shareBootstraps(calls, options).results();
}

/** The results of a job posted to the helper: the calls left taken here, the helper's waited for. */
function resultsOf(
  job: BootstrapJob,
  calls: readonly BootstrapCall[],
  options: RunBootstrapsOptions,
): unknown[] {
  const take = () => takeCalls(job, (i) => runBootstrap(calls[i]!));
  const mine = new Set(options.caller === false ? [] : take());
  // a call the helper has not taken this long after (it stopped, or still loads) is taken here
  const patience = options.caller === false ? 30_000 : 1000;
  return calls.map((c, i) => {
    const { state, bytes } = slot(job.results, i);
    // the helper's: wait until it is done (it runs only arithmetic: it ends each call it takes)
    while (Atomics.load(state, 0) === PENDING) {
      if (Atomics.wait(state, 0, PENDING, patience) === "timed-out") {
        for (const j of take()) mine.add(j);
      }
    }
    if (Atomics.load(state, 0) !== DONE) {
      options.onRun?.(i, "caller");
      return runBootstrap(c); // its error, thrown here
    }
    options.onRun?.(i, mine.has(i) ? "caller" : "helper");
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    return v8.deserialize(bytes.slice(4, 4 + length));
  });
}

/**
 * `values` as a `Float64Array` over a `SharedArrayBuffer`: a sample made so
 * goes to the helper thread without a copy.
 *
 * @example
 * ```ts
 * import { sharedFloats } from "./_bootstraps.ts";
 * const s = sharedFloats([1.5, 2]);
 * if (!(s.buffer instanceof SharedArrayBuffer) || s[1] !== 2) throw new Error("shared");
 * ```
 */
export function sharedFloats(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(values.length * 8));
  out.set(values);
  return out;
}

/** The shared buffers of `calls`: their samples (copied when not shared), the claims, the results. */
function jobOf(calls: readonly BootstrapCall[]): BootstrapJob {
  const samples = calls.map(samplesOf);
  const buffers: SharedArrayBuffer[] = [];
  const place = (s: Float64Array): [number, number, number] => {
    const own = s.buffer instanceof SharedArrayBuffer ? s : sharedFloats(s);
    let b = buffers.indexOf(own.buffer as SharedArrayBuffer);
    if (b < 0) b = buffers.push(own.buffer as SharedArrayBuffer) - 1;
    return [b, own.byteOffset / 8, own.length];
  };
  const described = calls.map((call, i) => {
    const { fn, options } = call;
    const at = samples[i]!.map(place);
    const baseline = call.fn === "bootstrapMeanDifferences" ? call.baseline.length : 1;
    return call.fn === "bootstrapDifference"
      ? { fn, options, stats: call.stats, at, baseline }
      : { fn, options, at, baseline };
  });
  return {
    calls: described as BootstrapJob["calls"],
    buffers,
    claims: new SharedArrayBuffer(3 * 4),
    results: new SharedArrayBuffer(calls.length * (8 + RESULT_BYTES)),
  };
}
