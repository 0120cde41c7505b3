// Messages between the extension host and the audit worker (dist/audit-worker.js). One file, imported by both
// sides, so a change to a message is a type error on both ends. Every request carries the document version it was
// computed for; the host drops any answer whose version is no longer the document's.
import type { EncodingName } from '../core/encodings';
import type { DiffResult, ProviderId } from '../core/types';

/** Settings that change what the worker computes. */
export interface AuditSettings {
  provider: ProviderId;
  /** Empty: the provider's default model. */
  model: string;
  encoding: EncodingName | 'auto';
  /** USD per million input tokens; null: the provider data's price. */
  pricePerMillionTokens: number | null;
  /** Template variables fixed per deployment (`promptCache.deploymentVariables`): they do not end the static prefix. */
  deploymentVariables?: string[];
  /** Workspace folders (absolute paths): templates' includes, partials and vars files are read only inside them. */
  workspaceRoots?: string[];
  /** Absolute path of a rules file (promptCache.rulesFile) that overrides or adds provider rules; absent: built-in rules. */
  rulesFile?: string;
  /** Files above this are not audited (workspace audits read files in the worker). */
  maxFileBytes?: number;
}

/** One content change, offsets in UTF-16 units of the text *before* the change (VS Code's `rangeOffset`). */
export interface DocumentEdit {
  offset: number;
  deleteLength: number;
  text: string;
}

export interface BaselineText {
  text: string;
  /** Shown to the user, e.g. "HEAD (a1b2c3d)" or "last save 14:02". */
  label: string;
  /** File name the baseline had (renames), used for format detection; defaults to the current name. */
  fileName?: string;
}

/** Extension host → worker. */
export type HostToWorker =
  | { type: 'configure'; settings: AuditSettings }
  | { type: 'open'; uri: string; fileName: string; version: number; text: string }
  /** Edits of one change event, in the order VS Code reports them; each edit's offsets refer to the text before it. */
  | { type: 'change'; uri: string; version: number; edits: DocumentEdit[] }
  | { type: 'setBaseline'; uri: string; baseline: BaselineText | null }
  | { type: 'close'; uri: string }
  /** Asks for the audit at `version`; `full` also runs the lint rules (slower on big files). */
  | { type: 'audit'; requestId: number; uri: string; version: number; full: boolean }
  /** Asks for the token ids and start offsets (heatmap); `withBaseline` adds the baseline's ids (KV drift). */
  | { type: 'tokens'; requestId: number; uri: string; version: number; withBaseline?: boolean }
  /** Token counts and divergence of consecutive versions, oldest first (history heatmap). */
  | { type: 'history'; requestId: number; uri: string; fileName: string; versions: { id: string; text: string }[] }
  /**
   * The prompt files under workspace folders by the include/exclude globs (as the CLI globs). `forAudit`: Audit
   * Workspace asks for them next, so their git history is read meanwhile.
   */
  | { type: 'listFiles'; requestId: number; folders: string[]; include: readonly string[]; exclude: readonly string[]; forAudit?: boolean }
  /** Audits a batch of workspace files that the worker reads itself (Audit Workspace): one answer per batch. */
  | { type: 'auditFiles'; requestId: number; files: WorkspaceFile[]; baseline: WorkspaceBaseline }
  /** Drops queued work for requests up to this id (the user moved on). */
  | { type: 'cancel'; requestId: number }
  /** Audit Workspace was cancelled: stop the git history walk it started (a git process that may run for seconds). */
  | { type: 'stopWorkspaceAudit' };

/**
 * What a workspace file is compared with: `gitHead` reads the repository's HEAD tree once per batch (files whose
 * blob hash matches are unchanged without reading HEAD); `self` compares each file with itself (lint only).
 */
export type WorkspaceBaseline = 'gitHead' | 'self';

export interface WorkspaceFile {
  /** Absolute path on disk: the worker reads it. */
  path: string;
  /** Workspace-relative path (rows and messages). */
  relativePath: string;
  /** The editor's text when the file is open with unsaved changes (used instead of the disk). */
  text?: string;
  /** A baseline the host already has (an open document's), instead of `baseline`. */
  baselineText?: BaselineText | null;
}

export interface WorkspaceFileResult {
  path: string;
  relativePath: string;
  /** The audit (findings, providers, divergence) without token arrays; absent when `error` says why. */
  diff?: DiffResult;
  baselineLabel?: string;
  /** "binary file, not a text prompt", "not valid UTF-8 text", "larger than promptCache.maxFileSizeMB", … */
  error?: string;
}

export interface AuditTimings {
  /** Time to bring the token sequence up to date (incremental edit or full tokenization). */
  tokenizeMs: number;
  /** Whole request inside the worker. */
  totalMs: number;
  /** Whether tokens came from an incremental update. */
  incremental: boolean;
}

export interface AuditResult {
  diff: DiffResult;
  baselineLabel: string;
  /** Source offsets in the current document of the first divergent token (start, end), for the diagnostic range. */
  divergenceRange: { start: number; end: number } | null;
  /** True when lint findings are from this version (false: carried over from an earlier version). */
  findingsFresh: boolean;
  timings: AuditTimings;
}

export interface HistoryRow {
  id: string;
  tokens: number;
  /** vs. the previous (older) version; null when identical; the oldest version has 0. */
  firstDivergentToken: number | null;
  recomputedTokens: number;
}

/** Worker → extension host. */
export type WorkerToHost =
  | { type: 'ready'; startupMs: number }
  | { type: 'audit'; requestId: number; uri: string; version: number; result: AuditResult }
  | {
      type: 'tokens';
      requestId: number;
      uri: string;
      version: number;
      encoding: EncodingName;
      /** Token ids of the rendered prompt. */
      ids: Uint32Array;
      /** Source offset (in the document) of each token's start; length ids.length + 1. */
      sourceStarts: Uint32Array;
      firstDivergentToken: number | null;
      baselineIds?: Uint32Array;
    }
  | { type: 'history'; requestId: number; uri: string; rows: HistoryRow[] }
  | { type: 'auditFiles'; requestId: number; results: WorkspaceFileResult[]; ms: number }
  | { type: 'listFiles'; requestId: number; files: string[] }
  /** The worker lost track of a document (unknown uri or a version gap): the host must send `open` again. */
  | { type: 'resync'; uri: string }
  | { type: 'error'; requestId?: number; uri?: string; message: string };

export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
