// Provider cache rules: each rule's quantisation, minimums, breakpoints, prices, data hygiene.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffVersions } from '../../src/core/audit';
import { CACHE_RULES, PROVIDER_IDS, cachedTokensFor, encodingFor, estimateProvider, minimumFor, providerForModel } from '../../src/core/providers';

const cached = (id: keyof typeof CACHE_RULES, P: number, N: number, extra: object = {}) =>
  cachedTokensFor(CACHE_RULES[id], { reusablePrefixTokens: P, newTokens: N, oldTokens: N, ...extra }).cached;

describe('provider rules', () => {
  it('every rule is dated 2026-11 and sourced', () => {
    for (const id of PROVIDER_IDS) {
      const r = CACHE_RULES[id];
      assert.equal(r.checked, '2026-11');
      assert.ok(r.source.length > 0 && r.source.every((s) => /^https:\/\//.test(s)));
      assert.equal(r.id, id);
    }
  });

  it('openai: nothing below 1024, then 128-token steps', () => {
    assert.equal(cached('openai', 1023, 5000), 0);
    assert.equal(cached('openai', 1024, 5000), 1024);
    assert.equal(cached('openai', 1151, 5000), 1024);
    assert.equal(cached('openai', 1152, 5000), 1152);
    assert.equal(cached('openai', 2000, 2000), 1920);
  });

  it('anthropic: per-model minimums from a table', () => {
    assert.equal(minimumFor(CACHE_RULES.anthropic, 'claude-opus-4-5-20251101').tokens, 4096);
    assert.equal(minimumFor(CACHE_RULES.anthropic, 'claude-haiku-4.5').tokens, 4096);
    assert.equal(minimumFor(CACHE_RULES.anthropic, 'claude-sonnet-4-6').tokens, 2048);
    assert.equal(minimumFor(CACHE_RULES.anthropic, 'claude-3-5-haiku-latest').tokens, 2048);
    assert.equal(minimumFor(CACHE_RULES.anthropic, 'claude-sonnet-4-5').tokens, 1024);
    assert.equal(minimumFor(CACHE_RULES.anthropic).tokens, 1024);
  });

  it('anthropic: reads the previous entry at a breakpoint inside the common prefix, above the minimum', () => {
    const bp = { old: [1500, 3000], new: [1500, 3200] };
    assert.equal(cached('anthropic', 2000, 3200, { breakpoints: bp }), 1500);
    assert.equal(cached('anthropic', 3000, 3200, { breakpoints: bp }), 3000);
    assert.equal(cached('anthropic', 1400, 3200, { breakpoints: bp }), 0);
    assert.equal(cached('anthropic', 3000, 3200, { breakpoints: { old: [800], new: [800] } }), 0, 'below 1024: nothing');
    assert.equal(cached('anthropic', 3000, 3200, { breakpoints: { old: [], new: [] } }), 0, 'no breakpoint: nothing');
  });

  it('anthropic: an entry more than 20 blocks before every new breakpoint is not found', () => {
    const blocks = Array.from({ length: 30 }, (_, i) => 1100 + i * 50); // 30 blocks after the entry at 1100
    const near = cached('anthropic', 2000, 3000, { breakpoints: { old: [1100], new: [1100 + 20 * 50] }, blocks });
    const far = cached('anthropic', 2000, 3000, { breakpoints: { old: [1100], new: [1100 + 25 * 50] }, blocks });
    assert.equal(near, 1100);
    assert.equal(far, 0);
  });

  it('gemini: per-model minimum, token prefix', () => {
    assert.equal(cached('gemini', 2047, 3000), 0);
    assert.equal(cached('gemini', 2100, 3000), 2100);
    assert.equal(cachedTokensFor(CACHE_RULES.gemini, { reusablePrefixTokens: 3000, newTokens: 5000, oldTokens: 5000, model: 'gemini-2.5-pro' }).cached, 0);
    assert.equal(minimumFor(CACHE_RULES.gemini, 'gemini-3-pro-preview').tokens, 4096);
  });

  it('deepseek: 64-token units, nothing under 64', () => {
    assert.equal(cached('deepseek', 63, 500), 0);
    assert.equal(cached('deepseek', 130, 500), 128);
  });

  it('vllm: full 16-token blocks, partial block and last token not cached', () => {
    assert.equal(cached('vllm', 47, 100), 32);
    assert.equal(cached('vllm', 48, 100), 48);
    assert.equal(cached('vllm', 64, 64), 48, 'an identical 64-token prompt still recomputes its last block');
  });

  it('sglang and llama.cpp: token granularity, last token recomputed', () => {
    assert.equal(cached('sglang', 37, 100), 37);
    assert.equal(cached('llamacpp', 100, 100), 99);
  });

  it('hit ratio and cost per 1,000 requests with a configurable price', () => {
    const e = estimateProvider('openai', { reusablePrefixTokens: 1100, newTokens: 2000, oldTokens: 2000, pricePerMTok: 2 });
    assert.equal(e.cachedTokens, 1024);
    assert.equal(e.hitRatio, 1024 / 2000);
    // with change: 1024 × 0.1 + 976 full; fully cached: 1920 × 0.1 + 80 full — per 1k requests at $2/MTok.
    assert.equal(e.costPer1kRequests!.withChange, ((1024 * 0.1 + 976) * 2 * 1000) / 1e6);
    assert.equal(e.costPer1kRequests!.ifFullyCached, ((1920 * 0.1 + 80) * 2 * 1000) / 1e6);
    assert.ok(e.costPer1kRequests!.extra > 0);
    assert.equal(e.costPer1kRequests!.pricePerMTok, 2);
    // Self-hosted engines have no default price.
    assert.equal(estimateProvider('vllm', { reusablePrefixTokens: 10, newTokens: 20, oldTokens: 20 }).costPer1kRequests, undefined);
  });

  it('anthropic cost includes the 1.25× write premium for what is re-written', () => {
    const e = estimateProvider('anthropic', { reusablePrefixTokens: 0, newTokens: 2000, oldTokens: 2000, pricePerMTok: 1, breakpoints: { old: [2000], new: [2000] } });
    assert.equal(e.cachedTokens, 0);
    assert.equal(e.costPer1kRequests!.withChange, (2000 * 1.25 * 1000) / 1e6);
    assert.equal(e.costPer1kRequests!.ifFullyCached, (2000 * 0.1 * 1000) / 1e6);
  });

  it('stand-in encodings are stated for Claude and Gemini; model names map to providers/encodings', () => {
    assert.match(encodingFor('anthropic', 'claude-sonnet-4-5').note!, /not public/);
    assert.match(encodingFor('gemini', undefined).note!, /stand-in/);
    assert.equal(encodingFor('openai', 'gpt-4-turbo').encoding, 'cl100k_base');
    assert.equal(encodingFor('openai', 'gpt-4-turbo').note, undefined);
    assert.equal(providerForModel('claude-opus-4-5'), 'anthropic');
    assert.equal(providerForModel('gpt-5-mini'), 'openai');
    const r = diffVersions('a b c', 'a b d', { fileName: 'x.txt', provider: 'anthropic' });
    assert.match(r.encodingNote!, /Claude/);
    assert.match(r.providers[0].tokenizerNote!, /stand-in/);
  });

  it('anthropic on a request body: moving the breakpoint to the newest turn still reads the old entry', () => {
    const dir = join(__dirname, '../../examples/support-agent/history/request.json');
    const r = diffVersions(readFileSync(join(dir, 'v1.json'), 'utf8'), readFileSync(join(dir, 'v2.json'), 'utf8'), { fileName: 'request.json', provider: 'anthropic' });
    assert.equal(r.format, 'json-anthropic');
    assert.equal(r.divergence!.segment, 'messages[0].content');
    assert.equal(r.providers[0].cachedTokens, r.reusablePrefixTokens, 'the whole old request was a cache entry (its last breakpoint)');
    const moved = diffVersions(readFileSync(join(dir, 'v2.json'), 'utf8'), readFileSync(join(dir, 'v3.json'), 'utf8'), { fileName: 'request.json', provider: 'anthropic' });
    assert.equal(moved.providers[0].cachedTokens, 0, 'tools reordered: nothing reused');
  });

  it('diffVersions: --model picks the encoding and the per-model minimum', () => {
    const r = diffVersions('x', 'y', { fileName: 'x.txt', model: 'gpt-3.5-turbo' });
    assert.equal(r.encoding, 'cl100k_base');
    const a = diffVersions('x', 'y', { fileName: 'x.txt', provider: 'anthropic', model: 'claude-opus-4-5' });
    assert.equal(a.providers.length, 1);
    assert.match(a.providers[0].rule, /4096/);
    assert.equal(a.providers[0].model, 'claude-opus-4-5');
  });
});
