// Text shown in the status bar, its tooltip, diagnostics and hovers. Pure so it is unit-tested and the wording is
// the same everywhere; the editor adapters only wrap these strings in VS Code objects.
import type { DiffResult, LintFinding, ProviderEstimate } from '../core/types';
import { Command } from './commandIds';

import { formatCount, formatMs, formatPercent, formatUsd } from '../core/numbers';

export { formatCount, formatMs, formatPercent, formatUsd };

/** The provider estimate the settings select (falls back to the first one the core returned). */
export function pickProvider(diff: DiffResult, providerId: string): ProviderEstimate | undefined {
  return diff.providers.find((p) => p.id === providerId) ?? diff.providers[0];
}

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

export function statusSummary(diff: DiffResult, providerId: string, baselineLabel: string, timing?: LocalTiming): StatusSummary {
  const est = pickProvider(diff, providerId);
  const total = diff.new.tokens;
  if (diff.noEffectOnCache || diff.firstDivergentToken === null) {
    const cached = est ? est.cachedTokens : total;
    const text = est && est.cachedTokens < total ? `$(database) ${formatPercent(est.hitRatio)} cached` : '$(database) unchanged';
    return {
      text,
      tooltip: tooltipLines(diff, est, baselineLabel, timing, diff.noEffectOnCache ? 'Only file-only parts changed (e.g. front matter): no effect on the cache.' : `No token differs from ${baselineLabel}.`, cached).join('\n'),
      level: 'ok',
    };
  }
  const ratio = est ? est.hitRatio : total === 0 ? 0 : diff.reusablePrefixTokens / total;
  const level = ratio < 0.5 ? 'warning' : 'ok';
  const head = `This version recomputes **${formatCount(diff.recomputedTokens)}** of ${formatCount(total)} tokens vs. ${baselineLabel}.`;
  return { text: `$(database) ${formatPercent(ratio)} cached`, tooltip: tooltipLines(diff, est, baselineLabel, timing, head, est?.cachedTokens).join('\n'), level };
}

/** Commands the status bar tooltip links to (its MarkdownString trusts exactly these). */
export const STATUS_TOOLTIP_COMMANDS: readonly string[] = [Command.SelectProvider, Command.CompareWithGitRevision, Command.CompareWithLastSave, Command.AuditCurrentFile];
const STATUS_LINKS = [
  '[$(server) Provider](command:promptCache.selectProvider "Select the provider and model the estimate follows")',
  '[$(git-commit) Compare with revision…](command:promptCache.compareWithGitRevision "Choose the Git revision to compare with")',
  '[$(history) Last save](command:promptCache.compareWithLastSave "Compare with the last saved version")',
  '[$(checklist) Lint](command:promptCache.auditCurrentFile "Run the full audit with the lint rules")',
].join(' · ');

function tooltipLines(diff: DiffResult, est: ProviderEstimate | undefined, baselineLabel: string, timing: LocalTiming | undefined, head: string, cached?: number): string[] {
  const lines = [`**Prompt Cache** — baseline: ${escapeMarkdown(baselineLabel)}`, '', head, ''];
  lines.push(`| | tokens |`, `|---|---:|`);
  lines.push(`| reusable prefix | ${formatCount(diff.reusablePrefixTokens)} |`);
  lines.push(`| recomputed | ${formatCount(diff.recomputedTokens)} |`);
  if (est && cached !== undefined) lines.push(`| cached under ${providerName(est.id)} | ${formatCount(cached)} (${formatPercent(est.hitRatio)}) |`);
  lines.push('');
  if (est) {
    lines.push(`Rule: ${escapeMarkdown(est.rule)}${est.model ? ` (${escapeMarkdown(est.model)})` : ''}`);
    if (est.costPer1kRequests) {
      const c = est.costPer1kRequests;
      lines.push('', `Cost per 1,000 requests: ${formatUsd(c.withChange)} (fully cached: ${formatUsd(c.ifFullyCached)}, extra ${formatUsd(c.extra)}) at ${formatUsd(c.pricePerMTok)}/M input tokens`);
    }
    if (est.tokenizerNote) lines.push('', `_${escapeMarkdown(est.tokenizerNote)}_`);
  }
  if (diff.encodingNote) lines.push('', `_${escapeMarkdown(diff.encodingNote)}_`);
  lines.push('', `Encoding: \`${diff.encoding}\``);
  if (timing) {
    lines.push('', `Local recompute (${escapeMarkdown(timing.preset)}): cold ${formatMs(timing.coldMs)}, with cached prefix ${formatMs(timing.warmMs)}`);
  }
  lines.push('', 'Click to open the heatmap.', '', STATUS_LINKS);
  return lines;
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

/** Hover text for a lint finding: tokens at risk, the provider rule and what it costs. */
export function findingHover(finding: LintFinding, diff: DiffResult | undefined, providerId: string): string {
  const lines = [`**${escapeMarkdown(finding.ruleId)}** — ${escapeMarkdown(finding.message)}`, ''];
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

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+\-.!|]/g, '\\$&');
}
