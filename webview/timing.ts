// Recompute timing: cold vs. cached-prefix prefill measured on the local decoder, and the GPU estimate.
import type { TimingView } from '../src/view/protocol';
import { el, fmt, fmtMs } from './dom';

export function renderTiming(root: HTMLElement, t: TimingView, rerun: () => void): void {
  root.removeAttribute('aria-busy');
  const again = el('vscode-button', { secondary: '' }, 'Measure again');
  again.addEventListener('click', rerun);
  const groups: { title: string; cold: number; warm: number; testid: string }[] = [{ title: `Local (${t.preset})`, cold: t.coldMs, warm: t.warmMs, testid: 'timing-local' }];
  if (t.gpu) groups.push({ title: `GPU estimate: ${t.gpu.label}`, cold: t.gpu.coldMs, warm: t.gpu.warmMs, testid: 'timing-gpu' });
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
    );
  });
  root.replaceChildren(
    el('div', { class: 'actions' }, again, el('span', { class: 'muted' }, `${fmt(t.promptTokens)} tokens, ${fmt(t.reusedTokens)} reusable`)),
    ...blocks,
    ...(t.gpu ? [el('p', { class: 'note muted' }, `GPU figures: ${t.gpu.source}`)] : []),
    ...t.notes.map((n) => el('p', { class: 'note muted' }, n)),
  );
}
