// Messages between the extension host and the session worker (dist/session-worker.js): agent sessions, request logs
// and captures are read and analysed there, never on the host's main thread. The worker keeps the last sessions it
// read, so a call's request diff (computed on demand) does not read the file again. Cancelling an audit terminates
// the worker: the analysis is synchronous, and a terminated thread stops at once.
import type { ProviderId } from '../core/ids';
import type { RequestDiffExcerpt } from '../core/sessions/excerpt';
import type { LiveSessionStatus } from '../core/sessions/tail';
import type { SessionAudit } from '../core/sessions/types';

/** Extension host → session worker. */
export type HostToSessionWorker =
  /** Reads and analyses one file; `progress` messages come first for big logs. */
  | { type: 'audit'; requestId: number; file: string; provider?: ProviderId }
  /** The request of call `callIndex` diffed against the call it should have reused (or `against`). */
  | { type: 'diff'; requestId: number; file: string; callIndex: number; against?: number }
  /** Reads what a live session log gained since the last `tail` of the same file. */
  | { type: 'tail'; requestId: number; file: string }
  | { type: 'untail'; file: string }
  /** Which importer the first 64 KB of a file call for (the editor's "is this a session?"), from its content. */
  | { type: 'sniff'; requestId: number; fileName: string; headText: string };

/** Session worker → extension host. */
export type SessionWorkerToHost =
  | { type: 'progress'; requestId: number; phase: 'read' | 'analyse'; bytes: number; totalBytes: number }
  | { type: 'audit'; requestId: number; audit: SessionAudit; readMs: number; analyseMs: number }
  | { type: 'diff'; requestId: number; excerpt: RequestDiffExcerpt | null; reason?: string }
  | { type: 'tail'; requestId: number; status: LiveSessionStatus | null; appendedBytes: number; reason?: string }
  | { type: 'sniff'; requestId: number; source: string | null; label?: string }
  | { type: 'error'; requestId: number; message: string };
