// Worker thread running the decoder: session.run blocks its thread for seconds, so it never runs on the caller's.
// Bundled to dist/decoder-worker.js. Protocol: see WorkerRequest / WorkerReply in protocol.ts.
import { parentPort } from 'node:worker_threads';
import { DecoderPool, runKvDrift, runMeasure, type EngineHooks } from './engine';
import type { WorkerReply, WorkerRequest } from './protocol';
import { DecoderError } from './types';

const port = parentPort;
if (!port) throw new Error('decoder-worker must run in a worker thread');

const pool = new DecoderPool();
const pendingConfirms = new Map<number, (ok: boolean) => void>();
/** Requests still running, and those asked to stop (checked between prefill chunks). */
const active = new Map<number, Promise<void>>();
const cancelled = new Set<number>();
const send = (m: WorkerReply) => port.postMessage(m);

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'confirmReply') {
    pendingConfirms.get(msg.id)?.(msg.ok);
    pendingConfirms.delete(msg.id);
    return;
  }
  if (msg.type === 'cancel') {
    if (active.has(msg.id)) cancelled.add(msg.id);
    pendingConfirms.get(msg.id)?.(false);
    return;
  }
  if (msg.type === 'dispose') {
    // Let running work stop at its next chunk boundary before releasing sessions: never exit inside session.run.
    for (const id of active.keys()) cancelled.add(id);
    for (const resolve of pendingConfirms.values()) resolve(false);
    void Promise.allSettled([...active.values()])
      .then(() => pool.dispose())
      .finally(() => port.close());
    return;
  }
  const id = msg.id;
  const hooks: EngineHooks = {
    onProgress: (progress) => send({ type: 'progress', id, progress }),
    shouldStop: () => cancelled.has(id),
    onConfirmLargeWrite: (bytes) =>
      new Promise<boolean>((resolve) => {
        pendingConfirms.set(id, resolve);
        send({ type: 'confirm', id, bytes });
      }),
  };
  const work = msg.type === 'measure' ? runMeasure(pool, msg.req, hooks) : runKvDrift(pool, msg.req, hooks);
  const done = work
    .then(
      (result) => send({ type: 'result', id, result }),
      (e: unknown) => {
        const code = e instanceof DecoderError ? e.code : 'INTERNAL';
        send({ type: 'error', id, code, message: e instanceof Error ? e.message : String(e) });
      },
    )
    .finally(() => {
      active.delete(id);
      cancelled.delete(id);
      pendingConfirms.delete(id);
    });
  active.set(id, done);
});
