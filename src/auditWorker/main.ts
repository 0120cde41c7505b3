// Entry of dist/audit-worker.js: runs the audit off the extension host's main thread. Tokenizing a 1 MB prompt
// takes seconds on first open; here that only delays answers, it never freezes the editor.
import { parentPort } from 'node:worker_threads';
import type { HostToWorker, WorkerToHost } from './protocol';
import { AuditEngine } from './engine';
import { coalesce } from './workQueue';

const t0 = performance.now();
const port = parentPort;
if (!port) throw new Error('audit-worker must run in a worker thread');

const engine = new AuditEngine((msg: WorkerToHost, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer ?? []));
let queue: HostToWorker[] = [];
let scheduled = false;

port.on('message', (msg: HostToWorker) => {
  queue.push(msg);
  if (!scheduled) {
    scheduled = true;
    // Drain after the current batch of port messages: requests superseded by later ones in the batch are dropped.
    setImmediate(drain);
  }
});

function drain(): void {
  scheduled = false;
  const batch = coalesce(queue);
  queue = [];
  for (const msg of batch) engine.handle(msg);
}

port.postMessage({ type: 'ready', startupMs: performance.now() - t0 } satisfies WorkerToHost);
