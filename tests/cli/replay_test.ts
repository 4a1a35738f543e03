/**
 * The CLI's replay of a recorded command line (src/cli/replay.ts): a parsed run
 * of `analyze` or `report` records what its arguments meant; the same
 * arguments later write, without being parsed, the files a fresh run writes at
 * the same time, and the same messages. Anything that would change the outputs
 * (an edited input, other arguments, a mapping file, a record that is not of
 * these arguments) is not replayed.
 */
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { runAnalyze } from "../../src/cli/commands/analyze.ts";
import { runReport } from "../../src/cli/commands/report.ts";
import { replayArguments } from "../../src/cli/replay.ts";
import { ROOT } from "../_helpers.ts";
import {
  ANALYZE_FILES,
  NOW,
  readOutputs as read,
  REPORT_FILES,
  resultFiles,
  scratch,
} from "./_results.ts";

const records = (cache: string) => resultFiles(cache, ".argv");

Deno.test("analyze: recorded arguments are replayed unparsed, writing a fresh run's files", async () => {
  const s = scratch();
  try {
    const file = join(s.traces, readdirSync(s.traces).sort()[0]!);
    const argv = [
      "analyze",
      file,
      "-o",
      join(s.dir, "a1"),
      "-p",
      "t",
      "-q",
      "--cache-dir",
      s.cache,
    ];
    assert.equal(await replayArguments(argv, NOW), null); // nothing recorded yet
    assert.equal(await main(argv), 0);
    assert.equal(records(s.cache).length, 1);
    assert.equal(await replayArguments(argv, NOW), 0);
    await runAnalyze([file], {
      outputDir: join(s.dir, "fresh"),
      prefix: "t",
      quiet: true,
      now: NOW,
      cache: false,
    });
    const names = ANALYZE_FILES.map((n) => `t_${n}`);
    assert.deepEqual(read(join(s.dir, "a1"), names), read(join(s.dir, "fresh"), names));

    // other arguments, or --no-cache: not recorded, so parsed
    assert.equal(await replayArguments([...argv, "--strict"], NOW), null);
    assert.equal(await replayArguments([...argv, "--no-cache"], NOW), null);
    // the record must hold these very arguments
    const record = join(s.cache, "results", records(s.cache)[0]!);
    const text = readFileSync(record, "utf8");
    writeFileSync(record, text.replace('"-q"', '"--quiet"'));
    assert.equal(await replayArguments(argv, NOW), null);
    writeFileSync(record, text);
    assert.equal(await replayArguments(argv, NOW), 0);

    // an appended call: another results key, no entry yet, so parsed (and recorded again)
    appendFileSync(
      file,
      JSON.stringify({
        type: "llm_request",
        timestamp: "2025-04-08T09:30:00.000000",
        session_id: "appended",
        data: { request_id: "appended-1", model: "gpt-4o", messages: [] },
      }) + "\n",
    );
    assert.equal(await replayArguments(argv, NOW), null);
    assert.equal(await main(argv), 0);
    assert.equal(await replayArguments(argv, NOW), 0);
    const json = JSON.parse(readFileSync(join(s.dir, "a1", "t_summary.json"), "utf8"));
    // the first file's llm_request lines plus the appended one (counted by hand from the copy)
    const requests = readFileSync(file, "utf8").split("\n")
      .filter((line) =>
        line.includes('"type": "llm_request"') || line.includes('"type":"llm_request"')
      )
      .length;
    assert.equal(json.request_count, requests);
    assert.equal(json.generated_at, NOW.toISOString());
  } finally {
    s.done();
  }
});

Deno.test("report: recorded arguments are replayed unparsed; a mapping file's run is not recorded", async () => {
  const s = scratch();
  try {
    const out = join(s.dir, "r1");
    const argv = ["report", s.traces, "-o", out, "-t", "T", "-q", "--cache-dir", s.cache];
    assert.equal(await main(argv), 0);
    assert.equal(await replayArguments(argv, NOW), 0);
    await runReport([s.traces], {
      outputDir: join(s.dir, "fresh"),
      title: "T",
      quiet: true,
      now: NOW,
      cache: false,
    });
    assert.deepEqual(read(out, REPORT_FILES), read(join(s.dir, "fresh"), REPORT_FILES));

    // --map reads a mapping file when the arguments are parsed: never recorded
    const formats = join(ROOT, "tests/load/formats/fixtures");
    const mapping = join(s.dir, "mapping.json");
    copyFileSync(join(formats, "generic_mapping.json"), mapping);
    const mapped = [
      "report",
      join(formats, "generic_mapped.jsonl"),
      "--map",
      mapping,
      "-o",
      join(s.dir, "m"),
      "-q",
      "--cache-dir",
      s.cache,
    ];
    const before = records(s.cache).length;
    assert.equal(await main(mapped), 0);
    assert.equal(records(s.cache).length, before);
    assert.equal(await replayArguments(mapped, NOW), null);
  } finally {
    s.done();
  }
});

Deno.test("the CLI: a replayed command line prints what the parsed run printed", async () => {
  const s = scratch();
  try {
    const cli = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(ROOT, "src/cli/main.ts"), ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
    };
    for (const command of ["analyze", "report"]) {
      const args = [command, s.traces, "-o", join(s.dir, command), "--cache-dir", s.cache];
      const parsed = await cli(...args);
      assert.equal(parsed.code, 0, parsed.stderr);
      const replayed = await cli(...args);
      assert.deepEqual(replayed, parsed);
      assert.ok(
        replayed.stderr.startsWith(
          command === "analyze" ? "Analyzed 6 file(s)" : "Report of 6 file(s)",
        ),
        replayed.stderr,
      );
    }
    assert.equal(records(s.cache).length, 2);
  } finally {
    s.done();
  }
});
