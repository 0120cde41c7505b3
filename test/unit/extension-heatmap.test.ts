import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketHistoryRow, bucketMatrix, lineStarts, tokenAtOffset, visibleRows } from '../../src/view/bucketing';
import { buildRows } from '../../webview/tokenHeatmap';

test('tokenAtOffset finds the token holding an offset (binary search)', () => {
  const starts = Uint32Array.from([0, 3, 5, 9, 12]);
  const n = 4;
  assert.equal(tokenAtOffset(starts, n, 0), 0);
  assert.equal(tokenAtOffset(starts, n, 2), 0);
  assert.equal(tokenAtOffset(starts, n, 3), 1);
  assert.equal(tokenAtOffset(starts, n, 8), 2);
  assert.equal(tokenAtOffset(starts, n, 11), 3);
  assert.equal(tokenAtOffset(starts, 0, 5), -1);
});

test('visible rows: only the window plus overscan, clamped', () => {
  assert.deepEqual(visibleRows(0, 180, 18, 1000, 5), { first: 0, last: 15 });
  assert.deepEqual(visibleRows(18 * 500, 180, 18, 1000, 5), { first: 495, last: 515 });
  assert.deepEqual(visibleRows(18 * 995, 180, 18, 1000, 5), { first: 990, last: 999 });
  assert.deepEqual(visibleRows(0, 180, 18, 0), { first: 0, last: -1 });
});

test('a 250k-token document renders in windows of a few dozen rows', () => {
  const text = ('word '.repeat(40) + '\n').repeat(6000); // ~1.2 MB
  const rows = buildRows(text);
  assert.equal(rows.length - 1, 12000, 'lines wrap at 160 chars, so 201-char lines take two rows');
  const { first, last } = visibleRows(18 * 6000, 900, 18, rows.length - 1);
  assert.ok(last - first + 1 <= 80);
});

test('rows: line breaks end rows, long lines wrap, surrogate pairs are never split', () => {
  assert.deepEqual([...buildRows('ab\ncd\r\nef\rg')], [0, 3, 7, 10, 11]);
  assert.deepEqual([...buildRows('')], [0, 0]);
  const long = 'x'.repeat(159) + '😀' + 'y'.repeat(10);
  const r = buildRows(long);
  assert.equal(r[1], 159, 'the cut moves before the high surrogate');
  assert.deepEqual([...lineStarts('a\nb\r\nc\rd')], [0, 2, 5, 7]);
});

test('history row buckets: reused, divergence column, recomputed, beyond the version', () => {
  const cells = bucketHistoryRow({ tokens: 60, firstDivergentToken: 25 }, 100, 10);
  assert.deepEqual([...cells], [1, 1, 3, 2, 2, 2, 0, 0, 0, 0]);
  assert.deepEqual([...bucketHistoryRow({ tokens: 100, firstDivergentToken: null }, 100, 4)], [1, 1, 1, 1]);
  assert.deepEqual([...bucketHistoryRow({ tokens: 100, firstDivergentToken: 0 }, 100, 4)], [3, 2, 2, 2]);
});

test('KV drift matrix bucketed by max, so one drifting position stays visible', () => {
  const layers = 2;
  const positions = 8;
  const v = new Float32Array(layers * positions);
  v[1 * positions + 5] = 0.07;
  const { data, columns } = bucketMatrix(v, layers, positions, 4);
  assert.equal(columns, 4);
  assert.deepEqual([...data.slice(0, 4)], [0, 0, 0, 0]);
  assert.ok(Math.abs(data[4 + 2] - 0.07) < 1e-6);
  assert.equal(bucketMatrix(v, layers, positions, 100).columns, 8, 'never more columns than positions');
});
