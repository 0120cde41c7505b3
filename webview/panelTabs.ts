// The webview side of the panel's tabs: each tab in the registry (src/view/tabs.ts) other than the built-in
// heatmap has a module webview/tabs/<id>.ts, found by its id, that renders the data its host provider sends.
import type { TabViews, WebviewToHost } from '../src/view/protocol';
import { PANEL_TABS, type TabInfo } from '../src/view/tabs';
import { el } from './dom';

export interface WebviewTabContext {
  send(m: WebviewToHost): void;
  /** Runs the tab's action (the host provider's `run`). */
  run(): void;
  /** The document the data belongs to (document-scoped tabs). */
  uri?: string;
}

export interface WebviewTab<K extends keyof TabViews = keyof TabViews> {
  /** Fills the tab's body before any data arrives (default: the registry's action button and hint). */
  mount?(body: HTMLElement, ctx: WebviewTabContext): void;
  render(body: HTMLElement, data: TabViews[K], ctx: WebviewTabContext): void;
}

/** The tab modules of the registry's tabs (esbuild bundles every module of ./tabs/ for this pattern). */
export async function loadWebviewTabs(tabs: readonly TabInfo[] = PANEL_TABS): Promise<Map<string, WebviewTab>> {
  const out = new Map<string, WebviewTab>();
  for (const t of tabs) {
    if (t.builtin) continue;
    const mod = (await import(`./tabs/${t.id}.ts`)) as { tab?: WebviewTab };
    if (mod.tab) out.set(t.id, mod.tab);
  }
  return out;
}

/** The default body of a tab before its data: its action button and hint (registry `action`). */
export function mountAction(body: HTMLElement, info: TabInfo, ctx: WebviewTabContext): void {
  if (!info.action) return;
  const b = el('vscode-button', {}, info.action.label);
  b.addEventListener('click', () => ctx.run());
  body.append(el('div', { class: 'actions' }, b, el('span', { class: 'muted' }, info.action.hint)));
}
