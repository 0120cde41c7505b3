// The GPU estimate interpolates the H100 measurements and says where its figures come from.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import h100 from '../../src/decoder/data/prefill-h100.json';
import { estimateGpu } from '../../src/decoder/gpuEstimate';

describe('GPU estimate (H100 data)', () => {
  test('a measured point is returned as measured; 70B is scaled ×10 from 8 of 80 layers', () => {
    const e = estimateGpu(4096, 3584);
    const r8 = e.rows.find((r) => r.model === 'llama-3.1-8b');
    assert.ok(r8);
    assert.equal(r8.coldMs, 125.695);
    assert.equal(r8.warmMs, 43.482);
    assert.equal(r8.extrapolated, false);
    const r70 = e.rows.find((r) => r.model.startsWith('llama-3.1-70b'));
    assert.ok(r70);
    assert.ok(Math.abs(r70.coldMs - 981.63) < 1e-6);
    assert.match(r70.model, /×10/);
    assert.match(e.source, /H100/);
    assert.equal(e.measured, h100.measured);
    assert.match(e.method, /multiply by 10/);
  });

  test('between points it interpolates; no cache saves nothing; identical prompts cost nothing to recompute', () => {
    const mid = estimateGpu(12288, 12288 - 64).rows.find((r) => r.model === 'llama-3.1-8b');
    assert.ok(mid && mid.coldMs > 265.119 && mid.coldMs < 590.755);
    assert.ok(mid.warmMs > 37 && mid.warmMs < 47);
    const cold = estimateGpu(8192, 0).rows[1];
    assert.equal(cold.savedMs, 0);
    const same = estimateGpu(8192, 8192).rows[1];
    assert.equal(same.warmMs, 0);
  });

  test('outside the measured range the figures are flagged as extrapolated', () => {
    const big = estimateGpu(131072, 65536).rows;
    assert.ok(big.every((r) => r.extrapolated));
    assert.ok(big.every((r) => r.warmMs <= r.coldMs && r.warmMs > 0));
  });
});
