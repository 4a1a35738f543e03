import assert from "node:assert/strict";
import { parseTimestamp } from "../../src/load/timestamp.ts";
import { UserError } from "../../src/log/mod.ts";
import { checkTimezone } from "../../src/load/timestamp.ts";

/** Microseconds since the epoch of a UTC wall time, plus extra microseconds. */
const us = (y: number, mo: number, d: number, h: number, mi: number, s: number, micros = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s) * 1000 + micros;

Deno.test("parseTimestamp() reads a naive timestamp without a fraction (Python isoformat at .000000) as UTC", () => {
  assert.equal(parseTimestamp("2025-04-08T19:42:09"), us(2025, 4, 8, 19, 42, 9));
});

Deno.test("parseTimestamp() reads a naive timestamp with microseconds", () => {
  assert.equal(parseTimestamp("2025-04-08T19:41:59.345040"), us(2025, 4, 8, 19, 41, 59, 345040));
});

Deno.test("parseTimestamp() reads 1 to 9 fractional digits, truncating to microseconds", () => {
  assert.equal(parseTimestamp("2025-04-08T19:42:09.5"), us(2025, 4, 8, 19, 42, 9, 500000));
  assert.equal(parseTimestamp("2025-04-08T19:42:09.123"), us(2025, 4, 8, 19, 42, 9, 123000));
  assert.equal(parseTimestamp("2025-04-08T19:42:09.1234567"), us(2025, 4, 8, 19, 42, 9, 123456));
  assert.equal(parseTimestamp("2025-04-08T19:42:09.999999999"), us(2025, 4, 8, 19, 42, 9, 999999));
});

Deno.test("parseTimestamp() reads Z and offsets, with or without a colon", () => {
  assert.equal(parseTimestamp("2025-04-08T19:42:09Z"), us(2025, 4, 8, 19, 42, 9));
  assert.equal(parseTimestamp("2025-04-08T19:42:09.25+00:00"), us(2025, 4, 8, 19, 42, 9, 250000));
  assert.equal(parseTimestamp("2025-04-08T19:42:09+02:00"), us(2025, 4, 8, 17, 42, 9));
  assert.equal(parseTimestamp("2025-04-08T19:42:09-0530"), us(2025, 4, 9, 1, 12, 9));
});

Deno.test("parseTimestamp() accepts a space instead of T", () => {
  assert.equal(parseTimestamp("2025-04-08 19:42:09.1"), us(2025, 4, 8, 19, 42, 9, 100000));
});

Deno.test("parseTimestamp() reads naive timestamps in the named IANA time zone, across DST", () => {
  // Paris is UTC+2 in summer (CEST) and UTC+1 in winter (CET)
  assert.equal(
    parseTimestamp("2025-04-08T19:42:09", { timezone: "Europe/Paris" }),
    us(2025, 4, 8, 17, 42, 9),
  );
  assert.equal(
    parseTimestamp("2025-01-08T19:42:09", { timezone: "Europe/Paris" }),
    us(2025, 1, 8, 18, 42, 9),
  );
  // an explicit offset wins over the option
  assert.equal(
    parseTimestamp("2025-04-08T19:42:09Z", { timezone: "Europe/Paris" }),
    us(2025, 4, 8, 19, 42, 9),
  );
  assert.equal(
    parseTimestamp("2025-04-08T19:42:09", { timezone: "America/New_York" }),
    us(2025, 4, 8, 23, 42, 9),
  );
});

Deno.test("parseTimestamp() returns null for text that is not a date-time", () => {
  for (
    const text of [
      "",
      "yesterday",
      "2025-04-08",
      "2025-13-01T00:00:00",
      "2025-02-29T00:00:00",
      "2025-04-08T24:00:00",
      "2025-04-08T19:42:09.1234567890",
      "1744141329",
      "2025-04-08T19:42:09+25:00",
    ]
  ) {
    assert.equal(parseTimestamp(text), null, text);
  }
  assert.equal(parseTimestamp("2024-02-29T00:00:00"), us(2024, 2, 29, 0, 0, 0));
});

Deno.test("checkTimezone() rejects an unknown zone with a UserError", () => {
  assert.throws(
    () => checkTimezone("Mars/Olympus"),
    (e: unknown) => e instanceof UserError && /Mars\/Olympus/.test(e.message),
  );
  checkTimezone("Asia/Tokyo");
});
