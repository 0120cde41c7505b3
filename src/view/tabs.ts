// The panel's tabs: one registry line each, read by the extension host (src/extension/panelTabs.ts) and the webview
// (webview/panelTabs.ts). A tab `<id>` other than the built-in heatmap has two modules found by its id:
//   webview/tabs/<id>.ts        its webview module (renders TabViews[<id>]; exports `tab: WebviewTab`)
//   src/extension/tabs/<id>.ts  its host data provider (loads the data, runs its action; exports `tab: HostTab`)
// so adding a tab touches three files: those two and this one (AGENTS.md, "Add a panel tab").
import type { HistoryView, KvDriftView, TimingView, WorkspaceView } from './protocol';
import type { SessionView } from './sessionView';

export interface TabInfo {
  id: string;
  title: string;
  /** data-testid of the tab's body in the webview. */
  testId: string;
  /** 'document': the tab's data belongs to the document the panel shows; 'workspace': to the whole workspace. */
  scope: 'document' | 'workspace';
  /** The button that runs the tab's action (the webview sends `{ type: 'run', tab }`), with a one-line hint. */
  action?: { label: string; hint: string };
  /** Built into the panel (the token heatmap): no tab modules. */
  builtin?: boolean;
}

export const PANEL_TABS = [
  { id: 'tokens', title: 'Tokens', testId: 'token-heatmap', scope: 'document', builtin: true },
  { id: 'history', title: 'History', testId: 'history-heatmap', scope: 'document' },
  { id: 'kv', title: 'KV drift', testId: 'kv-drift', scope: 'document', action: { label: 'Compute KV drift', hint: 'How much each layer\'s keys and values change after the edit, on a local decoder.' } },
  { id: 'timing', title: 'Recompute time', testId: 'timing', scope: 'document', action: { label: 'Measure recompute time', hint: 'Cold vs. cached-prefix prefill on a local decoder, and a GPU estimate.' } },
  { id: 'workspace', title: 'Workspace', testId: 'workspace-summary', scope: 'workspace', action: { label: 'Audit workspace', hint: 'Every prompt file in the workspace.' } },
  { id: 'session', title: 'Session', testId: 'session-view', scope: 'workspace', action: { label: 'Audit Session…', hint: 'A Claude Code or Codex session, a HAR capture or a request log, call by call.' } },
] as const satisfies readonly TabInfo[];

export type TabId = (typeof PANEL_TABS)[number]['id'];
export const TAB_IDS: readonly TabId[] = PANEL_TABS.map((t) => t.id);

/** The data each tab's host provider sends and its webview module renders (`{ type: 'tab', tab, data }`). */
export interface TabViews {
  history: HistoryView;
  kv: KvDriftView;
  timing: TimingView;
  workspace: WorkspaceView;
  session: SessionView;
}

export type DataTabId = keyof TabViews;

export function tabInfo(id: string, tabs: readonly TabInfo[] = PANEL_TABS): TabInfo | undefined {
  return tabs.find((t) => t.id === id);
}
