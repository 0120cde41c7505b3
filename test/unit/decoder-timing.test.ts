// Sampling logic of `measure`, without timing: interleaving order, quantiles and spread, when to stop, the load verdict.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PLAN, loadVerdict, quantile, relativeSpread, roundOrder, stopReason, summarize } from '../../src/decoder/timing';

describe('measure: sampling and summaries', () => {
  test('rounds alternate cold-warm / warm-cold (ABBA), so a slow drift hits both phases alike', () => {
    assert.deepEqual([1, 2, 3, 4].map(roundOrder), [['cold', 'warm'], ['warm', 'cold'], ['cold', 'warm'], ['warm', 'cold']]);
    // Over any two consecutive rounds each phase has one early and one late slot.
    const slots = [1, 2].flatMap(roundOrder);
    assert.deepEqual(slots, ['cold', 'warm', 'warm', 'cold']);
  });

  test('median, quartiles and spread (type-7 quantiles)', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
    const s = summarize([12, 10, 11, 30, 10], 100);
    assert.equal(s.medianMs, 11);
    assert.equal(s.minMs, 10);
    assert.equal(s.maxMs, 30);
    assert.equal(s.q1Ms, 10);
    assert.equal(s.q3Ms, 12);
    assert.ok(Math.abs(s.spread - 2 / 11) < 1e-12);
    assert.deepEqual(s.runsMs, [12, 10, 11, 30, 10], 'runs kept in the order taken');
    assert.ok(Math.abs(s.tokensPerSecond - 100_000 / 11) < 1e-9);
    assert.equal(relativeSpread([5, 5, 5]), 0);
  });

  test('stops when both spreads are small, else at the run limit or the time cap, never before the minimum', () => {
    const plan = { ...DEFAULT_PLAN, minRuns: 3, maxRuns: 6, targetSpread: 0.1, timeCapMs: 1000 };
    assert.equal(stopReason([10, 10], [5, 5], 0, plan), undefined, 'fewer than minRuns');
    assert.equal(stopReason([10, 10.1, 10.2], [5, 5.1, 5], 100, plan), 'stable');
    assert.equal(stopReason([10, 20, 30], [5, 5, 5], 100, plan), undefined, 'cold still noisy, time left');
    assert.equal(stopReason([10, 20, 30], [5, 5, 5], 1000, plan), 'time cap');
    assert.equal(stopReason([10, 20, 30, 10, 20, 30], [5, 9, 5, 9, 5, 9], 100, plan), 'max runs');
    // An outlier does not keep a stable measurement going (IQR, not range).
    assert.equal(stopReason([10, 10, 10, 10, 40], [5, 5, 5, 5, 5], 100, plan), 'stable');
  });

  test('load verdict: run-queue wait share (Linux), else CPU per wall second', () => {
    const la = { before: 0.5, after: 0.6, cpus: 2 };
    const quiet = loadVerdict([{ wallMs: 100, cpuMs: 98, waitMs: 1 }, { wallMs: 100, cpuMs: 99, waitMs: 2 }], la);
    assert.equal(quiet.underLoad, false);
    assert.ok(Math.abs((quiet.runQueueWaitShare ?? -1) - 0.015) < 1e-12);
    const busy = loadVerdict([{ wallMs: 100, cpuMs: 60, waitMs: 40 }], la);
    assert.equal(busy.underLoad, true);
    assert.match(busy.reason ?? '', /waited for a CPU 40%/);
    // Without schedstat (macOS, Windows): CPU time per wall second.
    assert.equal(loadVerdict([{ wallMs: 100, cpuMs: 95 }], la).underLoad, false);
    const starved = loadVerdict([{ wallMs: 100, cpuMs: 50 }], la);
    assert.equal(starved.underLoad, true);
    assert.equal(starved.runQueueWaitShare, undefined);
    assert.match(starved.reason ?? '', /0\.50 CPU-seconds/);
  });
});
