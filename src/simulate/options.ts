/**
 * What {@linkcode simulate} is asked for (its options and their defaults) and
 * what it reports back.
 *
 * @module
 */

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Output folder. @default "analysis/simulated" */
  out?: string;
  /** Number of sessions. @default 5 */
  sessions?: number;
  /** Total number of model calls (requests) over all sessions. @default 60 */
  calls?: number;
  /** Models to simulate (names genai-prices knows get prices). @default gpt-4o-mini, gpt-4o, claude-3-5-sonnet-20241022 */
  models?: string[];
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Base error rate per call, scaled per model (claude-3-5-sonnet fails most, gpt-4o-mini least). @default 0.05 */
  errorRate?: number;
  /** Number of sessions left unfinished (no `session_end`). @default 1 in 10, at least 1 when there are 3 sessions or more */
  unfinished?: number;
  /** Write every session into this one file (name inside `out`) instead of one file per session. */
  singleFile?: string;
  /** Simulated start time. @default 2025-04-08T09:00:00 */
  start?: Date;
  /** Share of calls that are streamed. @default 0.2 */
  streamRate?: number;
  /** Share of steps that fan out into 2–4 parallel calls. @default 0.15 */
  parallelRate?: number;
  /** Called every 1,000 calls and at the end. */
  onProgress?: (callsDone: number, callsTotal: number) => void;
}

/** What {@link simulate} wrote. */
export interface SimulationResult {
  /** The trace files written. */
  files: string[];
  /** Sessions simulated. */
  sessions: number;
  /** Sessions left without a `session_end`. */
  unfinishedSessions: number;
  /** Model calls made. */
  calls: number;
  /** Calls that got a response. */
  responses: number;
  /** Calls that failed. */
  errors: number;
  /** Calls left without a response or error. */
  pending: number;
  /** Calls that retry an earlier failed call (`retry_of`). */
  retries: number;
  /** Streamed calls. */
  streamed: number;
}

/** Defaults of {@link SimulateOptions}. */
export const SIMULATE_DEFAULTS = {
  out: "analysis/simulated",
  sessions: 5,
  calls: 60,
  seed: 1,
  errorRate: 0.05,
  start: new Date("2025-04-08T09:00:00Z"),
  streamRate: 0.2,
  parallelRate: 0.15,
} as const;
