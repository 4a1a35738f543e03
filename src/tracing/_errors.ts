/**
 * What the tracer records of a thrown value: its message (redacted, whatever
 * its type) and its type name, read without running the caller's code, so
 * that recording an error never replaces it.
 *
 * @module
 */
import { dataProp, isErrorLike, isProxy, primitiveText } from "./_safe.ts";
import { sanitize } from "./redact.ts";
import { type KnownSecrets, redactText } from "./secrets.ts";

function json(value: unknown, keys?: Set<string>, known?: KnownSecrets): string {
  try {
    return JSON.stringify(sanitize(value, { secretKeys: keys, known })) ?? primitiveText(value);
  } catch {
    return primitiveText(value);
  }
}

/**
 * The redacted message of a thrown value: an Error's `message` (a non-string
 * message as JSON, an empty one as the error's name), a string as it is,
 * anything else as redacted JSON; a Proxy is `"[Proxy]"`.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./_errors.ts";
 * const e = new Error();
 * (e as { message: unknown }).message = { code: 401 };
 * if (errorMessage(e) !== '{"code":401}') throw new Error(errorMessage(e));
 * ```
 */
export function errorMessage(err: unknown, keys?: Set<string>, known?: KnownSecrets): string {
  if (typeof err === "string") return redactText(err, keys, known);
  if (isProxy(err)) return "[Proxy]";
  if (isErrorLike(err)) {
    const message = dataProp(err, "message");
    const text = typeof message === "string"
      ? message
      : message === undefined || message === null
      ? ""
      : typeof message === "object"
      ? json(message, keys, known)
      : primitiveText(message);
    if (text !== "") return redactText(text, keys, known);
    const name = dataProp(err, "name");
    return typeof name === "string" && name !== "" ? name : "Error";
  }
  if (typeof err === "object" && err !== null) {
    return redactText(json(err, keys, known), keys, known);
  }
  return primitiveText(err);
}

/** The type name of a thrown value: the error's `name`, else its class, else `typeof`. */
export function errorType(err: unknown): string {
  if (isProxy(err)) return "Proxy";
  if (isErrorLike(err)) {
    const name = dataProp(err, "name");
    if (typeof name === "string" && name !== "" && name !== "Error") return name;
    const ctor = dataProp(err, "constructor");
    const ctorName = typeof ctor === "function" ? dataProp(ctor, "name") : undefined;
    return typeof ctorName === "string" && ctorName !== "" && ctorName !== "Object"
      ? ctorName
      : "Error";
  }
  return err === null ? "null" : typeof err;
}
