/**
 * HTML escaping, the one function every stage uses for untrusted text in HTML:
 * the notebook's tables and the report's templates (Eta's `escapeFunction`).
 *
 * @module
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escape text for HTML content and attribute values: the five HTML-significant
 * characters `& < > " '` become entities.
 *
 * @example
 * ```ts
 * import { escapeHTML } from "./html.ts";
 * const out = escapeHTML('<script>alert("x")</script>');
 * if (out !== "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") throw new Error(out);
 * ```
 */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
