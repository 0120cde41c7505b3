// Hover over a finding or the first divergent token: tokens, the provider rule and what it costs. VS Code shows the
// diagnostic's own message in the same hover, so these never repeat it.
import * as vscode from 'vscode';
import type { AuditService } from './auditService';
import { DIVERGENCE_CODE, type Diagnostics } from './diagnostics';
import { divergenceHover, findingHover } from '../view/format';

export class FindingHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly audits: AuditService,
    private readonly diagnostics: Diagnostics,
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!this.audits.isTracked(doc.uri)) return undefined;
    const at = this.diagnostics.index.at(doc.uri, new vscode.Range(pos, pos));
    const isDivergence = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code) === DIVERGENCE_CODE;
    const entries = at.filter((e) => e.finding || isDivergence(e.diagnostic));
    if (entries.length === 0) return undefined;
    const diff = this.audits.lastResultFor(doc.uri)?.result.diff;
    const provider = this.audits.current.audit.provider;
    const parts = entries.map((e) => (e.finding ? findingHover(e.finding, diff, provider) : diff ? divergenceHover(diff, provider) : '')).filter(Boolean);
    if (parts.length === 0) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(parts.join('\n\n---\n\n')), entries[0].diagnostic.range);
  }
}
