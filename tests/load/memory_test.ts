import assert from "node:assert/strict";
import {
  freedMemoryBound,
  KEEP_FREED_SHARE,
  keepFreedMemoryBelow,
  releaseFreedMemory,
  trimOnFree,
} from "../../src/load/_memory.ts";
import { LARGE_INPUT_BYTES } from "../../src/load/_parallel.ts";
import { loadTraces } from "../../src/load/mod.ts";

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

Deno.test("releaseFreedMemory() gives back only from keepFreedMemoryBelow's bound on", () => {
  try {
    // the process holds far less than 2^52 bytes: nothing is given back
    keepFreedMemoryBelow(2 ** 52);
    assert.equal(releaseFreedMemory(), false);
    // a bound of one byte: any process holds more, so given back where C can be called
    keepFreedMemoryBelow(1);
    assert.equal(releaseFreedMemory(), glibc);
    // no bound
    keepFreedMemoryBelow(0);
    assert.equal(releaseFreedMemory(), glibc);
  } finally {
    keepFreedMemoryBelow(0);
  }
});

Deno.test("a large load keeps freed memory below half its input's size", async () => {
  // a native file of LARGE_INPUT_BYTES and more, read without the cache: the load sets the
  // bound from the sizes of its files, which the test sums itself
  const dir = Deno.makeTempDirSync();
  try {
    const line = JSON.stringify({
      type: "llm_request",
      timestamp: "2025-01-01T00:00:00.000",
      session_id: "s",
      data: {
        request_id: "r",
        model: "m",
        messages: [{ role: "user", content: "x".repeat(4000) }],
      },
    }) + "\n";
    const path = `${dir}/big.jsonl`;
    const count = Math.ceil(LARGE_INPUT_BYTES / line.length);
    Deno.writeTextFileSync(path, line.repeat(count));
    const size = Deno.statSync(path).size;
    assert.ok(size >= LARGE_INPUT_BYTES);
    await loadTraces([path], { cache: false });
    assert.equal(KEEP_FREED_SHARE, 0.5);
    assert.equal(freedMemoryBound(), size / 2);
  } finally {
    keepFreedMemoryBelow(0);
    Deno.removeSync(dir, { recursive: true });
  }
});
