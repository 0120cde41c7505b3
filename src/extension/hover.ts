// Hover over a finding: tokens at risk, the provider rule and what it costs.
import * as vscode from 'vscode';
import type { AuditService } from './auditService';
import type { Diagnostics } from './diagnostics';
import { findingHover } from '../view/format';

export class FindingHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly audits: AuditService,
    private readonly diagnostics: Diagnostics,
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!this.audits.isTracked(doc.uri)) return undefined;
    const entries = this.diagnostics.index.at(doc.uri, new vscode.Range(pos, pos)).filter((e) => e.finding);
    if (entries.length === 0) return undefined;
    const diff = this.audits.lastResultFor(doc.uri)?.result.diff;
    const md = new vscode.MarkdownString(entries.map((e) => findingHover(e.finding!, diff, this.audits.current.audit.provider)).join('\n\n---\n\n'));
    return new vscode.Hover(md, entries[0].diagnostic.range);
  }
}
