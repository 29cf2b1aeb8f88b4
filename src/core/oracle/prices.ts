/**
 * What a probe costs, in USD. The project keeps ONE price table (src/core/ledger/prices.ts: published list prices per
 * model-id prefix, unknown models priced like the current Opus, overridable with `--prices FILE`), so the ledger's
 * "refusals cost you $X" and a bisect's "probes cost $Y" can be compared. Probes send no cache control, so only the
 * input and output prices apply.
 */
import { DEFAULT_PRICES, loadPriceTable, priceFor, type PriceTable } from '../ledger/prices';

export { DEFAULT_PRICES, loadPriceTable, priceFor, type PriceTable };

export function costUsd(model: string | undefined, inputTokens: number, outputTokens: number, table?: PriceTable): number {
  const price = priceFor(model ?? 'default', table ?? DEFAULT_PRICES);
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
