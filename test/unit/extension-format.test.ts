import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiffResult, LintFinding } from '../../src/core/types';
import { auditNotification, cacheState, divergenceHover, divergenceMessage, findingHover, formatPercent, largeModelDetail, ONE_BLOCK_REASON, ProgressTracker, statusSummary } from '../../src/view/format';
import { describeWatchedKinds } from '../../src/view/promptKinds';
import { DEFAULT_INCLUDE } from '../../src/core/promptFiles';
import { summaryView, workspaceRowView } from '../../src/view/summary';
import { diffVersions } from '../../src/core/audit';

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

test('status bar tooltip labels what the cost assumes and, once measured, shows the local recompute time', () => {
  const s = statusSummary(diff(), 'openai', 'last save', { coldMs: 1234, warmMs: 56.7, preset: 'small' });
  assert.equal(s.text, '$(database) 0% cached · 14% at token level');
  // "Extra per 1,000 requests" is what it costs if every request differed; a one-time edit costs one request's worth.
  const plain = s.tooltip.replace(/\\(.)/g, '$1');
  assert.match(plain, /This edit, once: about \+\$0\.0044/);
  assert.match(plain, /If every request differed like this \(a per-request value\): \$4\.97 per 1,000 requests instead of \$0\.60 \(\+\$4\.38\), at \$1\.25\/M/);
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
  assert.match(h, /OpenAI rule: ≥ 1024 tokens.*128\\-token steps/);
  assert.match(h, /about \$9\.01 extra per 1,000 requests at \$1\.25\/M/);
  assert.match(h, /Quick fix available: Move the line to the end/);
});

// ---- One vocabulary: each state × provider, on real audits of an agent file ------------------------------------------

const AGENT = Array.from({ length: 400 }, (_, i) => `Rule ${i}: always answer with the policy number and keep replies short.`).join('\n') + '\n';
const audit = (oldText: string, newText: string, provider: 'anthropic' | 'openai' | 'sglang' | 'gemini', fileName = 'AGENTS.md') => diffVersions(oldText, newText, { fileName, provider });

test('an append under Anthropic: a miss, said in words where the number is, with the token-level reuse beside it', () => {
  const d = audit(AGENT, `${AGENT}\nAlways cite the plan id.`, 'anthropic');
  const st = cacheState(d, 'anthropic');
  assert.equal(st.kind, 'edited');
  assert.equal(st.headline, '0% cached');
  assert.equal(st.tokenLevel, '99.8% at token level');
  assert.equal(st.reason, ONE_BLOCK_REASON);
  const s = statusSummary(d, 'anthropic', 'HEAD (abc1234)');
  assert.equal(s.text, '$(database) 0% cached · 99.8% at token level');
  assert.match(s.tooltip, /Anthropic caches at block boundaries: this file is one block, so any edit misses; split the part that changes into its own block after a breakpoint\\\./);
  // The stand-in tokenizer note once, not twice.
  assert.equal(s.tooltip.split("Claude's tokenizer is not public").length - 1, 1);
});

test('the same append under OpenAI and SGLang: cached in steps / at token level, no block sentence', () => {
  const d = audit(AGENT, `${AGENT}\nAlways cite the plan id.`, 'openai');
  const o = statusSummary(d, 'openai', 'HEAD');
  assert.match(o.text, /^\$\(database\) 98% cached/);
  assert.doesNotMatch(o.tooltip, /block boundaries/);
  const g = statusSummary(audit(AGENT, `${AGENT}\nAlways cite the plan id.`, 'sglang'), 'sglang', 'HEAD');
  assert.equal(g.text, '$(database) 99.8% cached');
  assert.doesNotMatch(g.tooltip, /block boundaries/);
});

test('unchanged: "unchanged" under every provider, with the reason when the provider would still not serve it', () => {
  for (const p of ['anthropic', 'openai', 'sglang', 'gemini'] as const) {
    assert.equal(cacheState(audit(AGENT, AGENT, p), p).headline, 'unchanged', p);
  }
  const short = 'You are a support agent. Be brief.\n';
  const st = cacheState(audit(short, short, 'anthropic'), 'anthropic');
  assert.equal(st.headline, 'unchanged · 0% cached');
  assert.match(st.reason!, /^Anthropic caches nothing below 1,024 tokens, and this prompt is \d+\.$/);
  assert.equal(workspaceRowView('a.md', audit(short, short, 'anthropic'), 'anthropic').state, 'unchanged · 0% cached');
  assert.equal(workspaceRowView('b.md', audit(AGENT, AGENT, 'anthropic'), 'anthropic').state, 'unchanged');
});

test('a template with a per-request value early: the headline says why it is not cached (as the heatmap marks it)', () => {
  const t = `Hello {{ user_name }}, you are a helpful agent.\n${'Static text line.\n'.repeat(400)}`;
  const d = audit(t, t, 'anthropic', 'system.j2');
  const st = cacheState(d, 'anthropic');
  assert.equal(st.headline, 'unchanged · 0% cached');
  assert.match(st.reason!, /^The template outputs per-request values from token \d+/);
  const v = summaryView({ diff: d, baselineLabel: 'HEAD', findingsFresh: true }, 'anthropic');
  assert.equal(v.headline, st.headline);
  assert.equal(v.cachedTokens, 0, 'the heatmap marks tokens from cachedTokens on as not served');
});

test('a new file and a front-matter-only change', () => {
  const n = cacheState(audit('', AGENT, 'openai'), 'openai');
  assert.equal(n.headline, 'new file');
  assert.match(n.reason!, /every token is new/);
  // A picker-only key (description): no effect. (A `mode`/`tools`/`model` change is a full miss: see core-formats.)
  const fm = '---\ndescription: Draft a reply\n---\n';
  const f = statusSummary(audit(`${fm}${AGENT}`, `---\ndescription: Draft a refund reply\n---\n${AGENT}`, 'sglang', 'x.prompt.md'), 'sglang', 'HEAD');
  assert.equal(f.text, '$(database) unchanged');
  assert.match(f.tooltip, /no effect on the cache/);
});

test('one vocabulary: status bar, panel headline, notification and workspace row say the same state', () => {
  const d = audit(AGENT, `${AGENT}\nAlways cite the plan id.`, 'anthropic');
  const st = cacheState(d, 'anthropic');
  const v = summaryView({ diff: d, baselineLabel: 'HEAD', findingsFresh: true }, 'anthropic');
  assert.equal(v.headline, st.headline);
  assert.equal(v.tokenLevel, st.tokenLevel);
  assert.equal(v.reason, st.reason);
  assert.equal(v.notes.filter((n) => /tokenizer is not public/.test(n)).length, 1);
  const note = auditNotification('AGENTS.md', d, 'anthropic', 'HEAD');
  assert.match(note, /^AGENTS\.md: 0% cached \(99\.8% at token level\) under Anthropic · claude-sonnet-4-5 vs\. HEAD/);
  assert.match(note, /block boundaries/);
  assert.equal(workspaceRowView('AGENTS.md', d, 'anthropic').state, '0% cached · 99.8% at token level');
});

test('hover at the first divergent token: tokens, rule and cost, and not the diagnostic message again', () => {
  const d = audit(AGENT, AGENT.replace('Rule 200:', 'Rule two hundred:'), 'openai');
  const h = divergenceHover(d, 'openai');
  assert.match(h, /reusable prefix/);
  assert.match(h, /OpenAI rule: ≥ 1024 tokens.*128\\-token steps/);
  assert.match(h, /This edit, once/);
  assert.doesNotMatch(h, /This edit recomputes/, 'the diagnostic message is VS Code\'s part of the hover');
});

test('the large-model dialog suggests only smaller presets', () => {
  const presets = ['tiny', 'smollm2-135m', 'smollm2-360m', 'qwen2.5-0.5b'];
  assert.match(largeModelDetail('smollm2-360m', presets), /A smaller preset \(promptCache\.decoder\.preset: smollm2-135m\) needs less\./);
  assert.match(largeModelDetail('qwen2.5-0.5b', presets), /smollm2-135m or smollm2-360m/);
  assert.doesNotMatch(largeModelDetail('smollm2-135m', presets), /A smaller preset/, 'the smallest real preset suggests no smaller one (tiny is a test shape)');
  assert.doesNotMatch(largeModelDetail(undefined, presets), /A smaller preset/);
});

test('decoder progress is one monotonic percentage across phases', () => {
  const t = new ProgressTracker();
  const seq = [
    { phase: 'loading' }, { phase: 'warmup', done: 1, total: 2 }, { phase: 'cold', run: 1, runs: 3, done: 3, total: 4 }, { phase: 'cold', run: 2, runs: 3, done: 2, total: 4 },
    { phase: 'cold', run: 3, runs: 3, done: 4, total: 4 }, { phase: 'prefix', done: 1, total: 2 }, { phase: 'warm', run: 1, runs: 3, done: 1, total: 1 }, { phase: 'warm', run: 3, runs: 3, done: 1, total: 1 },
  ];
  let last = -1;
  for (const p of seq) {
    const u = t.update(p);
    assert.ok(u.percent >= last, `${JSON.stringify(p)}: ${u.percent} after ${last}`);
    assert.ok(u.increment >= 0);
    last = u.percent;
  }
  assert.equal(Math.round(last), 100);
});

test('the watched file kinds, in words, include the agent files', () => {
  const d = describeWatchedKinds(DEFAULT_INCLUDE);
  for (const k of ['CLAUDE.md', 'AGENTS.md', 'GitHub Copilot instructions', 'VS Code prompt files', 'Templates']) assert.ok(d.includes(k), `"${k}" missing from: ${d}`);
  assert.equal(describeWatchedKinds(['**/CLAUDE.md', '**/CLAUDE.local.md', 'system-prompt.md']), 'CLAUDE.md and system-prompt.md');
  assert.equal(describeWatchedKinds([]), 'no files (promptCache.include is empty)');
});
