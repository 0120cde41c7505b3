// The panel's view-models of a measurement and of a KV-drift map (src/extension/decoderService.ts), and the words the
// webview puts beside them: edited tokens marked, the alignment and the window said, spread, FLOP ratio, load, GPU.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { DecoderPool, runKvDrift, runMeasure } from '../../src/decoder/engine';
import { kvDriftCaption } from '../../webview/kvDrift';
import { localSummary } from '../../webview/timing';
import { requireWithStub } from './fixtures/vscode-stub';

type DecoderServiceModule = typeof import('../../src/extension/decoderService');
const { kvDriftView, timingView } = requireWithStub<DecoderServiceModule>('../../src/extension/decoderService');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-views-'));
const pool = new DecoderPool();
after(async () => {
  await pool.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 3) % 509);

describe('decoder view-models', () => {
  test('KV drift after an insertion: edited columns marked, layer 0 quiet, the shift and the window said', async () => {
    const oldIds = ids(300);
    const newIds = [...oldIds.slice(0, 100), 7, 8, ...oldIds.slice(100)];
    const d = await runKvDrift(pool, { oldIds, newIds, divergenceIndex: 100, preset: 'tiny', cacheDir: root, threads: 1 });
    const v = kvDriftView(d);
    assert.equal(v.positions, 202);
    assert.deepEqual([...(v.edited ?? [])].slice(0, 3), [1, 1, 0]);
    assert.equal(v.shift, 2);
    assert.equal(v.commonSuffix, 200);
    assert.equal(v.window, undefined);
    // Layer 0 after the edit: only the position moved (shown with the RoPE shift undone), so no content change.
    for (let p = 2; p < v.positions; p++) assert.ok(v.values[p] < 1e-4, `layer 0 at +${p}: ${v.values[p]}`);
    for (let p = 2; p < v.positions; p++) assert.ok(v.values[2 * v.positions + p] > 1e-4, `layer 2 at +${p}`);
    assert.match(kvDriftCaption(v, 0.1), /compared with itself, 2 positions earlier in the baseline/);
    assert.match(kvDriftCaption(v, 0.1), /grey = edited tokens/);

    const long = await runKvDrift(pool, { oldIds: ids(1500), newIds: [...ids(1500).slice(0, 1200), 1, ...ids(1500).slice(1201)], divergenceIndex: 1200, preset: 'tiny', cacheDir: root, threads: 1, tokenCap: 512 });
    const lv = kvDriftView(long);
    assert.deepEqual(lv.window, { start: 1500 - 512, end: 1500 });
    assert.match(kvDriftCaption(lv, 0.1), /Window: tokens 988–1,499/);
  });

  test('timing: median, spread, runs, measured and FLOP ratios, load flag, GPU method, regime and verdict', async () => {
    const m = await runMeasure(pool, { ids: ids(300), reusablePrefix: 250, preset: 'tiny', cacheDir: root, threads: 1 });
    const t = timingView(m);
    assert.equal(t.coldMs, m.cold.medianMs);
    assert.equal(t.coldSpread, m.cold.spread);
    assert.equal(t.runs, m.runs);
    assert.equal(t.expectedSpeedup, m.expectedSpeedup);
    assert.equal(t.underLoad !== undefined, m.load.underLoad);
    assert.match(t.gpu?.regime ?? '', /eager PyTorch/);
    assert.match(t.gpu?.method ?? '', /monotone/);
    assert.ok(t.gpu?.verdict);
    const s = localSummary(t);
    assert.match(s, /measured \d+\.\d×; the FLOP count allows \d+\.\d×; spread \(IQR\/median\) cold \d+%, cached \d+%; \d+ interleaved runs each/);
    // A busy machine is said once, in its own field, not again among the notes.
    const busy = timingView({ ...m, load: { ...m.load, underLoad: true, reason: 'the decoder waited 40% of the time' }, notes: ['Measured under load: x'] });
    assert.equal(busy.underLoad, 'the decoder waited 40% of the time');
    assert.ok(!busy.notes.some((n) => n.startsWith('Measured under load')));
  });
});
