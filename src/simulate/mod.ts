/**
 * The simulator: realistic, seeded, reproducible traces written through the
 * tracer (the bundled `traces/` sample and the benchmark inputs).
 *
 * @module
 */
export { simulate } from "./simulate.ts";
export { SIMULATE_DEFAULTS, type SimulateOptions, type SimulationResult } from "./options.ts";
export {
  DEFAULT_MODELS,
  MODEL_PROFILES,
  type ModelProfile,
  profileOf,
  type ResponseShape,
} from "./models.ts";
export { Random } from "./prng.ts";
export { SimulatedApiError } from "./errors.ts";
