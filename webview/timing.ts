// Recompute timing: cold vs. cached-prefix prefill measured on the local decoder (median, spread, the ratio the FLOP
// count allows, a load warning), and the GPU estimate with its method and regime.
import type { TimingView } from '../src/view/protocol';
import { el, fmt, fmtMs } from './dom';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The line under the local bars: measured ratio, the FLOP count's, and the spread (exported for tests). */
export function localSummary(t: TimingView): string {
  const parts: string[] = [];
  if (t.speedup !== undefined) parts.push(`measured ${t.speedup.toFixed(1)}×`);
  if (t.expectedSpeedup !== undefined) parts.push(`the FLOP count allows ${t.expectedSpeedup.toFixed(1)}×`);
  if (t.coldSpread !== undefined && t.warmSpread !== undefined) parts.push(`spread (IQR/median) cold ${pct(t.coldSpread)}, cached ${pct(t.warmSpread)}`);
  if (t.runs !== undefined) parts.push(`${t.runs} interleaved runs each`);
  return parts.join('; ');
}

export function renderTiming(root: HTMLElement, t: TimingView, rerun: () => void): void {
  root.removeAttribute('aria-busy');
  const again = el('vscode-button', { secondary: '' }, 'Measure again');
  again.addEventListener('click', rerun);
  const local = `Local (${t.preset}${t.shapedLike ? `, ${t.shapedLike}` : ''})`;
  const groups: { title: string; cold: number; warm: number; testid: string; extra?: string }[] = [
    { title: local, cold: t.coldMs, warm: t.warmMs, testid: 'timing-local', extra: localSummary(t) },
  ];
  if (t.gpu) groups.push({ title: `GPU estimate: ${t.gpu.label}`, cold: t.gpu.coldMs, warm: t.gpu.warmMs, testid: 'timing-gpu', extra: t.gpu.verdict });
  const blocks = groups.map((g) => {
    const max = Math.max(g.cold, g.warm, 1e-6);
    const bar = (label: string, ms: number, cls: string) => {
      const fill = el('div', { class: `fill ${cls}` });
      fill.style.width = `${Math.max(1, (100 * ms) / max)}%`;
      return el('div', { class: 'bar-row' }, el('span', { class: 'bar-label' }, label), el('div', { class: 'bar-track' }, fill), el('span', { class: 'bar-value' }, fmtMs(ms)));
    };
    return el('div', { class: 'timing-group', 'data-testid': g.testid },
      el('h3', {}, g.title),
      bar('cold (whole prompt)', g.cold, 'recomputed'),
      bar('cached prefix', g.warm, 'reused'),
      el('div', { class: 'muted' }, g.cold > g.warm * 1.05
        ? `${(g.cold / Math.max(g.warm, 1e-6)).toFixed(1)}× faster with the prefix cached; saves ${fmtMs(g.cold - g.warm)} per request`
        // Too little is reused (or the prompt is tiny) for the cache to matter at this size.
        : 'No measurable saving: the reusable prefix is too short to matter here'),
      ...(g.extra ? [el('div', { class: 'muted' }, g.extra)] : []),
    );
  });
  root.replaceChildren(
    el('div', { class: 'actions' }, again, el('span', { class: 'muted' }, `${fmt(t.promptTokens)} tokens, ${fmt(t.reusedTokens)} reusable`)),
    ...(t.underLoad ? [el('p', { class: 'note', role: 'status', 'data-testid': 'timing-load' }, `Measured under load: ${t.underLoad}. The times are inflated and noisier; measure again on a quieter machine.`)] : []),
    ...blocks,
    ...(t.gpu ? [el('p', { class: 'note muted' }, `GPU figures: ${t.gpu.regime ?? t.gpu.source}. ${t.gpu.method ? `Estimate: ${t.gpu.method}.` : ''} Data: ${t.gpu.source}.`)] : []),
    ...t.notes.map((n) => el('p', { class: 'note muted' }, n)),
  );
}
