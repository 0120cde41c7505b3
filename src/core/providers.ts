// Provider prefix-cache rules as dated, sourced data (see /docs/rules.md and the shared cache-rules notes),
// and the estimate of what each provider would serve from cache for one change.
import { encodingForModel, type EncodingName } from './encodings';
import type { ProviderEstimate, ProviderId } from './types';

export const RULES_CHECKED = '2026-11';

export interface ModelMinimum {
  /** Matched against the model name with dots turned into dashes, lower case. */
  pattern: RegExp;
  label: string;
  minimumTokens: number;
  note?: string;
}

export interface CachePricing {
  /** Default USD per million input tokens (a dated default; users override with --price / settings). */
  inputPerMTok?: number;
  /** Which model the default price is for. */
  priceModel?: string;
  /** Cache read price as a multiple of the input price. */
  readMultiplier: number;
  /** Cache write price as a multiple of the input price (Anthropic: 1.25× for 5 min, 2× for 1 h). */
  writeMultiplier?: number;
  writeMultiplier1h?: number;
}

export interface CacheRule {
  id: ProviderId;
  name: string;
  /** How reuse is quantised. */
  unit: 'breakpoint' | 'step' | 'block' | 'token';
  /** Minimum cacheable prefix when no model-specific entry matches. */
  minimumTokens: number;
  models?: ModelMinimum[];
  defaultModel?: string;
  /** Granularity of hits after the minimum (OpenAI 128, DeepSeek 64, vLLM 16, SGLang page size). */
  stepTokens?: number;
  maxBreakpoints?: number;
  lookbackBlocks?: number;
  /** Local engines always recompute at least the last prompt token (they need its logits). */
  keepsLastTokenUncached?: boolean;
  ttl: string;
  pricing: CachePricing;
  /** Encoding used for counts; `tokenizerPublic: false` means it is a stand-in. */
  encoding: EncodingName;
  tokenizerPublic: boolean;
  summary: string;
  source: string[];
  checked: string;
}

export const CACHE_RULES: Record<ProviderId, CacheRule> = {
  anthropic: {
    id: 'anthropic',
    name: 'Anthropic Messages API',
    unit: 'breakpoint',
    minimumTokens: 1024,
    // Docs versions disagree on some models (and the newest models list 512); keep this table per model.
    models: [
      { pattern: /opus-4-[56]/, label: 'Claude Opus 4.5/4.6', minimumTokens: 4096 },
      { pattern: /haiku-4-5/, label: 'Claude Haiku 4.5', minimumTokens: 4096 },
      { pattern: /sonnet-4-6/, label: 'Claude Sonnet 4.6', minimumTokens: 2048 },
      { pattern: /(claude-3-5-haiku|claude-3-haiku|haiku-3)/, label: 'Claude Haiku 3.x', minimumTokens: 2048 },
      { pattern: /(opus-4|sonnet-4|sonnet-3-7|claude-3-7|claude-3-5-sonnet|claude-3-opus)/, label: 'Claude Sonnet/Opus 4.x, 3.x', minimumTokens: 1024 },
    ],
    defaultModel: 'claude-sonnet-4-5',
    maxBreakpoints: 4,
    lookbackBlocks: 20,
    ttl: '5 min (default) or 1 h, refreshed on each hit',
    pricing: { inputPerMTok: 3, priceModel: 'Claude Sonnet 4.5', readMultiplier: 0.1, writeMultiplier: 1.25, writeMultiplier1h: 2 },
    encoding: 'o200k_base',
    tokenizerPublic: false,
    summary: 'cached up to a cache_control breakpoint (≤ 4), hits checked ~20 blocks back; order tools → system → messages',
    source: ['https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching', 'https://www.anthropic.com/pricing#api'],
    checked: RULES_CHECKED,
  },
  openai: {
    id: 'openai',
    name: 'OpenAI (automatic prompt caching)',
    unit: 'step',
    minimumTokens: 1024,
    stepTokens: 128,
    defaultModel: 'gpt-5',
    ttl: '5–10 min idle (max 1 h); prompt_cache_retention "24h" extends it',
    pricing: { inputPerMTok: 1.25, priceModel: 'gpt-5', readMultiplier: 0.1 },
    encoding: 'o200k_base',
    tokenizerPublic: true,
    summary: '≥ 1024 tokens, hits in 128-token steps; routed by a hash of ~the first 256 tokens',
    source: ['https://platform.openai.com/docs/guides/prompt-caching', 'https://openai.com/api/pricing/'],
    checked: RULES_CHECKED,
  },
  gemini: {
    id: 'gemini',
    name: 'Google Gemini (implicit caching)',
    unit: 'token',
    minimumTokens: 2048,
    // Values from the latest docs; earlier versions listed 1024 (2.5 Flash) and 2048 (2.5 Pro).
    models: [
      { pattern: /gemini-3/, label: 'Gemini 3.x', minimumTokens: 4096 },
      { pattern: /gemini-2-5-pro/, label: 'Gemini 2.5 Pro', minimumTokens: 4096, note: 'earlier docs: 2048' },
      { pattern: /gemini-2-5-flash/, label: 'Gemini 2.5 Flash', minimumTokens: 2048, note: 'earlier docs: 1024' },
    ],
    defaultModel: 'gemini-2.5-flash',
    ttl: 'implicit: best effort; explicit cachedContents: TTL (default 1 h)',
    pricing: { inputPerMTok: 0.3, priceModel: 'Gemini 2.5 Flash', readMultiplier: 0.1 },
    encoding: 'o200k_base',
    tokenizerPublic: false,
    summary: 'implicit prefix caching on 2.5+ models above a per-model minimum',
    source: ['https://ai.google.dev/gemini-api/docs/caching', 'https://ai.google.dev/gemini-api/docs/pricing'],
    checked: RULES_CHECKED,
  },
  deepseek: {
    id: 'deepseek',
    name: 'DeepSeek (context caching on disk)',
    unit: 'step',
    minimumTokens: 64,
    stepTokens: 64,
    defaultModel: 'deepseek-chat',
    ttl: 'best effort, hours to days',
    pricing: { inputPerMTok: 0.28, priceModel: 'deepseek-chat (V3.2)', readMultiplier: 0.1 },
    encoding: 'o200k_base',
    tokenizerPublic: false,
    summary: '64-token units from token 0; shorter than 64 is never cached',
    source: ['https://api-docs.deepseek.com/guides/kv_cache', 'https://api-docs.deepseek.com/quick_start/pricing'],
    checked: RULES_CHECKED,
  },
  vllm: {
    id: 'vllm',
    name: 'vLLM automatic prefix caching',
    unit: 'block',
    minimumTokens: 16,
    stepTokens: 16,
    keepsLastTokenUncached: true,
    ttl: 'LRU eviction',
    pricing: { readMultiplier: 0 },
    encoding: 'o200k_base',
    tokenizerPublic: false,
    summary: 'full 16-token blocks (default block size); a partial last block is not cached',
    source: ['https://docs.vllm.ai/en/latest/design/prefix_caching.html'],
    checked: RULES_CHECKED,
  },
  sglang: {
    id: 'sglang',
    name: 'SGLang RadixAttention',
    unit: 'token',
    minimumTokens: 1,
    stepTokens: 1,
    keepsLastTokenUncached: true,
    ttl: 'LRU eviction',
    pricing: { readMultiplier: 0 },
    encoding: 'o200k_base',
    tokenizerPublic: false,
    summary: 'token granularity (page size 1; else multiples of the page size)',
    source: ['https://docs.sglang.ai/advanced_features/server_arguments.html', 'https://lmsys.org/blog/2024-01-17-sglang/'],
    checked: RULES_CHECKED,
  },
  llamacpp: {
    id: 'llamacpp',
    name: 'llama.cpp server',
    unit: 'token',
    minimumTokens: 1,
    stepTokens: 1,
    keepsLastTokenUncached: true,
    ttl: 'per slot, until the slot is reused',
    pricing: { readMultiplier: 0 },
    encoding: 'o200k_base',
    tokenizerPublic: false,
    summary: 'token granularity per slot (cache_prompt, on by default)',
    source: ['https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md'],
    checked: RULES_CHECKED,
  },
};

export { PROVIDER_IDS, isProviderId } from './ids';

/** Guesses the provider from a model name (for `--model` without `--provider`). */
export function providerForModel(model: string): ProviderId | undefined {
  const m = model.toLowerCase();
  if (m.startsWith('claude')) return 'anthropic';
  if (m.startsWith('gemini')) return 'gemini';
  if (m.startsWith('deepseek')) return 'deepseek';
  if (encodingForModel(m)) return 'openai';
  return undefined;
}

/** Minimum cacheable prefix for a provider and model, with the label of the table row that applied. */
export function minimumFor(rule: CacheRule, model?: string): { tokens: number; label?: string } {
  const key = (model ?? rule.defaultModel ?? '').toLowerCase().replace(/\./g, '-');
  const row = rule.models?.find((r) => r.pattern.test(key));
  return row ? { tokens: row.minimumTokens, label: row.label } : { tokens: rule.minimumTokens };
}

/** The encoding counts should use for a provider/model, and a note when it is a stand-in. */
export function encodingFor(provider: ProviderId | undefined, model: string | undefined): { encoding: EncodingName; note?: string } {
  if (model) {
    const e = encodingForModel(model);
    if (e) return { encoding: e };
  }
  if (!provider || provider === 'openai') return { encoding: 'o200k_base' };
  const rule = CACHE_RULES[provider];
  return { encoding: rule.encoding, note: standInNote(provider, rule.encoding) };
}

export function standInNote(provider: ProviderId, encoding: EncodingName): string | undefined {
  switch (provider) {
    case 'anthropic':
      return `Claude's tokenizer is not public: counts use ${encoding} as a stand-in (Claude usually needs somewhat more tokens for the same text).`;
    case 'gemini':
      return `Gemini's tokenizer is not public here: counts use ${encoding} as a stand-in.`;
    case 'deepseek':
      return `DeepSeek's tokenizer is not bundled: counts use ${encoding} as a stand-in.`;
    case 'vllm':
    case 'sglang':
    case 'llamacpp':
      return `Counts use ${encoding}; a self-hosted engine uses the served model's tokenizer.`;
    default:
      return undefined;
  }
}

export interface EstimateInput {
  /** Common token prefix of old and new (new token count when identical). */
  reusablePrefixTokens: number;
  newTokens: number;
  oldTokens: number;
  model?: string;
  pricePerMTok?: number;
  /** Anthropic: cache_control breakpoints as token counts (tokens before each breakpoint), per version. */
  breakpoints?: { old: number[]; new: number[] };
  /** Anthropic: block ends as token counts in the new version (lookback is counted in blocks). */
  blocks?: number[];
  /** The encoding the counts came from (for the stand-in note). */
  encoding?: EncodingName;
  /** Use the 1 h TTL write price for Anthropic. */
  ttl1h?: boolean;
}

/** Tokens served from cache for one provider. */
export function cachedTokensFor(rule: CacheRule, input: EstimateInput): { cached: number; rule: string } {
  const P = Math.min(input.reusablePrefixTokens, input.newTokens);
  const N = input.newTokens;
  const min = minimumFor(rule, input.model);
  const minText = `≥ ${min.tokens} tokens${min.label ? ` (${min.label})` : ''}`;
  switch (rule.id) {
    case 'anthropic':
      return anthropicCached(rule, input, min.tokens, minText);
    case 'openai': {
      const step = rule.stepTokens ?? 128;
      const cached = P < min.tokens ? 0 : min.tokens + Math.floor((P - min.tokens) / step) * step;
      return { cached, rule: `${minText}, ${step}-token steps` };
    }
    case 'gemini':
      return { cached: P >= min.tokens ? P : 0, rule: `${minText}, token prefix` };
    case 'deepseek': {
      const step = rule.stepTokens ?? 64;
      return { cached: Math.floor(P / step) * step, rule: `${step}-token units` };
    }
    default: {
      // Local engines: the last prompt token is always recomputed (its logits start generation).
      const step = rule.stepTokens ?? 1;
      const usable = rule.keepsLastTokenUncached ? Math.min(P, Math.max(0, N - 1)) : P;
      const cached = Math.floor(usable / step) * step;
      return { cached, rule: step > 1 ? `full ${step}-token blocks` : 'token granularity' };
    }
  }
}

function anthropicCached(rule: CacheRule, input: EstimateInput, min: number, minText: string): { cached: number; rule: string } {
  const P = Math.min(input.reusablePrefixTokens, input.newTokens);
  const bps = input.breakpoints;
  const oldBps = bps?.old ?? [];
  const newBps = bps?.new ?? [];
  if (newBps.length === 0) return { cached: 0, rule: 'no cache_control breakpoint: nothing is cached' };
  const lookback = rule.lookbackBlocks ?? 20;
  const blocks = input.blocks ?? [];
  const blocksBetween = (a: number, b: number) => blocks.filter((x) => x > a && x <= b).length;
  let cached = 0;
  // An entry written by the previous request (at one of its breakpoints) is read when the whole entry is
  // still a common prefix and a breakpoint of the new request finds it within the block lookback.
  for (const p of oldBps) {
    if (p < min || p > P) continue;
    const reachable = newBps.some((b) => b >= p && (blocks.length === 0 || blocksBetween(p, b) <= lookback));
    if (reachable && p > cached) cached = p;
  }
  return { cached, rule: `${minText} at a breakpoint, ${lookback}-block lookback` };
}

/** Estimate for one provider: cached tokens, hit ratio and (when a price is known) cost per 1,000 requests. */
export function estimateProvider(id: ProviderId, input: EstimateInput): ProviderEstimate {
  const rule = CACHE_RULES[id];
  const { cached, rule: ruleText } = cachedTokensFor(rule, input);
  const N = input.newTokens;
  const est: ProviderEstimate = { id, cachedTokens: cached, hitRatio: N > 0 ? cached / N : 0, rule: ruleText };
  if (input.model) est.model = input.model;
  else if (rule.defaultModel && rule.models) est.model = rule.defaultModel;
  const note = rule.tokenizerPublic ? undefined : standInNote(id, input.encoding ?? rule.encoding);
  if (note) est.tokenizerNote = note;
  const price = input.pricePerMTok ?? rule.pricing.inputPerMTok;
  if (price !== undefined) {
    // "Fully cached": the same new version sent again unchanged.
    const full = cachedTokensFor(rule, {
      ...input,
      reusablePrefixTokens: N,
      oldTokens: N,
      breakpoints: input.breakpoints ? { old: input.breakpoints.new, new: input.breakpoints.new } : undefined,
    }).cached;
    const perRequest = (c: number, written: number) =>
      c * rule.pricing.readMultiplier + written * (rule.pricing.writeMultiplier ? (input.ttl1h ? rule.pricing.writeMultiplier1h ?? 2 : rule.pricing.writeMultiplier) : 1) + (N - c - written);
    // Anthropic writes what lies between the hit and the last breakpoint at the write premium.
    const lastBp = Math.max(0, ...(input.breakpoints?.new ?? []).filter((b) => b >= minimumFor(rule, input.model).tokens));
    const written = rule.id === 'anthropic' ? Math.max(0, lastBp - cached) : 0;
    const usd = (tokens: number) => (tokens * price * 1000) / 1e6;
    const withChange = usd(perRequest(cached, written));
    const ifFullyCached = usd(perRequest(full, 0));
    est.costPer1kRequests = { withChange: round6(withChange), ifFullyCached: round6(ifFullyCached), extra: round6(withChange - ifFullyCached), pricePerMTok: price };
  }
  return est;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
