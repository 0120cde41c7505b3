import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SnapshotStore } from '../../src/core/versions/savedVersions';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'pc-snap-'));
}

test('stores, reads back and survives a new store instance (extension restart)', async () => {
  const dir = tempDir();
  try {
    const a = new SnapshotStore(dir);
    assert.equal(await a.put('file:///w/a.prompt.md', 'hello\r\nworld', 1000), true);
    const b = new SnapshotStore(dir);
    const snap = await b.get('file:///w/a.prompt.md');
    assert.deepEqual(snap, { uri: 'file:///w/a.prompt.md', savedAt: 1000, text: 'hello\r\nworld' });
    assert.equal(await b.get('file:///w/other.md'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bounded in count: the least recently saved go first', async () => {
  const dir = tempDir();
  try {
    const s = new SnapshotStore(dir, { maxCount: 3, maxBytes: 1e9 });
    for (let i = 0; i < 5; i++) await s.put(`file:///f${i}`, `v${i}`, 1000 + i);
    assert.equal((await s.stats()).count, 3);
    assert.equal(await s.get('file:///f0'), undefined);
    assert.equal(await s.get('file:///f1'), undefined);
    assert.equal((await s.get('file:///f4'))?.text, 'v4');
    // Re-saving an old file makes it the newest.
    await s.put('file:///f2', 'v2b', 2000);
    await s.put('file:///f5', 'v5', 2001);
    assert.equal((await s.get('file:///f2'))?.text, 'v2b');
    assert.equal(await s.get('file:///f3'), undefined);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.json')).length, 3, 'evicted files are deleted from disk');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bounded in bytes; a single snapshot over the limit is refused, not stored', async () => {
  const dir = tempDir();
  try {
    const s = new SnapshotStore(dir, { maxCount: 100, maxBytes: 2000 });
    for (let i = 0; i < 6; i++) await s.put(`file:///f${i}`, 'x'.repeat(500), 1000 + i);
    const st = await s.stats();
    assert.ok(st.bytes <= 2000, `${st.bytes} bytes`);
    assert.ok(st.count >= 3 && st.count < 6);
    assert.equal(await s.put('file:///huge', 'y'.repeat(5000)), false);
    assert.equal(await s.get('file:///huge'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent saves do not interleave; clear removes everything', async () => {
  const dir = tempDir();
  try {
    const s = new SnapshotStore(dir, { maxCount: 10, maxBytes: 1e9 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.put('file:///same', `v${i}`, 1000 + i)));
    assert.equal((await s.get('file:///same'))?.text, 'v19');
    await s.put('file:///b', 'b');
    assert.equal(await s.clear(), 2);
    assert.equal((await s.stats()).count, 0);
    assert.equal(readdirSync(dir).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
