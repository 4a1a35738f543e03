/**
 * src/log/format.ts: numbers as text. Expected strings are worked out by hand from the
 * exact value of each double (Python's `f"{x:.2f}"` rounds that value, a tie to even).
 */
import assert from "node:assert/strict";
import {
  formatFixed,
  formatInt,
  formatPercent,
  formatPrecision,
  formatSeconds,
  formatSignificant,
  formatTrimmed,
  formatUsd,
  formatUsdShort,
  MISSING,
} from "../../src/log/format.ts";

Deno.test("formatFixed() rounds like Python's format(x, '.2f')", () => {
  // Values checked against CPython 3.11: f"{x:.2f}".
  const cases: [number, number, string][] = [
    [24.989967823028564, 2, "24.99"],
    [0.125, 2, "0.12"], // 1/8 is exact: a tie, half to even (JS toFixed gives 0.13)
    [0.375, 2, "0.38"], // 3/8 exact: the tie goes up to the even 8
    [2.675, 2, "2.67"], // the double is 2.67499999999999982236431605997495353221893310546875
    [2.5, 0, "2"],
    [3.5, 0, "4"],
    [0.5, 0, "0"],
    [1.005, 2, "1.00"], // 1.005 is 1.00499999999999989… as a double
    [9.995, 2, "9.99"], // 9.9949999999999992184029906638897955417633056640625
    [9.875, 2, "9.88"], // 79/8 exact: tie, 7 is odd so up to 8
    [99.5, 0, "100"], // tie, 9 odd: the carry runs through
    [0, 2, "0.00"],
    [-0.001, 2, "-0.00"],
    [-1.125, 2, "-1.12"],
    [1234567.891, 2, "1234567.89"],
    [1e21, 1, "1000000000000000000000.0"], // toFixed would write 1e+21
    [0.1, 20, "0.10000000000000000555"], // 0.1000000000000000055511151231257827…
  ];
  for (const [x, d, want] of cases) assert.equal(formatFixed(x, d), want, `${x} with ${d} digits`);
  assert.deepEqual([NaN, Infinity, -Infinity].map((x) => formatFixed(x, 2)), [
    "nan",
    "inf",
    "-inf",
  ]);
});

Deno.test("formatFixed() agrees with toFixed except on exact ties", () => {
  // A double that is not an exact tie at `d` decimals rounds the same under both rules.
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const x = (next() - 0.5) * 10 ** Math.floor(next() * 8);
    const d = Math.floor(next() * 7);
    assert.equal(formatFixed(x, d), x.toFixed(d), `${x} with ${d} digits`);
  }
  // Exact ties at more decimals (a fraction of d + 1 bits) still go half to even:
  // 1/16 = 0.0625 at 3: the 2 is even, stays; 3/16 = 0.1875: the 7 is odd, up to 0.188;
  // 1/32 = 0.03125 at 4: the 2 stays; 3 + 1/2 at 0: up to the even 4; 12.5 at 0: stays 12.
  assert.equal(formatFixed(0.0625, 3), "0.062");
  assert.equal(formatFixed(0.1875, 3), "0.188");
  assert.equal(formatFixed(0.03125, 4), "0.0312");
  assert.equal(formatFixed(3.5, 0), "4");
  assert.equal(formatFixed(12.5, 0), "12");
  assert.equal(formatFixed(-0.0625, 3), "-0.062");
  // A fraction of more bits than d + 1 is no tie: 0.0625 at 2 is 0.0025 from 0.06 and 0.0075
  // from 0.07; 0.09375 (3/32) is 0.00375 from 0.09 and 0.00625 from 0.10.
  assert.equal(formatFixed(0.0625, 2), "0.06");
  assert.equal(formatFixed(0.09375, 2), "0.09");
  // Ties k/8 differ only where the digit before the 5 is even.
  assert.equal((0.625).toFixed(2), "0.63");
  assert.equal(formatFixed(0.625, 2), "0.62");
  assert.equal(formatFixed(0.875, 2), (0.875).toFixed(2)); // 0.88 both: 7 is odd
});

Deno.test("formatPrecision() writes toPrecision's shape with ties to even", () => {
  const cases: [number, number, string][] = [
    [0.0044, 3, "0.00440"],
    [0.0625, 2, "0.062"], // 1/16 exact: tie, 6 even stays (toPrecision: 0.063)
    [0.1875, 3, "0.188"], // 3/16 exact: tie, 7 odd goes up
    [123456, 3, "1.23e+5"],
    [125, 2, "1.2e+2"], // tie at the tens: 2 even stays
    [135, 2, "1.4e+2"],
    [9.5, 1, "1e+1"], // tie, 9 odd: rounds up to 10, exponent 1
    [0.00000123, 2, "0.0000012"],
    [0.000000123, 2, "1.2e-7"],
    [-2.5, 1, "-2"],
    [0, 3, "0.00"],
  ];
  for (const [x, d, want] of cases) assert.equal(formatPrecision(x, d), want, `${x} to ${d}`);
  // Away from exact ties it is toPrecision, exponent form included.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const x = (next() - 0.5) * 10 ** Math.floor(next() * 24 - 12);
    const d = 1 + Math.floor(next() * 8);
    assert.equal(formatPrecision(x, d), x.toPrecision(d), `${x} to ${d}`);
  }
});

Deno.test("formatSignificant() drops trailing zeros", () => {
  assert.equal(formatSignificant(0.0044, 3), "0.0044");
  assert.equal(formatSignificant(12345.678, 6), "12345.7");
  assert.equal(formatSignificant(1 / 3, 4), "0.3333");
  assert.equal(formatSignificant(123456, 3), "123000");
});

Deno.test("formatInt(), formatSeconds(), formatPercent() and formatUsd() print a missing value as a dash", () => {
  assert.equal(formatInt(1234567.4), "1,234,567");
  assert.equal(formatInt(2.5), "3"); // Math.round: a count is never a tie in practice
  assert.equal(formatSeconds(0.4567), "0.457"); // under a second: 3 decimals
  assert.equal(formatSeconds(0.0625), "0.062"); // 1/16 exact: tie to even
  assert.equal(formatSeconds(12.345), "12.35"); // 12.3450000000000006394884621840901672840118408203125
  // below half a millisecond (3 decimals would print 0.000): two significant digits
  assert.equal(formatSeconds(0.000452), "0.00045");
  assert.equal(formatSeconds(0.0004999), "0.00050"); // 4.999e-4 to two significant digits
  assert.equal(formatSeconds(0.0005), "0.001"); // 3 decimals no longer print 0.000: as before
  assert.equal(formatSeconds(-0.00002), "-0.000020");
  assert.equal(formatSeconds(3e-7), "0.00000030");
  assert.equal(formatSeconds(1e-12), "0.000000000"); // nanoseconds at most
  assert.equal(formatSeconds(0), "0.000");
  assert.equal(formatPercent(0.125), "12.5%");
  assert.equal(formatPercent(0.5625), "56.2%"); // 9/16 × 100 = 56.25 exactly: a tie, 2 even stays
  assert.equal(formatPercent(1 / 3, 2), "33.33%");
  assert.equal(formatUsd(1234.5), "$1,234.50");
  assert.equal(formatUsd(0.0044), "$0.0044");
  assert.equal(formatUsd(0.1), "$0.10");
  assert.equal(formatUsd(0.00012345), "$0.000123");
  assert.equal(formatUsd(0), "$0.00");
  for (const f of [formatInt, formatSeconds, formatPercent, formatUsd]) {
    assert.deepEqual([null, undefined, NaN, Infinity].map((v) => f(v)), [
      MISSING,
      MISSING,
      MISSING,
      MISSING,
    ]);
  }
});

Deno.test("formatTrimmed() keeps at most the digits asked for and drops trailing zeros", () => {
  assert.equal(formatTrimmed(10, 6), "10");
  assert.equal(formatTrimmed(12.5, 6), "12.5");
  assert.equal(formatTrimmed(0.1 + 0.2, 6), "0.3"); // 0.30000000000000004 → 0.300000
  assert.equal(formatTrimmed(0.0000005, 6), "0"); // 5e-7 is 4.99999999999999977e-7 as a double
  assert.equal(formatTrimmed(2.5, 0), "2"); // a tie: half to even
});

Deno.test("formatUsdShort() prints cents from $1 up, else three significant digits", () => {
  assert.equal(formatUsdShort(12.3), "$12.30");
  assert.equal(formatUsdShort(1234.5), "$1,234.50");
  assert.equal(formatUsdShort(0.078125), "$0.0781"); // 5/64 exact: 0.078125, the 4th digit 1 rounds down
  assert.equal(formatUsdShort(0.0625), "$0.0625");
  assert.equal(formatUsdShort(0.00015625), "$0.000156"); // 5/32000 is not a tie at 3 digits: 1.5625e-4
  assert.equal(formatUsdShort(0), "$0");
});
