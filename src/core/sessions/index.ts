// Agent sessions, request logs and HTTP captures: where each call broke the provider's prefix cache, why, what it
// cost, and what the provider reported against what its rules predict. The CLI's `trace` and (next) the extension's
// session view both call auditSessionFiles; each result is JSON-serialisable, and a call's request diff is computed
// on demand (requestDiff) rather than stored.
import { analyzeSession, type AnalyzeOptions } from './analyze';
import { findSessionFiles, readSessionFile, type ReadOptions } from './read';
import type { SessionAudit, SessionProblem } from './types';

export type { SessionAudit, SessionCall, CallBreak, PredictedUsage, ReportedUsage, SessionTotals, SessionProblem, BreakCause, ImportedSession } from './types';
export { IMPORTERS } from './importers';
export { readSessionFile, findSessionFiles } from './read';
export { analyzeSession } from './analyze';
export { RequestLogVersionSource, requestDiff } from './source';

export interface AuditSessionsOptions extends ReadOptions, AnalyzeOptions {}

export async function auditSessionFile(file: string, options: AuditSessionsOptions = {}): Promise<SessionAudit> {
  return analyzeSession(await readSessionFile(file, options), options);
}

/** Every file under the given files and folders, audited in order; paths that do not exist come back as problems. */
export async function auditSessionFiles(paths: readonly string[], options: AuditSessionsOptions = {}): Promise<{ sessions: SessionAudit[]; problems: SessionProblem[] }> {
  const { files, missing } = await findSessionFiles(paths);
  const sessions: SessionAudit[] = [];
  for (const f of files) {
    if (options.signal?.aborted) break;
    sessions.push(await auditSessionFile(f, options));
  }
  return { sessions, problems: missing.map((file) => ({ file, severity: 'error' as const, message: 'no such file or folder' })) };
}
