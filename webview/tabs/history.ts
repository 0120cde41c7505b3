// History heatmap: one row per Git version (newest first), token positions across in buckets, coloured by what
// each version left cached vs. invalidated relative to the version before it. Clicking a row opens that diff.
import { bucketHistoryRow } from '../../src/view/bucketing';
import type { HistoryRowView } from '../../src/view/protocol';
import { cssVar, el, fmt } from '../dom';
import type { WebviewTab } from '../panelTabs';

const COLUMNS = 160;

export const tab: WebviewTab<'history'> = {
  mount: (body) => body.append(el('p', { class: 'muted' }, 'Open the History tab to read the file\'s Git history.')),
  render: (body, data, ctx) => {
    const uri = ctx.uri ?? '';
    renderHistory(body, data.rows, data.note, (commit) => ctx.send({ type: 'openHistoryDiff', uri, commit }), () => ctx.run());
  },
};

export function renderHistory(root: HTMLElement, rows: HistoryRowView[], note: string | undefined, openDiff: (commit: string) => void, reload: () => void): void {
  root.removeAttribute('aria-busy');
  const reloadBtn = el('vscode-button', { secondary: '' }, 'Reload history');
  reloadBtn.addEventListener('click', reload);
  const children: (Node | string)[] = [el('div', { class: 'actions' }, reloadBtn, el('span', { class: 'muted' }, note ?? `${rows.length} version(s), newest first; click a row to open its diff.`))];
  if (rows.length === 0) {
    root.replaceChildren(...children);
    return;
  }
  const maxTokens = Math.max(1, ...rows.map((r) => r.tokens));
  const colours = {
    reused: cssVar('--vscode-promptCache-unchangedVersionBackground', 'rgba(46,160,67,0.3)'),
    recomputed: cssVar('--vscode-promptCache-recomputedTokenBackground', 'rgba(248,81,73,0.5)'),
    divergence: cssVar('--vscode-promptCache-divergenceMarker', '#ffb000'),
  };
  const list = el('div', { class: 'history', role: 'list' });
  rows.forEach((r, i) => {
    const canvas = document.createElement('canvas');
    canvas.width = COLUMNS * 2;
    canvas.height = 14;
    canvas.className = 'bar';
    const ctx = canvas.getContext('2d');
    if (ctx) {
      const cells = bucketHistoryRow(r, maxTokens, COLUMNS);
      for (let c = 0; c < COLUMNS; c++) {
        if (cells[c] === 0) continue;
        ctx.fillStyle = cells[c] === 1 ? colours.reused : cells[c] === 3 ? colours.divergence : colours.recomputed;
        ctx.fillRect(c * 2, 0, 2, 14);
      }
    }
    const oldest = i === rows.length - 1;
    const what = oldest ? 'first version' : r.firstDivergentToken === null ? 'no token changed' : `invalidated ${fmt(r.recomputedTokens)} of ${fmt(r.tokens)} from #${fmt(r.firstDivergentToken)}`;
    const row = el(
      'div',
      { class: 'history-row', role: 'listitem', tabindex: '0', 'data-commit': r.commit, 'data-testid': 'history-row', title: `${r.subject}\n${r.date}\n${what}` },
      el('span', { class: 'hash' }, r.shortHash),
      el('span', { class: 'date' }, r.date.slice(0, 10)),
      canvas,
      el('span', { class: 'what' }, what),
      el('span', { class: 'subject' }, r.subject),
    );
    const open = () => openDiff(r.commit);
    row.addEventListener('click', open);
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') open();
    });
    list.append(row);
  });
  children.push(list);
  root.replaceChildren(...children);
}
