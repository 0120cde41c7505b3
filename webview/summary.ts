// The summary strip above the tabs: cache hit, token counts, rule, cost.
import type { SummaryView } from '../src/view/protocol';
import { el, fmt, fmtUsd } from './dom';

export function renderSummary(root: HTMLElement, s: SummaryView, fileName: string, revealDivergence: () => void): void {
  const parts: (Node | string)[] = [];
  parts.push(el('div', { class: 'headline', 'data-testid': 'summary-headline' }, s.headline));
  if (s.tokenLevel) parts.push(el('div', { class: 'token-level', 'data-testid': 'summary-token-level' }, s.tokenLevel));
  parts.push(el('div', { class: 'file' }, `${fileName} · ${s.provider}`));
  // Why the provider serves what it does, in words, next to the number (same sentence as the status bar tooltip).
  if (s.reason) parts.push(el('p', { class: 'reason', 'data-testid': 'summary-reason' }, s.reason));
  const facts = el('div', { class: 'facts' });
  const add = (k: string, v: string | Node, testid?: string) => {
    facts.append(el('div', { class: 'fact' }, el('span', { class: 'k' }, k), el('span', testid ? { class: 'v', 'data-testid': testid } : { class: 'v' }, v)));
  };
  add('Baseline', s.baselineLabel || '—');
  add('Tokens', `${fmt(s.tokens)} (baseline ${fmt(s.baselineTokens)})`, 'summary-tokens');
  add('Reusable prefix', fmt(s.reusablePrefixTokens), 'summary-reusable');
  add('Recomputed', fmt(s.recomputedTokens), 'summary-recomputed');
  add('Cached', `${fmt(s.cachedTokens)} · ${s.provider}`, 'summary-cached');
  if (s.rule) add('Rule', s.rule);
  if (s.divergenceAt) {
    const link = el('a', { href: '#', 'data-testid': 'summary-divergence' }, s.divergenceAt);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      revealDivergence();
    });
    add('First divergent token', link);
  }
  if (s.costPer1k && s.costPer1k.extra > 0) {
    add('This edit, once', `+${fmtUsd(s.costPer1k.extra / 1000)}`);
    add('If every request differed', `${fmtUsd(s.costPer1k.withChange)} / 1,000 requests (fully cached ${fmtUsd(s.costPer1k.ifFullyCached)}, +${fmtUsd(s.costPer1k.extra)})`);
  } else if (s.costPer1k) add('Cost / 1,000 requests', fmtUsd(s.costPer1k.withChange));
  add('Encoding', s.encoding);
  add('Findings', String(s.findings));
  parts.push(facts);
  for (const n of s.notes) parts.push(el('p', { class: 'note muted' }, n));
  root.replaceChildren(...parts);
}
