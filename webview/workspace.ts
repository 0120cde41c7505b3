// Workspace summary: every prompt file audited, worst cache hit first.
import type { WorkspaceRowView } from '../src/view/protocol';
import { el, fmt } from './dom';

export function renderWorkspace(root: HTMLElement, rows: WorkspaceRowView[], cancelled: boolean, open: (path: string) => void, rerun: () => void): void {
  root.removeAttribute('aria-busy');
  const again = el('vscode-button', { secondary: '' }, 'Audit again');
  again.addEventListener('click', rerun);
  const sorted = [...rows].sort((a, b) => a.hitRatio - b.hitRatio || b.recomputedTokens - a.recomputedTokens);
  const table = el('table', { class: 'ws' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'File'), el('th', {}, 'Tokens'), el('th', {}, 'Recomputed'), el('th', {}, 'Cached'), el('th', {}, 'Findings'))));
  const body = el('tbody', {});
  for (const r of sorted) {
    const link = el('a', { href: '#' }, r.path);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      open(r.path);
    });
    body.append(
      el('tr', { 'data-testid': 'workspace-row' },
        el('td', {}, link, ...(r.error ? [el('span', { class: 'error' }, ` — ${r.error}`)] : [])),
        el('td', { class: 'num' }, fmt(r.tokens)),
        el('td', { class: 'num' }, fmt(r.recomputedTokens)),
        el('td', { class: 'num' }, `${Math.round(r.hitRatio * 100)}%`),
        el('td', { class: 'num' }, String(r.findings)),
      ),
    );
  }
  table.append(body);
  root.replaceChildren(el('div', { class: 'actions' }, again, el('span', { class: 'muted' }, `${rows.length} file(s)${cancelled ? ' (cancelled before the end)' : ''}`)), table);
}
