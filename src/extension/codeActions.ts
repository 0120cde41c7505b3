// Quick fixes for findings where the core provides a sound fix (move a volatile line below static content,
// restore the previous key/tool order, normalise line endings, remove a BOM). Writes are refused in untrusted
// workspaces: the extension stays read-only there.
import * as vscode from 'vscode';
import type { LintFinding } from '../core/types';
import { REMOVE_BOM_COMMAND } from './bom';
import { BOM_CODE, DIAGNOSTIC_SOURCE, type Diagnostics } from './diagnostics';

export class FixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: Diagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!vscode.workspace.isTrusted) return [];
    const actions: vscode.CodeAction[] = [];
    const candidates = ctx.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    const all = candidates.length > 0 ? candidates : this.diagnostics.index.at(doc.uri, range).map((e) => e.diagnostic);
    for (const diag of all) {
      if (typeof diag.code === 'object' && diag.code.value === BOM_CODE) {
        // The BOM is not in the document's text: the fix rewrites the file's bytes (see bom.ts).
        const action = new vscode.CodeAction('Remove the byte order mark', vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diag];
        action.command = { command: REMOVE_BOM_COMMAND, title: 'Remove the byte order mark', arguments: [doc.uri] };
        action.isPreferred = true;
        actions.push(action);
        continue;
      }
      const finding = this.diagnostics.index.findingFor(doc.uri, diag);
      if (!finding?.fix || finding.fix.edits.length === 0) continue;
      const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diag];
      action.edit = toWorkspaceEdit(doc, finding);
      action.isPreferred = finding.fix.edits.length === 1;
      actions.push(action);
    }
    return actions;
  }
}

export function toWorkspaceEdit(doc: vscode.TextDocument, finding: LintFinding): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of finding.fix?.edits ?? []) {
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.range.start.offset), doc.positionAt(e.range.end.offset)), e.newText);
  }
  return edit;
}
