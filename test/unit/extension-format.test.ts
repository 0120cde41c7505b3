import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiffResult, LintFinding } from '../../src/core/types';
import { divergenceMessage, findingHover, formatPercent, statusSummary } from '../../src/view/format';

function diff(over: Partial<DiffResult> = {}): DiffResult {
  return {
    encoding: 'o200k_base',
    format: 'prompt-file',
    old: { tokens: 3980 },
    new: { tokens: 3980 },
    firstDivergentToken: 568,
    reusablePrefixTokens: 568,
    recomputedTokens: 3412,
    divergence: { offset: 100, line: 5, column: 3, old: { offset: 100, line: 5, column: 3 }, segment: 'system' },
    providers: [
      { id: 'openai', cachedTokens: 0, hitRatio: 0, rule: '≥ 1024 tokens, 128-token steps', costPer1kRequests: { withChange: 4.975, ifFullyCached: 0.6, extra: 4.375, pricePerMTok: 1.25 } },
      { id: 'vllm', cachedTokens: 560, hitRatio: 560 / 3980, rule: 'full 16-token blocks' },
    ],
    findings: [],
    ...over,
  };
}

test('percentages never round a partial hit up to 100% or a small one down to 0%', () => {
  assert.equal(formatPercent(0.996), '99.6%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0.004), '<1%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(0.8712), '87%');
  assert.equal(formatPercent(Number.NaN), '0%');
});

test('status bar: hit under the chosen provider, warning when most is recomputed', () => {
  const s = statusSummary(diff(), 'vllm', 'HEAD (abc1234)');
  assert.equal(s.text, '$(database) 14% cached');
  assert.equal(s.level, 'warning');
  assert.match(s.tooltip, /recomputes \*\*3,412\*\* of 3,980 tokens/);
  assert.match(s.tooltip, /Rule: full 16\\-token blocks/);
  assert.match(s.tooltip, /baseline: HEAD \\\(abc1234\\\)/);
});

test('status bar tooltip carries the cost per 1,000 requests and, once measured, the local recompute time', () => {
  const s = statusSummary(diff(), 'openai', 'last save', { coldMs: 1234, warmMs: 56.7, preset: 'small' });
  assert.equal(s.text, '$(database) 0% cached');
  assert.match(s.tooltip, /Cost per 1,000 requests: \$4\.97 \(fully cached: \$0\.60, extra \$4\.38\) at \$1\.25\/M/);
  assert.match(s.tooltip, /cold 1\.23 s, with cached prefix 57 ms/);
});

test('status bar for an unchanged prompt says so', () => {
  const same = diff({ firstDivergentToken: null, reusablePrefixTokens: 3980, recomputedTokens: 0, divergence: null, providers: [{ id: 'sglang', cachedTokens: 3980, hitRatio: 1, rule: 'token granularity' }] });
  const s = statusSummary(same, 'sglang', 'HEAD');
  assert.equal(s.text, '$(database) unchanged');
  assert.equal(s.level, 'ok');
});

test('divergence diagnostic message: the issue\'s wording, with the segment and the provider rule', () => {
  const m = divergenceMessage(diff(), 'openai');
  assert.ok(m);
  assert.match(m, /^This edit recomputes 3,412 of 3,980 tokens \(86%\) on every request until the cache is warm — first change in system/);
  assert.match(m, /OpenAI caches 0 of the 568 unchanged tokens \(≥ 1024 tokens, 128-token steps\)\.$/);
  assert.equal(divergenceMessage(diff({ firstDivergentToken: null }), 'openai'), undefined);
  assert.equal(divergenceMessage(diff({ noEffectOnCache: true }), 'openai'), undefined);
});

test('finding hover: tokens at risk, rule and cost', () => {
  const f: LintFinding = {
    ruleId: 'volatile-prefix', severity: 'warning', message: 'Volatile "today is …" line', tokensAtRisk: 8006,
    range: { start: { offset: 0, line: 1, column: 1 }, end: { offset: 5, line: 1, column: 6 } },
    fix: { title: 'Move the line to the end', edits: [] },
  };
  const h = findingHover(f, diff(), 'openai');
  assert.match(h, /\*\*8,006\*\*/);
  assert.match(h, /OpenAI rule: ≥ 1024 tokens, 128\\-token steps/);
  assert.match(h, /about \$9\.01 extra per 1,000 requests at \$1\.25\/M/);
  assert.match(h, /Quick fix available: Move the line to the end/);
});
