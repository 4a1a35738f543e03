/**
 * Calls copied from one file into another: a Claude Code session continued
 * (`claude --continue`, `--resume`) is written to a new transcript that starts
 * with the earlier session's lines, their `requestId` and `message.id` as they
 * were. Read file by file, each copied response is a second call with the same
 * tokens. An API request id names one request wherever it is written, so a
 * Claude Code call whose request id another file holds too is one call: it is
 * kept in the file whose calls end first, the earlier session's (the
 * continuation goes on after the copy, whatever the files' names or times on
 * disk; on a tie, the first in load order), and dropped from the others, with
 * one `copied_calls` warning per file that held copies. (ccusage counts such a request once too; its users
 * measured copies at about 6% of all usage.) A copy within one file is one
 * call already (`claude_code.ts` groups a response's lines by request id).
 *
 * Gemini CLI does the same when it resumes a session recorded by an earlier
 * version (`session-….json`): it writes the session on to a new `session-….jsonl`
 * that starts with every message of the old file, their `id`s as they were
 * (`ChatRecordingService.initialize`), and the old file stays beside it. A
 * Gemini CLI chat call's request id is its message id: the same rule counts it once.
 *
 * A Claude Code session run with `claude -p --output-format stream-json` is
 * written twice: its stream-json output, where Claude Code writes each
 * answer's API request id (`request_id`: 2.1.197 and 2.1.259 do, 2.1.19 did
 * not), and its transcript (`requestId`).
 * Both hold every call of the session, so a stream-json call whose request id a
 * transcript of the load holds is one call too, kept in the transcript whatever
 * the files' times: the transcript times each answer (Claude Code 2.1.197's
 * stream-json lines have no time) and writes its output count once the answer
 * ended (2.1.197: 7 where its stream-json line, written as the answer started,
 * says 1); what only stream-json gives, the `result`'s cost, turns and
 * durations, is the session's and stays on it. Stream-json lines that name no
 * request (Claude Code 1.0 to 2.1.19 wrote no `request_id`) give their calls
 * their message id: such a call is the transcript's call whose lines have that
 * `message.id` (read from the transcript's assistant events, when a call of the
 * stream is named by no request id of the transcripts). A `--output-format json`
 * result, which has no assistant lines, is read as one call per model standing
 * for the session's requests, with no request id: beside a transcript of its
 * session, which holds those requests one by one, those calls give way too.
 *
 * Gemini CLI's `-o json` output and `-o stream-json` output are such second readings of
 * its chat recording (the same `session_id` as the recording's `sessionId`), with one
 * difference: each of their calls stands for one model's requests (`stats.models`, summed;
 * stream-json before 0.3x gives the session's sums alone, one call of its `init` model),
 * and the recording holds one call per request of the main model only. It leaves out the
 * side requests (the `auto` router's, a flash-lite model) and the failed ones. So an output's
 * call gives way where the recording holds calls of its model in its session; the calls of
 * models the recording lacks stay (a real 0.45.2 `auto` run: the router's
 * gemini-3.1-flash-lite call, 304 tokens in); and a failed call of a model the recording
 * holds stays as the failure alone, without the tokens, texts, latency and end it summed
 * over the model's requests (the recording counts the requests that succeeded; a failed one
 * counts none). A stream-json call standing for all the session's models (before 0.3x: one call
 * of the `init` model with the stats' sums) keeps, as a call of model `unknown`, what it counts
 * beyond the recording's calls, the side requests (a web search's): their prompt, candidates and
 * total, the total's rest read as thinking (a tool-use prompt too: the stats do not tell them
 * apart; a real 0.18.4 run with a web search, 80 input and 460 total tokens, were lost). Claude
 * Code's json result gives way whatever its models (its `modelUsage`
 * may name a Bedrock id where its transcript names the model).
 *
 * Gemini CLI 0.10 and 0.18 write their `-o json` output with no session id (its session is its
 * file), and no time. Such an output is its recording's second reading when it sums what the
 * recording holds: for every model the recording's session holds, the output has that model
 * with the same input, output, cache read, thinking and total tokens summed over the
 * recording's calls, and as many requests that succeeded (`totalRequests` − `totalErrors`) as
 * the recording has calls of it (the same prompt run twice gives two such pairs: each recording
 * is matched once, one in the output's folder first). Its calls then give way as above (a real
 * 0.10.0 run with a web search: the flash call of the search stays). An output that matches no
 * recording while a recording in its folder holds one of its models is counted apart, with a
 * `possible_copied_calls` warning: it may repeat calls that its figures do not show.
 *
 * @module
 */
import { dirname } from "node:path";
import pl from "../frames/polars.ts";
import type { Diagnostic } from "./_event.ts";
import { isUnnamedSession } from "./formats/gemini_cli_json.ts";

/**
 * The formats whose request ids name one request wherever they are written (an API request id;
 * a Gemini CLI message id), the same in every copy of a transcript, and the second readings of
 * their sessions (below).
 */
const COPIED_FORMATS = [
  "claude_code",
  "gemini_cli_chat",
  "claude_code_stream",
  "gemini_cli_json",
  "gemini_cli_stream",
];

/**
 * The formats whose copy of a call gives way to another format's, whatever the files' times, and
 * that format, the transcript: a Claude Code session's stream-json output or json result, to its
 * transcript; Gemini CLI's json and stream-json outputs, to its chat recording (see the module).
 */
const SECOND_READINGS: Record<string, string> = {
  claude_code_stream: "claude_code",
  gemini_cli_json: "gemini_cli_chat",
  gemini_cli_stream: "gemini_cli_chat",
};

/**
 * The second readings whose every call stands for one model's requests of its session, named by
 * no request (a Gemini CLI stream-json call's request id is its session's id): each gives way
 * where the transcript holds that model's calls in its session, a failure staying as one.
 */
const PER_MODEL = ["gemini_cli_json", "gemini_cli_stream"];

/** The columns a failure kept from a call standing for a model's requests does not keep (see the module). */
const SUMMED_COLUMNS = [
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cache_write_1h_tokens",
  "reasoning_tokens",
  "web_search_requests",
  "cost_usd",
  "prompt_chars",
  "output_chars",
  "messages",
  "output",
  "duration_s",
  "ttft_s",
  "ended_at",
];

/**
 * The calls without those that repeat a call of another file (see the
 * module), the sessions with their `calls` and `errors` counted again, and the
 * warnings to add (one per file with copies, at its first); null when there is
 * no copy. With `fileFormats` (the format of each file of the load), a load with
 * fewer than two files of a format that copies calls is known to hold none.
 *
 * @example
 * ```ts
 * import pl from "../frames/polars.ts";
 * import { dropCopiedCalls } from "./_copies.ts";
 * const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
 * // a.jsonl: the continued session (its copy of req_1, then req_3); b.jsonl: the earlier one
 * const calls = pl.DataFrame({
 *   format: ["claude_code", "claude_code", "claude_code", "claude_code"],
 *   request_id: ["req_1", "req_3", "req_1", "req_2"],
 *   file: ["a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl"],
 *   line: [2, 9, 3, 7],
 *   session_id: ["new", "new", "old", "old"],
 *   status: ["ok", "ok", "ok", "ok"],
 *   started_at: [at(1), at(30), at(1), at(2)],
 * });
 * const sessions = pl.DataFrame({ session_id: ["new", "old"], calls: [2, 2], errors: [0, 0] });
 * const out = dropCopiedCalls(calls, sessions)!;
 * // b.jsonl's calls end first (at 2 s): req_1 stays there, a.jsonl's copy goes, with a warning
 * if (out.calls.getColumn("file").toArray().join() !== "a.jsonl,b.jsonl,b.jsonl") throw new Error();
 * if (out.sessions.getColumn("calls").toArray().join() !== "1,2") throw new Error();
 * if (out.warnings.length !== 1 || out.warnings[0]!.file !== "a.jsonl" || out.warnings[0]!.line !== 2) {
 *   throw new Error();
 * }
 * ```
 */
export function dropCopiedCalls(
  calls: pl.DataFrame,
  sessions: pl.DataFrame,
  fileFormats?: Iterable<string>,
  events?: () => pl.DataFrame,
): { calls: pl.DataFrame; sessions: pl.DataFrame; warnings: Diagnostic[] } | null {
  if (!calls.columns.includes("format") || calls.height === 0) return null;
  // a copy is of another file's call: fewer than two files of these formats hold none, and the
  // calls are not scanned (a load of one 784 MB native file from the cache: 36 ms saved)
  if (fileFormats !== undefined) {
    let copying = 0;
    for (const f of fileFormats) if (COPIED_FORMATS.includes(f)) copying++;
    if (copying < 2) return null;
  }
  // a call that may be a copy: one with a request id, or a second reading's (named by none)
  const copied = pl.col("format").isIn(COPIED_FORMATS).and(
    pl.col("request_id").isNotNull().or(pl.col("format").isIn(Object.keys(SECOND_READINGS))),
  );
  const candidates = calls.select(copied.sum().alias("n")).getColumn("n").toArray()[0] as number;
  if (candidates < 2) return null;
  const formats = calls.getColumn("format").toArray() as (string | null)[];
  const ids = calls.getColumn("request_id").toArray() as (string | null)[];
  const files = calls.getColumn("file").toArray() as string[];
  const lines = calls.getColumn("line").toArray() as number[];
  const sessionIds = calls.getColumn("session_id").toArray() as string[];
  // (a frame made by hand may lack them: no call of it is a Gemini CLI output's then)
  const column = (name: string) =>
    calls.columns.includes(name) ? calls.getColumn(name).toArray() as (string | null)[] : [];
  const models = column("model"), statuses = column("status");
  // each file's last call start (µs): the earlier session's file ends first
  const starts = calls.getColumn("started_at").cast(pl.Int64)
    .toArray() as (number | bigint | null)[];
  // the rows that may be copies (a Claude Code call with a request id), the only ones looked at
  const rows: number[] = [];
  // the sessions that a transcript of the load holds calls of (by its format), with the models of
  // those calls, and the request ids a Claude Code transcript names
  const transcribed = new Map<string, Set<string>>();
  const inTranscript = (format: string, k: number) => `${format}\n${sessionIds[k]}`;
  const transcripts = Object.values(SECOND_READINGS);
  const transcriptIds = new Set<string>();
  // a second reading's calls named by no request (a json result's, a call standing for a model's
  // requests), and a Claude Code stream's named by message id
  const unnamed: number[] = [];
  const byMessage: number[] = [];
  // a Gemini CLI json output's calls whose output names no session (0.10, 0.18)
  const sessionless: number[] = [];
  for (let k = 0; k < calls.height; k++) {
    const format = formats[k] ?? "";
    if (!COPIED_FORMATS.includes(format)) continue;
    if (PER_MODEL.includes(format)) {
      if (format === "gemini_cli_json" && isUnnamedSession(sessionIds[k]!, files[k]!)) {
        sessionless.push(k);
      } else unnamed.push(k);
      continue;
    }
    if (ids[k] !== null && ids[k] !== undefined) rows.push(k);
    if (transcripts.includes(format)) {
      const key = inTranscript(format, k);
      const held = transcribed.get(key) ?? new Set<string>();
      transcribed.set(key, held.add(models[k] ?? "unknown"));
      if (format === "claude_code" && ids[k]) transcriptIds.add(ids[k]!);
    } else if (format in SECOND_READINGS) {
      if (ids[k] === null || ids[k] === undefined) unnamed.push(k);
      else byMessage.push(k);
    }
  }
  // a stream-json call named by a message id: the transcript's call of that message (see the module)
  const named = byMessage.filter((k) =>
    transcribed.has(inTranscript("claude_code", k)) && !transcriptIds.has(ids[k]!)
  );
  if (named.length > 0 && events !== undefined) {
    const requests = transcriptRequests(events(), new Set(named.map((k) => sessionIds[k]!)));
    for (const k of named) ids[k] = requests.get(ids[k]!) ?? ids[k]!;
  }
  const lastStart = new Map<string, number>();
  for (const k of rows) {
    const t = starts[k] === null || starts[k] === undefined ? -Infinity : Number(starts[k]);
    lastStart.set(files[k]!, Math.max(lastStart.get(files[k]!) ?? -Infinity, t));
  }
  const rank = (f: string) => lastStart.get(f) === -Infinity ? Infinity : lastStart.get(f)!;
  const second = (k: number) => formats[k]! in SECOND_READINGS ? 1 : 0;
  // in that order, a second reading's files last (stable: load order on a tie)
  rows.sort((a, b) => second(a) - second(b) || rank(files[a]!) - rank(files[b]!) || a - b);
  // where each id was first met (its row), and the copies of it in other files; a second reading
  // says so when every call it repeats is another format's
  const first = new Map<string, number>();
  const keep = new Array<boolean>(calls.height).fill(true);
  // the failures kept without what their calls summed over the model's requests (see the module)
  const failed = new Array<boolean>(calls.height).fill(false);
  const byFile = new Map<
    string,
    {
      line: number;
      count: number;
      second: boolean;
      perModel: boolean;
      failures: number;
      rested: number;
    }
  >();
  const warnings: Diagnostic[] = [];
  const drop = (k: number, second: boolean, failure = false, rest = false) => {
    if (failure) failed[k] = true;
    else keep[k] = false;
    const perModel = PER_MODEL.includes(formats[k]!), failures = failure && !rest ? 1 : 0;
    const rested = rest ? 1 : 0;
    const at = byFile.get(files[k]!);
    if (!at) {
      byFile.set(files[k]!, { line: lines[k]!, count: 1, second, perModel, failures, rested });
    } else {
      at.count++;
      at.failures += failures;
      at.rested += rested;
      at.line = Math.min(at.line, lines[k]!);
      at.second &&= second;
    }
  };
  for (const k of rows) {
    const id = ids[k]!;
    const seen = first.get(id);
    if (seen === undefined) first.set(id, k);
    else if (files[seen] !== files[k]) {
      drop(k, formats[k]! in SECOND_READINGS && formats[seen] !== formats[k]);
    }
  }
  // calls standing for requests their session's transcript holds one by one: a Claude Code json
  // result's (whatever its models), a Gemini CLI output's call of a model the recording holds
  // a stream-json call standing for the whole session (no stats.models: no served model) keeps
  // what it counts beyond the recording's calls, the side requests (see the module)
  const rests = new Map<number, Record<string, number | null>>();
  const servedModels = column("served_model");
  for (const k of unnamed) {
    const held = transcribed.get(inTranscript(SECOND_READINGS[formats[k]!]!, k));
    if (held === undefined) continue;
    if (!PER_MODEL.includes(formats[k]!)) drop(k, true);
    else if (held.has(models[k] ?? "unknown")) {
      const whole = formats[k] === "gemini_cli_stream" && servedModels.length > 0 &&
        servedModels[k] === null && statuses[k] !== "error";
      const rest = whole ? sessionRest(calls, k) : null;
      if (rest !== null) rests.set(k, rest);
      drop(k, true, statuses[k] === "error" || rest !== null, rest !== null);
    }
  }
  // a json output naming no session: the calls of the recording whose sums it gives (see the module)
  if (sessionless.length > 0) {
    const matched = matchSessionless(calls, sessionless, events);
    for (const k of matched.copies) drop(k, true, statuses[k] === "error");
    warnings.push(...matched.warnings);
  }
  if (byFile.size === 0 && warnings.length === 0) return null;
  const summed = failed.includes(true)
    ? SUMMED_COLUMNS.filter((c) => calls.columns.includes(c))
    : [];
  const kept =
    (summed.length === 0 ? calls : calls.withColumn(pl.Series("__failed", failed, pl.Bool))
      .withColumns(
        ...summed.map((c) =>
          pl.when(pl.col("__failed")).then(pl.lit(null).cast(calls.getColumn(c).dtype))
            .otherwise(pl.col(c)).alias(c)
        ),
      ).drop("__failed")).withColumns(...restColumns(calls, rests))
      .filter(pl.Series("keep", keep, pl.Bool));
  const touched = new Set(sessionIds.filter((_, k) => !keep[k] || failed[k]));
  return {
    calls: kept,
    sessions: touched.size === 0 ? sessions : recount(sessions, kept, [...touched]),
    warnings: [
      ...[...byFile].map((
        [file, { line, count, second, perModel, failures, rested }],
      ): Diagnostic => ({
        file,
        line,
        code: "copied_calls",
        message: copiedMessage(count, second, perModel, failures, rested),
        severity: "warning",
        count,
      })),
      ...warnings,
    ],
  };
}

/** The token columns of a call standing for a whole session's requests, kept beyond its recording's. */
const REST_COLUMNS = [
  "input_tokens",
  "output_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cache_read_tokens",
] as const;

/**
 * What the stream-json call `k` standing for its whole session's requests (the sums of all their
 * models) counts beyond the calls of the session's chat recording (see the module): the side
 * requests' prompt, candidates and total, the total's rest being their thinking (or a tool-use
 * prompt: the stats do not tell); null when it counts nothing more, or less than the recording.
 */
function sessionRest(calls: pl.DataFrame, k: number): Record<string, number | null> | null {
  const get = (c: string, i: number) => {
    if (!calls.columns.includes(c)) return null;
    const v = calls.getColumn(c).get(i);
    return v === null || v === undefined ? null : Number(v);
  };
  const session = calls.getColumn("session_id").get(k);
  const recorded = calls.select(
    pl.col("session_id").eq(pl.lit(session)).and(pl.col("format").eq(pl.lit("gemini_cli_chat")))
      .and(pl.col("status").neq(pl.lit("error")).or(pl.col("status").isNull())).alias("r"),
  ).getColumn("r").toArray() as boolean[];
  const sum = (c: string) => recorded.reduce((a, r, i) => a + (r ? get(c, i) ?? 0 : 0), 0);
  const [input, output, total] = [
    get("input_tokens", k),
    get("output_tokens", k),
    get("total_tokens", k),
  ];
  if (input === null || output === null || total === null) return null;
  const candidates = output - (get("reasoning_tokens", k) ?? 0);
  const restInput = input - sum("input_tokens");
  const restCandidates = candidates - (sum("output_tokens") - sum("reasoning_tokens"));
  const restTotal = total - sum("total_tokens");
  const thinking = restTotal - restInput - restCandidates;
  if (restInput < 0 || restCandidates < 0 || thinking < 0 || restTotal <= 0) return null;
  const cached = get("cache_read_tokens", k);
  const restCached = cached === null ? null : cached - sum("cache_read_tokens");
  return {
    input_tokens: restInput,
    output_tokens: restCandidates + thinking,
    reasoning_tokens: thinking > 0 ? thinking : null,
    total_tokens: restTotal,
    cache_read_tokens: restCached !== null && restCached >= 0 ? restCached : null,
  };
}

/** The token columns and model of `calls` with the rows of `rests` given their rest (model unknown). */
function restColumns(
  calls: pl.DataFrame,
  rests: Map<number, Record<string, number | null>>,
): pl.Series[] {
  if (rests.size === 0) return [];
  const out: pl.Series[] = [];
  for (const c of [...REST_COLUMNS, "model"]) {
    if (!calls.columns.includes(c)) continue;
    const values = calls.getColumn(c).toArray() as unknown[];
    for (const [k, rest] of rests) values[k] = c === "model" ? "unknown" : rest[c] ?? null;
    out.push(pl.Series(c, values).cast(calls.getColumn(c).dtype));
  }
  return out;
}

/** The token columns whose sums match a Gemini CLI output's model to a recording's calls of it. */
const MATCHED_SUMS = [
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "reasoning_tokens",
  "total_tokens",
];

/**
 * The rows of Gemini CLI json outputs naming no session (`rows`) that stand for requests of a
 * chat recording of the load (see the module): a run's calls of the models that recording holds;
 * and a `possible_copied_calls` warning per run left unmatched beside a recording in its folder
 * that holds one of its models.
 */
function matchSessionless(
  calls: pl.DataFrame,
  rows: number[],
  events?: () => pl.DataFrame,
): { copies: number[]; warnings: Diagnostic[] } {
  const col = <T>(name: string) =>
    calls.columns.includes(name) ? calls.getColumn(name).toArray() as T[] : [];
  const formats = col<string | null>("format"), files = col<string>("file");
  const sessions = col<string>("session_id"), models = col<string | null>("model");
  const statuses = col<string | null>("status"), lines = col<number>("line");
  const sums = MATCHED_SUMS.map((c) => col<number | bigint | null>(c));
  const tokens = (k: number) => sums.map((s) => Number(s[k] ?? 0));
  // each recording session's sums by model (its calls that succeeded), and its folder
  const recordings = new Map<string, { dir: string; models: Map<string, number[]> }>();
  for (let k = 0; k < calls.height; k++) {
    if (formats[k] !== "gemini_cli_chat" || statuses[k] === "error") continue;
    const r = recordings.get(sessions[k]!) ??
      { dir: dirname(files[k]!), models: new Map<string, number[]>() };
    recordings.set(sessions[k]!, r);
    const model = models[k] ?? "unknown";
    const had = r.models.get(model) ?? new Array(MATCHED_SUMS.length + 1).fill(0);
    r.models.set(model, [...tokens(k).map((t, i) => t + had[i]!), had.at(-1)! + 1]);
  }
  // each run (its session) with its calls' rows by model
  const runs = new Map<string, Map<string, number>>();
  for (const k of rows) {
    const run = runs.get(sessions[k]!) ?? new Map<string, number>();
    runs.set(sessions[k]!, run.set(models[k] ?? "unknown", k));
  }
  const succeeded = recordings.size > 0 && events !== undefined
    ? requestsThatSucceeded(events(), new Set(runs.keys()))
    : new Map<string, number>();
  const copies: number[] = [], warnings: Diagnostic[] = [], used = new Set<string>();
  for (const [session, run] of runs) {
    const first = Math.min(...run.values()), dir = dirname(files[first]!);
    const matches = (r: { models: Map<string, number[]> }) =>
      r.models.size > 0 && [...r.models].every(([model, held]) => {
        const k = run.get(model);
        if (k === undefined || held[0]! <= 0) return false;
        const ok = succeeded.get(`${session}\n${model}`);
        return tokens(k).every((t, i) => t === held[i]) && (ok === undefined || ok === held.at(-1));
      });
    const found = [...recordings].filter(([id, r]) => !used.has(id) && matches(r))
      .sort(([, a], [, b]) => Number(b.dir === dir) - Number(a.dir === dir))[0];
    if (found !== undefined) {
      used.add(found[0]);
      for (const [model, k] of run) if (found[1].models.has(model)) copies.push(k);
      continue;
    }
    const beside = [...recordings.values()].some((r) =>
      r.dir === dir && [...run.keys()].some((m) => r.models.has(m))
    );
    if (beside) {
      warnings.push({
        file: files[first]!,
        line: Math.min(...[...run.values()].map((k) => lines[k]!)),
        code: "possible_copied_calls",
        message:
          `this Gemini CLI output names no session (0.10 and 0.18 write none) and a chat recording in its folder holds calls of its model, but no recording's calls sum to its stats (tokens and requests): its ${run.size} call${
            run.size > 1 ? "s are" : " is"
          } counted apart from the recordings', and may repeat their requests`,
        severity: "warning",
        count: run.size,
      });
    }
  }
  return { copies, warnings };
}

/**
 * The requests that succeeded (`requests` − `errors`) of each model of Gemini CLI json outputs of
 * `sessions`, by `session\nmodel`, from their `gemini_cli.model_stats` events.
 */
function requestsThatSucceeded(events: pl.DataFrame, sessions: Set<string>): Map<string, number> {
  const out = new Map<string, number>();
  if (!["type", "session_id", "payload"].every((c) => events.columns.includes(c))) return out;
  const stats = events.filter(
    pl.col("type").eq(pl.lit("gemini_cli.model_stats")).and(
      pl.col("session_id").isIn([...sessions]),
    ),
  );
  const ids = stats.getColumn("session_id").toArray() as string[];
  const payloads = stats.getColumn("payload").toArray() as (string | null)[];
  payloads.forEach((payload, i) => {
    try {
      const p = payload === null ? undefined : JSON.parse(payload);
      if (typeof p?.model === "string" && typeof p.requests === "number") {
        out.set(
          `${ids[i]}\n${p.model}`,
          p.requests - (typeof p.errors === "number" ? p.errors : 0),
        );
      }
    } catch {
      // a payload that is not JSON gives no count: the tokens alone match
    }
  });
  return out;
}

/**
 * The `copied_calls` warning of a file with `count` calls counted elsewhere: a second reading's
 * (`second`), one standing for a model's requests (`perModel`, `failures` of them kept as the
 * failure alone), or a copy of another file's.
 */
function copiedMessage(
  count: number,
  second: boolean,
  perModel: boolean,
  failures: number,
  rested = 0,
) {
  const calls = `${count} call${count > 1 ? "s" : ""} of this file`, s = count > 1 ? "" : "s";
  if (perModel) {
    const failed = (failures > 0
      ? ` (${failures} failed: kept as the failure alone, without the tokens the recording counts)`
      : "") +
      (rested > 0
        ? ` (${rested} standing for all the session's models: kept as what it counts beyond the recording's calls, the side requests, of model unknown)`
        : "");
    return `${calls} stand${s} for requests of a model that its session's chat recording, which the load holds too, records one by one: counted once, in the recording${failed}; a call of a model the recording lacks (a side request's: the auto router's, a web search's) stays, and the output's stats stay in its events`;
  }
  return `${calls} repeat${s} ${
    second
      ? "calls of its session's transcript, which the load holds too (the same responses, named by their request or message id, or a json result's calls standing for them): counted once, in the transcript; the result's cost and times stay on the session"
      : "calls of another file, with the same request ids (a continued or copied session): counted once, in the file whose calls end first"
  }`;
}

/**
 * The request id of each message of the transcripts' `sessions`, by message id: a transcript's
 * assistant events name their request (`requestId`, else the message id) and hold the line, with
 * its `message.id`, in their payload.
 */
function transcriptRequests(events: pl.DataFrame, sessions: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  if (!["type", "session_id", "request_id", "payload"].every((c) => events.columns.includes(c))) {
    return out;
  }
  const answers = events.filter(
    pl.col("type").eq(pl.lit("claude_code.assistant"))
      .and(pl.col("session_id").isIn([...sessions]))
      .and(pl.col("request_id").isNotNull()),
  );
  const requests = answers.getColumn("request_id").toArray() as string[];
  const payloads = answers.getColumn("payload").toArray() as (string | null)[];
  payloads.forEach((payload, i) => {
    try {
      const id = payload === null ? undefined : JSON.parse(payload)?.message?.id;
      if (typeof id === "string" && id !== requests[i]) out.set(id, requests[i]!);
    } catch {
      // a payload that is not JSON names no message
    }
  });
  return out;
}

/**
 * The `calls` and `errors` of the sessions `touched` counted again from `calls`
 * (a session with none left: 0), as the imported sessions count them (every
 * call of the session; those with status `error`); the other sessions as they are.
 */
function recount(sessions: pl.DataFrame, calls: pl.DataFrame, touched: string[]): pl.DataFrame {
  if (!sessions.columns.includes("calls") || sessions.height === 0) return sessions;
  const counts = calls.filter(pl.col("session_id").isIn(touched)).groupBy("session_id").agg(
    pl.len().cast(pl.Int64).alias("__calls"),
    pl.col("status").eq(pl.lit("error")).sum().cast(pl.Int64).alias("__errors"),
  );
  const hit = pl.col("session_id").isIn(touched);
  // in the columns' own types (a frame built from rows may hold them as floats)
  const again = (name: string) =>
    pl.when(hit).then(pl.col(`__${name}`).fillNull(0)).otherwise(pl.col(name))
      .cast(sessions.getColumn(name).dtype).alias(name);
  return sessions.join(counts, { on: "session_id", how: "left" })
    .withColumns(again("calls"), again("errors"))
    .select(...sessions.columns);
}
