// One provider's estimate for one change: cached tokens under the model's rule, hit ratio, and (when a price is
// known) the cost of 1,000 requests with this cache state vs fully cached, priced per model.
import type { ProviderEstimate, ProviderId } from '../types';
import { ruleFor } from './data';
import { pricesFor } from './prices';
import type { AppliedRule } from './types';
import { cachedTokensFor, effectiveMinimum, type EstimateInput } from './units';

/** The TTL option a request uses: an explicit one, `ttl1h`, or the rule's default. */
export function ttlFor(rule: AppliedRule, input: Pick<EstimateInput, 'ttl' | 'ttl1h'>): string {
  if (input.ttl && rule.ttl.value.options.includes(input.ttl)) return input.ttl;
  if (input.ttl1h && rule.ttl.value.options.includes('1h')) return '1h';
  return rule.ttl.value.default;
}

/** Write price multiplier for a TTL (1 when the rule bills no premium). */
export function writeMultiplierFor(rule: AppliedRule, ttl: string): number {
  const w = rule.writeMultiplier.value;
  return w[ttl] ?? w[rule.ttl.value.default] ?? Object.values(w)[0] ?? 1;
}

/** The tokenizer note for a rule whose counts come from a stand-in, or undefined when counts are exact. */
export function standInNoteFor(rule: AppliedRule, encoding: string | undefined): string | undefined {
  const t = rule.tokenizer.value;
  if (t.kind === 'exact') return undefined;
  if (t.kind === 'stand-in') return encoding && encoding !== t.encoding ? t.note.replace(t.encoding, encoding) : t.note;
  if (encoding && encoding !== 'o200k_base' && encoding !== 'cl100k_base') return undefined; // the served model's own tokenizer
  return `Counts use ${encoding ?? t.encoding}; a self-hosted engine uses the served model's tokenizer (name it with --model for a public one).`;
}

export function estimateWithRule(rule: AppliedRule, input: EstimateInput): ProviderEstimate {
  const { cached, written, rule: ruleText } = cachedTokensFor(rule, input);
  const N = input.newTokens;
  const unit = rule.unit.value.kind;
  const est: ProviderEstimate = { id: rule.provider as ProviderId, cachedTokens: cached, hitRatio: N > 0 ? cached / N : 0, rule: ruleText };
  if (rule.model) est.model = rule.model;
  est.unit = unit;
  est.minimumTokens = rule.minimumTokens.value;
  // What a provider that reuses any token prefix would serve: lets the UI explain block- or unit-level misses.
  est.tokenLevelReusable = Math.max(0, Math.min(input.reusablePrefixTokens, N));
  if (unit === 'content-block') est.singleBlock = (input.blocks?.length ?? 0) <= 1;
  const e = effectiveMinimum(rule);
  if (e.factor) est.tokenizerFactor = e.factor;
  const note = standInNoteFor(rule, input.encoding);
  if (note) est.tokenizerNote = note;
  if (written > 0) est.cacheWriteTokens = written;

  const prices = input.pricePerMTok === undefined ? pricesFor(rule, N) : undefined;
  const inputPrice = input.pricePerMTok ?? prices?.inputPerMTok;
  if (inputPrice === undefined) return est;
  const ttl = ttlFor(rule, input);
  const writeMult = writeMultiplierFor(rule, ttl);
  // A user price overrides: cache prices then follow the rule's multipliers.
  const readPrice = prices?.cacheReadPerMTok ?? inputPrice * rule.readMultiplier.value;
  const writePrice = prices?.cacheWritePerMTok !== undefined && ttl === rule.ttl.value.default ? prices.cacheWritePerMTok : inputPrice * writeMult;
  const full = cachedTokensFor(rule, {
    ...input,
    reusablePrefixTokens: N,
    oldTokens: N,
    oldBlocks: input.blocks,
    breakpoints: input.breakpoints ? { old: input.breakpoints.new, new: input.breakpoints.new } : undefined,
  }).cached;
  const usd = (cachedTokens: number, writtenTokens: number) =>
    (cachedTokens * readPrice + writtenTokens * writePrice + (N - cachedTokens - writtenTokens) * inputPrice) * 1000 / 1e6;
  const withChange = usd(cached, written);
  const ifFullyCached = usd(full, 0);
  est.costPer1kRequests = {
    withChange: round6(withChange),
    ifFullyCached: round6(ifFullyCached),
    extra: round6(withChange - ifFullyCached),
    pricePerMTok: inputPrice,
    cacheReadPerMTok: round6(readPrice),
    cacheWritePerMTok: round6(writePrice),
    ttl,
    priceSource: prices?.priceSource ?? 'user price (--price / promptCache.pricePerMillionTokens); cache prices from the rule\'s multipliers',
  };
  return est;
}

/** Estimate for one provider: the rule for input.model (or the provider's default model). */
export function estimateProvider(id: ProviderId | string, input: EstimateInput): ProviderEstimate {
  return estimateWithRule(ruleFor(id, input.model), input);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
