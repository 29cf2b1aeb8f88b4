/**
 * Price table for the Messages API, in USD per million tokens. Used to report what probes cost and to keep budgets
 * (`--max-usd`) before sending. These are the published list prices where we know them; models we do not know are
 * priced at the most expensive tier so that a budget is never under-estimated. Override with `--prices FILE` (a JSON
 * object `{"model-prefix": {"input": 5, "output": 25}}`) or `OracleConfig.prices`.
 */
export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

export type PriceTable = Record<string, ModelPrice>;

/** Keys are model-id prefixes; the longest matching prefix wins. */
export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-4-0': { input: 15, output: 75 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
};

/** Unknown (newer) models: priced at the highest tier we have seen announced, so budgets err on the safe side. */
export const FALLBACK_PRICE: ModelPrice = { input: 25, output: 125 };

export function priceFor(model: string | undefined, table: PriceTable = DEFAULT_PRICES): ModelPrice {
  if (!model) return FALLBACK_PRICE;
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (model.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? FALLBACK_PRICE : table[best]!;
}

export function costUsd(model: string | undefined, inputTokens: number, outputTokens: number, table?: PriceTable): number {
  const price = priceFor(model, table);
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}

/** Merges a user's overrides over the defaults; throws a clear error on a malformed table. */
export function parsePriceTable(json: unknown): PriceTable {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('price table must be a JSON object: {"model-prefix": {"input": USD_PER_MTOK, "output": USD_PER_MTOK}}');
  }
  const table: PriceTable = { ...DEFAULT_PRICES };
  for (const [prefix, value] of Object.entries(json as Record<string, unknown>)) {
    const v = value as Partial<ModelPrice> | null;
    if (!v || typeof v.input !== 'number' || typeof v.output !== 'number' || v.input < 0 || v.output < 0) {
      throw new Error(`price table entry "${prefix}" needs non-negative numbers "input" and "output" (USD per million tokens)`);
    }
    table[prefix] = { input: v.input, output: v.output };
  }
  return table;
}
