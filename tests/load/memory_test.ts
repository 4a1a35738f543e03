import assert from "node:assert/strict";
import { releaseFreedMemory, trimOnFree } from "../../src/load/_memory.ts";

// The suite runs with -A (FFI allowed): on Linux with glibc (Deno's "gnu" build) mallopt takes
// both thresholds; anywhere else nothing can be called and the answer is false.
const glibc = Deno.build.os === "linux" && Deno.build.env === "gnu";

Deno.test("trimOnFree() sets glibc's thresholds once, where C can be called", () => {
  assert.equal(trimOnFree(), glibc);
  assert.equal(trimOnFree(), glibc); // once set, the same answer
  // memory is still allocated and freed as before: a block over the 32 MiB threshold, and many small
  const big = new Uint8Array(40 * 1024 * 1024).fill(7);
  assert.equal(big[big.length - 1], 7);
  const small = Array.from({ length: 1000 }, (_, i) => new Uint8Array(2048).fill(i % 256));
  assert.equal(small[999]![0], 999 % 256);
  releaseFreedMemory(); // and given back on demand, as before
});
