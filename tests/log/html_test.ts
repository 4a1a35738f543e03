import assert from "node:assert/strict";
import { escapeHTML } from "../../src/log/html.ts";

Deno.test("escapeHTML() escapes the five HTML-significant characters", () => {
  assert.equal(
    escapeHTML(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});
