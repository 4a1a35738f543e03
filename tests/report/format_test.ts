import assert from "node:assert/strict";
import { formatFixed } from "../../src/report/format.ts";
import { pythonLocalIsoformat } from "../../src/report/summary_text.ts";

Deno.test("formatFixed() rounds like Python's format(x, '.2f')", () => {
  // Values checked against CPython 3.11: f"{x:.2f}".
  const cases: [number, number, string][] = [
    [24.989967823028564, 2, "24.99"],
    [0.125, 2, "0.12"], // exact tie: half to even (JS toFixed gives 0.13)
    [0.375, 2, "0.38"],
    [2.5, 0, "2"],
    [3.5, 0, "4"],
    [1.005, 2, "1.00"], // 1.005 is 1.00499999999999989… as a double
    [0, 2, "0.00"],
    [-0.001, 2, "-0.00"],
    [-1.125, 2, "-1.12"],
    [1234567.891, 2, "1234567.89"],
  ];
  for (const [x, d, want] of cases) assert.equal(formatFixed(x, d), want, `${x} with ${d} digits`);
});

Deno.test("pythonLocalIsoformat() writes local time as Python's datetime.isoformat()", () => {
  // Local time: the hour and day depend on the machine's time zone, the rest does not.
  const out = pythonLocalIsoformat("2025-04-08T19:42:09.345Z");
  assert.match(out, /^2025-04-0[89]T\d\d:42:09\.345000$/);
  assert.match(pythonLocalIsoformat("2025-04-08T19:42:09.000Z"), /^2025-04-0[89]T\d\d:42:09$/);
  if (new Date("2025-04-08T19:42:09Z").getTimezoneOffset() === 0) {
    assert.equal(out, "2025-04-08T19:42:09.345000");
  }
});
