// The panel's UI: summary, token heatmap (virtualised), history heatmap, KV drift map and timing bars. Talks to the
// extension host only through the typed protocol in src/view/protocol.ts.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HostToWebview, PanelState, TabId, WebviewToHost } from '../src/view/protocol';
import { TAB_IDS, parsePanelState } from '../src/view/protocol';
import { TokenHeatmap } from './tokenHeatmap';
import { renderHistory } from './history';
import { renderKvDrift } from './kvDrift';
import { renderTiming } from './timing';
import { renderWorkspace } from './workspace';
import { renderSummary } from './summary';
import { el } from './dom';

interface VsCodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(s: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const state: PanelState = parsePanelState(vscode.getState() ?? safeParse(app.dataset.initialState));
const send = (m: WebviewToHost) => vscode.postMessage(m);
const save = () => vscode.setState(state);

function safeParse(s: string | undefined): unknown {
  try {
    return s ? JSON.parse(s) : undefined;
  } catch {
    return undefined;
  }
}

// ---- layout -------------------------------------------------------------------------------------------------
const summary = el('section', { class: 'summary', 'data-testid': 'summary', 'aria-live': 'polite' });
const tabs = el('vscode-tabs', { class: 'tabs' });
const panels: Record<TabId, HTMLElement> = {
  tokens: el('div', { class: 'tab-body', 'data-testid': 'token-heatmap' }),
  history: el('div', { class: 'tab-body', 'data-testid': 'history-heatmap' }),
  kv: el('div', { class: 'tab-body', 'data-testid': 'kv-drift' }),
  timing: el('div', { class: 'tab-body', 'data-testid': 'timing' }),
  workspace: el('div', { class: 'tab-body', 'data-testid': 'workspace-summary' }),
};
const titles: Record<TabId, string> = { tokens: 'Tokens', history: 'History', kv: 'KV drift', timing: 'Recompute time', workspace: 'Workspace' };
for (const id of TAB_IDS) {
  tabs.append(el('vscode-tab-header', { slot: 'header', 'data-testid': `tab-${id}` }, titles[id]));
  const p = el('vscode-tab-panel', {});
  p.append(panels[id]);
  tabs.append(p);
}
app.append(summary, tabs);

const heatmap = new TokenHeatmap(panels.tokens, {
  reveal: (uri, start, end) => send({ type: 'revealRange', uri, start, end }),
  onScroll: (top) => {
    state.scrollTop = top;
    save();
  },
});

panels.history.append(el('p', { class: 'muted' }, 'Open the History tab to read the file\'s Git history.'));
panels.kv.append(actionBar('Compute KV drift', () => send({ type: 'run', action: 'kvDrift' }), 'How much each layer\'s keys and values change after the edit, on a local decoder.'));
panels.timing.append(actionBar('Measure recompute time', () => send({ type: 'run', action: 'measure' }), 'Cold vs. cached-prefix prefill on a local decoder, and a GPU estimate.'));
panels.workspace.append(actionBar('Audit workspace', () => send({ type: 'run', action: 'auditWorkspace' }), 'Every prompt file in the workspace.'));

function actionBar(label: string, onClick: () => void, hint: string): HTMLElement {
  const b = el('vscode-button', {}, label);
  b.addEventListener('click', onClick);
  return el('div', { class: 'actions' }, b, el('span', { class: 'muted' }, hint));
}

function selectTab(tab: TabId): void {
  const i = TAB_IDS.indexOf(tab);
  (tabs as HTMLElement & { selectedIndex: number }).selectedIndex = i;
  state.tab = tab;
  save();
  if (tab === 'tokens') heatmap.refresh();
}

tabs.addEventListener('vsc-tabs-select', (e) => {
  const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  const tab = TAB_IDS[i];
  if (!tab) return;
  state.tab = tab;
  save();
  send({ type: 'tabChanged', tab });
  if (tab === 'tokens') heatmap.refresh();
});

// ---- messages -----------------------------------------------------------------------------------------------
window.addEventListener('message', (e: MessageEvent<HostToWebview>) => handle(e.data));

function handle(msg: HostToWebview): void {
  switch (msg.type) {
    case 'document': {
      const first = state.uri !== msg.uri || !heatmap.hasDocument;
      state.uri = msg.uri;
      save();
      heatmap.setDocument(msg.uri, msg.fileName, msg.text, msg.ids, msg.starts, msg.firstDivergentToken);
      if (first && state.scrollTop) heatmap.scrollTo(state.scrollTop);
      renderSummary(summary, msg.summary, msg.fileName, () => heatmap.revealDivergence());
      return;
    }
    case 'summary':
      renderSummary(summary, msg.summary, msg.fileName, () => heatmap.revealDivergence());
      return;
    case 'noDocument':
      heatmap.clear(msg.reason);
      summary.replaceChildren(el('p', { class: 'muted' }, msg.reason));
      return;
    case 'history':
      renderHistory(panels.history, msg.rows, msg.note, (commit) => send({ type: 'openHistoryDiff', uri: msg.uri, commit }), () => send({ type: 'run', action: 'history' }));
      return;
    case 'kvDrift':
      renderKvDrift(panels.kv, msg.drift, () => send({ type: 'run', action: 'kvDrift' }));
      return;
    case 'timing':
      renderTiming(panels.timing, msg.timing, () => send({ type: 'run', action: 'measure' }));
      return;
    case 'workspace':
      renderWorkspace(panels.workspace, msg.rows, msg.cancelled, (path) => send({ type: 'openWorkspaceFile', path }), () => send({ type: 'run', action: 'auditWorkspace' }));
      return;
    case 'busy': {
      const target = msg.what === 'kv' ? panels.kv : panels[msg.what];
      target.setAttribute('aria-busy', 'true');
      target.querySelector('.status')?.remove();
      target.prepend(el('p', { class: 'status muted' }, msg.message));
      return;
    }
    case 'error': {
      const target = msg.what === 'tokens' ? panels.tokens : msg.what === 'kv' ? panels.kv : panels[msg.what];
      target.removeAttribute('aria-busy');
      target.querySelector('.status')?.remove();
      target.prepend(el('p', { class: 'status error', role: 'alert' }, msg.message));
      return;
    }
    case 'showTab':
      selectTab(msg.tab);
      return;
    default: {
      const never: never = msg;
      void never;
    }
  }
}

selectTab(state.tab);
send({ type: 'ready' });
