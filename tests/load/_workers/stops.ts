// A worker that takes one range, then ends without reading it or saying it is done:
// readNativeFiles must read that range, and the others left, itself.
import { parentPort } from "node:worker_threads";
import { Claims } from "../../../src/load/_claims.ts";
import type { WorkerStart } from "../../../src/load/_parallel.ts";

parentPort!.on("message", ({ tasks, slots, window }: WorkerStart) => {
  new Claims(slots, tasks.length, window).take();
  process.exit(0);
});
