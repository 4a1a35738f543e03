/**
 * A folder's trace files are found by one walk (`walkFolder` in inputs.ts) when it can tell them
 * as the glob does, else by the glob: either way the files are those tinyglobby lists for
 * TRACE_FILE_PATTERNS, asked here directly as the oracle, and the ones written by hand.
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { glob } from "tinyglobby";
import { expandInputs, loadTraces } from "../../src/load/mod.ts";
import { TRACE_FILE_PATTERNS } from "../../src/load/inputs.ts";

const CALL = [
  JSON.stringify({
    type: "llm_request",
    timestamp: "2025-04-08T10:00:01",
    session_id: "s1",
    data: { request_id: "a", model: "gpt-4o" },
  }),
  JSON.stringify({
    type: "llm_response",
    timestamp: "2025-04-08T10:00:03",
    session_id: "s1",
    data: { request_id: "a", duration_seconds: 2, model: "gpt-4o" },
  }),
].join("\n") + "\n";

/** The files tinyglobby lists under `dir`, as the loader asks it, sorted. */
async function globbed(dir: string): Promise<string[]> {
  const names = await glob([...TRACE_FILE_PATTERNS], {
    cwd: dir,
    onlyFiles: true,
    followSymbolicLinks: true,
    ignore: ["**/node_modules/**"],
    dot: false,
  });
  return names.map((n) => join(dir, n)).sort();
}

/** A folder of nested files, hidden ones, other names, node_modules at two depths. */
function tree(dir: string): string[] {
  const files = [
    "a.jsonl",
    "b.json",
    "c.ndjson",
    "d.jsonl.gz",
    "e.json.gz",
    "f.ndjson.gz",
    "sub/g.jsonl",
    "sub/deeper/h.json",
    // Genkit's trace store, the one hidden folder searched: every file, whatever its name
    ".genkit/traces/4fc3a1",
    ".genkit/traces/e.json",
    "sub/.genkit/traces/9b2e",
    // not found: other names, hidden files and folders, node_modules
    "i.txt",
    "j.JSONL",
    "k.jsonl.bak",
    ".l.jsonl",
    ".hidden/m.jsonl",
    "sub/.n.jsonl",
    "node_modules/o.jsonl",
    "sub/node_modules/p.jsonl",
    // not found: the rest of .genkit, the store's hidden files and subfolders, a store in a
    // hidden folder or node_modules, a folder of that name that is not hidden
    ".genkit/traces_idx/idx_00000000000000001.json",
    ".genkit/a.json",
    ".genkit/traces/.tmp",
    ".genkit/traces/deeper/q",
    ".genkit/traces/deeper/r.json",
    ".hidden/.genkit/traces/s",
    "node_modules/.genkit/traces/t",
    "genkit/traces/u",
  ];
  for (const f of files) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), "");
  }
  return files.slice(0, 11).map((f) => join(dir, f)).sort();
}

Deno.test("a folder's trace files are those the glob lists: nested, hidden, node_modules, other names, Genkit's trace store", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-walk-" });
  try {
    const want = tree(dir);
    assert.deepEqual(await expandInputs([dir]), want);
    assert.deepEqual(await globbed(dir), want);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a folder with a symbolic link or a FIFO is listed by the glob (which follows links)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-walk-" });
  const other = Deno.makeTempDirSync({ prefix: "tracebook-walk-other-" });
  try {
    const want = tree(dir);
    writeFileSync(join(other, "q.jsonl"), "");
    symlinkSync(other, join(dir, "linked"));
    execFileSync("mkfifo", [join(dir, "r.jsonl")]);
    const got = await expandInputs([dir]);
    assert.deepEqual(got, await globbed(dir));
    // the linked folder's file is found through the link
    assert.ok(got.includes(join(dir, "linked", "q.jsonl")));
    assert.ok(want.every((f) => got.includes(f)));
  } finally {
    Deno.removeSync(dir, { recursive: true });
    Deno.removeSync(other, { recursive: true });
  }
});

Deno.test("two names of one file in a folder (a hard link) load once, under the name the glob gives first", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tracebook-walk-" });
  try {
    writeFileSync(join(dir, "a.jsonl"), CALL);
    linkSync(join(dir, "a.jsonl"), join(dir, "b.jsonl"));
    const t = await loadTraces(dir, { cache: false });
    assert.equal(t.calls.height, 1);
    const first = (await glob([...TRACE_FILE_PATTERNS], { cwd: dir, onlyFiles: true }))[0]!;
    assert.deepEqual(t.files, [join(dir, first)]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
