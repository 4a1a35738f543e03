import assert from "node:assert/strict";
import { escapeControl } from "../../src/log/terminal.ts";
import { warnToStderr } from "../../src/log/mod.ts";

Deno.test("escapeControl() escapes ESC, BEL, C1, DEL, line breaks and bidi overrides, and nothing else", () => {
  const cases: [string, string][] = [
    ["\u001b]0;window title\u0007", "\\x1b]0;window title\\x07"], // OSC 0: set the title
    ["\u001b]52;c;cHduZWQ=\u0007", "\\x1b]52;c;cHduZWQ=\\x07"], // OSC 52: write the clipboard
    ["\u001b[2J\u001b[H", "\\x1b[2J\\x1b[H"], // clear the screen, cursor home
    ["a\u009b2Jb", "a\\x9b2Jb"], // C1 CSI
    ["a\u009d0;t\u009cb", "a\\x9d0;t\\x9cb"], // C1 OSC … ST
    ["x\u007fy", "x\\x7fy"], // DEL
    ["line\nfake: ok\r", "line\\x0afake: ok\\x0d"], // a faked line
    ["tab\there\u0000", "tab\\x09here\\x00"],
    ["abc\u202edcba", "abc\\u{202e}dcba"], // right-to-left override
    ["\u2066iso\u2069 \u2028", "\\u{2066}iso\\u{2069} \\u{2028}"],
  ];
  for (const [raw, want] of cases) assert.equal(escapeControl(raw), want, JSON.stringify(raw));
  const plain = "gpt-4o-mini · claude-3-5-sonnet ✓ 日本語 é \\x1b";
  assert.equal(escapeControl(plain), plain, "printable text, accents, CJK and backslashes stay");
});

Deno.test("escapeControl(json, { json: true }) keeps JSON valid and equal in meaning", () => {
  const value = { model: "m\u009b31m", id: "r\u202e1", error: "e\u001b[2J" };
  const json = JSON.stringify(value);
  const safe = escapeControl(json, { json: true });
  assert.equal(safe, '{"model":"m\\u009b31m","id":"r\\u202e1","error":"e\\u001b[2J"}');
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  assert.doesNotMatch(safe, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  assert.deepEqual(JSON.parse(safe), value);
  const pretty = JSON.stringify({ a: "x\u009by\n" }, null, 2);
  assert.equal(escapeControl(pretty, { json: true }), '{\n  "a": "x\\u009by\\n"\n}');
});

Deno.test("warnToStderr() escapes control characters of the warning", () => {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    warnToStderr("trace_\u001b]0;x\u0007.jsonl: something");
  } finally {
    console.error = original;
  }
  assert.deepEqual(lines, ["warning: trace_\\x1b]0;x\\x07.jsonl: something"]);
});
