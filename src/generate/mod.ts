/**
 * The seed's generation scripts, in TypeScript: a small traced taxonomy
 * generator against any OpenAI-compatible chat-completions endpoint.
 *
 * @module
 */
export {
  ChatApiError,
  chatCompletion,
  type ChatRequest,
  type Endpoint,
  publicBaseUrl,
} from "./chat_client.ts";
export {
  extractJsonBlock,
  generateTaxonomy,
  type GenerateTaxonomyOptions,
  slugOf,
  type TaxonomyNode,
  type TaxonomyRun,
} from "./taxonomy.ts";
