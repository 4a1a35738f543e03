/**
 * The helper thread of `_bootstraps.ts`: says it has loaded, then for each job
 * posted takes its calls one at a time (sharing them with the calling thread)
 * until none is left, each result stored in its shared slot.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { type BootstrapJob, callsOf, runBootstrap, takeCalls } from "./_bootstraps.ts";

parentPort!.on("message", (job: BootstrapJob) => {
  const calls = callsOf(job);
  takeCalls(job, (i) => runBootstrap(calls[i]!));
});
parentPort!.postMessage("loaded");
