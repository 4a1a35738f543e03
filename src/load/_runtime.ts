/**
 * The Deno global where the loader runs in Deno, undefined in Node (the npm
 * package): the loader's one view of it, typed here with only what the loader
 * calls, so that its code never names Deno's types (the Node package's
 * declarations are compiled without them) and every use has a Node path.
 *
 * @module
 */

/** A file's stat, as Deno gives it. */
export interface DenoStat {
  isFile: boolean;
  size: number;
  mtime: Date | null;
  ctime: Date | null;
  ino: number | null;
  dev: number;
}

/** What the loader calls on the Deno global. */
export interface DenoRuntime {
  statSync(path: string | URL): DenoStat;
  realPathSync(path: string | URL): string;
  readTextFileSync(path: string | URL): string;
  env: { get(name: string): string | undefined };
  build: { os: string };
  permissions: { querySync(descriptor: { name: "ffi" }): { state: string } };
  dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string }>,
  ): { symbols: unknown };
}

/**
 * Deno's global where it runs, else undefined.
 *
 * @example
 * ```ts
 * import { deno } from "./_runtime.ts";
 * if (deno?.build.os !== Deno.build.os) throw new Error("in Deno, the Deno global");
 * ```
 */
export const deno: DenoRuntime | undefined = (globalThis as { Deno?: DenoRuntime }).Deno;
