// The cached decoder computes the same thing with and without its KV cache, and edits move the KV the way a real
// transformer's do. Runs in-process (no worker) on the tiny preset.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TOKEN_CAP } from '../../src/decoder/defaults';
import { DecoderPool, runMeasure } from '../../src/decoder/engine';
import { ensureModel } from '../../src/decoder/generator';
import { LEAN_VARIANT, OPTIMUM_LIKE_VARIANT, type GraphVariant } from '../../src/decoder/graph';
import { CachedDecoder } from '../../src/decoder/runner';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-ok-'));
const opened: CachedDecoder[] = [];
const pool = new DecoderPool();
after(async () => {
  await Promise.all(opened.map((d) => d.release()));
  await pool.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

async function open(variant: Partial<GraphVariant> = {}): Promise<CachedDecoder> {
  const m = await ensureModel({ preset: 'tiny', cacheDir: root, variant });
  const dec = await CachedDecoder.open(m.modelPath, { threads: 1, presetName: 'tiny', extra: { maxPositions: m.shape.maxPositions } });
  opened.push(dec);
  return dec;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function ids(n: number, seed = 1): number[] {
  return Array.from({ length: n }, (_, i) => (i * 2654435761 + seed * 97) % 509);
}

describe('cached decoder correctness (tiny)', () => {
  // sdpa: the graph Optimum exports (the presets' default); lean: GroupQueryAttention with last-position logits.
  let gqa: CachedDecoder;
  let plain: CachedDecoder;
  before(async () => {
    plain = await open();
    gqa = await open(LEAN_VARIANT);
  });

  for (const kind of ['gqa', 'plain'] as const) {
    test(`${kind}: warm continuation equals a cold prefill (last-token logits)`, async () => {
      const dec = kind === 'gqa' ? gqa : plain;
      const all = dec.toModelIds(ids(300)).ids;
      const cold = await dec.prefill(all, dec.emptyCache(), 1000);
      for (const p of [1, 100, 256, 299]) {
        const prefix = await dec.prefill(all.subarray(0, p), dec.emptyCache(), 64);
        const warm = await dec.prefill(all.subarray(p), prefix.cache, 64);
        assert.equal(warm.cache.length, 300);
        const d = maxAbsDiff(cold.lastLogits, warm.lastLogits);
        assert.ok(d <= 1e-4, `P=${p}: max |Δ| = ${d}`);
      }
    });

    test(`${kind}: single-token decode steps equal full prefills`, async () => {
      const dec = kind === 'gqa' ? gqa : plain;
      const all = dec.toModelIds(ids(40, 3)).ids;
      let cache = (await dec.prefill(all.subarray(0, 30), dec.emptyCache(), 1000)).cache;
      for (let t = 30; t < 40; t++) {
        const step = await dec.prefill(all.subarray(t, t + 1), cache, 1);
        cache = step.cache;
        const full = await dec.prefill(all.subarray(0, t + 1), dec.emptyCache(), 1000);
        const d = maxAbsDiff(full.lastLogits, step.lastLogits);
        assert.ok(d <= 1e-4, `step ${t}: max |Δ| = ${d}`);
      }
    });
  }

  test('the lean graph (GroupQueryAttention, last-position logits) and the exporter graph agree', async () => {
    const a = gqa.toModelIds(ids(200, 5)).ids;
    const x = await gqa.prefill(a, gqa.emptyCache(), 77);
    const y = await plain.prefill(a, plain.emptyCache(), 77);
    const d = maxAbsDiff(x.lastLogits, y.lastLogits);
    assert.ok(d <= 1e-4, `max |Δ| = ${d}`);
  });

  test('position ids continue from the cached length (restarting at 0 would change the result)', async () => {
    const all = gqa.toModelIds(ids(50)).ids;
    const cold = await gqa.prefill(all, gqa.emptyCache(), 1000);
    // Feed the last 10 tokens as if they started a fresh sequence: different logits.
    const fresh = await gqa.prefill(all.subarray(40), gqa.emptyCache(), 1000);
    assert.ok(maxAbsDiff(cold.lastLogits, fresh.lastLogits) > 1e-3);
  });

  test('Optimum-like export (no position_ids, merged use_cache_branch, float16 KV) loads and runs', async () => {
    const dec = await open(OPTIMUM_LIKE_VARIANT);
    assert.equal(dec.info.hasPositionIds, false);
    assert.equal(dec.info.mergedUseCacheBranch, true);
    assert.equal(dec.info.kvDtype, 'float16');
    assert.equal(dec.info.layers, 3);
    assert.equal(dec.info.kvHeads, 2);
    assert.equal(dec.info.headDim, 16);
    assert.equal(dec.info.vocab, 512);
    const all = dec.toModelIds(ids(100)).ids;
    const cold = await dec.prefill(all, dec.emptyCache(), 1000);
    const prefix = await dec.prefill(all.subarray(0, 60), dec.emptyCache(), 1000);
    const warm = await dec.prefill(all.subarray(60), prefix.cache, 1000);
    // The cache is stored in float16, so the warm path sees rounded K/V: a looser tolerance.
    assert.ok(maxAbsDiff(cold.lastLogits, warm.lastLogits) < 1e-2);
    // Same weights as the float32 model: the results agree to float16 precision.
    const ref = await plain.prefill(all, plain.emptyCache(), 1000);
    assert.ok(maxAbsDiff(cold.lastLogits, ref.lastLogits) < 1e-2);
  });

  test('the user-model path measures an Optimum-like file by path', async () => {
    const m = await ensureModel({ preset: 'tiny', cacheDir: root, variant: OPTIMUM_LIKE_VARIANT });
    const r = await runMeasure(pool, { ids: ids(64), reusablePrefix: 40, modelPath: m.modelPath, cacheDir: root, threads: 1 });
    assert.equal(r.model.kind, 'user');
    assert.equal(r.recomputedTokens, 24);
    assert.ok(r.cold.runsMs.length >= 3 && r.cold.runsMs.length === r.warm.runsMs.length);
    assert.equal(r.expectedSpeedup, undefined, 'no FLOP count for a user model');
  });

  test('a 100k-token prompt is capped (default cap, the model\'s positions) and memory stays bounded', async () => {
    const huge = new Uint32Array(100_000).map((_, i) => i % 509);
    const rss0 = process.memoryUsage().rss;
    const r = await runMeasure(pool, { ids: huge, reusablePrefix: 90_000, preset: 'tiny', cacheDir: root, threads: 1 });
    assert.equal(r.tokens, DEFAULT_TOKEN_CAP);
    assert.equal(r.reusablePrefix, Math.round((90_000 * DEFAULT_TOKEN_CAP) / 100_000));
    assert.deepEqual(r.scaledFrom, { tokens: 100_000, reusablePrefix: 90_000 });
    assert.ok(process.memoryUsage().rss - rss0 < 512 * 1024 * 1024);
    // The GPU estimate is for the prompt as asked, not the scaled one.
    assert.deepEqual(r.gpuEstimate.rows.map((x) => x.coldMs), (await import('../../src/decoder/gpuEstimate')).estimateGpu(100_000, 90_000).rows.map((x) => x.coldMs));
  });

  test('measure: ids beyond the vocabulary are mapped and reported; long prompts are scaled to the cap', async () => {
    const big = Array.from({ length: 600 }, (_, i) => 100_000 + i);
    const r = await runMeasure(pool, { ids: big, reusablePrefix: 450, preset: 'tiny', cacheDir: root, tokenCap: 200, threads: 1 });
    assert.equal(r.vocabMapped, true);
    assert.ok(r.notes.some((n) => n.includes('% 512')));
    assert.equal(r.tokens, 200);
    assert.equal(r.reusablePrefix, 150);
    assert.deepEqual(r.scaledFrom, { tokens: 600, reusablePrefix: 450 });
    assert.ok(r.cold.minMs <= r.cold.medianMs && r.cold.medianMs <= r.cold.maxMs);
    assert.ok(r.warm.tokensPerSecond > 0);
    assert.equal(r.gpuEstimate.rows.length, 3);
    // A preset carries the ratio its FLOP count allows: 200 tokens cold vs 50 after 150 cached.
    assert.ok(r.expectedSpeedup !== undefined && r.expectedSpeedup > 1 && r.expectedSpeedup < 200 / 50 + 1e-9, `expected ${r.expectedSpeedup}`);
  });
});
