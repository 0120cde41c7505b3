// The host side of the panel's tabs: each tab in the registry (src/view/tabs.ts) has a data provider in
// src/extension/tabs/<id>.ts, found by its id. A provider loads the tab's data when the tab is shown (or its document
// changes) and runs the tab's action; it posts through the panel (`ctx.post`), which keeps the last data for a
// webview that reloads.
import type * as vscode from 'vscode';
import { PANEL_TABS, type TabInfo, type TabViews } from '../view/tabs';
import type { AuditService } from './auditService';
import type { Workflows } from './workflows';

export interface HostTabContext<K extends keyof TabViews = keyof TabViews> {
  /** The prompt document the panel shows (document-scoped tabs act on it). */
  doc: vscode.TextDocument | undefined;
  audits: AuditService;
  workflows: Workflows;
  /** Sends the tab's data to the webview (and keeps it for a reload). */
  post(data: TabViews[K], uri?: string): void;
  busy(message: string): void;
  error(message: string): void;
  /** True while `doc` is still the panel's document (a slow load for a document the user left is dropped). */
  stillCurrent(): boolean;
}

export interface HostTab<K extends keyof TabViews = keyof TabViews> {
  /** Loads the data when the tab is shown and has none for the document yet. */
  load?(ctx: HostTabContext<K>): Promise<void>;
  /** The tab's action (its button in the webview). */
  run?(ctx: HostTabContext<K>): Promise<void>;
}

/** The providers of the registry's tabs (a test passes its own tab list, following the recipe). */
export function hostTabs(tabs: readonly TabInfo[] = PANEL_TABS, extra: Readonly<Record<string, HostTab>> = {}): Map<string, HostTab> {
  const out = new Map<string, HostTab>();
  for (const t of tabs) {
    if (t.builtin) continue;
    if (extra[t.id]) {
      out.set(t.id, extra[t.id]);
      continue;
    }
    // Found by id: esbuild bundles every module of ./tabs/ for this pattern (and tsx resolves it at run time).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`./tabs/${t.id}.ts`) as { tab?: HostTab };
    if (!mod.tab) throw new Error(`src/extension/tabs/${t.id}.ts exports no \`tab\``);
    out.set(t.id, mod.tab);
  }
  return out;
}
