// Host side of the session worker (no `vscode`: tests drive it from plain Node). One worker, started on first use and
// unref'd while idle; cancelling an audit terminates it (the next request starts a fresh one, and the sessions kept for
// request diffs go with it).
import { Worker } from 'node:worker_threads';
import type { ProviderId } from '../core/ids';
import type { RequestDiffExcerpt } from '../core/sessions/excerpt';
import type { LiveSessionStatus } from '../core/sessions/tail';
import type { SessionAudit } from '../core/sessions/types';
import type { HostToSessionWorker, SessionWorkerToHost } from './sessionProtocol';

export interface SessionProgress {
  phase: 'read' | 'analyse';
  bytes: number;
  totalBytes: number;
}

interface Pending {
  resolve: (m: SessionWorkerToHost) => void;
  reject: (e: Error) => void;
  onProgress?: (p: SessionProgress) => void;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export class SessionWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(private readonly options: { workerPath: string; createWorker?: () => Worker; onLog?: (line: string) => void }) {}

  private ensure(): Worker {
    if (this.disposed) throw new Error('the session worker client was disposed');
    if (this.worker) return this.worker;
    const w = this.options.createWorker ? this.options.createWorker() : new Worker(this.options.workerPath);
    w.on('message', (m: SessionWorkerToHost) => this.onMessage(m));
    w.on('error', (e) => this.options.onLog?.(`session worker error: ${e.stack ?? e.message}`));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(new Error(`session worker exited (${code})`));
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private request(build: (requestId: number) => HostToSessionWorker, onProgress?: (p: SessionProgress) => void): { id: number; answer: Promise<SessionWorkerToHost> } {
    const id = this.nextId++;
    const answer = new Promise<SessionWorkerToHost>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      const w = this.ensure();
      w.ref();
      w.postMessage(build(id));
    });
    return { id, answer };
  }

  /** Reads and analyses a file. `signal` cancels (terminating the worker); the promise then rejects with CancelledError. */
  async audit(file: string, options: { provider?: ProviderId; signal?: AbortSignal; onProgress?: (p: SessionProgress) => void } = {}): Promise<{ audit: SessionAudit; readMs: number; analyseMs: number }> {
    if (options.signal?.aborted) throw new CancelledError();
    const { answer } = this.request((requestId) => ({ type: 'audit', requestId, file, provider: options.provider }), options.onProgress);
    const onAbort = () => void this.terminate(new CancelledError());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const m = await answer;
      if (m.type === 'error') throw new Error(m.message);
      if (m.type !== 'audit') throw new Error(`unexpected answer ${m.type}`);
      return { audit: m.audit, readMs: m.readMs, analyseMs: m.analyseMs };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async diff(file: string, callIndex: number, against?: number): Promise<{ excerpt: RequestDiffExcerpt | null; reason?: string }> {
    const m = await this.request((requestId) => ({ type: 'diff', requestId, file, callIndex, against })).answer;
    if (m.type === 'error') throw new Error(m.message);
    if (m.type !== 'diff') throw new Error(`unexpected answer ${m.type}`);
    return { excerpt: m.excerpt, reason: m.reason };
  }

  async tail(file: string): Promise<{ status: LiveSessionStatus | null; appendedBytes: number; reason?: string }> {
    const m = await this.request((requestId) => ({ type: 'tail', requestId, file })).answer;
    if (m.type === 'error') throw new Error(m.message);
    if (m.type !== 'tail') throw new Error(`unexpected answer ${m.type}`);
    return { status: m.status, appendedBytes: m.appendedBytes, reason: m.reason };
  }

  /** The importer a file's first 64 KB call for, or null: not a session log or capture. */
  async sniff(fileName: string, headText: string): Promise<{ source: string; label: string } | null> {
    const m = await this.request((requestId) => ({ type: 'sniff', requestId, fileName, headText: headText.slice(0, 64 * 1024) })).answer;
    if (m.type !== 'sniff') throw new Error(m.type === 'error' ? m.message : `unexpected answer ${m.type}`);
    return m.source ? { source: m.source, label: m.label ?? m.source } : null;
  }

  untail(file: string): void {
    this.worker?.postMessage({ type: 'untail', file } satisfies HostToSessionWorker);
  }

  private onMessage(m: SessionWorkerToHost): void {
    const p = this.pending.get(m.requestId);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.({ phase: m.phase, bytes: m.bytes, totalBytes: m.totalBytes });
      return;
    }
    this.pending.delete(m.requestId);
    if (this.pending.size === 0) this.worker?.unref();
    p.resolve(m);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private async terminate(reason: Error): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(reason);
    if (w) await w.terminate();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.terminate(new CancelledError());
  }
}
