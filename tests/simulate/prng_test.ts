import assert from "node:assert/strict";
import { Random } from "../../src/simulate/prng.ts";

Deno.test("Random is seeded: the same seed gives the same sequence, another seed another one", () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const take = (r: Random) => Array.from({ length: 5 }, () => r.uint32());
  assert.deepEqual(take(a), take(b));
  assert.notDeepEqual(take(new Random(42)), take(c));
  assert.match(
    new Random(1).uuid(),
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});
