// Client API of the local cached decoder for the CLI and the extension. All model work happens in a worker thread;
// requests run one at a time (concurrent timing would distort both), and any can be cancelled with an AbortSignal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { disableOrtTelemetry } from './defaults';
import type { WorkerReply, WorkerRequest } from './protocol';
import { DecoderError, type KvDrift, type KvDriftRequest, type MeasureProgress, type MeasureRequest, type Measurement } from './types';

export * from './types';
export { defaultCacheDir, ensureModel, expectedModelBytes, LARGE_WRITE_BYTES } from './generator';
export { estimateGpu } from './gpuEstimate';
export { PRESETS, PRESET_NAMES, isPresetName, parameterCount, prefillFlops, GENERATOR_VERSION, type PresetName, type DecoderShape } from './presets';
export { DEFAULT_PRESET, DEFAULT_TOKEN_CAP, DEFAULT_CHUNK, defaultThreads } from './defaults';

export interface DecoderClientOptions {
  /** Path of decoder-worker.js; default: next to this bundle, else ../../dist (running from source with tsx). */
  workerPath?: string;
  /** Asked before writing a generated model larger than 100 MB; resolve false to decline. Default: allow. */
  onConfirmLargeWrite?: (bytes: number) => boolean | Promise<boolean>;
}

export type ProgressCallback = (p: MeasureProgress) => void;

interface Pending {
  resolve: (v: Measurement | KvDrift) => void;
  reject: (e: Error) => void;
  onProgress?: ProgressCallback;
  /** The caller was already answered (cancelled); the entry stays until the worker confirms it stopped. */
  settled: boolean;
}

export function resolveWorkerPath(explicit?: string): string {
  const candidates = explicit ? [explicit] : [path.join(__dirname, 'decoder-worker.js'), path.join(__dirname, '..', '..', 'dist', 'decoder-worker.js')];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new DecoderError('INTERNAL', `The decoder worker script is missing (looked for ${candidates.join(', ')}); run \`npm run build\``);
  return found;
}

export class DecoderClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Serialises requests: a measurement must not share the CPU with another one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DecoderClientOptions = {}) {}

  /** Cold vs warm (cached-prefix) prefill timing of `req.ids`. Rejects with DecoderError (see its `code`). */
  measure(req: MeasureRequest, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<Measurement> {
    return this.enqueue((id) => ({ type: 'measure', id, req }), signal, onProgress) as Promise<Measurement>;
  }

  /** Relative change of K and V per layer and position between two versions, from the divergence on. */
  kvDrift(req: KvDriftRequest, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<KvDrift> {
    return this.enqueue((id) => ({ type: 'kvDrift', id, req }), signal, onProgress) as Promise<KvDrift>;
  }

  /**
   * Cancels running work and stops the worker once it has left session.run (terminating a worker inside a native
   * run aborts the process). Resolves when the worker has exited. The client stays usable: a new worker starts.
   */
  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    for (const [id, p] of this.pending) {
      if (!p.settled) {
        p.settled = true;
        p.reject(new DecoderError('CANCELLED', 'The decoder was disposed'));
      }
      w?.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
    }
    this.pending.clear();
    if (!w) return;
    const exited = new Promise<void>((res) => w.once('exit', () => res()));
    w.ref();
    w.postMessage({ type: 'dispose' } satisfies WorkerRequest);
    await exited;
  }

  private enqueue(make: (id: number) => WorkerRequest, signal: AbortSignal | undefined, onProgress?: ProgressCallback): Promise<Measurement | KvDrift> {
    const run = this.queue.then(() => this.start(make, signal, onProgress));
    this.queue = run.catch(() => undefined);
    if (!signal) return run;
    // A request still waiting behind another one is released as soon as it is cancelled (start() then skips it).
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private start(make: (id: number) => WorkerRequest, signal: AbortSignal | undefined, onProgress?: ProgressCallback): Promise<Measurement | KvDrift> {
    if (signal?.aborted) return Promise.reject(cancelled());
    const id = this.nextId++;
    return new Promise<Measurement | KvDrift>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const onAbort = () => {
        // The caller is released at once; the worker stops at its next chunk boundary (≤ chunkSize tokens) and
        // replies, which is when the entry is dropped (the worker stays referenced so a CLI does not exit mid-run).
        const p = this.pending.get(id);
        if (!p || p.settled) return;
        p.settled = true;
        reject(cancelled());
        worker.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
      };
      this.pending.set(id, {
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
        onProgress,
        settled: false,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      worker.postMessage(make(id));
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    disableOrtTelemetry(); // before the worker loads onnxruntime (see defaults.ts)
    const w = new Worker(resolveWorkerPath(this.options.workerPath));
    w.on('message', (m: WorkerReply) => this.onMessage(w, m));
    w.on('error', (e) => this.onDeath(w, `The decoder worker failed: ${e.message}`));
    w.on('exit', (code) => this.onDeath(w, `The decoder worker exited unexpectedly (code ${code})`));
    this.worker = w;
    return w;
  }

  private onMessage(w: Worker, m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        if (p.settled) return;
        try { p.onProgress?.(m.progress); } catch { /* a throwing progress callback must not break the run */ }
        return;
      case 'confirm': {
        const ask = this.options.onConfirmLargeWrite;
        const reply = (ok: boolean) => w.postMessage({ type: 'confirmReply', id: m.id, ok } satisfies WorkerRequest);
        if (p.settled) return reply(false);
        Promise.resolve(ask ? ask(m.bytes) : true).then(reply, () => reply(false));
        return;
      }
      case 'result':
      case 'error':
        this.pending.delete(m.id);
        // An idle worker must not keep a CLI process alive; a busy one must (a pending promise alone does not).
        if (this.pending.size === 0) w.unref();
        if (p.settled) return;
        if (m.type === 'result') p.resolve(m.result);
        else p.reject(new DecoderError(m.code, m.message));
        return;
    }
  }

  private onDeath(w: Worker, message: string): void {
    if (this.worker !== w) return; // stopped on purpose (dispose)
    this.worker = undefined;
    const all = [...this.pending.values()];
    this.pending.clear();
    const e = new DecoderError('WORKER_DIED', `${message}; the next request starts a fresh worker`);
    for (const p of all) if (!p.settled) p.reject(e);
  }
}

function cancelled(): DecoderError {
  return new DecoderError('CANCELLED', 'The measurement was cancelled');
}
