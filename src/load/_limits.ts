/**
 * The reader's limits, in a module of their own so that the cache's keys
 * (`cache_key.ts`) take them without loading the reader.
 *
 * @module
 */

/** The default of `maxLineBytes` (a longer line is `line_too_long`): 8 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
