/** src/report/summary_text.ts (formatFixed's cases moved to tests/log/format_test.ts). */
import assert from "node:assert/strict";
import { pythonLocalIsoformat } from "../../src/report/summary_text.ts";

Deno.test("pythonLocalIsoformat() writes local time as Python's datetime.isoformat()", () => {
  // Local time: the hour and day depend on the machine's time zone, the rest does not.
  const out = pythonLocalIsoformat("2025-04-08T19:42:09.345Z");
  assert.match(out, /^2025-04-0[89]T\d\d:42:09\.345000$/);
  assert.match(pythonLocalIsoformat("2025-04-08T19:42:09.000Z"), /^2025-04-0[89]T\d\d:42:09$/);
  if (new Date("2025-04-08T19:42:09Z").getTimezoneOffset() === 0) {
    assert.equal(out, "2025-04-08T19:42:09.345000");
  }
});
