// Host side of the audit worker: request/answer matching, supersession (only the newest request per document and
// kind gets an answer; older ones resolve to undefined at once) and recovery when the worker dies. No `vscode`:
// the bench and the tests drive it from plain Node.
import { Worker } from 'node:worker_threads';
import type { AuditResult, AuditSettings, BaselineText, DocumentEdit, HistoryRow, HostToWorker, WorkerToHost, WorkspaceBaseline, WorkspaceFile, WorkspaceFileResult } from './protocol';

/** The worker's `tokens` answer, without the envelope. */
export type TokensAnswer = Omit<Extract<WorkerToHost, { type: 'tokens' }>, 'type' | 'requestId'>;

interface Pending {
  kind: 'audit' | 'tokens' | 'history' | 'files';
  uri: string;
  /** A full audit (with lint) was asked for: a newer request for the same document stays full. */
  full?: boolean;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface AuditClientOptions {
  workerPath: string;
  /** Starts the worker another way (tests run the TypeScript entry through tsx). */
  createWorker?: () => Worker;
  /** The worker lost a document (or restarted): send `open` again with the current text. */
  onResync: (uri: string) => void;
  onLog?: (line: string) => void;
}

export class AuditClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Newest request id per `${kind} ${uri}`: answers to older ones are superseded. */
  private readonly newest = new Map<string, number>();
  private readonly openDocs = new Set<string>();
  private settings: AuditSettings | undefined;
  private disposed = false;
  startupMs: number | undefined;

  constructor(private readonly options: AuditClientOptions) {}

  private ensureWorker(): Worker {
    if (this.disposed) throw new Error('the audit client was disposed');
    if (this.worker) return this.worker;
    const w = this.options.createWorker ? this.options.createWorker() : new Worker(this.options.workerPath);
    w.on('message', (m: WorkerToHost) => this.onMessage(m));
    w.on('error', (e) => this.options.onLog?.(`audit worker error: ${e.stack ?? e.message}`));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(new Error(`audit worker exited (${code})`));
      if (this.disposed) return;
      this.options.onLog?.(`audit worker exited with code ${code}; restarting on next use`);
      // Documents must be reopened in the new worker.
      const docs = [...this.openDocs];
      this.openDocs.clear();
      for (const uri of docs) this.options.onResync(uri);
    });
    this.worker = w;
    // An idle worker never keeps the process alive (a test runner, a host shutting down); it is ref'd only while a
    // request waits for its answer (see updateRef).
    w.unref();
    if (this.settings) w.postMessage({ type: 'configure', settings: this.settings } satisfies HostToWorker);
    return w;
  }

  private send(msg: HostToWorker): void {
    if (this.disposed) return; // nothing may start a worker after dispose()
    this.ensureWorker().postMessage(msg);
  }

  /** Keeps the process alive while answers are awaited, and only then. */
  private updateRef(): void {
    if (!this.worker) return;
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  isOpen(uri: string): boolean {
    return this.openDocs.has(uri);
  }

  configure(settings: AuditSettings): void {
    this.settings = settings;
    if (this.worker) this.send({ type: 'configure', settings });
  }

  open(uri: string, fileName: string, version: number, text: string): void {
    this.openDocs.add(uri);
    this.send({ type: 'open', uri, fileName, version, text });
  }

  change(uri: string, version: number, edits: DocumentEdit[]): void {
    if (!this.openDocs.has(uri)) return;
    this.send({ type: 'change', uri, version, edits });
  }

  setBaseline(uri: string, baseline: BaselineText | null): void {
    if (!this.openDocs.has(uri)) return;
    this.send({ type: 'setBaseline', uri, baseline });
  }

  close(uri: string): void {
    if (!this.openDocs.delete(uri)) return;
    this.supersede('audit', uri);
    this.supersede('tokens', uri);
    this.send({ type: 'close', uri });
  }

  audit(uri: string, version: number, full: boolean): Promise<{ version: number; result: AuditResult } | undefined> {
    // A quick audit triggered by typing or opening must not downgrade a pending full one (Audit Workspace waits on it).
    const wantFull = full || this.newestPending('audit', uri)?.full === true;
    return this.request('audit', uri, (requestId) => ({ type: 'audit', requestId, uri, version, full: wantFull }), wantFull);
  }

  tokens(uri: string, version: number, withBaseline = false): Promise<TokensAnswer | undefined> {
    return this.request('tokens', uri, (requestId) => ({ type: 'tokens', requestId, uri, version, withBaseline }));
  }

  history(uri: string, fileName: string, versions: { id: string; text: string }[]): Promise<HistoryRow[] | undefined> {
    return this.request('history', uri, (requestId) => ({ type: 'history', requestId, uri, fileName, versions }));
  }

  /** Absolute paths of the prompt files under the folders (globbed in the worker). */
  listFiles(folders: string[], include: readonly string[], exclude: readonly string[], forAudit?: boolean): Promise<string[] | undefined> {
    const key = `list ${this.nextId}`;
    return this.request('files', key, (requestId) => ({ type: 'listFiles', requestId, folders, include, exclude, forAudit }));
  }

  /** One batch of Audit Workspace, read and audited in the worker. Batches are never superseded by each other. */
  auditFiles(files: WorkspaceFile[], baseline: WorkspaceBaseline): Promise<{ results: WorkspaceFileResult[]; ms: number } | undefined> {
    const key = `batch ${this.nextId}`;
    return this.request('files', key, (requestId) => ({ type: 'auditFiles', requestId, files, baseline }));
  }

  /** Audit Workspace was cancelled: the worker stops the git history walk it started for the listed files. */
  stopWorkspaceAudit(): void {
    if (this.worker) this.send({ type: 'stopWorkspaceAudit' });
  }

  /** Drops queued requests for a document (e.g. the user switched away). */
  cancel(uri: string): void {
    let max = -1;
    for (const kind of ['audit', 'tokens', 'history'] as const) {
      const id = this.newest.get(`${kind} ${uri}`);
      if (id !== undefined) max = Math.max(max, id);
      this.supersede(kind, uri);
    }
    if (max >= 0 && this.worker) this.send({ type: 'cancel', requestId: max });
  }

  private request<T>(kind: Pending['kind'], uri: string, build: (requestId: number) => HostToWorker, full?: boolean): Promise<T | undefined> {
    // The superseded caller is answered with the newer request's result rather than nothing: it asked about the
    // same document, and the newer answer is at least as fresh (callers drop answers for a version they don't hold).
    const superseded = this.detachNewest(kind, uri);
    const requestId = this.nextId++;
    this.newest.set(`${kind} ${uri}`, requestId);
    if (this.disposed) {
      superseded?.resolve(undefined);
      return Promise.resolve(undefined);
    }
    const answer = new Promise<T | undefined>((resolve, reject) => {
      this.pending.set(requestId, { kind, uri, full, resolve: resolve as (v: unknown) => void, reject });
      this.send(build(requestId));
      this.updateRef();
    });
    if (superseded) answer.then(superseded.resolve, superseded.reject);
    return answer;
  }

  private newestPending(kind: Pending['kind'], uri: string): Pending | undefined {
    const id = this.newest.get(`${kind} ${uri}`);
    return id === undefined ? undefined : this.pending.get(id);
  }

  /** Removes the newest pending request of this kind for the document without answering it. */
  private detachNewest(kind: Pending['kind'], uri: string): Pending | undefined {
    const id = this.newest.get(`${kind} ${uri}`);
    if (id === undefined) return undefined;
    this.newest.delete(`${kind} ${uri}`);
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private supersede(kind: Pending['kind'], uri: string): void {
    const id = this.newest.get(`${kind} ${uri}`);
    if (id === undefined) return;
    this.newest.delete(`${kind} ${uri}`);
    const p = this.pending.get(id);
    if (p) {
      this.pending.delete(id);
      p.resolve(undefined);
      this.updateRef();
    }
  }

  private onMessage(m: WorkerToHost): void {
    switch (m.type) {
      case 'ready':
        this.startupMs = m.startupMs;
        return;
      case 'audit':
        return this.settle(m.requestId, { version: m.version, result: m.result });
      case 'tokens':
        return this.settle(m.requestId, { uri: m.uri, version: m.version, encoding: m.encoding, ids: m.ids, sourceStarts: m.sourceStarts, firstDivergentToken: m.firstDivergentToken, baselineIds: m.baselineIds } satisfies TokensAnswer);
      case 'history':
        return this.settle(m.requestId, m.rows);
      case 'auditFiles':
        return this.settle(m.requestId, { results: m.results, ms: m.ms });
      case 'listFiles':
        return this.settle(m.requestId, m.files);
      case 'resync':
        this.openDocs.delete(m.uri);
        this.options.onResync(m.uri);
        return;
      case 'error': {
        this.options.onLog?.(`audit worker: ${m.message}${m.uri ? ` (${m.uri})` : ''}`);
        if (m.requestId !== undefined) {
          const p = this.pending.get(m.requestId);
          if (p) {
            this.pending.delete(m.requestId);
            if (this.newest.get(`${p.kind} ${p.uri}`) === m.requestId) this.newest.delete(`${p.kind} ${p.uri}`);
            this.updateRef();
            p.reject(new Error(m.message));
          }
        } else if (m.uri) {
          // An edit failed to apply: the worker's copy is suspect, reload it.
          this.openDocs.delete(m.uri);
          this.options.onResync(m.uri);
        }
        return;
      }
      default: {
        const never: never = m;
        this.options.onLog?.(`audit worker: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private settle(requestId: number, value: unknown): void {
    const p = this.pending.get(requestId);
    if (!p) return; // superseded: nobody wants it
    this.pending.delete(requestId);
    if (this.newest.get(`${p.kind} ${p.uri}`) === requestId) this.newest.delete(`${p.kind} ${p.uri}`);
    this.updateRef();
    p.resolve(value);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.newest.clear();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.resolve(undefined);
    this.pending.clear();
    if (w) await w.terminate();
  }
}
