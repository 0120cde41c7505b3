// Text shown in the status bar, its tooltip, the panel, notifications, diagnostics and hovers. Pure so it is
// unit-tested and the wording is the same everywhere; the editor adapters only wrap these strings in VS Code objects.
//
// One vocabulary for the cache state of a prompt file (`cacheState`), used by every surface:
//   "unchanged"        no token differs from the baseline (front-matter-only edits included)
//   "new file"         the baseline is empty (nothing committed yet): every token is new
//   "N% cached"        what the provider serves from cache for this version, under its rule
//   "N% at token level" beside it when the provider serves less than the common token prefix
//   and one sentence saying why (block boundaries, minimum, steps, per-request output).
import type { DiffResult, LintFinding, ProviderEstimate } from '../core/types';
import { Command } from './commandIds';

import { formatBytes, formatCount, formatMs, formatPercent, formatUsd } from '../core/numbers';

export { formatBytes, formatCount, formatMs, formatPercent, formatUsd };

/** The provider estimate the settings select (falls back to the first one the core returned). */
export function pickProvider(diff: DiffResult, providerId: string): ProviderEstimate | undefined {
  return diff.providers.find((p) => p.id === providerId) ?? diff.providers[0];
}

export function providerName(id: string): string {
  switch (id) {
    case 'anthropic': return 'Anthropic';
    case 'openai': return 'OpenAI';
    case 'gemini': return 'Gemini';
    case 'deepseek': return 'DeepSeek';
    case 'vllm': return 'vLLM';
    case 'sglang': return 'SGLang';
    case 'llamacpp': return 'llama.cpp';
    default: return id;
  }
}

// ---- Facts about an estimate --------------------------------------------------------------------------------------

export type CacheUnit = NonNullable<ProviderEstimate['unit']>;

/** What the wording needs to know about the rule behind an estimate (read from the estimate the core computed). */
export interface EstimateFacts {
  unit: CacheUnit;
  minimumTokens?: number;
  stepTokens?: number;
  /** A content-block rule (Anthropic) on a prompt that is one block: any edit inside it misses. */
  oneBlock: boolean;
  /** A request body without any cache_control breakpoint. */
  noBreakpoint: boolean;
  /** Templates: the first token that varies per request. */
  perRequestFrom?: number;
  /** Where the price comes from (the price package, its version and date, the model; or the user's price). */
  priceSource?: string;
}

export function estimateFacts(est: ProviderEstimate): EstimateFacts {
  const num = (re: RegExp) => {
    const m = re.exec(est.rule);
    return m ? Number(m[1].replace(/,/g, '')) : undefined;
  };
  return {
    unit: est.unit ?? 'token',
    minimumTokens: est.minimumTokens ?? num(/≥ ?([\d,]+) tokens/),
    stepTokens: num(/([\d,]+)-token (?:steps|units|blocks)/),
    oneBlock: est.singleBlock === true,
    noBreakpoint: /no cache_control breakpoint/.test(est.rule),
    perRequestFrom: num(/per-request output from token ([\d,]+)/),
    priceSource: est.costPer1kRequests?.priceSource || undefined,
  };
}

// ---- The cache state: one vocabulary ------------------------------------------------------------------------------

export type CacheStateKind = 'unchanged' | 'new' | 'edited' | 'empty';

export interface CacheState {
  kind: CacheStateKind;
  /** "unchanged", "new file", "87% cached", "unchanged · 0% cached": the status bar, panel, notification and
   * workspace rows all show this. */
  headline: string;
  /** Beside the headline when the provider serves less than the common token prefix: "99.8% at token level". */
  tokenLevel?: string;
  /** Why the provider serves what it does, in one sentence, when that is less than the common prefix. */
  reason?: string;
  /** Provider, and model when the rule is per model: "Anthropic · claude-sonnet-4-5". */
  provider: string;
  cachedTokens: number;
  reusablePrefixTokens: number;
  recomputedTokens: number;
  totalTokens: number;
  /** Served from cache / total, under the provider. */
  hitRatio: number;
  /** Common token prefix / total. */
  tokenRatio: number;
  level: 'ok' | 'warning';
}

export function cacheState(diff: DiffResult, providerId: string): CacheState {
  const est = pickProvider(diff, providerId);
  const total = diff.new.tokens;
  const unchanged = diff.firstDivergentToken === null || diff.noEffectOnCache === true;
  const reusable = unchanged ? total : diff.reusablePrefixTokens;
  const cached = est ? est.cachedTokens : reusable;
  const hitRatio = total > 0 ? cached / total : 0;
  const tokenRatio = total > 0 ? reusable / total : 0;
  const kind: CacheStateKind = total === 0 ? 'empty' : unchanged ? 'unchanged' : diff.old.tokens === 0 ? 'new' : 'edited';
  // Token-granular engines recompute the last prompt token (its logits start generation): one token short of the
  // prefix is "everything" for the wording.
  const short = cached < reusable - (unchanged ? 1 : 0);
  let headline: string;
  if (kind === 'empty') headline = 'empty';
  else if (kind === 'new') headline = 'new file';
  // Unchanged reads "unchanged" under every provider; the provider's share is added only when it serves less than
  // half of it (below the minimum, per-request output), not for step rounding (98%).
  else if (kind === 'unchanged') headline = short && hitRatio < 0.5 ? `unchanged · ${formatPercent(hitRatio)} cached` : 'unchanged';
  else headline = `${formatPercent(hitRatio)} cached`;
  const tokenLevel = kind === 'edited' && short && formatPercent(tokenRatio) !== formatPercent(hitRatio) ? `${formatPercent(tokenRatio)} at token level` : undefined;
  let reason: string | undefined;
  if (kind === 'new') reason = 'Nothing to compare with yet (the baseline is empty): every token is new, and the first request writes the cache.';
  else if (est && short) reason = shortfallReason(est, { unchanged, reusable, total, cached });
  return {
    kind,
    headline,
    tokenLevel,
    reason,
    provider: est ? providerName(est.id) + (est.model ? ` · ${est.model}` : '') : providerName(providerId),
    cachedTokens: cached,
    reusablePrefixTokens: reusable,
    recomputedTokens: unchanged ? 0 : diff.recomputedTokens,
    totalTokens: total,
    hitRatio,
    tokenRatio,
    level: kind === 'edited' && hitRatio < 0.5 ? 'warning' : 'ok',
  };
}

/** Anthropic's block-boundary rule on a prompt file, in the words the status bar and panel use. */
export const ONE_BLOCK_REASON =
  'Anthropic caches at block boundaries: this file is one block, so any edit misses; split the part that changes into its own block after a breakpoint.';

function shortfallReason(est: ProviderEstimate, s: { unchanged: boolean; reusable: number; total: number; cached: number }): string {
  const f = estimateFacts(est);
  const name = providerName(est.id);
  const what = s.unchanged ? 'this prompt is' : 'the unchanged prefix is';
  if (f.perRequestFrom !== undefined && f.perRequestFrom < s.reusable) {
    return `The template outputs per-request values from token ${formatCount(f.perRequestFrom)}: requests share at most the ${formatCount(f.perRequestFrom)} tokens before it, and ${name} serves ${formatCount(s.cached)}.`;
  }
  if (f.noBreakpoint) return `This request has no cache_control breakpoint, so ${name} caches nothing: mark the end of the part that stays the same with one.`;
  const belowMinimum = s.cached === 0 && f.minimumTokens !== undefined && s.reusable < f.minimumTokens;
  if (belowMinimum) return `${name} caches nothing below ${formatCount(f.minimumTokens!)} tokens, and ${what} ${formatCount(s.reusable)}.`;
  if (f.oneBlock && !s.unchanged) return ONE_BLOCK_REASON;
  if (f.stepTokens && f.stepTokens > 1) return `${name} caches in ${formatCount(f.stepTokens)}-token steps: ${formatCount(s.cached)} of the ${formatCount(s.reusable)} unchanged tokens.`;
  return `${name} serves ${formatCount(s.cached)} of the ${formatCount(s.reusable)} unchanged tokens (${est.rule}).`;
}

/** The stand-in tokenizer note(s), each once (the diff and the estimate often carry the same sentence). */
export function tokenizerNotes(diff: DiffResult, est: ProviderEstimate | undefined): string[] {
  return [...new Set([est?.tokenizerNote, diff.encodingNote].filter((n): n is string => !!n))];
}

/**
 * What the cost figures assume, in words: "extra per 1,000 requests" is what a change costs if every request
 * differed like this (a per-request value); a one-time edit costs one request's difference, once.
 */
export function costLines(est: ProviderEstimate): string[] {
  const c = est.costPer1kRequests;
  if (!c) return [];
  const f = estimateFacts(est);
  const price = `${formatUsd(c.pricePerMTok)}/M input tokens${est.model ? ` (${est.model})` : ''}${f.priceSource ? `, ${f.priceSource}` : ''}`;
  if (c.extra <= 0) return [`Cost per 1,000 requests: ${formatUsd(c.withChange)}, as cached as it gets, at ${price}.`];
  return [
    `This edit, once: about +${formatUsd(c.extra / 1000)} (the next request writes the new prefix; later requests within the cache's lifetime hit it).`,
    `If every request differed like this (a per-request value): ${formatUsd(c.withChange)} per 1,000 requests instead of ${formatUsd(c.ifFullyCached)} (+${formatUsd(c.extra)}), at ${price}.`,
  ];
}

// ---- Status bar ---------------------------------------------------------------------------------------------------

export interface StatusSummary {
  /** Status bar text, with a codicon. */
  text: string;
  /** Markdown for the tooltip (trusted for command links only). */
  tooltip: string;
  /** Severity for the status bar background: 'warning' when most of the prompt is recomputed. */
  level: 'ok' | 'warning' | 'error';
}

export interface LocalTiming {
  coldMs: number;
  warmMs: number;
  preset: string;
}

/** The status bar text of a state: the headline, and the token-level reuse beside it when it differs. */
export function statusText(state: CacheState): string {
  return `$(database) ${state.headline}${state.tokenLevel ? ` · ${state.tokenLevel}` : ''}`;
}

export function statusSummary(diff: DiffResult, providerId: string, baselineLabel: string, timing?: LocalTiming): StatusSummary {
  const state = cacheState(diff, providerId);
  const est = pickProvider(diff, providerId);
  const lines = [`**Prompt Cache** — baseline: ${escapeMarkdown(baselineLabel)}`, ''];
  lines.push(`**${escapeMarkdown(state.headline)}** under ${escapeMarkdown(state.provider)}${state.tokenLevel ? ` · ${escapeMarkdown(state.tokenLevel)}` : ''}`);
  if (state.reason) lines.push('', escapeMarkdown(state.reason));
  if (diff.noEffectOnCache) lines.push('', 'Only file-only parts changed (e.g. front matter): no effect on the cache.');
  else if (state.kind === 'edited') lines.push('', `This version recomputes **${formatCount(diff.recomputedTokens)}** of ${formatCount(state.totalTokens)} tokens vs. ${escapeMarkdown(baselineLabel)}.`);
  lines.push('', '| | tokens |', '|---|---:|');
  lines.push(`| reusable prefix (same tokens as the baseline) | ${formatCount(state.reusablePrefixTokens)} (${formatPercent(state.tokenRatio)}) |`);
  lines.push(`| recomputed | ${formatCount(state.recomputedTokens)} |`);
  if (est) lines.push(`| cached under ${providerName(est.id)} | ${formatCount(state.cachedTokens)} (${formatPercent(state.hitRatio)}) |`);
  lines.push('');
  if (est) {
    lines.push(`Rule: ${escapeMarkdown(est.rule)}${est.model ? ` (${escapeMarkdown(est.model)})` : ''}`);
    for (const l of costLines(est)) lines.push('', escapeMarkdown(l));
  }
  for (const n of tokenizerNotes(diff, est)) lines.push('', `_${escapeMarkdown(n)}_`);
  lines.push('', `Encoding: \`${diff.encoding}\``);
  if (timing) lines.push('', `Local recompute (${escapeMarkdown(timing.preset)}): cold ${formatMs(timing.coldMs)}, with cached prefix ${formatMs(timing.warmMs)}`);
  lines.push('', 'Click to open the heatmap.', '', STATUS_LINKS);
  return { text: statusText(state), tooltip: lines.join('\n'), level: state.level };
}

/** Commands the status bar tooltip links to (its MarkdownString trusts exactly these). */
export const STATUS_TOOLTIP_COMMANDS: readonly string[] = [Command.SelectProvider, Command.CompareWithGitRevision, Command.CompareWithLastSave, Command.AuditCurrentFile];
const STATUS_LINKS = [
  `[$(server) Provider](command:${Command.SelectProvider} "Select the provider and model the estimate follows")`,
  `[$(git-commit) Compare with revision…](command:${Command.CompareWithGitRevision} "Choose the Git revision to compare with")`,
  `[$(history) Last save](command:${Command.CompareWithLastSave} "Compare with the last saved version")`,
  `[$(checklist) Lint](command:${Command.AuditCurrentFile} "Run the full audit with the lint rules")`,
].join(' · ');

/** A one-line notification of an audit, in the same words as the status bar. */
export function auditNotification(fileName: string, diff: DiffResult, providerId: string, baselineLabel: string): string {
  const s = cacheState(diff, providerId);
  const recomputed = s.kind === 'edited' ? `; ${formatCount(s.recomputedTokens)} of ${formatCount(s.totalTokens)} tokens recomputed` : '';
  return `${fileName}: ${s.headline}${s.tokenLevel ? ` (${s.tokenLevel})` : ''} under ${s.provider} vs. ${baselineLabel}${recomputed}; ${diff.findings.length} finding(s).${s.reason ? ` ${s.reason}` : ''}`;
}

// ---- Diagnostics and hovers ---------------------------------------------------------------------------------------

/** The diagnostic placed at the first divergent token. */
export function divergenceMessage(diff: DiffResult, providerId: string): string | undefined {
  if (diff.firstDivergentToken === null || diff.noEffectOnCache) return undefined;
  const total = diff.new.tokens;
  const pct = total === 0 ? 0 : diff.recomputedTokens / total;
  const est = pickProvider(diff, providerId);
  let msg = `This edit recomputes ${formatCount(diff.recomputedTokens)} of ${formatCount(total)} tokens (${formatPercent(pct)}) on every request until the cache is warm`;
  if (diff.divergence?.segment) msg += ` — first change in ${diff.divergence.segment}`;
  if (est && est.cachedTokens < diff.reusablePrefixTokens) {
    msg += `. ${providerName(est.id)} caches ${formatCount(est.cachedTokens)} of the ${formatCount(diff.reusablePrefixTokens)} unchanged tokens (${est.rule})`;
  }
  return msg + '.';
}

/**
 * Hover at the first divergent token: tokens, rule and cost. VS Code already shows the diagnostic's message in the
 * same hover, so this does not repeat it.
 */
export function divergenceHover(diff: DiffResult, providerId: string): string {
  const s = cacheState(diff, providerId);
  const est = pickProvider(diff, providerId);
  const lines = [`**cache-divergence** — first divergent token #${formatCount(diff.firstDivergentToken ?? 0)}`, ''];
  lines.push(`Tokens: **${formatCount(s.reusablePrefixTokens)}** reusable prefix, **${formatCount(s.recomputedTokens)}** recomputed of ${formatCount(s.totalTokens)}; ${escapeMarkdown(s.headline)} under ${escapeMarkdown(s.provider)}.`);
  if (s.reason) lines.push('', escapeMarkdown(s.reason));
  if (est) {
    lines.push('', `${providerName(est.id)} rule: ${escapeMarkdown(est.rule)}`);
    for (const l of costLines(est)) lines.push('', escapeMarkdown(l));
  }
  return lines.join('\n');
}

/** Hover for a lint finding: tokens at risk, the provider rule and what it costs (the message is VS Code's). */
export function findingHover(finding: LintFinding, diff: DiffResult | undefined, providerId: string): string {
  const lines = [`**${escapeMarkdown(finding.ruleId)}**`, ''];
  lines.push(`Tokens after this point a change here makes the provider recompute: **${formatCount(finding.tokensAtRisk)}**`);
  const est = diff ? pickProvider(diff, providerId) : undefined;
  if (est) {
    lines.push('', `${providerName(est.id)} rule: ${escapeMarkdown(est.rule)}`);
    const price = est.costPer1kRequests?.pricePerMTok;
    if (price !== undefined) {
      // Recomputing N tokens instead of reading them from cache costs the full price minus the cache-read price;
      // the 0.9 factor is the typical read discount (cache-rules.md), an estimate, hence "about".
      const extraPer1k = (finding.tokensAtRisk * price * 0.9 * 1000) / 1e6;
      lines.push('', `If it changes between requests: about ${formatUsd(extraPer1k)} extra per 1,000 requests at ${formatUsd(price)}/M input tokens.`);
    }
  }
  if (finding.fix) lines.push('', `Quick fix available: ${escapeMarkdown(finding.fix.title)}`);
  return lines.join('\n');
}

// ---- Decoder dialogs and progress --------------------------------------------------------------------------------


/** The "generate a large model?" dialog's detail: only presets smaller than the one asked for are suggested. */
/**
 * The consent dialog's detail. `presets` are the decoder's preset names, smallest first (src/decoder/presets.ts);
 * `tiny` is a test shape, so it is named as such rather than offered as a smaller real model.
 */
export function largeModelDetail(preset: string | undefined, presets: readonly string[]): string {
  const real = presets.filter((p) => p !== 'tiny');
  const i = preset ? real.indexOf(preset) : -1;
  const smaller = i > 0 ? real.slice(0, i) : [];
  const hint = smaller.length === 0 ? '' : ` A smaller preset (promptCache.decoder.preset: ${smaller.join(' or ')}) needs less.`;
  return `Nothing is downloaded.${hint} Every real-model preset is over 100 MB; 'tiny' is a < 1 MB test shape whose timings do not stand for a real model.`;
}

export interface DecoderProgress {
  phase: string;
  run?: number;
  runs?: number;
  done?: number;
  total?: number;
  /** The decoder's own overall share done (0…1, never decreasing), when it reports one: preferred. */
  fraction?: number;
}

// Share of the whole run each phase takes (generation only happens on first use; the rest is the measurement).
const PHASE_WEIGHTS: [string, number][] = [['generating', 10], ['loading', 5], ['warmup', 10], ['cold', 35], ['prefix', 10], ['warm', 30], ['drift', 90]];
const PHASE_LABELS: Record<string, string> = {
  generating: 'generating the local model', loading: 'loading the model', warmup: 'warming up', cold: 'cold prefill', prefix: 'caching the prefix', warm: 'prefill on the cached prefix', drift: 'comparing keys and values',
};

/**
 * Turns the decoder's per-phase progress into one overall percentage that never goes back (each phase restarts its
 * own `done`/`total`, which read as 75% → 50% → 100% when shown as they are).
 */
export class ProgressTracker {
  private last = 0;

  update(p: DecoderProgress): { percent: number; increment: number; message: string } {
    const idx = PHASE_WEIGHTS.findIndex(([name]) => name === p.phase);
    const totalWeight = PHASE_WEIGHTS.filter(([n]) => n !== 'drift').reduce((a, [, w]) => a + w, 0);
    let percent: number;
    if (p.fraction !== undefined && Number.isFinite(p.fraction)) {
      percent = 100 * Math.min(1, Math.max(0, p.fraction));
    } else if (p.phase === 'drift') {
      percent = 10 + 90 * fraction(p);
    } else if (idx < 0) {
      percent = this.last;
    } else {
      const before = PHASE_WEIGHTS.slice(0, idx).filter(([n]) => n !== 'drift').reduce((a, [, w]) => a + w, 0);
      const runPart = p.run && p.runs ? (p.run - 1 + fraction(p)) / p.runs : fraction(p);
      percent = (100 * (before + PHASE_WEIGHTS[idx][1] * runPart)) / totalWeight;
    }
    percent = Math.min(100, Math.max(this.last, percent));
    const increment = percent - this.last;
    this.last = percent;
    let message = PHASE_LABELS[p.phase] ?? p.phase;
    if (p.run && p.runs) message += ` ${p.run}/${p.runs}`;
    return { percent, increment, message: `${message} (${Math.round(percent)}%)` };
  }
}

function fraction(p: DecoderProgress): number {
  return p.done !== undefined && p.total ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
}

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+\-.!|]/g, '\\$&');
}
