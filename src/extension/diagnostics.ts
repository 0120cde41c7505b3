// Lint findings and the divergence point as diagnostics (Problems view + squiggles), with a link to each rule's
// explanation. Findings keep their core data so hovers and quick fixes can use it.
import * as vscode from 'vscode';
import type { DiffResult, LintFinding, Severity, SourcePosition } from '../core/types';
import type { AuditService, AuditState } from './auditService';
import { divergenceMessage } from '../view/format';
import { startsWithBomOnDisk } from './bom';

export const DIAGNOSTIC_SOURCE = 'Prompt Cache';
export const DIVERGENCE_CODE = 'cache-divergence';
export const BOM_CODE = 'bom';

/** Findings shown for each document, by diagnostic, so code actions and hovers find the core finding. */
export class FindingIndex {
  private readonly byUri = new Map<string, { diagnostic: vscode.Diagnostic; finding?: LintFinding }[]>();
  set(uri: vscode.Uri, entries: { diagnostic: vscode.Diagnostic; finding?: LintFinding }[]): void {
    this.byUri.set(uri.toString(), entries);
  }
  all(uri: vscode.Uri): { diagnostic: vscode.Diagnostic; finding?: LintFinding }[] {
    return this.byUri.get(uri.toString()) ?? [];
  }
  delete(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
  }
  at(uri: vscode.Uri, range: vscode.Range): { diagnostic: vscode.Diagnostic; finding?: LintFinding }[] {
    return (this.byUri.get(uri.toString()) ?? []).filter((e) => e.diagnostic.range.intersection(range) !== undefined);
  }
  findingFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): LintFinding | undefined {
    return this.byUri.get(uri.toString())?.find((e) => e.diagnostic === diagnostic || sameDiagnostic(e.diagnostic, diagnostic))?.finding;
  }
}

function sameDiagnostic(a: vscode.Diagnostic, b: vscode.Diagnostic): boolean {
  return a.message === b.message && a.range.isEqual(b.range) && codeValue(a) === codeValue(b);
}

function codeValue(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

function severity(s: Severity): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export function ruleDocUri(extensionUri: vscode.Uri, ruleId: string): vscode.Uri {
  // Shipped with the extension (media/rules.md); the fragment is the rule's heading anchor.
  return vscode.Uri.joinPath(extensionUri, 'media', 'rules.md').with({ fragment: ruleId });
}

export class Diagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('promptCache');
  private readonly disposables: vscode.Disposable[] = [];
  readonly index = new FindingIndex();
  /** Files published by "Audit Workspace": their problems stay listed after the document is released. */
  private readonly kept = new Set<string>();
  /** Whether each file starts with a BOM on disk (VS Code hides it from the text); read on first audit and on save. */
  private readonly bomOnDisk = new Map<string, boolean>();
  private readonly lastState = new Map<string, AuditState>();

  constructor(
    private readonly audits: AuditService,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.disposables.push(
      this.collection,
      audits.onDidAudit((s) => this.publish(s)),
      audits.onDidForget((uri) => {
        if (!this.kept.has(uri.toString())) this.clear(uri);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.bomOnDisk.has(d.uri.toString())) void this.checkBom(d.uri);
      }),
    );
  }

  /** Workspace audit: files that are not open get diagnostics too. */
  publish(state: AuditState, doc?: vscode.TextDocument): void {
    const d = doc ?? vscode.workspace.textDocuments.find((t) => t.uri.toString() === state.uri.toString());
    if (!d || d.version !== state.version) return;
    const { diff, divergenceRange, findingsFresh } = state.result;
    const previous = this.index.all(d.uri).filter((e) => e.finding);
    // While typing, findings are from an earlier version: keep the squiggles already shown (their offsets would
    // be off by the edits) and only move the divergence marker; the full audit after the pause replaces them.
    const entries: { diagnostic: vscode.Diagnostic; finding?: LintFinding }[] = findingsFresh || previous.length === 0 && diff.findings.length === 0 ? [] : previous;
    for (const f of findingsFresh ? diff.findings : []) {
      const range = new vscode.Range(d.positionAt(f.range.start.offset), d.positionAt(f.range.end.offset));
      const diag = new vscode.Diagnostic(range, f.message, severity(f.severity));
      diag.source = DIAGNOSTIC_SOURCE;
      diag.code = { value: f.ruleId, target: ruleDocUri(this.extensionUri, f.ruleId) };
      entries.push({ diagnostic: diag, finding: f });
    }
    const msg = divergenceMessage(diff, this.audits.current.audit.provider);
    if (msg && divergenceRange) {
      const start = d.positionAt(divergenceRange.start);
      let end = d.positionAt(divergenceRange.end);
      // A zero-width range (deleted tail) still needs something to squiggle.
      if (end.isEqual(start)) end = d.lineAt(start.line).range.end.isEqual(start) ? start : start.translate(0, 1);
      const diag = new vscode.Diagnostic(new vscode.Range(start, end), msg, vscode.DiagnosticSeverity.Information);
      diag.source = DIAGNOSTIC_SOURCE;
      diag.code = { value: DIVERGENCE_CODE, target: ruleDocUri(this.extensionUri, DIVERGENCE_CODE) };
      entries.push({ diagnostic: diag });
    }
    const key = d.uri.toString();
    const bom = this.bomOnDisk.get(key);
    if (bom === undefined) void this.checkBom(d.uri);
    else if (bom) entries.push({ diagnostic: this.bomDiagnostic() });
    this.lastState.set(key, state);
    this.index.set(d.uri, entries);
    this.collection.set(d.uri, entries.map((e) => e.diagnostic));
  }

  /**
   * Audit Workspace: problems of a file that is not open, from the worker's audit (positions are line/column, no
   * document needed). They stay listed after the audit, until the file is opened and audited live.
   */
  /** One batch of a workspace audit: one update of the collection for all its files (one message to the UI). */
  publishMany(files: readonly (readonly [vscode.Uri, DiffResult])[]): void {
    const updates: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const [uri, diff] of files) updates.push([uri, this.workspaceEntries(uri, diff)]);
    this.collection.set(updates);
  }

  private workspaceEntries(uri: vscode.Uri, diff: DiffResult): vscode.Diagnostic[] {
    const pos = (p: SourcePosition) => new vscode.Position(Math.max(0, p.line - 1), Math.max(0, p.column - 1));
    const entries: { diagnostic: vscode.Diagnostic; finding?: LintFinding }[] = [];
    for (const f of diff.findings) {
      const diag = new vscode.Diagnostic(new vscode.Range(pos(f.range.start), pos(f.range.end)), f.message, severity(f.severity));
      diag.source = DIAGNOSTIC_SOURCE;
      diag.code = { value: f.ruleId, target: ruleDocUri(this.extensionUri, f.ruleId) };
      entries.push({ diagnostic: diag, finding: f });
    }
    const msg = divergenceMessage(diff, this.audits.current.audit.provider);
    if (msg && diff.divergence) {
      const start = pos(diff.divergence);
      const diag = new vscode.Diagnostic(new vscode.Range(start, start.translate(0, 1)), msg, vscode.DiagnosticSeverity.Information);
      diag.source = DIAGNOSTIC_SOURCE;
      diag.code = { value: DIVERGENCE_CODE, target: ruleDocUri(this.extensionUri, DIVERGENCE_CODE) };
      entries.push({ diagnostic: diag });
    }
    this.kept.add(uri.toString());
    this.index.set(uri, entries);
    return entries.map((e) => e.diagnostic);
  }

  private async checkBom(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    const bom = await startsWithBomOnDisk(uri);
    const changed = this.bomOnDisk.get(key) !== bom;
    this.bomOnDisk.set(key, bom);
    const state = this.lastState.get(key);
    if (changed && state) this.publish(state);
  }

  private bomDiagnostic(): vscode.Diagnostic {
    const diag = new vscode.Diagnostic(
      new vscode.Range(0, 0, 0, 0),
      'The file starts with a byte order mark (U+FEFF, hidden by the editor): loaders differ on keeping it, so it can change the very first token and nothing is reused.',
      vscode.DiagnosticSeverity.Warning,
    );
    diag.source = DIAGNOSTIC_SOURCE;
    diag.code = { value: BOM_CODE, target: ruleDocUri(this.extensionUri, BOM_CODE) };
    return diag;
  }

  keep(uri: vscode.Uri): void {
    this.kept.add(uri.toString());
  }

  clear(uri: vscode.Uri): void {
    this.kept.delete(uri.toString());
    this.bomOnDisk.delete(uri.toString());
    this.lastState.delete(uri.toString());
    this.index.delete(uri);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
