/**
 * The ONE price table: prices per model in USD per million tokens. The ledger uses it when a transcript carries no
 * cost for a refused turn (no cost-state snapshots around it: sub-agent transcripts, older Claude Code versions); the
 * oracles use it to price each probe. One table, so the ledger's "refusals cost you $X" and a bisect's "probes cost
 * $Y" can be compared. It sits beside the feature folders so that neither reaches into the other.
 *
 * Keys are model-id prefixes; the longest matching prefix wins, "default" prices anything unknown. The figures are
 * Anthropic's published list prices at the time of writing (cache write = the 5-minute cache write price); models
 * without a published price (new families) fall to "default", priced like the current Opus. They are an assumption
 * the user can correct: pass `--prices FILE` (CLI) or `prices` (API) with a JSON object of the same shape, e.g.
 *   { "claude-fable-": { "input": 10, "output": 50, "cacheWrite": 12.5, "cacheRead": 1 } }
 * Entries in the file replace or add to the table below.
 */
import { readFile } from 'node:fs/promises';

export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export type PriceTable = Record<string, ModelPrice>;

/** Tokens of one request by kind (the ledger's TokenUsage has this shape). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  // Opus 4 and 4.1 kept the old Opus price; Opus 4.5 and later cost a third of it.
  'claude-opus-4-20250514': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-opus-4-0': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-opus-4-1': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-3-opus': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  // Input and output as Claude Code 2.1.328 itself prices Opus 5.x in its cost-state (test/fixtures/claude-code);
  // cache write and read at the usual 1.25x and 0.1x of input.
  'claude-opus-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.4 },
  'claude-opus-': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-sonnet-': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-3-5-sonnet': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-haiku-': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 },
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 },
  default: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
});

function isPrice(value: unknown): value is ModelPrice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['input', 'output', 'cacheWrite', 'cacheRead'].every(
    (k) => typeof v[k] === 'number' && Number.isFinite(v[k]) && (v[k] as number) >= 0,
  );
}

/** Validates an override object; throws a message that names the bad key. */
export function parsePriceOverrides(value: unknown, origin = 'price overrides'): PriceTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${origin}: expected a JSON object of model-prefix -> {input, output, cacheWrite, cacheRead}`);
  }
  const table: PriceTable = {};
  for (const [key, price] of Object.entries(value)) {
    if (!isPrice(price)) {
      throw new Error(
        `${origin}: "${key}" needs non-negative numbers input, output, cacheWrite, cacheRead (USD per million tokens)`,
      );
    }
    table[key] = { input: price.input, output: price.output, cacheWrite: price.cacheWrite, cacheRead: price.cacheRead };
  }
  return table;
}

/** Reads a price override file (JSON) and merges it over the defaults. */
export async function loadPriceTable(file?: string): Promise<PriceTable> {
  if (!file) return { ...DEFAULT_PRICES };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the price file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the price file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return { ...DEFAULT_PRICES, ...parsePriceOverrides(parsed, file) };
}

/** The price of a model: longest matching prefix, else "default". */
export function priceFor(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice {
  if (table[model]) return table[model];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (key !== 'default' && model.startsWith(key) && (!best || key.length > best.length)) best = key;
  }
  return table[best ?? 'default'] ?? DEFAULT_PRICES.default!;
}

export function priceUsage(usage: TokenCounts, model: string, table: PriceTable = DEFAULT_PRICES): number {
  const p = priceFor(model, table);
  return (usage.input * p.input + usage.output * p.output + usage.cacheWrite * p.cacheWrite + usage.cacheRead * p.cacheRead) / 1e6;
}

/** What a probe costs: probes send no cache control, so only the input and output prices apply. */
export function costUsd(model: string | undefined, inputTokens: number, outputTokens: number, table?: PriceTable): number {
  const price = priceFor(model ?? 'default', table ?? DEFAULT_PRICES);
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
