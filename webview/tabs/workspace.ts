// Workspace tab: every prompt file audited, worst cache hit first, each in the status bar's words ("unchanged",
// "87% cached"); rows arrive batch by batch while the audit runs.
import type { WorkspaceView } from '../../src/view/protocol';
import { el, fmt } from '../dom';
import type { WebviewTab } from '../panelTabs';

export const tab: WebviewTab<'workspace'> = {
  render: (body, data, ctx) => renderWorkspace(body, data, (path) => ctx.send({ type: 'openWorkspaceFile', path }), () => ctx.run()),
};

function renderWorkspace(root: HTMLElement, view: WorkspaceView, open: (path: string) => void, rerun: () => void): void {
  const { rows, cancelled } = view;
  if (view.done === false) root.setAttribute('aria-busy', 'true');
  else root.removeAttribute('aria-busy');
  const again = el('vscode-button', view.done === false ? { secondary: '', disabled: '' } : { secondary: '' }, 'Audit again');
  again.addEventListener('click', rerun);
  // Errors first, then the least cached; unchanged files last.
  const order = (r: WorkspaceView['rows'][number]) => (r.error ? -1 : r.state?.startsWith('unchanged') ? 2 : r.hitRatio);
  const sorted = [...rows].sort((a, b) => order(a) - order(b) || b.recomputedTokens - a.recomputedTokens || a.path.localeCompare(b.path));
  const table = el('table', { class: 'ws' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'File'), el('th', {}, 'Tokens'), el('th', {}, 'Recomputed'), el('th', {}, 'Cache'), el('th', {}, 'Findings'))));
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
        el('td', { class: 'num' }, r.error ? '—' : fmt(r.tokens)),
        el('td', { class: 'num' }, r.error ? '—' : fmt(r.recomputedTokens)),
        el('td', r.reason ? { class: 'state', title: r.reason, 'data-testid': 'workspace-state' } : { class: 'state', 'data-testid': 'workspace-state' }, r.state ?? `${Math.round(r.hitRatio * 100)}%`),
        el('td', { class: 'num' }, String(r.findings)),
      ),
    );
  }
  table.append(body);
  const status = view.note ?? `${rows.length} file(s)`;
  root.replaceChildren(el('div', { class: 'actions' }, again, el('span', { class: 'muted', 'data-testid': 'workspace-note' }, `${status}${cancelled ? ' (cancelled before the end)' : ''}`)), table);
}
