/**
 * Short, plausible prompts and outputs for the simulated taxonomy planner
 * (the seed's application). Kept short so sample files stay small.
 *
 * @module
 */
import type { Random } from "./prng.ts";

/** Categories, with subcategories, of the simulated taxonomies. */
export const CATEGORIES: Record<string, readonly string[]> = {
  Sports: [
    "Team Sports",
    "Individual Sports",
    "Motor Sports",
    "Water Sports",
    "Winter Sports",
    "Combat Sports",
  ],
  Finance: ["Banking", "Insurance", "Investment", "Payments", "Lending", "Accounting"],
  Technology: ["Software", "Hardware", "Cloud", "Semiconductors", "Security", "AI"],
  Healthcare: ["Hospitals", "Pharma", "Medical Devices", "Telehealth", "Insurance", "Research"],
  Retail: ["Grocery", "Apparel", "E-commerce", "Electronics", "Home", "Luxury"],
  Energy: ["Oil and Gas", "Solar", "Wind", "Nuclear", "Utilities", "Storage"],
};

const LEAVES = [
  "Regulation",
  "Licensing",
  "Standards",
  "Contracts",
  "Privacy",
  "Safety",
  "Taxation",
  "Compliance",
  "Consumer Protection",
  "Labor",
  "Intellectual Property",
  "Reporting",
];

export const USERS = ["researcher1", "analyst2", "ops-bot", "planner-ci"];
export const PROJECTS = ["finance_taxonomy", "us_jurisdictions", "sports_taxonomy", "tech_catalog"];

/** The system prompt of every call. */
export const SYSTEM_PROMPT = "You are a taxonomy planner. Answer with JSON only.";

/** The user prompt of one planning step. */
export function userPrompt(category: string, sub: string, depth: number): string {
  return `Expand "${sub}" in the ${category} taxonomy for the USA (depth ${depth}).`;
}

/** An output of about `chars` characters (JSON-ish, like the seed's). */
export function outputText(rng: Random, sub: string, chars: number): string {
  let text = `{"name": "${sub}", "subcategories": [`;
  let first = true;
  while (text.length < chars) {
    text += `${first ? "" : ", "}"${rng.pick(LEAVES)}"`;
    first = false;
  }
  return text + "]}";
}
