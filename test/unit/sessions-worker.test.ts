// The session worker through its host-side client (what the extension runs): audit with progress, a request diff on
// demand, sniffing a file's first bytes, and cancelling (the worker is terminated; the next request starts a new one).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CancelledError, SessionWorkerClient, type SessionProgress } from '../../src/auditWorker/sessionClient';

const workerPath = path.join(__dirname, '..', '..', 'src', 'auditWorker', 'sessionWorker.ts');
const client = () => new SessionWorkerClient({ workerPath, createWorker: () => new Worker(`require('tsx/cjs'); require(${JSON.stringify(workerPath)});`, { eval: true }) });
const fixture = (f: string) => path.join(__dirname, '..', 'e2e', 'fixture', 'sessions', f);

test('audit with progress, then the request diff of a break, then sniffing', async () => {
  const c = client();
  try {
    const progress: SessionProgress[] = [];
    const r = await c.audit(fixture('claude-session.jsonl'), { onProgress: (p) => progress.push(p) });
    assert.equal(r.audit.calls.length, 7);
    assert.ok(progress.some((p) => p.phase === 'read' && p.bytes === p.totalBytes), JSON.stringify(progress));
    assert.ok(progress.some((p) => p.phase === 'analyse'));
    const d = await c.diff(fixture('claude-session.jsonl'), 5);
    assert.equal(d.excerpt?.segment, 'messages[8].content[0].text');
    assert.equal((await c.diff(fixture('capture.har'), 1)).excerpt, null, 'a file not audited yet');
    assert.deepEqual(await c.sniff('capture.har', '{"log":{"version":"1.2","entries":[]}}'), { source: 'har', label: 'HAR capture' });
    assert.equal(await c.sniff('notes.json', '{"name":"x"}'), null);
  } finally {
    await c.dispose();
  }
});

test('cancelling an audit terminates the worker; the next audit runs in a new one', async () => {
  const c = client();
  try {
    const ac = new AbortController();
    const p = c.audit(fixture('capture.har'), { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, CancelledError);
    const r = await c.audit(fixture('capture.har'));
    assert.equal(r.audit.calls.length, 4);
  } finally {
    await c.dispose();
  }
});
