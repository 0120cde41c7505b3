// The single entry point the CLI and the extension both call, so their numbers always agree.
import { getEncoder, type EncodingName, type TokenizedText } from './encodings';
import { divergenceOfTokens, tokenDivergence, tokenizePieces, tokensBefore, type TokenDivergence } from './divergence';
import { extractPrompt, requestKeyChange, type ExtractOptions } from './formats';
import { lintExtracted, lintReport, type HistoryVersion, type LintReport } from './lint';
import { blockKindsOf, encodingFor, hasProvider, PROVIDER_IDS, providerForModel, ruleFor } from './providers';
import { estimateProvider } from './providers/estimate';
import { LineIndex, renderedToSourceOffset } from './text';
import type { DiffResult, Divergence, ExtractedPrompt, LintFinding, ProviderEstimate, ProviderId, SourcePosition } from './types';

export interface AuditOptions {
  /** Decides the format (e.g. `support.prompt.md`, `request.json`, `system.j2`). */
  fileName: string;
  /** When the old version had another name (renames in history); defaults to fileName. */
  oldFileName?: string;
  /** Encoding for the counts; default: the model's (OpenAI) or o200k_base as a stated stand-in. */
  encoding?: EncodingName;
  /** Report only this provider (default: all) and use it for lint minimums. */
  provider?: ProviderId;
  model?: string;
  /** Tokenize the files as they are, ignoring the format. */
  raw?: boolean;
  /** USD per million input tokens (overrides the provider's dated default). */
  pricePerMTok?: number;
  /** Anthropic: price cache writes at the 1 h TTL rate. */
  ttl1h?: boolean;
  /** The TTL option whose cache-write price applies (e.g. "1h", "12h"); overrides ttl1h. */
  cacheTtl?: string;
  /** Run lint rules on the new version (default true). */
  lint?: boolean;
  /** Workspace/repository root: templates' includes, partials and vars files are read under it (with `readFile`). */
  root?: string;
  /** Reads a file by absolute path (`diskReader(root)`); without it no other file is read. */
  readFile?: ExtractOptions['readFile'];
  /** Template variables fixed per deployment (`promptCache.deploymentVariables`): they do not end the static prefix. */
  deploymentVariables?: readonly string[];
  /**
   * Earlier versions of the new version's file, oldest first (`readFileHistories` in ./versions/git): lint's history
   * evidence (a literal that keeps changing is volatile). The CLI's `lint` and the extension's audits pass the same.
   */
  history?: readonly HistoryVersion[];
}

/** What extraction reads besides the source (includes, vars, deployment variables), from the audit options. */
export function extractOptions(options: AuditOptions): ExtractOptions {
  return { raw: options.raw, root: options.root, readFile: options.readFile, deploymentVariables: options.deploymentVariables };
}

/** Everything computed for one diff; the extension uses the extra parts (rendered texts, token arrays). */
export interface AuditDetails {
  result: DiffResult;
  old: ExtractedPrompt;
  new: ExtractedPrompt;
  tokens: TokenDivergence;
}

export function resolveEncoding(options: Pick<AuditOptions, 'encoding' | 'provider' | 'model'>): { encoding: EncodingName; note?: string } {
  const provider = options.provider ?? (options.model ? providerForModel(options.model) : undefined);
  const chosen = encodingFor(provider, options.model);
  if (options.encoding) {
    return { encoding: options.encoding, note: options.encoding === chosen.encoding ? chosen.note : undefined };
  }
  return chosen;
}

/** Diff two versions of one prompt file: token-exact divergence, provider cache estimates, lint findings. */
export function diffVersions(oldSource: string, newSource: string, options: AuditOptions): DiffResult {
  return auditVersions(oldSource, newSource, options).result;
}

/**
 * What a caller already computed for the two versions (history keeps the previous version's, and re-tokenizes only
 * around each change): exactly what auditVersions would compute itself, so the results are the same.
 */
export interface PreparedVersions {
  oldPrompt: ExtractedPrompt;
  newPrompt: ExtractedPrompt;
  oldTokens: TokenizedText;
  newTokens: TokenizedText;
}

export function auditVersions(oldSource: string, newSource: string, options: AuditOptions, prepared?: PreparedVersions): AuditDetails {
  const { encoding, note } = resolveEncoding(options);
  const encoder = getEncoder(encoding);
  const oldPrompt = prepared?.oldPrompt ?? extractPrompt(oldSource, options.oldFileName ?? options.fileName, extractOptions(options));
  const newPrompt = prepared?.newPrompt ?? extractPrompt(newSource, options.fileName, extractOptions(options));
  const divergenceOf = prepared
    ? divergenceOfTokens(prepared.oldTokens, prepared.newTokens)
    : tokenDivergence(oldPrompt.text, newPrompt.text, encoder, { old: oldPrompt.hardBoundaries, new: newPrompt.hardBoundaries });
  const tokens = fullMissOf(divergenceOf, oldPrompt, newPrompt);

  let divergence: Divergence | null = null;
  const keyChange = requestKeyChange(oldPrompt, newPrompt);
  if (keyChange) {
    // Reported where the key is (the front matter line, the body's `model`), not at the body's first token.
    const lines = (src: string) => new LineIndex(src);
    divergence = { ...lines(newSource).position(keyChange.now?.start ?? 0), old: lines(oldSource).position(keyChange.before?.start ?? 0), segment: keyChange.key };
  } else if (tokens.renderedOffset) {
    const newPos = sourcePosition(newPrompt, newSource, tokens.renderedOffset.new);
    const oldPos = sourcePosition(oldPrompt, oldSource, tokens.renderedOffset.old);
    divergence = { ...newPos, old: oldPos };
    const seg = segmentAt(newPrompt, tokens.renderedOffset.new) ?? segmentAt(oldPrompt, tokens.renderedOffset.old);
    if (seg) divergence.segment = seg;
  }

  const providers = estimateForVersions(
    { oldPrompt, newPrompt, oldTokens: tokens.old, newTokens: tokens.new, reusablePrefixTokens: tokens.reusablePrefixTokens },
    { ...options, encoding },
  );
  const result: DiffResult = {
    encoding,
    format: newPrompt.format,
    old: { tokens: tokens.old.ids.length },
    new: { tokens: tokens.new.ids.length },
    firstDivergentToken: tokens.firstDivergentToken,
    reusablePrefixTokens: tokens.reusablePrefixTokens,
    recomputedTokens: tokens.recomputedTokens,
    divergence,
    providers,
    findings: [],
    problems: { old: oldPrompt.problems, new: newPrompt.problems },
    renderedOffset: tokens.renderedOffset,
    staticPrefixTokens: newPrompt.firstVariableOffset === null ? null : tokensEndingBy(tokens.new, newPrompt.firstVariableOffset),
    excerpt: tokens.renderedOffset ? { old: around(oldPrompt.text, tokens.renderedOffset.old), new: around(newPrompt.text, tokens.renderedOffset.new) } : null,
  };
  if (note) result.encodingNote = note;
  if (keyChange) result.fullMiss = { key: keyChange.key, reason: keyChange.reason };
  // Identical tokens from different files: only file-only parts changed (front matter, JSON whitespace).
  if (tokens.firstDivergentToken === null && oldSource !== newSource && !keyChange) result.noEffectOnCache = true;
  if (options.lint !== false) {
    result.findings = lintExtracted({
      source: newSource,
      prompt: newPrompt,
      tokens: tokens.new,
      fileName: options.fileName,
      provider: options.provider,
      model: options.model,
      previous: { source: oldSource, prompt: oldPrompt, tokens: tokens.old },
      history: options.history,
    });
  }
  return { result, old: oldPrompt, new: newPrompt, tokens };
}

/** Lint one prompt file (optionally against its previous version, for drift rules). */
export function lintPrompt(source: string, options: AuditOptions, previousSource?: string): LintFinding[] {
  return lintPromptReport(source, options, { previousSource }).findings;
}

/** What lint may know beyond the file: its previous version, its earlier versions (git), whether it is a whole request. */
export interface LintInputs {
  previousSource?: string;
  history?: readonly HistoryVersion[];
  wholePrompt?: boolean;
}

/**
 * lintPrompt with the run-summary facts (cacheable prefix, whole request or fragment): what `lint` runs per file and
 * Audit Workspace per unchanged file. `prepared`: the file's rendering and tokens when the caller has them already.
 */
export function lintPromptReport(source: string, options: AuditOptions, inputs: LintInputs = {}, prepared?: { prompt: ExtractedPrompt; tokens?: TokenizedText }): LintReport {
  const { previousSource } = inputs;
  const { encoding } = resolveEncoding(options);
  const encoder = getEncoder(encoding);
  const prompt = prepared?.prompt ?? extractPrompt(source, options.fileName, extractOptions(options));
  const tokens = prepared?.tokens ?? tokenizePieces(encoder, prompt.text, prompt.hardBoundaries);
  let previous: { source: string; prompt: ExtractedPrompt; tokens: TokenizedText } | undefined;
  if (previousSource !== undefined) {
    const p = extractPrompt(previousSource, options.oldFileName ?? options.fileName, extractOptions(options));
    previous = { source: previousSource, prompt: p, tokens: tokenizePieces(encoder, p.text, p.hardBoundaries) };
  }
  return lintReport({ source, prompt, tokens, fileName: options.fileName, provider: options.provider, model: options.model, previous, history: inputs.history ?? options.history, wholePrompt: inputs.wholePrompt });
}

/** Inputs to the provider estimates: both rendered versions, their tokens, and the common token prefix. */
export interface EstimateVersionsInput {
  oldPrompt: ExtractedPrompt;
  newPrompt: ExtractedPrompt;
  oldTokens: TokenizedText;
  newTokens: TokenizedText;
  reusablePrefixTokens: number;
}

/**
 * Provider estimates for two rendered versions (all providers, or options.provider only). Exported so that
 * callers with their own (incremental) token arrays get exactly the numbers diffVersions reports.
 */
export function estimateForVersions(input: EstimateVersionsInput, options: Pick<AuditOptions, 'provider' | 'model' | 'pricePerMTok' | 'ttl1h' | 'cacheTtl'> & { encoding: EncodingName }): ProviderEstimate[] {
  const { oldPrompt, newPrompt, oldTokens, newTokens } = input;
  const ids: readonly ProviderId[] = options.provider ? [options.provider] : PROVIDER_IDS;
  const modelProvider = options.model ? options.provider ?? providerForModel(options.model) : undefined;
  const N = newTokens.ids.length;
  const O = oldTokens.ids.length;
  // Breakpoint rules cache only at breakpoints. An Anthropic JSON body says where they are; for a plain prompt
  // file we assume the app marks the end of this prompt (the usual single system breakpoint).
  const explicit = newPrompt.format === 'json-anthropic' || oldPrompt.format === 'json-anthropic';
  const breakpoints = explicit
    ? { old: oldPrompt.breakpoints.map((o) => tokensBefore(oldTokens, o)), new: newPrompt.breakpoints.map((o) => tokensBefore(newTokens, o)) }
    : { old: O > 0 ? [O] : [], new: N > 0 ? [N] : [] };
  const blocks = explicit ? newPrompt.blocks.map((o) => tokensBefore(newTokens, o)) : undefined;
  const oldBlocks = explicit ? oldPrompt.blocks.map((o) => tokensBefore(oldTokens, o)) : undefined;
  const blockKinds = explicit ? blockKindsOf(newPrompt) : undefined;
  // Templates: real requests differ from the first per-request output on, whatever the two versions share.
  const staticPrefix = newPrompt.firstVariableOffset === null ? null : tokensEndingBy(newTokens, newPrompt.firstVariableOffset);
  const reusable = staticPrefix === null ? input.reusablePrefixTokens : Math.min(input.reusablePrefixTokens, staticPrefix);
  return ids.filter(hasProvider).map((id) => {
    const model = modelProvider === id ? options.model : undefined;
    const unit = ruleFor(id, model).unit.value.kind;
    const usesBreakpoints = unit === 'content-block' || unit === 'breakpoint';
    const est = estimateProvider(id, {
      reusablePrefixTokens: reusable,
      newTokens: N,
      oldTokens: O,
      model,
      pricePerMTok: options.pricePerMTok,
      breakpoints: usesBreakpoints ? breakpoints : undefined,
      blocks,
      blockKinds,
      oldBlocks,
      encoding: options.encoding,
      ttl1h: options.ttl1h,
      ttl: options.cacheTtl,
    });
    if (usesBreakpoints && !explicit) est.rule += '; assumes a breakpoint at the end of this prompt';
    if (staticPrefix !== null && staticPrefix < input.reusablePrefixTokens) est.rule += `; per-request output from token ${staticPrefix}`;
    return est;
  });
}

/**
 * A request-setting change (front matter `tools`/`model`/`applyTo`…, a body's `model`) is a full miss whatever the
 * text: no token is reused. Exported for callers with their own token arrays (the audit worker).
 */
export function fullMissOf(t: TokenDivergence, oldPrompt: ExtractedPrompt, newPrompt: ExtractedPrompt): TokenDivergence {
  if (!requestKeyChange(oldPrompt, newPrompt)) return t;
  return { ...t, firstDivergentToken: 0, reusablePrefixTokens: 0, recomputedTokens: t.new.ids.length, renderedOffset: { old: 0, new: 0 } };
}

/**
 * Tokens that end at or before a rendered offset: the static prefix before a placeholder. The token straddling the
 * placeholder's start is not part of it (BPE merges the text before a placeholder with its value).
 */
export function tokensEndingBy(t: TokenizedText, renderedOffset: number): number {
  const k = tokensBefore(t, renderedOffset);
  return k > 0 && t.starts[k] > renderedOffset ? k - 1 : k;
}

function sourcePosition(prompt: ExtractedPrompt, source: string, renderedOffset: number): SourcePosition {
  const offset = renderedToSourceOffset(prompt.map, renderedOffset, source.length);
  return new LineIndex(source).position(offset);
}

/** Name of the innermost segment containing a rendered offset. */
export function segmentAt(prompt: ExtractedPrompt, renderedOffset: number): string | undefined {
  let best: { name: string; len: number } | undefined;
  for (const s of prompt.segments) {
    const inside = renderedOffset >= s.start && (renderedOffset < s.end || (renderedOffset === s.end && s.end === prompt.text.length));
    if (inside && (!best || s.end - s.start < best.len)) best = { name: s.name, len: s.end - s.start };
  }
  return best?.name;
}

function around(text: string, at: number): string {
  return text.slice(Math.max(0, at - 40), Math.min(text.length, at + 60));
}

export { extractPrompt } from './formats';
export { renderedToSourceOffset, sourceToRenderedOffset, LineIndex } from './text';
export { CACHE_RULES, PROVIDER_IDS } from './providers';
export { estimateProvider } from './providers/estimate';
