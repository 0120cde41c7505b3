// The GPU estimate: a monotone cost model fitted to the H100 measurements, with its method, data and regime.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import h100 from '../../src/decoder/data/prefill-h100.json';
import { estimateGpu, fitCost, fitsFor, predictMs, samplesOf, type PrefillData } from '../../src/decoder/gpuEstimate';

const data = h100 as PrefillData;

describe('GPU estimate (H100 data)', () => {
  test('monotone in the recomputed tokens at every prompt length, for every model (the raw points are not)', () => {
    // The raw 8B points at 4,096 tokens: 64 new → 46.3 ms but 512 new → 43.5 ms.
    for (const n of [512, 1024, 4096, 16384, 65536, 131072]) {
      let last = -1;
      for (let fresh = 0; fresh <= n; fresh += Math.max(1, n / 64)) {
        const rows = estimateGpu(n, n - fresh).rows;
        const w = rows.map((r) => r.warmMs);
        for (const r of rows) assert.ok(r.warmMs <= r.coldMs + 1e-9, `${r.model}: cached ${r.warmMs} > cold ${r.coldMs}`);
        assert.ok(w[1] >= last - 1e-9, `8b at ${n} tokens, ${fresh} recomputed: ${w[1]} < ${last}`);
        last = w[1];
      }
    }
  });

  test('monotone in the cached length the recomputed tokens attend over', () => {
    for (const fresh of [64, 256, 1024]) {
      for (const f of fitsFor(data).values()) {
        let last = -1;
        for (let p = 0; p <= 65536; p += 1024) {
          const t = predictMs(f, fresh, p);
          assert.ok(t >= last, `${fresh} new on ${p} cached`);
          last = t;
        }
      }
    }
  });

  test('the fit follows the compute-bound measurements (within 25%) and says where it comes from', () => {
    for (const [key, model] of Object.entries(data.models)) {
      const f = fitCost(samplesOf(model));
      for (const s of samplesOf(model).filter((x) => x.n + x.p >= 8192 && x.p === 0)) {
        const r = predictMs(f, s.n, s.p) / s.ms;
        assert.ok(r > 0.75 && r < 1.25, `${key} ${s.n} cold: predicted/measured ${r.toFixed(2)}`);
      }
    }
    const e = estimateGpu(4096, 3584);
    assert.match(e.source, /H100/);
    assert.equal(e.measured, h100.measured);
    assert.match(e.method, /multiply by 10/);
    assert.match(e.regime, /eager PyTorch/);
    assert.match(e.regime, /bf16/);
    assert.match(e.regime, /launch floor/);
    assert.match(e.model, /monotone/);
    const r70 = e.rows.find((r) => r.model.startsWith('llama-3.1-70b'));
    assert.match(r70?.model ?? '', /×10/);
  });

  test('"does caching pay on a GPU" stays true at small sizes', () => {
    const small = estimateGpu(400, 300);
    assert.ok(small.rows.every((r) => r.floorBound), 'a 400-token prompt is at the launch floor');
    assert.match(small.verdict, /launch overhead/);
    assert.doesNotMatch(small.verdict, /caching pays/);
    const big = estimateGpu(32768, 32000);
    assert.match(big.verdict, /caching pays/);
    assert.match(estimateGpu(8192, 0).verdict, /Nothing is reused/);
    assert.equal(estimateGpu(8192, 0).rows[1].savedMs, 0);
    assert.equal(estimateGpu(8192, 8192).rows[1].warmMs, 0);
  });

  test('outside the measured range the figures are flagged as extrapolated', () => {
    const big = estimateGpu(131072, 65536).rows;
    assert.ok(big.every((r) => r.extrapolated));
    assert.ok(big.every((r) => r.warmMs <= r.coldMs && r.warmMs > 0));
    assert.ok(estimateGpu(4096, 3584).rows.every((r) => !r.extrapolated));
  });
});
