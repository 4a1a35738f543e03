/**
 * What counts as a secret, by name and by shape.
 *
 * - **By name** ({@link isSecretName}): a key whose words name a key, token,
 *   secret, password, credential, cookie, auth or signature, in any casing or
 *   separator (`OPENAI_API_KEY`, `openAIApiKey`, `x-auth-token`,
 *   `Ocp-Apim-Subscription-Key`, `secretAccessKey`, `Cookie`, …), but not
 *   token counts (`input_tokens`, `max_tokens`, `token_count`).
 * - **By shape** ({@link redactText}): the provider key formats of secretlint's
 *   recommended rule preset (AWS, GCP, GitHub, GitLab, Slack, OpenAI,
 *   Anthropic, Groq, Hugging Face, npm, Stripe, SendGrid, private keys,
 *   database connection strings, …), plus what that preset leaves out and
 *   traces carry: generic `sk-…` keys, Google `AIza…` keys, JWTs, credential
 *   schemes (`Bearer`, `Basic`, `Token`, `Digest`), URL userinfo
 *   (`user:pass@`), and `name=value` / `name: value` pairs whose name is a
 *   secret name (`?key=`, `?sig=`, `"api_key": "…"`, `password: …`).
 *
 * @module
 */
import { rules as secretlintRules } from "npm:@secretlint/secretlint-rule-preset-recommend@13.0.7";

/** What a redacted value is replaced with. */
export const REDACTED = "[REDACTED]";

/** Keys redacted besides the word rules of {@link isSecretName} (any case, separators ignored). */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  "api_key",
  "authorization",
  "x-api-key",
  "proxy-authorization",
  "x-goog-api-key",
  "api-key",
  "set-cookie",
  "dsn",
];

/** A key in the form compared with extra secret keys: lower case, letters and digits only. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** A set of extra secret keys in their normalized form. */
export function secretKeySet(extra: readonly string[] = []): Set<string> {
  return new Set([...DEFAULT_SECRET_KEYS, ...extra].map(normalizeKey));
}

const DEFAULT_KEYS = secretKeySet();

/** The words of a key: `openAIApiKey` → `open ai api key`, `X-Auth-Token` → `x auth token`. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/** Words that make a key secret wherever they stand. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "secrets",
  "credential",
  "credentials",
  "cookie",
  "cookies",
  "authorization",
  "auth",
  "oauth",
  "signature",
  "sig",
  "apikey",
  "token",
  "jwt",
  "bearer",
]);
/** A word made of several (`APIKEY`, `ACCESSTOKEN`) ends with one of these. */
const SECRET_SUFFIXES = [
  "apikey",
  "accesskey",
  "secretkey",
  "privatekey",
  "subscriptionkey",
  "masterkey",
  "signingkey",
  "token",
  "password",
  "secret",
];
/** `token` followed by one of these is a count or a kind, not a token. */
const TOKEN_NOT_SECRET = new Set([
  "count",
  "counts",
  "limit",
  "limits",
  "usage",
  "type",
  "budget",
  "estimate",
]);

/**
 * Whether a key names a secret.
 *
 * @example
 * ```ts
 * import { isSecretName } from "./secrets.ts";
 * const secret = ["OPENAI_API_KEY", "openAIApiKey", "key", "x-auth-token", "Cookie", "secretAccessKey"];
 * const plain = ["input_tokens", "max_tokens", "token_count", "model", "monkey", "author"];
 * if (!secret.every((k) => isSecretName(k)) || plain.some((k) => isSecretName(k))) throw new Error("wrong");
 * ```
 */
export function isSecretName(key: string, extra: Set<string> = DEFAULT_KEYS): boolean {
  if (extra.has(normalizeKey(key))) return true;
  const words = keyWords(key);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "token" || (w.endsWith("token") && w.length > 5)) {
      if (!TOKEN_NOT_SECRET.has(words[i + 1] ?? "")) return true;
      continue;
    }
    if (SECRET_WORDS.has(w)) return true;
    if (w === "key" && i === words.length - 1) return true;
    if (w.length > 6 && SECRET_SUFFIXES.some((s) => w.endsWith(s))) return true;
  }
  return false;
}

// --- shapes -------------------------------------------------------------------

type Range = [number, number];

interface ScannerRule {
  meta: { type?: string };
  create(
    context: Record<string, unknown>,
    options: Record<string, unknown>,
  ): { file?(source: Record<string, unknown>): unknown };
}

let reported: Range[] = [];
const scanContext = {
  createTranslator: () => (id: string) => ({ message: id, messageId: id, data: {} }),
  report: (d: { range?: unknown }) => {
    if (
      Array.isArray(d.range) && typeof d.range[0] === "number" && typeof d.range[1] === "number"
    ) {
      reported.push([d.range[0], d.range[1]]);
    }
  },
  ignore: () => {},
  sharedOptions: {},
};
/** Per-rule options: AWS also reports access key ids (`AKIA…`). */
const RULE_OPTIONS: Record<string, Record<string, unknown>> = {
  "@secretlint/secretlint-rule-aws": { enableIDScanRule: true },
};
const scanners: ((source: Record<string, unknown>) => unknown)[] = [];
for (const rule of secretlintRules as unknown as ScannerRule[]) {
  if (rule.meta?.type !== "scanner") continue;
  const id = (rule.meta as { id?: string }).id ?? "";
  const handlers = rule.create(scanContext, RULE_OPTIONS[id] ?? {});
  if (typeof handlers.file === "function") scanners.push(handlers.file.bind(handlers));
}

/** Patterns besides secretlint's: key formats it does not know and JWTs. */
const SHAPES: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic, OpenRouter, DeepSeek, … (any length)
  /\bAIza[0-9A-Za-z_-]{35}/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWTs
  /\b(?:xai|pplx|nvapi|gsk|glpat)-[A-Za-z0-9_-]{20,}/g, // xAI, Perplexity, NVIDIA, Groq, GitLab
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_\w{20,}/g, // GitHub, any length
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack, any length
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bhf_[A-Za-z0-9]{30,}/g, // Hugging Face
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];
/** `Bearer x`, `Basic x`, `Token x`, `Digest x`: the credential after the scheme. */
const SCHEME = /\b(Bearer|Basic|Token|Digest)\s+([A-Za-z0-9._~+/=-]+|"[^"]*")/gi;
/** `scheme://userinfo@host`: the userinfo. */
const USERINFO = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/([^\s/?#@"'<>]+)@/gi;
/** `name=value`, `name: value`, `"name": "value"`: the value, when the name is secret (a pair inside a value that is not secret is still found). */
const PAIR = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?:=|:(?!\/\/))[ \t]*["']?/g;
const PAIR_VALUE = /[^\s"'&,;)\]}<>]+/y;
const SCHEME_WORD = /^(?:bearer|basic|token|digest)$/i;
/** Characters of a credential, to widen a reported range to the whole token. */
const CREDENTIAL_CHAR = /[A-Za-z0-9_+/=.~-]/;

function schemeCredential(scheme: string, cred: string): boolean {
  if (cred.startsWith('"')) return cred.length > 2;
  const s = scheme.toLowerCase();
  if (s === "bearer") return cred.length >= 6;
  if (s === "basic") {
    if (cred.length < 8) return false;
    try {
      return atob(cred).includes(":");
    } catch {
      return /\d/.test(cred) && cred.length >= 16;
    }
  }
  if (s === "digest") return /username=|response=/.test(cred) || cred.length >= 16;
  return cred.length >= 8 && (/\d/.test(cred) || cred.length >= 20);
}

function widen(text: string, [start, end]: Range): Range {
  let s = Math.max(0, Math.min(start, text.length));
  let e = Math.max(s, Math.min(end, text.length));
  while (s > 0 && CREDENTIAL_CHAR.test(text[s - 1]!)) s--;
  while (e < text.length && CREDENTIAL_CHAR.test(text[e]!)) e++;
  return [s, e];
}

/**
 * The ranges of `text` that hold a secret (unsorted, may overlap).
 * Exposed for tests; use {@link redactText}.
 */
export function secretRanges(text: string, extra: Set<string> = DEFAULT_KEYS): Range[] {
  const ranges: Range[] = [];
  reported = [];
  const source = { content: text, filePath: "trace.txt", ext: ".txt", contentType: "text" };
  for (const scan of scanners) {
    try {
      const r = scan(source);
      if (r instanceof Promise) r.catch(() => {});
    } catch {
      // a rule that fails on this text finds nothing in it
    }
  }
  for (const r of reported) {
    const [s, e] = widen(text, r);
    // a whole URL reported for its userinfo: USERINFO below redacts the userinfo only
    if (!text.slice(s, e).includes("://")) ranges.push([s, e]);
  }
  reported = [];
  for (const re of SHAPES) {
    for (const m of text.matchAll(re)) ranges.push([m.index, m.index + m[0].length]);
  }
  for (const m of text.matchAll(SCHEME)) {
    const cred = m[2]!;
    if (!schemeCredential(m[1]!, cred)) continue;
    const start = m.index + m[0].length - cred.length;
    ranges.push([start, start + cred.length]);
  }
  for (const m of text.matchAll(USERINFO)) {
    const start = m.index + m[0].length - 1 - m[1]!.length;
    ranges.push([start, start + m[1]!.length]);
  }
  let covered = 0;
  for (const m of text.matchAll(PAIR)) {
    if (m.index < covered || !isSecretName(m[1]!, extra)) continue;
    const start = m.index + m[0].length;
    PAIR_VALUE.lastIndex = start;
    const value = PAIR_VALUE.exec(text)?.[0];
    if (value === undefined || SCHEME_WORD.test(value)) continue;
    ranges.push([start, start + value.length]);
    covered = start + value.length;
  }
  return ranges;
}

/**
 * `text` with every secret found by shape replaced by `[REDACTED]`.
 *
 * @example
 * ```ts
 * import { redactText } from "./secrets.ts";
 * const out = redactText("GET https://u:pw123456@h.example/v1?key=abc123&alt=sse with Bearer tok123456");
 * if (out !== "GET https://[REDACTED]@h.example/v1?key=[REDACTED]&alt=sse with Bearer [REDACTED]") {
 *   throw new Error(out);
 * }
 * ```
 */
export function redactText(text: string, extra: Set<string> = DEFAULT_KEYS): string {
  if (text.length < 6) return text;
  const ranges = secretRanges(text, extra);
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = "";
  let at = 0;
  let i = 0;
  while (i < ranges.length) {
    let [s, e] = ranges[i]!;
    i++;
    while (i < ranges.length && ranges[i]![0] <= e) e = Math.max(e, ranges[i++]![1]);
    if (s < at) s = at;
    out += text.slice(at, s) + REDACTED;
    at = e;
  }
  return out + text.slice(at);
}
