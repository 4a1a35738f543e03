/**
 * Timestamps as real trace writers produce them, to microseconds since the
 * Unix epoch (UTC).
 *
 * @module
 */
import { TIMESTAMP_PATTERN } from "../schema/mod.ts";
import { UserError } from "../log/mod.ts";

/** Options of {@link parseTimestamp}. */
export interface ParseTimestampOptions {
  /**
   * IANA time zone of naive timestamps (no `Z`, no offset), e.g. `"Europe/Paris"`.
   * @default {"UTC"}
   */
  timezone?: string;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parse an ISO 8601 date-time to microseconds since the epoch (UTC), or `null`
 * when the text is not one. Accepts naive timestamps with or without a fraction
 * (`2025-04-08T19:42:09`, Python's `isoformat()`), `Z`, `±HH:MM` or `±HHMM`
 * offsets, a space instead of `T`, and 1 to 9 fractional digits (truncated to
 * microseconds). Naive timestamps are UTC unless `options.timezone` names a zone.
 *
 * @example
 * ```ts
 * import { parseTimestamp } from "./timestamp.ts";
 * const us = parseTimestamp("2025-04-08T19:42:09.5+02:00");
 * if (us !== Date.UTC(2025, 3, 8, 17, 42, 9, 500) * 1000) throw new Error("wrong");
 * ```
 */
export function parseTimestamp(text: string, options: ParseTimestampOptions = {}): number | null {
  return parseCommon(text, options.timezone) ?? parseAny(text, options);
}

/** Minute prefix `YYYY-MM-DDTHH:MM` (+ zone) → epoch ms of that minute, or NaN when invalid. */
const minuteCache = new Map<string, number>();

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * The common shapes, without a regex: `YYYY-MM-DDTHH:MM:SS`, an optional `.` and
 * 1–9 digits, an optional `Z`. The minute is parsed once and cached. Returns
 * `undefined` for any other shape (the general parser decides).
 */
function parseCommon(text: string, timezone: string | undefined): number | null | undefined {
  const n = text.length;
  if (n < 19 || text.charCodeAt(16) !== 58 /* : */) return undefined;
  let end = n;
  const z = text.charCodeAt(n - 1) === 90; /* Z */
  if (z) end--;
  const s1 = digit(text, 17), s2 = digit(text, 18);
  if (s1 < 0 || s2 < 0) return undefined;
  let micros = 0;
  if (end > 19) {
    if (text.charCodeAt(19) !== 46 /* . */ || end - 20 < 1 || end - 20 > 9) return undefined;
    for (let i = 20; i < end; i++) {
      const d = digit(text, i);
      if (d < 0) return undefined;
      if (i < 26) micros = micros * 10 + d;
    }
    for (let i = Math.min(end, 26); i < 26; i++) micros *= 10;
  }
  const zone = z ? "Z" : timezone && timezone !== "UTC" ? timezone : "";
  const key = text.slice(0, 16) + zone;
  let minute = minuteCache.get(key);
  if (minute === undefined) {
    const parsed = parseAny(`${text.slice(0, 16)}:00${z ? "Z" : ""}`, { timezone });
    minute = parsed === null ? NaN : parsed / 1000;
    if (minuteCache.size > 100_000) minuteCache.clear();
    minuteCache.set(key, minute);
  }
  const second = s1 * 10 + s2;
  if (Number.isNaN(minute) || second > 59) return null;
  return (minute + second * 1000) * 1000 + micros;
}

function parseAny(text: string, options: ParseTimestampOptions): number | null {
  const m = TIMESTAMP_PATTERN.exec(text);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys), month = Number(mos), day = Number(ds);
  const hour = Number(hs), minute = Number(mis), second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return null;
  if (month === 2 && day === 29 && !isLeapYear(year)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const micros = frac ? Number(frac.slice(0, 6).padEnd(6, "0")) : 0;
  const wallMs = utcMs(year, month - 1, day, hour, minute, second);
  let offsetMinutes = 0;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  } else if (!zone && options.timezone && options.timezone !== "UTC") {
    offsetMinutes = zoneOffsetMinutes(options.timezone, wallMs);
  }
  return (wallMs - offsetMinutes * 60_000) * 1000 + micros;
}

/** `Date.UTC` for every year: `Date.UTC` reads years 0–99 as 1900–1999. */
function utcMs(year: number, month: number, day: number, h: number, mi: number, s: number): number {
  if (year >= 100) return Date.UTC(year, month, day, h, mi, s);
  const d = new Date(Date.UTC(2000, month, day, h, mi, s));
  d.setUTCFullYear(year);
  return d.getTime();
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

/** Throw a {@link UserError} unless `timezone` is an IANA time zone this runtime knows. */
export function checkTimezone(timezone: string): void {
  try {
    formatter(timezone);
  } catch (cause) {
    throw new UserError(
      `Unknown time zone "${timezone}": use an IANA name such as "Europe/Paris".`,
      { cause, exitCode: 2 }, // a wrong option value: wrong usage, as every other one
    );
  }
}

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Offset (minutes east of UTC) of `timezone` at the UTC instant `utcMs`. */
function offsetAt(timezone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(utcMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** Offset of `timezone` for the wall-clock time `wallMs` (read as if UTC); cached per quarter hour. */
function zoneOffsetMinutes(timezone: string, wallMs: number): number {
  const key = `${timezone}|${Math.floor(wallMs / 900_000)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = offsetAt(timezone, wallMs);
    offset = offsetAt(timezone, wallMs - offset * 60_000);
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}
