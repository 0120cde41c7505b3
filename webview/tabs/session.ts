// Session tab: one bar per call of an agent session or capture (cache read / written / uncached, in the heatmap's
// colours), breaks marked with their cause, predicted against reported, the log's problems by line, and the selected
// call's request diff against the call it should have reused, the divergent token highlighted.
import type { DiffSide, SelectedCallView, SessionBarView, SessionView } from '../../src/view/sessionView';
import { el, fmt } from '../dom';
import type { WebviewTab, WebviewTabContext } from '../panelTabs';

/** Scroll position of the bar strip, kept across re-renders (a selection re-renders the tab). */
let barsScroll = 0;

export const tab: WebviewTab<'session'> = {
  mount: (body, ctx) => {
    const b = el('vscode-button', {}, 'Audit Session…');
    b.addEventListener('click', () => ctx.run());
    body.append(
      el('div', { class: 'actions' }, b, el('span', { class: 'muted' }, 'A Claude Code or Codex session, a HAR capture or a request log, call by call.')),
      el('p', { class: 'muted' }, 'Or open a session file and use the Audit Session button in the editor title.'),
    );
  },
  render: (body, data, ctx) => renderSession(body, data, ctx),
};

function renderSession(root: HTMLElement, v: SessionView, ctx: WebviewTabContext): void {
  const prev = root.querySelector<HTMLElement>('.session-bars');
  if (prev) barsScroll = prev.scrollLeft;
  root.removeAttribute('aria-busy');
  const again = el('vscode-button', { secondary: '' }, 'Audit Session…');
  again.addEventListener('click', () => ctx.run());
  const select = (i: number) => ctx.send({ type: 'sessionCall', callIndex: i });
  const children: Node[] = [
    el('div', { class: 'session-head' },
      el('span', { class: 'headline', 'data-testid': 'session-headline' }, v.headline),
      el('span', { class: 'file', title: v.file }, `${v.fileName} · ${v.sourceLabel}`),
      ...(v.timing ? [el('span', { class: 'muted' }, v.timing)] : []),
      again,
    ),
    el('div', { class: 'facts' }, ...v.facts.map((f) => el('span', { class: 'fact' }, el('span', { class: 'k' }, f.k), el('span', {}, f.v)))),
  ];
  if (v.problems.length) children.push(problems(v));
  if (v.bars.length) children.push(legend(), bars(v, select));
  if (v.selected) children.push(selected(v.selected, ctx));
  if (v.breaks.length) children.push(breaks(v, select));
  if (v.predicted.length) children.push(predicted(v, select));
  for (const n of v.notes) children.push(el('p', { class: 'note muted' }, n));
  root.replaceChildren(...children);
  const strip = root.querySelector<HTMLElement>('.session-bars');
  if (strip) strip.scrollLeft = barsScroll;
  root.dataset.renderCount = String(Number(root.dataset.renderCount ?? 0) + 1);
}

function legend(): HTMLElement {
  return el('div', { class: 'legend' },
    el('span', { class: 'swatch reused-bar' }), ' read from cache',
    el('span', { class: 'swatch recomputed' }), ' written to cache',
    el('span', { class: 'swatch uncached-input' }), ' uncached',
    el('span', { class: 'swatch divergence' }), ' break ◆ (its cause in the table below and the bar\'s tooltip); click a call for its request diff',
  );
}

function bars(v: SessionView, select: (i: number) => void): HTMLElement {
  const strip = el('div', { class: 'session-bars', role: 'list', 'data-testid': 'session-bars', 'aria-label': 'Calls' });
  // Narrow bars for long sessions; the strip scrolls past ~1,000 calls.
  strip.style.setProperty('--bar-w', `${Math.max(3, Math.min(22, Math.floor(1100 / Math.max(1, v.bars.length)) - 2))}px`);
  const pct = (n: number) => `${((100 * n) / v.maxPrompt).toFixed(2)}%`;
  for (const b of v.bars) {
    const bar = el('div', barAttrs(b, v.selected?.index === b.index));
    const stack = el('div', { class: 'stack' });
    // Bottom to top (the stack is column-reverse): read, written, uncached — the order of the prompt, cached prefix first.
    for (const [cls, n] of [['read', b.read], ['write', b.write], ['uncached', b.uncached]] as const) {
      if (n <= 0) continue;
      const seg = el('div', { class: `seg ${cls}` });
      seg.style.height = pct(n);
      stack.append(seg);
    }
    bar.append(stack, el('div', { class: 'cause-mark' }, b.cause ? '◆' : ''));
    bar.addEventListener('click', () => select(b.index));
    bar.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') select(b.index);
    });
    strip.append(bar);
  }
  return strip;
}

function barAttrs(b: SessionBarView, isSelected: boolean): Record<string, string> {
  const a: Record<string, string> = { class: `sbar${b.cause ? ' brk' : ''}${isSelected ? ' selected' : ''}${b.side ? ' side' : ''}`, role: 'listitem', tabindex: '0', title: b.title, 'data-testid': 'session-bar', 'data-index': String(b.index) };
  if (b.cause) a['data-cause'] = b.cause;
  if (!b.hasUsage) a['data-no-usage'] = '';
  return a;
}

function breaks(v: SessionView, select: (i: number) => void): HTMLElement {
  const table = el('table', { class: 'ws session-breaks' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'Call'), el('th', {}, 'Cause'), el('th', {}, 'Not read again'), el('th', {}, 'Cost'), el('th', {}, 'What happened'))));
  const body = el('tbody', {});
  for (const b of v.breaks.slice(0, 100)) {
    const row = el('tr', { class: 'clickable', tabindex: '0', 'data-testid': 'session-break', 'data-index': String(b.index), 'data-cause': b.cause },
      el('td', { class: 'num' }, String(b.index)),
      el('td', {}, el('span', { class: 'cause', 'data-cause': b.cause }, b.causeLabel)),
      el('td', { class: 'num' }, fmt(b.lostTokens)),
      el('td', { class: 'num' }, b.cost ?? ''),
      el('td', {}, b.explanation),
    );
    row.addEventListener('click', () => select(b.index));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') select(b.index);
    });
    body.append(row);
  }
  table.append(body);
  return el('section', { class: 'session-section' }, el('h3', {}, `Breaks, worst first (${v.breaks.length})`), table);
}

function predicted(v: SessionView, select: (i: number) => void): HTMLElement {
  const table = el('table', { class: 'ws' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'Call'), el('th', {}, 'Predicted cached'), el('th', {}, 'Reported cached'), el('th', {}, 'Difference'), el('th', {}, 'What explains it'))));
  const body = el('tbody', {});
  for (const p of v.predicted.slice(0, 300)) {
    const row = el('tr', { class: 'clickable', 'data-testid': 'session-predicted-row', 'data-index': String(p.index) },
      el('td', { class: 'num' }, String(p.index)),
      el('td', { class: 'num' }, fmt(p.predictedCached)),
      el('td', { class: 'num' }, fmt(p.reportedCached)),
      el('td', { class: 'num' }, `${p.difference > 0 ? '+' : ''}${fmt(p.difference)}`),
      el('td', {}, `${p.explanation}${p.partial ? ' (partial request)' : ''}`),
    );
    row.addEventListener('click', () => select(p.index));
    body.append(row);
  }
  table.append(body);
  return el('section', { class: 'session-section', 'data-testid': 'session-predicted' },
    el('h3', {}, 'Predicted vs reported'),
    ...(v.agreement ? [el('p', { class: 'note' }, v.agreement)] : []),
    table,
  );
}

function problems(v: SessionView): HTMLElement {
  const list = el('ul', { class: 'session-problems' });
  for (const p of v.problems) list.append(el('li', { class: p.severity === 'error' ? 'error' : p.severity === 'warning' ? 'warning' : 'muted', 'data-testid': 'session-problem' }, el('span', { class: 'where' }, p.where), ` ${p.severity}: ${p.message}`));
  return el('section', { class: 'session-section', 'data-testid': 'session-problems' }, el('h3', {}, `Problems in the log (${v.problems.length})`), list);
}

function sidePane(s: DiffSide, label: string, cls: string): HTMLElement {
  const pre = el('pre', { class: 'diff-text' });
  if (s.cutBefore) pre.append(el('span', { class: 'muted' }, '…'));
  pre.append(el('span', { class: 'shared' }, s.before));
  if (s.token) pre.append(el('mark', { class: 'tok-d', 'data-testid': 'diff-token', title: 'first divergent token' }, s.token));
  else pre.append(el('span', { class: 'muted' }, s.before ? ' ⟨request ends here⟩' : '⟨empty⟩'));
  if (s.after) pre.append(el('span', { class: 'after' }, s.after));
  if (s.cutAfter) pre.append(el('span', { class: 'muted' }, '…'));
  return el('div', { class: `diff-side ${cls}` }, el('div', { class: 'k' }, label), pre);
}

function selected(s: SelectedCallView, ctx: WebviewTabContext): HTMLElement {
  const parts: Node[] = [el('h3', {}, s.title)];
  for (const l of s.lines) parts.push(el('p', { class: 'note' }, l));
  if (s.loading) parts.push(el('p', { class: 'muted' }, 'Computing the request diff…'));
  if (s.note) parts.push(el('p', { class: 'muted', 'data-testid': 'diff-note' }, s.note));
  const d = s.diff;
  if (d) {
    const head: (Node | string)[] = [];
    if (d.state === 'diverges') {
      head.push(`First divergent token #${fmt(d.firstDivergentToken ?? 0)}`);
      if (d.segment) head.push(' in ', el('code', { 'data-testid': 'diff-segment' }, d.segment));
    } else if (d.state === 'extends') head.push(`The request extends call ${d.againstCall} unchanged from token #${fmt(d.firstDivergentToken ?? 0)}: nothing the log holds differs.`);
    else head.push(`The request is identical to call ${d.againstCall}.`);
    head.push(el('span', { class: 'muted' }, ` · ${d.encoding}`));
    parts.push(el('p', { class: 'note' }, ...head));
    if (s.promptLink) {
      const link = s.promptLink;
      const a = el('a', { href: '#', 'data-testid': 'diff-prompt-link' }, `${link.path}:${link.line}`);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        ctx.send({ type: 'openWorkspaceFile', path: link.path, line: link.line });
      });
      parts.push(el('p', { class: 'note' }, `The ${link.side === 'new' ? 'new' : 'earlier'} text comes from `, a));
    }
    parts.push(el('div', { class: 'diff-panes' }, sidePane(d.old, `call ${d.againstCall} (should have been reused)`, 'old'), sidePane(d.new, `call ${d.callIndex}`, 'new')));
  }
  return el('section', { class: 'session-section session-selected', 'data-testid': 'session-selected', 'data-index': String(s.index) }, ...parts);
}
