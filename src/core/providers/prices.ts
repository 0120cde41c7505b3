// Input, cache-read and cache-write prices per model from @pydantic/genai-prices (offline data in the package,
// pinned exactly in package.json). The package is required on first use only: loading its data costs ~50 ms.
import { priceDeps } from '../lazy';
import type { AppliedRule } from './types';

/** The price package in use; a unit test checks that package.json pins this exact version. */
export const PRICE_PACKAGE = { name: '@pydantic/genai-prices', version: '0.1.8', date: '2026-09-23' } as const;

export interface ModelPrices {
  /** USD per million tokens. */
  inputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  /** Where the numbers came from, e.g. "@pydantic/genai-prices 0.1.8 (2026-09-23): anthropic/claude-opus-4-7". */
  priceSource: string;
  /** The package's model id that matched. */
  priceModel: string;
}

type Tiered = { base: number; tiers: { start: number; price: number }[] };
type PriceValue = number | Tiered | undefined;
interface GenaiPrices {
  calcPrice(usage: Record<string, number>, modelId: string, options?: { providerId?: string; timestamp?: Date }): null | {
    model: { id: string };
    provider: { id: string };
    model_price: Record<string, PriceValue>;
  };
}

function genaiPrices(): GenaiPrices {
  return priceDeps().genaiPrices as unknown as GenaiPrices;
}

/** A tiered price at a prompt length (the last tier that starts at or below it). */
function at(v: PriceValue, promptTokens: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  let p = v.base;
  for (const t of v.tiers) if (promptTokens >= t.start) p = t.price;
  return p;
}

/** Prices are resolved for midday UTC of the current day: deterministic within a day, off-peak where time-of-day pricing applies. */
function priceDate(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12));
}

interface PriceRecord { providerId: string; modelId: string; modelPrice: Record<string, PriceValue> }
/** The package's price record per model and day; tiers are evaluated per prompt length (the status bar asks on every edit). */
const records = new Map<string, PriceRecord | null>();

function priceRecord(priceProviders: readonly string[], model: string): PriceRecord | null {
  const timestamp = priceDate();
  const key = `${priceProviders.join(',')}|${model}|${timestamp.toISOString()}`;
  const hit = records.get(key);
  if (hit !== undefined) return hit;
  let found: PriceRecord | null = null;
  // OpenRouter-style ids (`anthropic/claude-…`) are looked up as given, then without the vendor prefix.
  const names = [...new Set([model, model.replace(/^[^/]+\//, ''), model.replace(/^[a-z]+\.|-v\d+(:\d+)?$/g, '')])];
  outer: for (const providerId of priceProviders) {
    for (const name of names) {
      const r = genaiPrices().calcPrice({ input_tokens: 1 }, name, { providerId, timestamp });
      if (r && r.model_price.input_mtok !== undefined) {
        found = { providerId: r.provider.id, modelId: r.model.id, modelPrice: r.model_price };
        break outer;
      }
    }
  }
  records.set(key, found);
  return found;
}

/** Prices for the model a rule applies to, or undefined when the package does not list it. */
export function pricesFor(rule: AppliedRule, promptTokens: number): ModelPrices | undefined {
  const model = rule.priceModel ?? rule.model;
  if (!model || rule.priceProviders.length === 0) return undefined;
  const r = priceRecord(rule.priceProviders, model);
  const input = r ? at(r.modelPrice.input_mtok, promptTokens) : undefined;
  if (!r || input === undefined) return undefined;
  const found: ModelPrices = {
    inputPerMTok: input,
    priceSource: `${PRICE_PACKAGE.name} ${PRICE_PACKAGE.version} (${PRICE_PACKAGE.date}): ${r.providerId}/${r.modelId}`,
    priceModel: r.modelId,
  };
  const read = at(r.modelPrice.cache_read_mtok, promptTokens);
  const write = at(r.modelPrice.cache_write_mtok, promptTokens);
  if (read !== undefined) found.cacheReadPerMTok = read;
  if (write !== undefined) found.cacheWritePerMTok = write;
  return found;
}
