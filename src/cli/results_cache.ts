/**
 * The results cache of `analyze` and `report`: the files a run wrote, kept beside
 * the per-file frames cache (`<cache dir>/results/`), keyed by everything that
 * decides them, so that a second run on unchanged inputs writes them again
 * without loading, summarizing or drawing anything.
 *
 * The key ({@link resultsKey}) holds the command, the inputs as given and the
 * files they expand to (each by its per-file cache key: path, size,
 * modification and change time, inode, device), every option that changes an
 * output (the contents of a prices file, not its name), a hash of all of
 * tracebook's source files' stamps ({@link sourceVersion}: any code change is
 * another key),
 * the Deno version, the time zone and locale, and the UTC date (prices depend
 * on the day for calls without a time). Any input that cannot be keyed
 * (standard input, a pipe) or `--no-cache` turns the cache off.
 *
 * The one part of an output that changes from run to run is `generated_at`, the
 * time of the run: a replay writes the time of the replay, as a fresh run would.
 * `summary.json` and `summary.txt` are rendered again from the stored summary;
 * the HTML report and the Markdown are stored as a {@link TimeTemplate}, whose
 * holes are the time's forms, checked when it is made by rendering once more at
 * another time (a template that does not give that rendering back is not
 * stored). The report's page (megabytes) and the figures' SVGs are stored as
 * bytes and written back as bytes ({@link TimeTemplateBytes}), never decoded.
 *
 * A replay loads few modules: inputs that are all regular files are keyed
 * without `load/inputs.ts` (a folder, a glob or `-` imports it), and nothing of
 * the reader, Polars or the report is imported.
 *
 * An entry is written to a temporary file and renamed, so two runs writing one
 * entry at once never leave half of one; an entry that is partial or does not
 * parse is a miss, and is written again. A write keeps the newest
 * {@link MAX_RESULTS_ENTRIES} entries and drops the rest (and temporary files
 * left by a run that died, after an hour).
 *
 * @module
 */
import { defaultCacheDir, fileStamp } from "../load/cache_dir.ts";
import type * as Inputs from "../load/inputs.ts";
import { lazyImport } from "../log/_lazy.ts";

const FORMAT = "tbr1";

/** The most entries kept: a write drops the oldest beyond it. */
export const MAX_RESULTS_ENTRIES = 32;

let version: Promise<string> | null = null;

/** The SHA-256 of `data` (a string as UTF-8), in hex (WebCrypto's: no `node:crypto`). */
export async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A hash of every file of tracebook's source (`src/` and the report's
 * `templates/`), or of this module's own file when bundled: any change of the
 * code gives another {@link resultsKey}. Each file counts by its stamp (path,
 * size, modification and change times, inode and device: about 1.5 ms for the
 * ~180 files, against 3–5 ms reading and hashing them): an edit changes the
 * change time at least, so an edited file is always another key; a file only
 * touched, or checked out again with the same text, is another key too (a
 * miss, never a wrong replay). A file whose times or inode the system does not
 * give is hashed by its contents.
 *
 * @example
 * ```ts
 * import { sourceVersion } from "./results_cache.ts";
 * const v = await sourceVersion();
 * if (!/^tbr1-[0-9a-f]{16}$/.test(v)) throw new Error(v);
 * ```
 */
export function sourceVersion(): Promise<string> {
  version ??= (async () => {
    const lines: string[] = [];
    // the files without a stamp, hashed by their contents after the walk: [line, path]
    const unstamped: [number, string][] = [];
    const walk = (dir: string, prefix: string) => {
      let names: string[];
      try {
        names = [...Deno.readDirSync(dir)].map((e) => e.isDirectory ? `${e.name}/` : e.name)
          .sort();
      } catch {
        return;
      }
      for (const name of names) {
        const path = `${dir}${name}`;
        if (name.endsWith("/")) {
          walk(path, `${prefix}${name}`);
          continue;
        }
        const st = Deno.statSync(path);
        const stamp = [st.size, st.mtime?.getTime(), st.ctime?.getTime(), st.ino, st.dev];
        if (stamp.some((x) => x === null || x === undefined)) {
          unstamped.push([lines.length, path]);
          lines.push(`${prefix}${name}\0`);
        } else lines.push(`${prefix}${name}\0${stamp.join(",")}`);
      }
    };
    const src = localPath(new URL("../", import.meta.url).href); // ends with "/"
    const templates = localPath(new URL("../../templates/", import.meta.url).href);
    if (src !== null && templates !== null) {
      walk(src, "src/");
      walk(templates, "templates/");
    }
    for (const [i, path] of unstamped) lines[i] += await sha256(Deno.readFileSync(path));
    if (lines.length === 0) {
      try {
        lines.push(await sha256(Deno.readFileSync(new URL(import.meta.url))));
      } catch { /* no file to read: the format alone */ }
    }
    return `${FORMAT}-${(await sha256(lines.join("\n"))).slice(0, 16)}`;
  })();
  return version;
}

/**
 * The local path of a `file:` URL with `/` between its folders (Deno's file
 * functions take it on every system), or null for another URL.
 */
function localPath(url: string): string | null {
  const u = new URL(url);
  if (u.protocol !== "file:") return null;
  const path = decodeURIComponent(u.pathname);
  return /^\/[A-Za-z]:/.test(path) ? path.slice(1) : path; // Windows: /C:/… → C:/…
}

/**
 * What decides this process's time zone and locale, on which outputs depend
 * (the summary's local times, the order of some names): on Linux the
 * environment (\`TZ\`, \`LANG\`, \`LANGUAGE\`, \`LC_*\`) and the system's zone files,
 * from which ICU resolves both, read in well under a millisecond; elsewhere what
 * \`Intl\` resolves (its first use costs 10–30 ms, a tenth of a replay).
 */
async function zoneAndLocale(): Promise<unknown> {
  if (Deno.build.os !== "linux") {
    const intl = Intl.DateTimeFormat().resolvedOptions();
    return [Deno.env.get("TZ") ?? null, intl.timeZone, intl.locale];
  }
  const env = Object.entries(Deno.env.toObject())
    .filter(([name]) =>
      name === "TZ" || name === "LANG" || name === "LANGUAGE" || name.startsWith("LC_")
    )
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const read = async (path: string) => {
    try {
      return [Deno.realPathSync(path), await sha256(Deno.readFileSync(path))];
    } catch {
      return null;
    }
  };
  return { env, localtime: await read("/etc/localtime"), timezone: await read("/etc/timezone") };
}

/** Whether `path` names a regular file (links followed). */
function isRegularFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The files `inputs` expand to, each as its name, path, whether it was named
 * and its stamp ({@link fileStamp}), and the folders that could not be read; null when
 * one cannot be keyed (standard input, a pipe, an input that does not exist).
 * Inputs that are all regular files are those files: `load/inputs.ts` (and
 * tinyglobby, whose first use costs about 8 ms of a replay) is imported only
 * for a folder, a glob or `-`.
 */
async function keyedInputs(
  inputs: string[],
): Promise<{ files: string[][]; diagnostics: unknown[] } | null> {
  let found: { inputs: { path: string; name: string; named: boolean }[]; diagnostics: unknown[] };
  if (inputs.every((input) => input !== "-" && isRegularFile(input))) {
    found = { inputs: inputs.map((path) => ({ path, name: path, named: true })), diagnostics: [] };
  } else {
    try {
      const { findTraceInputs } = await lazyImport<typeof Inputs>(
        "../load/inputs.ts",
        import.meta.url,
      );
      found = await findTraceInputs(inputs);
    } catch {
      return null; // the run says what is wrong
    }
  }
  const files: string[][] = [];
  for (const input of found.inputs) {
    const stamp = input.path === "-" ? null : fileStamp(input.path);
    if (stamp === null) return null;
    files.push([input.name, input.path, String(input.named), stamp]);
  }
  return { files, diagnostics: found.diagnostics };
}

/** Options of {@link resultsKey}. */
export interface ResultsKeyOptions {
  /** Every option of the run that changes an output (JSON-able), e.g. `{ prefix: "x" }`. */
  values?: Record<string, unknown>;
  /** A prices file (`--prices`): keyed by its contents, not its name. */
  prices?: string;
  /**
   * The cache folder (`--cache-dir`), or false to turn the cache off (`--no-cache`).
   * @default {defaultCacheDir()}
   */
  cache?: string | false;
}

/** Where an entry lives (its folder and key), and what it was keyed from. */
export interface ResultsEntry {
  dir: string;
  key: string;
  /** The arguments of {@link resultsKey}, to key the inputs again before writing. */
  of: [command: string, inputs: string[], options: ResultsKeyOptions];
}

/**
 * The entry of a run of `command` (`analyze`, `report`) over `inputs`, or null
 * when the run cannot be cached: the cache is off (`--no-cache`), an input is
 * standard input or not a regular file, or the prices file cannot be read (the
 * run itself then says why).
 *
 * @example
 * ```ts
 * import { resultsKey } from "./results_cache.ts";
 * const cache = "/tmp/tb-doc-cache";
 * const a = await resultsKey("analyze", { inputs: ["traces/"], values: { prefix: "x" }, cache });
 * const b = await resultsKey("analyze", { inputs: ["traces/"], values: { prefix: "y" }, cache });
 * if (!a || !b || a.key === b.key || a.dir !== "/tmp/tb-doc-cache/results") throw new Error();
 * const off = await resultsKey("analyze", { inputs: ["traces/"], cache: false });
 * if (off !== null) throw new Error("--no-cache");
 * ```
 */
export async function resultsKey(
  command: string,
  options: ResultsKeyOptions & { inputs: string[] },
): Promise<ResultsEntry | null> {
  const { inputs, values = {}, cache } = options;
  if (cache === false) return null;
  const found = await keyedInputs(inputs);
  if (found === null) return null;
  let prices: string | null = null;
  if (options.prices !== undefined) {
    try {
      prices = await sha256(Deno.readFileSync(options.prices));
    } catch {
      return null;
    }
  }
  const identity = {
    command,
    inputs,
    files: found.files,
    unreadable: found.diagnostics,
    values,
    prices,
    source: await sourceVersion(),
    deno: Deno.version.deno,
    tz: await zoneAndLocale(),
    day: new Date().toISOString().slice(0, 10),
  };
  const key = await sha256(JSON.stringify(identity));
  return {
    dir: resultsDir(cache),
    key,
    of: [command, inputs, { values, prices: options.prices, cache }],
  };
}

/** `dir/name` (paths of the cache's own files; never shown). */
const joinPath = (dir: string, name: string) =>
  /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;

const entryPath = (entry: ResultsEntry) => joinPath(entry.dir, `${entry.key}.tbr`);

/** The entry's first bytes. */
const MAGIC = "TBR1";
/** The key of the object that stands for a blob in an entry's JSON. */
const BLOB = "\u0000blob";
/** Strings at least this long are stored as UTF-8 after the JSON, not inside it (parsed faster). */
const BLOB_CHARS = 4096;

/**
 * The stored payload of `entry`, or null (missing, partial, corrupt or of
 * another key). Long strings and byte arrays come back as they were stored
 * (byte arrays as views of the entry's bytes, not copies).
 *
 * @example
 * ```ts
 * import { readResults, resultsKey, writeResults } from "./results_cache.ts";
 * const cache = Deno.makeTempDirSync();
 * const entry = (await resultsKey("analyze", { inputs: ["traces/"], cache }))!;
 * if (readResults(entry) !== null) throw new Error("nothing stored yet");
 * await writeResults(entry, { html: "<p>".repeat(2000), png: new Uint8Array([137, 80]) });
 * const back = readResults<{ html: string; png: Uint8Array }>(entry)!;
 * if (back.html.length !== 6000 || back.png[1] !== 80) throw new Error();
 * Deno.removeSync(cache, { recursive: true });
 * ```
 */
export function readResults<T>(entry: ResultsEntry): T | null {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(entryPath(entry));
  } catch {
    return null;
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true });
    if (bytes.length < 8 || text.decode(bytes.subarray(0, 4)) !== MAGIC) return null;
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0);
    const header = JSON.parse(text.decode(bytes.subarray(8, 8 + headerLength))) as {
      format: string;
      key: string;
      blobs: [kind: "text" | "bytes", length: number][];
    };
    if (header.format !== FORMAT || header.key !== entry.key) return null;
    const blobs: (string | Uint8Array)[] = [];
    let at = 8 + headerLength;
    for (const [kind, length] of header.blobs) {
      const part = bytes.subarray(at, at + length);
      blobs.push(kind === "text" ? text.decode(part) : part);
      at += length;
    }
    const payloadLength = bytes.length - at;
    if (payloadLength <= 0) return null; // partial
    return JSON.parse(text.decode(bytes.subarray(at)), (_, value) => {
      if (value !== null && typeof value === "object" && BLOB in value) {
        const blob = blobs[value[BLOB]];
        if (blob === undefined) throw new Error("no such blob");
        return blob;
      }
      return value;
    }) as T;
  } catch {
    return null;
  }
}

/**
 * Store `payload` (JSON-able; byte arrays allowed) as `entry`, when the inputs
 * still have the key they had (a file that changed while the run read it:
 * nothing is stored): written to a temporary file beside it and renamed over
 * it. A cache that cannot be written is only slower: errors are ignored.
 *
 * The file: `TBR1`, the length of a JSON header (format, key, the kind and
 * length of each blob), the header, the blobs (long strings as UTF-8, byte
 * arrays), then the payload as JSON, in which each blob is `{"\u0000blob": i}`.
 */
export async function writeResults(entry: ResultsEntry, payload: unknown): Promise<void> {
  const [command, inputs, options] = entry.of;
  if ((await resultsKey(command, { ...options, inputs }))?.key !== entry.key) return;
  const path = entryPath(entry);
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    const encoder = new TextEncoder();
    const blobs: Uint8Array[] = [];
    const kinds: [string, number][] = [];
    const refs = new WeakSet<object>();
    const blob = (bytes: Uint8Array, kind: string) => {
      blobs.push(bytes);
      kinds.push([kind, bytes.length]);
      const ref = { [BLOB]: blobs.length - 1 };
      refs.add(ref);
      return ref;
    };
    const json = JSON.stringify(payload, function (this: object, key, value) {
      if (key === BLOB && !refs.has(this)) throw new Error("a payload key reads as a blob");
      if (typeof value === "string" && value.length >= BLOB_CHARS) {
        return blob(encoder.encode(value), "text");
      }
      const raw = (this as Record<string, unknown>)[key]; // before toJSON (a Buffer has one)
      if (raw instanceof Uint8Array) return blob(raw, "bytes");
      return value;
    });
    const header = encoder.encode(JSON.stringify({ format: FORMAT, key: entry.key, blobs: kinds }));
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, header.length);
    Deno.mkdirSync(entry.dir, { recursive: true });
    const file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    try {
      for (const part of [encoder.encode(MAGIC), length, header, ...blobs, encoder.encode(json)]) {
        for (let at = 0; at < part.length;) at += file.writeSync(part.subarray(at));
      }
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
  } catch {
    try {
      Deno.removeSync(tmp);
    } catch { /* never made */ }
    return;
  }
  pruneResults(entry.dir);
}

/** The results cache's folder in the cache folder `cache` (by default {@link defaultCacheDir}). */
export const resultsDir = (cache?: string) => joinPath(cache ?? defaultCacheDir(), "results");

/** A file of the results cache: a run's results, a recorded command line, or a temporary file. */
export interface ResultsFile {
  path: string;
  size: number;
  mtime: number;
  kind: "tbr" | "argv" | "tmp";
}

/**
 * The files of the results folder `dir` that are the results cache's (none when there is no folder).
 *
 * @example
 * ```ts
 * import { resultsFiles } from "./results_cache.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeFileSync(`${dir}/a.tbr`, new Uint8Array(100));
 * Deno.writeTextFileSync(`${dir}/readme.md`, "not the cache's");
 * const files = resultsFiles(dir);
 * if (files.length !== 1 || files[0]!.kind !== "tbr" || files[0]!.size !== 100) throw new Error();
 * ```
 */
export function resultsFiles(dir: string): ResultsFile[] {
  const files: ResultsFile[] = [];
  try {
    for (const { name, isFile } of Deno.readDirSync(dir)) {
      const kind = name.slice(name.lastIndexOf(".") + 1);
      if (!isFile || (kind !== "tbr" && kind !== "argv" && kind !== "tmp")) continue;
      const path = joinPath(dir, name);
      try {
        const { size, mtime } = Deno.statSync(path);
        files.push({ path, size, mtime: mtime?.getTime() ?? 0, kind });
      } catch { /* removed meanwhile */ }
    }
  } catch { /* no folder */ }
  return files;
}

/**
 * Drop all but the newest {@link MAX_RESULTS_ENTRIES} entries of `dir` (and as
 * many of the CLI's argument records, `replay.ts`), and temporary files over an
 * hour old.
 */
export function pruneResults(dir: string): void {
  const remove = (path: string) => {
    try {
      Deno.removeSync(path);
    } catch { /* another run removed it first */ }
  };
  const now = Date.now();
  const kept: Record<string, ResultsFile[]> = { tbr: [], argv: [] };
  for (const file of resultsFiles(dir)) {
    if (file.kind === "tmp") {
      if (now - file.mtime > 3_600_000) remove(file.path);
    } else kept[file.kind]!.push(file);
  }
  for (const entries of Object.values(kept)) {
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(MAX_RESULTS_ENTRIES)) remove(old.path);
  }
}

/** The forms in which a text shows the time of the run (an ISO string from `toISOString()`). */
const TIME_FORMS: Record<string, (iso: string) => string> = {
  /** `2026-11-30T11:05:00.123Z`, as `generated_at` holds it. */
  iso: (iso) => iso,
  /** `2026-11-30 11:05:00`, as the report shows it. */
  seconds: (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`,
};

/**
 * A text whose only run-dependent parts are the time of the run: the parts
 * between, and the form of the time ({@link TIME_FORMS}) in each hole.
 */
export interface TimeTemplate {
  parts: string[];
  holes: string[];
}

/**
 * The text of `template` at the time `iso` (an ISO string from `toISOString()`).
 *
 * @example
 * ```ts
 * import { fillTimeTemplate } from "./results_cache.ts";
 * const t = { parts: ["<time datetime=\"", "\">", " UTC</time>"], holes: ["iso", "seconds"] };
 * const text = fillTimeTemplate(t, "2026-01-02T03:04:05.678Z");
 * if (text !== '<time datetime="2026-01-02T03:04:05.678Z">2026-01-02 03:04:05 UTC</time>') throw new Error(text);
 * ```
 */
export function fillTimeTemplate(template: TimeTemplate, iso: string): string {
  let out = template.parts[0]!;
  for (let i = 0; i < template.holes.length; i++) {
    out += TIME_FORMS[template.holes[i]!]!(iso) + template.parts[i + 1]!;
  }
  return out;
}

/**
 * A {@link TimeTemplate} whose parts are UTF-8 bytes: a text that is only
 * written out (a report of megabytes) is stored, read back and written without
 * being decoded or encoded again.
 */
export interface TimeTemplateBytes {
  parts: Uint8Array[];
  holes: string[];
}

/** `template` with its parts as UTF-8 bytes (see {@link fillTimeTemplateBytes}). */
export function timeTemplateBytes(template: TimeTemplate): TimeTemplateBytes {
  const encoder = new TextEncoder();
  return { parts: template.parts.map((part) => encoder.encode(part)), holes: template.holes };
}

/**
 * The UTF-8 bytes of `template`'s text at the time `iso`: the bytes of
 * `fillTimeTemplate(template, iso)` for the template the bytes were made from.
 *
 * @example
 * ```ts
 * import { fillTimeTemplate, fillTimeTemplateBytes, timeTemplateBytes } from "./results_cache.ts";
 * const t = { parts: ["<p>é ", " — ", "</p>"], holes: ["iso", "seconds"] };
 * const iso = "2026-01-02T03:04:05.678Z";
 * const bytes = fillTimeTemplateBytes(timeTemplateBytes(t), iso);
 * if (new TextDecoder().decode(bytes) !== "<p>é 2026-01-02T03:04:05.678Z — 2026-01-02 03:04:05</p>") throw new Error();
 * if (new TextDecoder().decode(bytes) !== fillTimeTemplate(t, iso)) throw new Error();
 * ```
 */
export function fillTimeTemplateBytes(template: TimeTemplateBytes, iso: string): Uint8Array {
  const encoder = new TextEncoder();
  const times = template.holes.map((hole) => encoder.encode(TIME_FORMS[hole]!(iso)));
  let length = 0;
  for (const part of [...template.parts, ...times]) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = 0; i < template.parts.length; i++) {
    out.set(template.parts[i]!, at);
    at += template.parts[i]!.length;
    if (i < times.length) {
      out.set(times[i]!, at);
      at += times[i]!.length;
    }
  }
  return out;
}

/**
 * The template of `text`, rendered by `render` at the time `now`: every form of
 * `now` in it becomes a hole. Checked by rendering again at another time (a
 * year, a month, a day, an hour, a minute, a second and a millisecond later):
 * when the template does not give that text back (the time shows in another
 * form, or a value of the traces happens to read as the time), null.
 *
 * @example
 * ```ts
 * import { fillTimeTemplate, timeTemplate } from "./results_cache.ts";
 * const render = (d: Date) => `<p>${d.toISOString()} (${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)})</p>`;
 * const now = new Date("2026-01-02T03:04:05.678Z");
 * const t = timeTemplate(render(now), now, render)!;
 * const later = new Date("2027-05-06T07:08:09.010Z");
 * if (fillTimeTemplate(t, later.toISOString()) !== render(later)) throw new Error();
 * // a text that shows the date alone cannot be a template of these forms
 * if (timeTemplate("2026-01-02", now, (d) => d.toISOString().slice(0, 10)) !== null) throw new Error();
 * ```
 */
export function timeTemplate(
  text: string,
  now: Date,
  render: (now: Date) => string,
): TimeTemplate | null {
  const iso = now.toISOString();
  const forms = Object.entries(TIME_FORMS).map(([name, form]) => ({ name, text: form(iso) }));
  const pattern = new RegExp(
    forms.map((f) => f.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
    "g",
  );
  const parts: string[] = [];
  const holes: string[] = [];
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    parts.push(text.slice(at, m.index));
    holes.push(forms.find((f) => f.text === m[0])!.name);
    at = m.index + m[0].length;
  }
  parts.push(text.slice(at));
  const template = { parts, holes };
  const other = new Date(now);
  other.setUTCFullYear(other.getUTCFullYear() + 1, other.getUTCMonth() + 1, other.getUTCDate() + 1);
  other.setTime(other.getTime() + 3_661_001);
  return fills(template, other.toISOString(), render(other)) ? template : null;
}

/**
 * Whether `fillTimeTemplate(template, iso) === text`, compared part by part: the
 * filled text (megabytes for a report) is never built.
 */
function fills(template: TimeTemplate, iso: string, text: string): boolean {
  let at = 0;
  for (let i = 0; i < template.parts.length; i++) {
    const part = template.parts[i]!;
    if (!text.startsWith(part, at)) return false;
    at += part.length;
    if (i < template.holes.length) {
      const time = TIME_FORMS[template.holes[i]!]!(iso);
      if (!text.startsWith(time, at)) return false;
      at += time.length;
    }
  }
  return at === text.length;
}
