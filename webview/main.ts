// The panel's UI: the summary strip, the token heatmap (built in) and the registry's tabs (webview/tabs/<id>.ts).
// Talks to the extension host only through the typed protocol in src/view/protocol.ts.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HostToWebview, PanelState, TabId, WebviewToHost } from '../src/view/protocol';
import { parsePanelState } from '../src/view/protocol';
import { PANEL_TABS } from '../src/view/tabs';
import { TokenHeatmap } from './tokenHeatmap';
import { renderSummary } from './summary';
import { el } from './dom';
import { loadWebviewTabs, mountAction, type WebviewTabContext } from './panelTabs';

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
const tabIds: TabId[] = PANEL_TABS.map((t) => t.id);

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
const bodies = new Map<string, HTMLElement>();
for (const t of PANEL_TABS) {
  const body = el('div', { class: 'tab-body', 'data-testid': t.testId });
  bodies.set(t.id, body);
  tabs.append(el('vscode-tab-header', { slot: 'header', 'data-testid': `tab-${t.id}` }, t.title));
  const p = el('vscode-tab-panel', {});
  p.append(body);
  tabs.append(p);
}
app.append(summary, tabs);

const heatmap = new TokenHeatmap(bodies.get('tokens')!, {
  reveal: (uri, start, end) => send({ type: 'revealRange', uri, start, end }),
  onScroll: (top) => {
    state.scrollTop = top;
    save();
  },
});

const modules = await loadWebviewTabs();
const uris = new Map<string, string | undefined>();
const context = (tab: TabId): WebviewTabContext => ({ send, run: () => send({ type: 'run', tab }), uri: uris.get(tab) });
for (const t of PANEL_TABS) {
  const m = modules.get(t.id);
  const body = bodies.get(t.id)!;
  if (m?.mount) m.mount(body, context(t.id));
  else if (!('builtin' in t)) mountAction(body, t, context(t.id));
}

function selectTab(tab: TabId): void {
  (tabs as HTMLElement & { selectedIndex: number }).selectedIndex = tabIds.indexOf(tab);
  state.tab = tab;
  save();
  if (tab === 'tokens') heatmap.refresh();
}

tabs.addEventListener('vsc-tabs-select', (e) => {
  const tab = tabIds[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
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
      heatmap.setDocument(msg.uri, msg.fileName, msg.text, msg.ids, msg.starts, msg.firstDivergentToken, msg.summary);
      if (first && state.scrollTop) heatmap.scrollTo(state.scrollTop);
      renderSummary(summary, msg.summary, msg.fileName, () => heatmap.revealDivergence());
      return;
    }
    case 'summary':
      renderSummary(summary, msg.summary, msg.fileName, () => heatmap.revealDivergence());
      return;
    case 'noDocument':
      // The whole reason (with the watched kinds) in the Tokens tab; above the tabs, which the Session and Workspace
      // tabs share, only its first sentence.
      heatmap.clear(msg.reason);
      summary.replaceChildren(el('p', { class: 'muted', 'data-testid': 'no-document-summary' }, msg.reason.split(/(?<=\.)\s/)[0]));
      return;
    case 'tab': {
      const body = bodies.get(msg.tab);
      const m = modules.get(msg.tab);
      if (!body || !m) return;
      uris.set(msg.tab, msg.uri);
      body.removeAttribute('aria-busy');
      (m.render as (b: HTMLElement, d: unknown, c: WebviewTabContext) => void)(body, msg.data, context(msg.tab));
      return;
    }
    case 'busy':
    case 'error': {
      const target = bodies.get(msg.what);
      if (!target) return;
      if (msg.type === 'busy') target.setAttribute('aria-busy', 'true');
      else target.removeAttribute('aria-busy');
      target.querySelector('.status')?.remove();
      target.prepend(el('p', msg.type === 'busy' ? { class: 'status muted' } : { class: 'status error', role: 'alert' }, msg.message));
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
