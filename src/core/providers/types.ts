// The shape of the provider cache rules (src/core/providers/rules.json, validated by rules.schema.json). Every rule
// field carries the page it was read from and the date it was read; fields that could not be confirmed say so.
import type { EncodingName } from '../ids';

/** A value with where it comes from. */
export interface Sourced<T> {
  value: T;
  /** URL of the provider's page the value was read from. */
  source: string;
  /** ISO date (YYYY-MM-DD) the page was read. */
  checked: string;
  /** True when no provider page confirmed the value (it is the best information found; see `note`). */
  unverified?: boolean;
  note?: string;
}

/**
 * How reuse is quantised: the kinds cachedTokensFor dispatches on (src/core/providers/units.ts). A new kind is a
 * type error there until it has an implementation.
 */
export type UnitSpec =
  /** Any common prefix of at least the minimum (Gemini implicit, SGLang with page size 1, Mistral, Groq, …). */
  | { kind: 'token' }
  /** The minimum, then fixed steps: OpenAI before GPT-5.6 (1,024 + 128·k). */
  | { kind: 'step'; stepTokens: number }
  /** Only full blocks from token 0 (vLLM 16-token blocks, SGLang pages); the last prompt token is always recomputed. */
  | { kind: 'block'; blockTokens: number; keepsLastTokenUncached: boolean }
  /**
   * Entries written at cache_control breakpoints and read only at content-block boundaries: a breakpoint looks back
   * at most `lookbackPositions` positions (counting itself) for an earlier entry; with `runsCountAsOne`, a run of
   * consecutive tool_use blocks is one position and so is a run of tool_result blocks (Anthropic, Bedrock, DashScope).
   */
  | { kind: 'content-block'; maxBreakpoints: number; lookbackPositions: number; runsCountAsOne: boolean }
  /**
   * Explicit breakpoints at exact token positions, not rounded, no block lookback limit (OpenAI GPT-5.6+): up to
   * `maxWrittenPerRequest` written per request, the latest `breakpointsConsidered` of a conversation considered.
   */
  | { kind: 'breakpoint'; maxWrittenPerRequest: number; breakpointsConsidered: number }
  /**
   * Persisted prefix units (DeepSeek): a hit needs a full match of a unit written earlier, at the end of a
   * request's input, the end of its output, a detected common prefix, or a fixed token interval.
   */
  | { kind: 'persisted-unit'; intervalTokens?: number };

export type UnitKind = UnitSpec['kind'];

/** How counts are made for a rule: the provider's own tokenizer, or a named stand-in. */
export type TokenizerSpec =
  | { kind: 'exact'; encoding: EncodingName }
  /** The provider's tokenizer is not public: counts use `encoding`; `factor` is its tokens per stand-in token. */
  | { kind: 'stand-in'; encoding: EncodingName; factor?: number; note: string }
  /** Self-hosted engines: the served model's tokenizer (from the model name), else `encoding` as a stand-in. */
  | { kind: 'served-model'; encoding: EncodingName };

/** Write price multipliers (× input price) per TTL option, e.g. { "5m": 1.25, "1h": 2 }. 1 means no premium. */
export type WriteMultipliers = Record<string, number>;

/** The fields a provider or model row sets; a model row inherits what it does not set from its provider. */
export interface RuleFields {
  minimumTokens: Sourced<number>;
  unit: Sourced<UnitSpec>;
  /** Cache read price as a multiple of the input price. */
  readMultiplier: Sourced<number>;
  writeMultiplier: Sourced<WriteMultipliers>;
  /** TTL options (e.g. ["5m", "1h"]) and the default one; `refresh` says what renews an entry. */
  ttl: Sourced<{ options: string[]; default: string; refresh?: string }>;
  tokenizer: Sourced<TokenizerSpec>;
  /** Things that change whether a request reaches a warm cache (routing keys, sticky routing, eviction). */
  routing?: Sourced<string>;
}

export interface ModelRow extends Partial<RuleFields> {
  /** Regular expression over the model name (lower case, dots turned into dashes, any `org/` prefix kept). */
  match: string;
  label: string;
  /** Model id in the price package when it differs from the name the user gave. */
  priceModel?: string;
}

export interface ProviderRecord extends RuleFields {
  id: string;
  name: string;
  summary: string;
  defaultModel?: string;
  /** Provider id(s) in @pydantic/genai-prices, tried in order. */
  priceProviders?: string[];
  models?: ModelRow[];
}

export interface RulesDocument {
  $schema?: string;
  /** Date the document as a whole was last reviewed. */
  checked?: string;
  providers: ProviderRecord[];
}

/** A user rules file: full records for new providers, partial ones (by id) to override fields or add models. */
export interface RulesOverrideDocument {
  $schema?: string;
  checked?: string;
  providers: (Partial<ProviderRecord> & { id: string })[];
}

/** The rule that applies to one provider and model: every field resolved, with the row that matched. */
export interface AppliedRule extends RuleFields {
  provider: string;
  providerName: string;
  model?: string;
  /** Label of the model row that matched; undefined when the provider's defaults apply. */
  modelLabel?: string;
  priceModel?: string;
  priceProviders: string[];
  summary: string;
}
