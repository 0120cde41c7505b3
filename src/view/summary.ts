// View-models the panel shows, built from audit results: pure, so the host, the tests and (for types) the webview
// share them. The words come from format.ts (`cacheState`), the same as the status bar's.
import type { DiffResult } from '../core/types';
import { cacheState, formatCount, pickProvider, tokenizerNotes } from './format';
import type { SummaryView, WorkspaceRowView } from './protocol';

/** The parts of an audit result a summary reads (the worker's AuditResult has these). */
export interface AuditedVersion {
  diff: DiffResult;
  baselineLabel: string;
  /** False while typing: findings are from an earlier version. */
  findingsFresh: boolean;
}

export function summaryView(r: AuditedVersion, provider: string): SummaryView {
  const diff = r.diff;
  const est = pickProvider(diff, provider);
  const state = cacheState(diff, provider);
  const notes = tokenizerNotes(diff, est);
  if (diff.noEffectOnCache) notes.push('Only file-only parts changed (e.g. front matter): no effect on the cache.');
  if (!r.findingsFresh) notes.push('Lint findings update when typing pauses.');
  let divergenceAt: string | undefined;
  if (diff.divergence) divergenceAt = `line ${diff.divergence.line}, column ${diff.divergence.column}${diff.divergence.segment ? ` (${diff.divergence.segment})` : ''}`;
  return {
    headline: state.headline,
    kind: state.kind,
    tokenLevel: state.tokenLevel,
    reason: state.reason,
    provider: state.provider,
    rule: est?.rule ?? '',
    baselineLabel: r.baselineLabel,
    encoding: diff.encoding,
    tokens: diff.new.tokens,
    baselineTokens: diff.old.tokens,
    reusablePrefixTokens: state.reusablePrefixTokens,
    recomputedTokens: state.recomputedTokens,
    cachedTokens: state.cachedTokens,
    firstDivergentToken: diff.firstDivergentToken,
    divergenceAt,
    costPer1k: est?.costPer1kRequests,
    notes,
    findings: diff.findings.length,
  };
}

export function emptySummary(): SummaryView {
  return { headline: '…', provider: '', rule: '', baselineLabel: '', encoding: '', tokens: 0, baselineTokens: 0, reusablePrefixTokens: 0, recomputedTokens: 0, cachedTokens: 0, firstDivergentToken: null, notes: [], findings: 0 };
}

/** One Workspace-tab row: the file's state in the status bar's words (an unchanged file reads "unchanged"). */
export function workspaceRowView(path: string, diff: DiffResult, provider: string): WorkspaceRowView {
  const s = cacheState(diff, provider);
  return { path, tokens: s.totalTokens, recomputedTokens: s.recomputedTokens, hitRatio: s.hitRatio, findings: diff.findings.length, state: s.tokenLevel ? `${s.headline} · ${s.tokenLevel}` : s.headline, reason: s.reason };
}

export function workspaceErrorRow(path: string, error: string): WorkspaceRowView {
  return { path, tokens: 0, recomputedTokens: 0, hitRatio: 0, findings: 0, state: 'not audited', error };
}

/** "412 files, 37 findings in 1.9 s". */
export function workspaceNote(rows: readonly WorkspaceRowView[], ms: number | undefined): string {
  const findings = rows.reduce((a, r) => a + r.findings, 0);
  return `${formatCount(rows.length)} file(s), ${formatCount(findings)} finding(s)${ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)} s`}`;
}
