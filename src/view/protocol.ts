// Messages between the extension host and the panel's webview (webview/main.ts). One file, imported by both, with
// no `vscode` import (the webview bundle cannot load it). Webview → host messages are untrusted input: the host
// acts only on what `parseWebviewMessage` accepts.

import { TAB_IDS, type TabId, type TabViews } from './tabs';

export { TAB_IDS, type TabId, type TabViews };

export interface SummaryView {
  /** The cache state in the words the status bar uses (src/view/format.ts `cacheState`): "87% cached", "unchanged". */
  headline: string;
  /** "unchanged" | "new" | "edited" | "empty" (CacheStateKind). */
  kind?: string;
  /** "99.8% at token level", beside the headline when the provider serves less than the common prefix. */
  tokenLevel?: string;
  /** Why the provider serves what it does (block boundaries, minimum, per-request output), one sentence. */
  reason?: string;
  provider: string;
  rule: string;
  baselineLabel: string;
  encoding: string;
  tokens: number;
  baselineTokens: number;
  reusablePrefixTokens: number;
  recomputedTokens: number;
  cachedTokens: number;
  firstDivergentToken: number | null;
  /** "line 12, column 5" in the current file, if diverged. */
  divergenceAt?: string;
  costPer1k?: { withChange: number; ifFullyCached: number; extra: number; pricePerMTok: number };
  notes: string[];
  findings: number;
}

export interface HistoryRowView {
  commit: string;
  shortHash: string;
  subject: string;
  date: string;
  tokens: number;
  firstDivergentToken: number | null;
  recomputedTokens: number;
}

export interface TimingView {
  preset: string;
  promptTokens: number;
  reusedTokens: number;
  coldMs: number;
  warmMs: number;
  /** Min of the runs, when known. */
  coldMinMs?: number;
  warmMinMs?: number;
  /** Relative spread (IQR / median) of each phase's runs, and how many runs each phase took. */
  coldSpread?: number;
  warmSpread?: number;
  runs?: number;
  /** The measured cold/warm ratio and the one the FLOP count allows (presets). */
  speedup?: number;
  expectedSpeedup?: number;
  /** Set when other processes competed for the CPU during the runs: why, in words. */
  underLoad?: string;
  /** e.g. "shape of HuggingFaceTB/SmolLM2-135M". */
  shapedLike?: string;
  gpu?: {
    label: string; coldMs: number; warmMs: number; source: string;
    /** How the estimate is computed, the regime the data describes, and the one-sentence verdict. */
    method?: string; regime?: string; verdict?: string;
  };
  notes: string[];
}

export interface KvDriftView {
  layers: number;
  positions: number;
  /** Row-major layers × positions relative change, 0 = bit-exact. */
  values: Float32Array;
  /** Position of the first changed token in the measured window. */
  editPosition: number;
  /** Per position: 1 where the token is edited (no aligned counterpart in the old version), else 0. */
  edited?: Uint8Array;
  /** New index − old index of the unchanged tail (token-identity alignment); 0 for a substitution. */
  shift?: number;
  /** Tokens unchanged after the edit (common suffix of the two versions). */
  commonSuffix?: number;
  /** Set when the versions were longer than the cap: the window of new-version tokens compared. */
  window?: { start: number; end: number };
  notes: string[];
}

export interface WorkspaceRowView {
  /** Workspace-relative path, also the key the webview sends back to open it. */
  path: string;
  tokens: number;
  recomputedTokens: number;
  hitRatio: number;
  findings: number;
  /** The cache state's headline ("unchanged", "87% cached", "new file"), as the status bar says it. */
  state?: string;
  /** Why the provider serves less than the common prefix (CacheState.reason), for the row's tooltip. */
  reason?: string;
  error?: string;
}

/** The Workspace tab: one row per prompt file; `done` false while batches are still coming. */
export interface WorkspaceView {
  rows: WorkspaceRowView[];
  cancelled: boolean;
  done?: boolean;
  /** e.g. "412 files in 1.9 s". */
  note?: string;
}

export interface HistoryView {
  rows: HistoryRowView[];
  note?: string;
}

/** A data message for one tab (see src/view/tabs.ts): the host's data provider sends it, the tab's webview module
 * renders it. `uri` is the document it belongs to (document-scoped tabs). */
export type TabDataMessage = { [K in keyof TabViews]: { type: 'tab'; tab: K; uri?: string; data: TabViews[K] } }[keyof TabViews];

/** Extension host → webview. */
export type HostToWebview =
  | { type: 'document'; uri: string; fileName: string; version: number; text: string; ids: Uint32Array; starts: Uint32Array; firstDivergentToken: number | null; summary: SummaryView }
  | { type: 'summary'; uri: string; fileName: string; version: number; summary: SummaryView }
  | { type: 'noDocument'; reason: string }
  | TabDataMessage
  | { type: 'busy'; what: TabId; message: string }
  | { type: 'error'; what: TabId; message: string }
  | { type: 'showTab'; tab: TabId };

/** Webview → extension host. `run` asks for a tab's action (measure, KV drift, reload history, audit workspace). */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'revealRange'; uri: string; start: number; end: number }
  | { type: 'openHistoryDiff'; uri: string; commit: string }
  /** Opens a workspace file, at a 1-based line when given (a prompt file the session diff points into). */
  | { type: 'openWorkspaceFile'; path: string; line?: number }
  /** The Session tab: show call `callIndex`'s request diff against the call it should have reused. */
  | { type: 'sessionCall'; callIndex: number }
  | { type: 'run'; tab: TabId }
  | { type: 'tabChanged'; tab: TabId };

/** State the webview keeps with setState, and the serializer gets back after a reload. */
export interface PanelState {
  uri?: string;
  tab: TabId;
  scrollTop?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2 ** 31;

/**
 * Accepts only well-formed webview messages; anything else is dropped (returns undefined). `tabs`: the tab ids the
 * panel has (the registry's; a test adds its own tab through the recipe).
 */
export function parseWebviewMessage(raw: unknown, tabs: readonly string[] = TAB_IDS): WebviewToHost | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'revealRange':
      if (isStr(raw.uri) && isOffset(raw.start) && isOffset(raw.end) && raw.end >= raw.start) return { type: 'revealRange', uri: raw.uri, start: raw.start, end: raw.end };
      return undefined;
    case 'openHistoryDiff':
      // A commit is a hex hash: nothing else may reach `git`.
      if (isStr(raw.uri) && typeof raw.commit === 'string' && /^[0-9a-f]{7,64}$/i.test(raw.commit)) return { type: 'openHistoryDiff', uri: raw.uri, commit: raw.commit };
      return undefined;
    case 'openWorkspaceFile':
      if (isStr(raw.path, 1024) && raw.path.length > 0 && !raw.path.includes('\0')) {
        if (raw.line === undefined) return { type: 'openWorkspaceFile', path: raw.path };
        if (typeof raw.line === 'number' && Number.isInteger(raw.line) && raw.line >= 1 && raw.line <= 2 ** 31) return { type: 'openWorkspaceFile', path: raw.path, line: raw.line };
      }
      return undefined;
    case 'sessionCall':
      if (typeof raw.callIndex === 'number' && Number.isInteger(raw.callIndex) && raw.callIndex >= 0 && raw.callIndex <= 2 ** 31) return { type: 'sessionCall', callIndex: raw.callIndex };
      return undefined;
    case 'run':
    case 'tabChanged':
      if (typeof raw.tab === 'string' && tabs.includes(raw.tab)) return { type: raw.type, tab: raw.tab as TabId };
      return undefined;
    default:
      return undefined;
  }
}

/** Restored panel state from an untrusted source (the serializer); falls back to defaults field by field. */
export function parsePanelState(raw: unknown, tabs: readonly string[] = TAB_IDS): PanelState {
  const state: PanelState = { tab: 'tokens' };
  if (!isObj(raw)) return state;
  if (typeof raw.tab === 'string' && tabs.includes(raw.tab)) state.tab = raw.tab as TabId;
  if (isStr(raw.uri)) state.uri = raw.uri;
  if (typeof raw.scrollTop === 'number' && Number.isFinite(raw.scrollTop) && raw.scrollTop >= 0) state.scrollTop = raw.scrollTop;
  return state;
}
