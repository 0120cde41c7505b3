// Result types shared by the core, the CLI, the extension and the webview. CONTRACT: add fields freely,
// never rename or remove one (the CLI's --json output and the webview protocol are built from these).
import type { EncodingName } from './encodings';

/** A position in a source file: 0-based UTF-16 offset, 1-based line and column. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export type ProviderId = 'anthropic' | 'openai' | 'gemini' | 'deepseek' | 'vllm' | 'sglang' | 'llamacpp';

export interface ProviderEstimate {
  id: ProviderId;
  /** Model whose rule applied (per-model minimums), if any. */
  model?: string;
  /** Tokens of the new version actually served from cache under this provider's rule. */
  cachedTokens: number;
  /** cachedTokens / new token count (0 when the new version is empty). */
  hitRatio: number;
  /** One line saying which rule applied, e.g. "≥1024 tokens, 128-token steps". */
  rule: string;
  /** Cost of sending the new version 1,000 times with this cache state vs. fully cached, in USD. */
  costPer1kRequests?: { withChange: number; ifFullyCached: number; extra: number; pricePerMTok: number };
  /** Where the tokenizer is not public, counts come from a stand-in encoding; this says which. */
  tokenizerNote?: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface LintFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  range: SourceRange;
  /** Tokens after this point that a change here would make the provider recompute. */
  tokensAtRisk: number;
  /** A sound, self-contained fix, when there is one. */
  fix?: { title: string; edits: TextEdit[] };
}

export interface Divergence extends SourcePosition {
  /** The same point in the old version. */
  old: SourcePosition;
  /** Segment of the rendered prompt it falls in, e.g. "tools[3].description" or "system". */
  segment?: string;
}

export interface DiffResult {
  encoding: EncodingName;
  /** Set when the provider's own tokenizer is not public and the counts come from a stand-in. */
  encodingNote?: string;
  format: string;
  old: { tokens: number };
  new: { tokens: number };
  /** Length of the longest common token prefix (0-based index of the first differing token); null when identical. */
  firstDivergentToken: number | null;
  reusablePrefixTokens: number;
  recomputedTokens: number;
  /** null when the token sequences are identical. */
  divergence: Divergence | null;
  /** True when only file-only parts (e.g. YAML front matter) changed: no effect on the cache. */
  noEffectOnCache?: boolean;
  providers: ProviderEstimate[];
  findings: LintFinding[];
}
