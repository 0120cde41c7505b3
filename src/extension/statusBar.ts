// The status bar item for the active prompt file: estimated cache hit vs. the baseline under the chosen provider.
import * as vscode from 'vscode';
import type { AuditService, AuditState } from './auditService';
import { Command } from '../view/commandIds';
import { STATUS_TOOLTIP_COMMANDS, statusSummary, type LocalTiming } from '../view/format';

export class CacheStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('promptCache.status', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timings = new Map<string, LocalTiming>();

  constructor(private readonly audits: AuditService) {
    this.item.name = 'Prompt Cache';
    this.item.command = Command.ShowHeatmap;
    this.disposables.push(
      this.item,
      audits.onDidAudit((s) => {
        if (vscode.window.activeTextEditor?.document.uri.toString() === s.uri.toString()) this.render(s);
      }),
      audits.onDidDecline(() => this.refresh()),
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
    );
  }

  setTiming(uri: vscode.Uri, t: LocalTiming): void {
    this.timings.set(uri.toString(), t);
    this.refresh();
  }

  /** Shows the item for the active editor's prompt file (a spinner until its first audit arrives). */
  refresh(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const declined = doc && this.audits.declinedReason(doc.uri);
    if (doc && declined) {
      // A prompt-path file that is not audited (binary, too large) says why instead of disappearing.
      this.item.text = '$(circle-slash) not audited';
      this.item.tooltip = `Prompt Cache: ${declined}; it is not audited.`;
      this.item.backgroundColor = undefined;
      this.item.accessibilityInformation = { label: `Prompt cache: not audited, ${declined}` };
      this.item.show();
      return;
    }
    if (!doc || !this.audits.isTracked(doc.uri)) {
      this.item.hide();
      return;
    }
    const s = this.audits.lastResultFor(doc.uri);
    if (s) this.render(s);
    else {
      this.item.text = '$(loading~spin) Prompt Cache';
      this.item.tooltip = 'Prompt Cache: auditing this prompt file against its baseline… Click to open the heatmap.';
      this.item.backgroundColor = undefined;
      this.item.show();
    }
  }

  private render(s: AuditState): void {
    const summary = statusSummary(s.result.diff, this.audits.current.audit.provider, s.result.baselineLabel, this.timings.get(s.uri.toString()));
    this.item.text = summary.text;
    const md = new vscode.MarkdownString(summary.tooltip);
    md.supportThemeIcons = true;
    // Command links in the tooltip (provider, baseline, lint): only these commands, no arguments.
    md.isTrusted = { enabledCommands: STATUS_TOOLTIP_COMMANDS };
    this.item.tooltip = md;
    this.item.backgroundColor = summary.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `Prompt cache: ${summary.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
