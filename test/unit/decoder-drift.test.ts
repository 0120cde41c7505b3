// KV drift lined up by token identity: after a substitution every later token keeps its layer-0 K and V exactly;
// after an insertion the unchanged tail keeps its layer-0 V and its K moves only by the RoPE rotation of the shift;
// every deeper layer moves everywhere after the edit. Past the token cap a window around the divergence is compared.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { DecoderPool, runKvDrift } from '../../src/decoder/engine';
import { alignedOldIndex, alignVersions, chooseWindow, commonSuffix } from '../../src/decoder/kvAlign';
import type { KvDrift } from '../../src/decoder/types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-drift-'));
const pool = new DecoderPool();
after(async () => {
  await pool.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

const ids = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => (i * 2654435761 + seed * 97) % 509);
const drift = (oldIds: number[], newIds: number[], d: number, tokenCap?: number) =>
  runKvDrift(pool, { oldIds, newIds, divergenceIndex: d, preset: 'tiny', cacheDir: root, threads: 1, tokenCap });

/** Indices of compared positions that are aligned (unchanged tokens after the edit). */
const tail = (r: KvDrift) => r.aligned.map((o, i) => (o === null ? -1 : i)).filter((i) => i >= 0);

describe('alignment by token identity (pure)', () => {
  test('substitution, insertion, deletion: common suffix, shift, edited spans', () => {
    const old = [1, 2, 3, 4, 5, 6];
    assert.deepEqual(alignVersions(old, [1, 2, 9, 4, 5, 6], 2), { commonPrefix: 2, commonSuffix: 3, shift: 0, editedOld: [2, 3], editedNew: [2, 3] });
    const ins = alignVersions(old, [1, 2, 7, 7, 3, 4, 5, 6], 2);
    assert.deepEqual(ins, { commonPrefix: 2, commonSuffix: 4, shift: 2, editedOld: [2, 2], editedNew: [2, 4] });
    assert.equal(alignedOldIndex(ins, 1), 1);
    assert.equal(alignedOldIndex(ins, 2), null);
    assert.equal(alignedOldIndex(ins, 4), 2);
    assert.equal(alignedOldIndex(ins, 7), 5);
    const del = alignVersions(old, [1, 2, 5, 6], 2);
    assert.deepEqual(del, { commonPrefix: 2, commonSuffix: 2, shift: -2, editedOld: [2, 4], editedNew: [2, 2] });
    assert.equal(alignedOldIndex(del, 2), 4);
    // The suffix never overlaps the common prefix: [1,1] → [1,1,1] is an append of one token.
    assert.deepEqual(alignVersions([1, 1], [1, 1, 1], 2), { commonPrefix: 2, commonSuffix: 0, shift: 1, editedOld: [2, 2], editedNew: [2, 3] });
    assert.equal(commonSuffix([1, 2, 3], [0, 2, 3], 5), 2);
  });

  test('windows: whole versions under the cap; past it, shared context before the divergence and the aligned tail', () => {
    const a = alignVersions(ids(100), ids(100), 100);
    assert.deepEqual(chooseWindow(100, 100, a, 2048), { oldStart: 0, oldEnd: 100, newStart: 0, newEnd: 100, truncated: false });
    // 5,000 tokens, 3 inserted at 2,278: a quarter of the cap before it, the rest after; the old window ends 3 earlier.
    const oldIds = ids(5000);
    const newIds = [...oldIds.slice(0, 2278), 1, 2, 3, ...oldIds.slice(2278)];
    const al = alignVersions(oldIds, newIds, 2278);
    const w = chooseWindow(oldIds.length, newIds.length, al, 2048);
    assert.deepEqual(w, { oldStart: 2278 - 512, oldEnd: 2278 - 512 + 2048 - 3, newStart: 2278 - 512, newEnd: 2278 - 512 + 2048, truncated: true });
  });
});

describe('KV drift on the tiny preset', () => {
  test('substitution: layer-0 K and V of every later token unchanged; every deeper layer moved', async () => {
    const oldIds = ids(120, 9);
    const newIds = [...oldIds];
    newIds[50] = (oldIds[50] + 1) % 509;
    const r = await drift(oldIds, newIds, 50);
    assert.equal(r.positions, 70);
    assert.equal(r.alignment.shift, 0);
    assert.equal(r.aligned[0], null, 'the edited token has no counterpart');
    assert.ok(Number.isNaN(r.layers[0].key[0]));
    assert.deepEqual(r.aligned.slice(1), Array.from({ length: 69 }, (_, i) => 51 + i));
    const l0 = r.layers[0];
    for (const i of tail(r)) {
      assert.equal(l0.key[i], 0, `layer 0 key at +${i}`);
      assert.equal(l0.value[i], 0, `layer 0 value at +${i}`);
    }
    for (const l of r.layers.slice(1)) for (const i of tail(r)) assert.ok(l.key[i] > 1e-4 && l.value[i] > 1e-4, `layer ${l.layer} at +${i}`);
  });

  test('insertion: tail aligned by identity; layer-0 V unchanged, K moved only by the RoPE shift; deeper layers moved', async () => {
    const oldIds = ids(160, 4);
    const inserted = [11, 22, 33];
    const newIds = [...oldIds.slice(0, 60), ...inserted, ...oldIds.slice(60)];
    const r = await drift(oldIds, newIds, 60);
    assert.equal(r.alignment.shift, 3);
    assert.equal(r.alignment.commonSuffix, 100);
    assert.deepEqual(r.aligned.slice(0, 3), [null, null, null]);
    assert.deepEqual(r.aligned.slice(3), Array.from({ length: 100 }, (_, i) => 60 + i));
    // By index, almost no position holds the same token: the alignment is what makes layer 0 readable.
    const sameByIndex = Array.from({ length: 100 }, (_, i) => oldIds[63 + i] === newIds[63 + i]).filter(Boolean).length;
    assert.ok(sameByIndex < 10, `${sameByIndex} positions equal by index`);
    const l0 = r.layers[0];
    assert.ok(l0.keyUnshifted, 'presets report K with the shift undone');
    let rawKeyMoved = 0;
    for (const i of tail(r)) {
      assert.ok(l0.value[i] < 1e-5, `layer 0 value at +${i}: ${l0.value[i]}`);
      assert.ok((l0.keyUnshifted as number[])[i] < 1e-4, `layer 0 key, shift undone, at +${i}: ${(l0.keyUnshifted as number[])[i]}`);
      if (l0.key[i] > 1e-3) rawKeyMoved++;
    }
    assert.equal(rawKeyMoved, 100, 'without undoing the rotation every layer-0 key differs (the position moved)');
    for (const l of r.layers.slice(1)) {
      for (const i of tail(r)) assert.ok((l.keyUnshifted as number[])[i] > 1e-4 && l.value[i] > 1e-4, `layer ${l.layer} at +${i}`);
    }
  });

  test('past the token cap: a window around the divergence (issue 13: divergence at 2,278)', async () => {
    const oldIds = ids(3000, 2);
    const newIds = [...oldIds];
    newIds[2278] = (oldIds[2278] + 5) % 509;
    const r = await drift(oldIds, newIds, 2278, 1024);
    assert.equal(r.window.truncated, true);
    // 722 tokens after the divergence to the end; the rest of the cap is context before it.
    assert.deepEqual(r.window, { oldStart: 3000 - 1024, oldEnd: 3000, newStart: 3000 - 1024, newEnd: 3000, truncated: true });
    assert.equal(r.positions, 3000 - 2278);
    assert.ok(r.notes.some((n) => /window/.test(n)));
    const l0 = r.layers[0];
    for (const i of tail(r)) assert.equal(l0.value[i], 0);
    for (const i of tail(r)) assert.ok(r.layers[2].value[i] > 1e-4);
  });

  test('a wrong divergence index is a clear error', async () => {
    await assert.rejects(drift(ids(10), ids(10, 2), 5), /not the first divergent token/);
    await assert.rejects(drift(ids(10), ids(12), 11), /outside the versions/);
  });
});
