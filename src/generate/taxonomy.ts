/**
 * The seed's taxonomy generator, small: for one category, a planner call asks
 * for the top-level subcategories, then one call per subcategory expands it.
 * Every call is traced (one trace file, one session per category), with the
 * seed's custom events (`json_extraction_start`, `json_block_extracted`,
 * `json_parsing_success` / `json_parsing_error`, `taxonomy_output`).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tracer } from "../tracing/mod.ts";
import { chatCompletion, type ChatRequest, type Endpoint } from "./chat_client.ts";

/** A taxonomy node. */
export interface TaxonomyNode {
  /** The category's name. */
  name: string;
  /** Its children, if any. */
  subcategories?: TaxonomyNode[];
}

/** Options of {@link generateTaxonomy}. */
export interface GenerateTaxonomyOptions {
  /** The chat-completions endpoint the planner calls go to. */
  endpoint: Endpoint;
  /** The model the planner calls ask for. @default "gpt-4" */
  plannerModel?: string;
  /** Folder of the trace files. */
  traceDir: string;
  /** Folder of the taxonomy JSON files. */
  taxonomyDir: string;
  /** How many subcategories are expanded. @default 3 */
  maxSubcategories?: number;
}

/** What one category's run produced. */
export interface TaxonomyRun {
  /** The top-level category, as given. */
  category: string;
  /** The category as a file-name part (`slugOf`). */
  slug: string;
  /** The tracing session of this category's calls. */
  sessionId: string;
  /** The trace file the calls were written to. */
  traceFile: string;
  /** The taxonomy file, when the planner call succeeded. */
  taxonomyFile: string | null;
  /** The taxonomy read from the planner's answer, or null when it failed. */
  taxonomy: TaxonomyNode | null;
  /** How many model calls were made. */
  calls: number;
  /** How many of them failed. */
  errors: number;
  /** Why the taxonomy could not be made, when it could not. */
  failure: string | null;
}

const SYSTEM = "You are a taxonomy planner. Answer with JSON only: " +
  '{"name": string, "subcategories": [{"name": string}]}.';

/** A file-name-safe form of a category. */
export function slugOf(category: string): string {
  return category.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") ||
    "category";
}

/** The JSON block of a model's answer (a ```json fence, else the outermost braces). */
export function extractJsonBlock(text: string): string | null {
  const fence = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  if (fence) return fence[1]!.trim();
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  return start >= 0 && end > start ? text.slice(start, end + 1) : null;
}

function contentOf(response: unknown): string {
  const r = response as { choices?: { message?: { content?: unknown } }[] };
  const c = r?.choices?.[0]?.message?.content;
  return typeof c === "string" ? c : "";
}

function countNodes(node: TaxonomyNode): number {
  return 1 + (node.subcategories ?? []).reduce((n, s) => n + countNodes(s), 0);
}

/**
 * Generate the taxonomy of one category, traced. A failing call is traced as
 * `llm_error` and the run goes on with what it has.
 *
 * @example
 * ```ts
 * import { generateTaxonomy } from "./taxonomy.ts";
 * // A stand-in planner on this machine: every answer is the same JSON, in a sentence.
 * const answer = `Here: ${JSON.stringify({ name: "Sports", subcategories: [{ name: "Ball" }] })}`;
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   Response.json({ choices: [{ message: { content: answer }, finish_reason: "stop" }] }));
 * const dir = Deno.makeTempDirSync();
 * const run = await generateTaxonomy("Sports", {
 *   endpoint: { baseUrl: `http://127.0.0.1:${server.addr.port}/v1` },
 *   traceDir: `${dir}/traces`,
 *   taxonomyDir: `${dir}/taxonomies`,
 *   maxSubcategories: 1,
 * });
 * await server.shutdown();
 * // One call for the top level, one to expand its single subcategory.
 * if (run.calls !== 2 || run.errors !== 0 || run.taxonomy?.name !== "Sports") throw new Error("run");
 * const written = JSON.parse(Deno.readTextFileSync(run.taxonomyFile!));
 * if (written.subcategories[0].subcategories[0].name !== "Ball") throw new Error("expanded");
 * ```
 */
export async function generateTaxonomy(
  category: string,
  options: GenerateTaxonomyOptions,
): Promise<TaxonomyRun> {
  const model = options.plannerModel ?? "gpt-4";
  const slug = slugOf(category);
  const tracer = new Tracer({
    traceDir: options.traceDir,
    metadata: { category, planner_model: model, tool: "tracebook generate" },
  });
  const create = tracer.traceModelCall(async (request: ChatRequest) =>
    await chatCompletion(options.endpoint, request)
  );
  const run: TaxonomyRun = {
    category,
    slug,
    sessionId: tracer.sessionId,
    traceFile: tracer.traceFile!,
    taxonomyFile: null,
    taxonomy: null,
    calls: 0,
    errors: 0,
    failure: null,
  };

  let lastError = "";
  async function ask(prompt: string): Promise<TaxonomyNode | null> {
    run.calls++;
    let text: string;
    try {
      text = contentOf(
        await create({
          model,
          messages: [{ role: "system", content: SYSTEM }, { role: "user", content: prompt }],
          temperature: 0.2,
        }),
      );
    } catch (err) {
      run.errors++;
      lastError = (err as Error).message;
      return null;
    }
    tracer.logEvent("json_extraction_start", { response_length: text.length });
    const block = extractJsonBlock(text);
    if (block === null) {
      tracer.logEvent("json_parsing_error", { error: "no JSON block in the answer" });
      return null;
    }
    tracer.logEvent("json_block_extracted", { block_length: block.length });
    try {
      const node = JSON.parse(block) as TaxonomyNode;
      if (typeof node?.name !== "string") throw new Error('the JSON has no "name"');
      const subs = Array.isArray(node.subcategories)
        ? node.subcategories.filter((s) => typeof s?.name === "string")
        : [];
      tracer.logEvent("json_parsing_success", { category_count: subs.length });
      return { name: node.name, subcategories: subs };
    } catch (err) {
      tracer.logEvent("json_parsing_error", { error: (err as Error).message });
      return null;
    }
  }

  try {
    const root = await ask(`Create the top-level subcategories of a taxonomy of "${category}".`);
    if (!root) run.failure = lastError || "the planner's answer held no taxonomy";
    if (root) {
      const subs = root.subcategories ?? [];
      for (const [i, sub] of subs.slice(0, options.maxSubcategories ?? 3).entries()) {
        const expanded = await ask(
          `Expand "${sub.name}" in the taxonomy of "${category}" into its subcategories.`,
        );
        if (expanded) subs[i] = { name: sub.name, subcategories: expanded.subcategories };
      }
      mkdirSync(options.taxonomyDir, { recursive: true });
      run.taxonomyFile = join(options.taxonomyDir, `${slug}_taxonomy.json`);
      run.taxonomy = root;
      writeFileSync(run.taxonomyFile, JSON.stringify(root, null, 2) + "\n");
      tracer.logEvent("taxonomy_output", {
        category,
        output_path: run.taxonomyFile,
        subcategory_count: subs.length,
        total_nodes: countNodes(root),
      });
    }
  } finally {
    tracer.close();
  }
  return run;
}
