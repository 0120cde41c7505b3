// Entry of dist/session-worker.js: reads and analyses session logs off the extension host's main thread (a long
// Claude Code session is tens of MB of JSON and thousands of calls). Keeps the last few sessions for request diffs,
// and one tail per watched live log.
import { parentPort } from 'node:worker_threads';
import type { ProviderId } from '../core/ids';
import { diffExcerpt } from '../core/sessions/excerpt';
import { analyzeSession } from '../core/sessions/analyze';
import { chooseImporter, readSessionFile, sniffInput } from '../core/sessions/read';
import { requestDiff } from '../core/sessions/source';
import { SessionTail } from '../core/sessions/tail';
import type { ImportedSession, SessionAudit } from '../core/sessions/types';
import type { HostToSessionWorker, SessionWorkerToHost } from './sessionProtocol';

const port = parentPort;
if (!port) throw new Error('session-worker must run in a worker thread');
const post = (m: SessionWorkerToHost) => port.postMessage(m);

/** Sessions kept for request diffs, most recent last. */
const KEEP = 3;
const kept = new Map<string, { session: ImportedSession; audit: SessionAudit }>();
const tails = new Map<string, SessionTail>();

async function audit(requestId: number, file: string, provider: ProviderId | undefined): Promise<void> {
  const t0 = performance.now();
  let last = 0;
  const session = await readSessionFile(file, {
    provider,
    onProgress: (bytes, totalBytes) => {
      // At most ~50 messages for any file.
      if (bytes - last < totalBytes / 50 && bytes < totalBytes) return;
      last = bytes;
      post({ type: 'progress', requestId, phase: 'read', bytes, totalBytes });
    },
  });
  const t1 = performance.now();
  post({ type: 'progress', requestId, phase: 'analyse', bytes: 0, totalBytes: session.calls.length });
  const a = analyzeSession(session, { provider });
  const t2 = performance.now();
  kept.delete(file);
  kept.set(file, { session, audit: a });
  while (kept.size > KEEP) kept.delete(kept.keys().next().value as string);
  post({ type: 'audit', requestId, audit: a, readMs: t1 - t0, analyseMs: t2 - t1 });
}

function diff(requestId: number, file: string, callIndex: number, against?: number): void {
  const k = kept.get(file);
  if (!k) return post({ type: 'diff', requestId, excerpt: null, reason: 'the session is no longer loaded: audit it again' });
  const call = k.audit.calls[callIndex];
  if (!call) return post({ type: 'diff', requestId, excerpt: null, reason: `no call ${callIndex}` });
  const base = against ?? call.break?.againstCall ?? call.predicted?.againstCall ?? (callIndex > 0 ? callIndex - 1 : undefined);
  if (base === undefined || base === null) return post({ type: 'diff', requestId, excerpt: null, reason: 'the first call has no earlier call to compare with' });
  const details = requestDiff(k.session, k.audit, callIndex, base);
  if (!details) return post({ type: 'diff', requestId, excerpt: null, reason: 'the log does not hold the text of these requests' });
  post({ type: 'diff', requestId, excerpt: diffExcerpt(details, callIndex, base, base === (call.break?.againstCall ?? call.predicted?.againstCall) ? (call.break?.segment ?? call.predicted?.segment) : undefined) });
}

async function tail(requestId: number, file: string): Promise<void> {
  let t = tails.get(file);
  if (!t) tails.set(file, (t = new SessionTail(file)));
  const appendedBytes = await t.update();
  post({ type: 'tail', requestId, status: t.unsupported ? null : t.status(), appendedBytes, ...(t.unsupported ? { reason: t.unsupported } : {}) });
}

port.on('message', (m: HostToSessionWorker) => {
  const run = async () => {
    switch (m.type) {
      case 'audit':
        return audit(m.requestId, m.file, m.provider);
      case 'diff':
        return diff(m.requestId, m.file, m.callIndex, m.against);
      case 'tail':
        return tail(m.requestId, m.file);
      case 'sniff': {
        const c = chooseImporter(sniffInput(m.fileName, Buffer.from(m.headText)));
        post({ type: 'sniff', requestId: m.requestId, source: c ? String(c.importer.id) : null, ...(c ? { label: c.importer.label } : {}) });
        return;
      }
      case 'untail':
        tails.delete(m.file);
        return;
      default: {
        const never: never = m;
        void never;
      }
    }
  };
  run().catch((e: unknown) => {
    if ('requestId' in m) post({ type: 'error', requestId: m.requestId, message: e instanceof Error ? e.message : String(e) });
  });
});
