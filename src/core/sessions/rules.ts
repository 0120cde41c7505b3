// The one place the session audit reads provider facts from: cache rules and estimates (src/core/providers/), cache
// lifetimes, hit granularity, and per-model prices (@pydantic/genai-prices' bundled, dated data; never updated at run
// time).
import { priceDeps } from '../lazy';
import { CACHE_RULES, encodingFor, minimumFor, providerForModel, ruleFor, type EstimateInput } from '../providers';
import { estimateProvider } from '../providers/estimate';
import type { EncodingName } from '../encodings';
import type { ProviderId } from '../ids';
import type { ReportedUsage } from './types';

/** How a provider reports caching: Anthropic-style (reads and writes, explicit entries) or OpenAI-style (reads only). */
export type UsageStyle = 'anthropic' | 'openai';

export function usageStyle(provider: ProviderId | undefined, usage?: ReportedUsage | null): UsageStyle {
  if (provider === 'anthropic') return 'anthropic';
  // GPT-5.6+ and gateways report writes too: an entry's extent is then known as with Anthropic.
  if (usage && usage.cacheWriteTokens > 0) return 'anthropic';
  return 'openai';
}

export function guessProvider(model: string | undefined, hint?: ProviderId): ProviderId | undefined {
  if (model) {
    const m = model.toLowerCase().replace(/^(anthropic|openai|google|gemini|vertex_ai|bedrock|azure)[/.:]/, '');
    const p = providerForModel(m) ?? (/^(o\d|gpt-|codex)/.test(m) ? 'openai' : /claude|anthropic/.test(m) ? 'anthropic' : /gemini/.test(m) ? 'gemini' : undefined);
    if (p) return p;
  }
  return hint;
}

/** How long an entry lives without a hit (refreshed on each hit). */
export interface CacheLifetime {
  seconds: number;
  /** For people and for `break.ttl`: `5m`, `1h`, `5–10 min`, `24h`. */
  label: string;
}

/**
 * The lifetime of the entry an earlier call left. Anthropic: 5 min, or 1 h when the call wrote 1-hour entries.
 * OpenAI: 5–10 min in memory (the lower bound is used), 24 h for models whose default retention is 24 h.
 */
export function entryLifetime(provider: ProviderId | undefined, model: string | undefined, usage: ReportedUsage | null): CacheLifetime {
  const m = (model ?? '').toLowerCase();
  switch (provider) {
    case 'anthropic':
      return (usage?.cacheWrite1hTokens ?? 0) > 0 ? { seconds: 3600, label: '1h' } : { seconds: 300, label: '5m' };
    case 'openai':
      // "the default or only option from gpt-5.5" (cache-rules notes, 2026-11).
      if (/^gpt-(5\.[5-9]|[6-9])/.test(m)) return { seconds: 24 * 3600, label: '24h' };
      return { seconds: 300, label: '5–10 min' };
    case 'gemini':
      return { seconds: 3600, label: '1h (implicit caching publishes no lifetime; explicit caches default to 1 h)' };
    case 'deepseek':
      return { seconds: 6 * 3600, label: 'hours (best effort)' };
    default:
      return { seconds: Number.POSITIVE_INFINITY, label: 'LRU (no fixed lifetime)' };
  }
}

/** Hit granularity: a read may fall short of a shared prefix by up to this many tokens without anything breaking. */
export function hitStep(provider: ProviderId | undefined): number {
  if (!provider || !CACHE_RULES[provider]) return 0;
  const u = ruleFor(provider).unit.value;
  return u.kind === 'step' ? u.stepTokens : u.kind === 'block' ? u.blockTokens : 0;
}

/** Read and (default-TTL) write prices as multiples of the input price, from the provider's rule. */
export function cacheMultipliers(provider: ProviderId | undefined): { readMultiplier: number; writeMultiplier: number } {
  if (!provider || !CACHE_RULES[provider]) return { readMultiplier: 0.1, writeMultiplier: 1.25 };
  const r = ruleFor(provider);
  return { readMultiplier: r.readMultiplier.value, writeMultiplier: r.writeMultiplier.value[r.ttl.value.default] ?? 1 };
}

export function minimumCacheable(provider: ProviderId | undefined, model: string | undefined): number {
  return provider ? minimumFor(CACHE_RULES[provider], model).tokens : 0;
}

/** Tokens the provider's rule serves from cache for a shared prefix (the core's estimate, unchanged). */
export function predictCachedTokens(provider: ProviderId, input: EstimateInput): number {
  return estimateProvider(provider, input).cachedTokens;
}

export function countingEncoding(provider: ProviderId | undefined, model: string | undefined): { encoding: EncodingName; note?: string } {
  return encodingFor(provider, model);
}

const PRICE_PROVIDER: Partial<Record<ProviderId, string>> = { anthropic: 'anthropic', openai: 'openai', gemini: 'google', deepseek: 'deepseek' };

interface Rates {
  input: number;
  read: number;
  write: number;
  write1h: number;
  output: number;
}

const tierStarts = new Map<string, number[] | null>();
const rates = new Map<string, Rates | null>();

function price(usage: Record<string, number>, model: string, providerId: string | undefined, timestamp: Date | undefined) {
  try {
    return priceDeps().genaiPrices.calcPrice(usage, model, { providerId, timestamp });
  } catch {
    return null;
  }
}

/**
 * Per-token rates for a model on a day, within one context-size tier (prices are linear inside a tier), from a few
 * probes of the price data; memoized, since a session prices thousands of calls and their what-ifs.
 */
function ratesFor(model: string, providerId: string | undefined, timestamp: Date | undefined, total: number): Rates | null {
  const day = timestamp ? timestamp.toISOString().slice(0, 10) : '';
  const mk = `${providerId ?? ''}|${model}|${day}`;
  let starts = tierStarts.get(mk);
  if (starts === undefined) {
    const r = price({ input_tokens: 1, output_tokens: 0 }, model, providerId, timestamp);
    starts = r ? Object.values(r.model_price).flatMap((v) => (v && typeof v === 'object' && 'tiers' in v ? v.tiers.map((t) => t.start) : [])) : null;
    tierStarts.set(mk, starts);
  }
  if (starts === null) return null;
  const bucket = starts.filter((x) => total > x).length;
  const key = `${mk}|${bucket}`;
  let r = rates.get(key);
  if (r === undefined) {
    const T = Math.max(1, total);
    const p = (u: Record<string, number>) => price(u, model, providerId, timestamp)?.total_price ?? null;
    const input = p({ input_tokens: T, output_tokens: 0 });
    const read = p({ input_tokens: T, cache_read_tokens: T, output_tokens: 0 });
    const write = p({ input_tokens: T, cache_write_tokens: T, output_tokens: 0 });
    const write1h = p({ input_tokens: T, cache_write_tokens: T, cache_write_1h_tokens: T, output_tokens: 0 });
    const withOut = p({ input_tokens: T, output_tokens: T });
    r = input === null || read === null || write === null || withOut === null ? null : { input: input / T, read: read / T, write: write / T, write1h: (write1h ?? write) / T, output: (withOut - input) / T };
    rates.set(key, r);
  }
  return r;
}

/** USD for one call's usage at the model's price on that day; null when the price data does not know the model. */
export function callCostUsd(provider: ProviderId | undefined, model: string | undefined, usage: ReportedUsage, timestamp?: string | null): number | null {
  if (!model) return null;
  const providerId = provider ? PRICE_PROVIDER[provider] : undefined;
  const t = timestamp ? new Date(timestamp) : undefined;
  const r = ratesFor(model.replace(/^(anthropic|openai|google|gemini)[/.:]/, ''), providerId, t && !Number.isNaN(t.getTime()) ? t : undefined, usage.promptTokens);
  if (!r) return null;
  const w1h = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
  return usage.inputTokens * r.input + usage.cacheReadTokens * r.read + (usage.cacheWriteTokens - w1h) * r.write + w1h * r.write1h + usage.outputTokens * r.output;
}
