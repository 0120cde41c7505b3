// Provider cache rules as data: the schema, per-field sources, one case per provider, the documented cases of
// issue 11 (DeepSeek A+B then A+C, Anthropic block boundaries and lookback runs, GPT-5.6 breakpoints and write cost,
// OpenAI 128-token steps, Gemini per-model minimums), per-model prices, and a rules file that adds a provider.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { diffVersions } from '../../src/core/audit';
import { PROVIDER_IDS } from '../../src/core/ids';
import {
  activeProviders,
  builtInRules,
  cachedTokensFor,
  encodingFor,
  lookbackPositions,
  minimumFor,
  providerForModel,
  providerIds,
  ruleFor,
  RulesFileError,
  useRulesDocument,
  useRulesFile,
  type EstimateInput,
} from '../../src/core/providers';
import { schemaValidators } from '../../src/core/providers/data';
import { estimateProvider } from '../../src/core/providers/estimate';
import { PRICE_PACKAGE } from '../../src/core/providers/prices';

const ROOT = join(__dirname, '../..');
const input = (P: number, N: number, extra: Partial<EstimateInput> = {}): EstimateInput => ({ reusablePrefixTokens: P, newTokens: N, oldTokens: N, ...extra });
const cached = (provider: string, model: string | undefined, i: EstimateInput) => cachedTokensFor(ruleFor(provider, model), i).cached;

afterEach(() => useRulesFile(undefined));

describe('provider rules data', () => {
  it('rules.json follows rules.schema.json (ajv)', () => {
    const { document } = schemaValidators();
    assert.ok(document(builtInRules()), JSON.stringify(document.errors?.slice(0, 3)));
  });

  it('one home for the ids: rules.json, PROVIDER_IDS and the package.json enum agree', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const ids = builtInRules().providers.map((p) => p.id);
    assert.deepEqual([...ids].sort(), [...PROVIDER_IDS].sort());
    assert.deepEqual([...pkg.contributes.configuration.properties['promptCache.provider'].enum].sort(), [...PROVIDER_IDS].sort());
    assert.equal(pkg.contributes.configuration.properties['promptCache.provider'].enumDescriptions.length, PROVIDER_IDS.length);
  });

  it('every field of every provider and model row has an https source and an ISO date; unverified fields say why', () => {
    for (const p of builtInRules().providers) {
      for (const row of [p, ...(p.models ?? [])]) {
        for (const [k, v] of Object.entries(row)) {
          if (!v || typeof v !== 'object' || !('value' in v)) continue;
          const f = v as { source: string; checked: string; unverified?: boolean; note?: string };
          assert.match(f.source, /^https:\/\//, `${p.id} ${k}`);
          assert.match(f.checked, /^\d{4}-\d{2}-\d{2}$/, `${p.id} ${k}`);
          if (f.unverified) assert.ok(f.note && f.note.length > 10, `${p.id} ${k}: an unverified field needs a note`);
        }
      }
    }
  });

  it('the price package is pinned exactly to the version the estimates name', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.dependencies[PRICE_PACKAGE.name], PRICE_PACKAGE.version);
  });
});

describe('one case per provider', () => {
  const cases: Record<(typeof PROVIDER_IDS)[number], [string | undefined, EstimateInput, number]> = {
    anthropic: ['claude-sonnet-4-5', input(1500, 1500, { oldTokens: 1500, breakpoints: { old: [1500], new: [1500] } }), 1500],
    openai: ['gpt-5', input(1500, 2000), 1408],
    gemini: ['gemini-2.5-flash', input(2100, 3000), 2100],
    deepseek: ['deepseek-flash', input(3000, 3500, { oldTokens: 3000 }), 3000],
    vllm: [undefined, input(100, 100), 96],
    sglang: [undefined, input(100, 100), 100],
    llamacpp: [undefined, input(100, 101), 100],
    bedrock: ['anthropic.claude-haiku-4-5', input(3000, 3000, { oldTokens: 3000, breakpoints: { old: [3000], new: [3000] } }), 0],
    'azure-openai': ['gpt-4o', input(1300, 2000), 1280],
    xai: ['grok-4', input(700, 900), 700],
    mistral: ['mistral-large-latest', input(500, 900), 500],
    fireworks: [undefined, input(500, 900), 500],
    together: [undefined, input(500, 900), 500],
    groq: [undefined, input(500, 900), 500],
    openrouter: ['openai/gpt-4o', input(1300, 2000), 1280],
    moonshot: ['kimi-k3', input(500, 900), 500],
    dashscope: ['qwen3-max', input(1500, 1500, { oldTokens: 1500, breakpoints: { old: [1500], new: [1500] } }), 1500],
  };
  for (const id of PROVIDER_IDS) {
    it(`${id}: ${ruleFor(id).unit.value.kind} unit`, () => {
      const [model, i, want] = cases[id];
      assert.equal(cached(id, model, i), want);
    });
  }
});

describe('documented cases (issue 11)', () => {
  it('OpenAI before GPT-5.6: nothing below 1,024, then 128-token steps', () => {
    assert.equal(cached('openai', 'gpt-4.1', input(1023, 3000)), 0);
    assert.equal(cached('openai', 'gpt-4.1', input(1024, 3000)), 1024);
    assert.equal(cached('openai', 'gpt-4.1', input(1151, 3000)), 1024);
    assert.equal(cached('openai', 'gpt-4.1', input(1152, 3000)), 1152);
  });

  it('OpenAI GPT-5.6: exact breakpoints (not rounded), writes billed at 1.25× (30m) and 2.5× (12h)', () => {
    const i = input(1500, 2000, { oldTokens: 1500, breakpoints: { old: [1500], new: [2000] }, pricePerMTok: 4 });
    const r = cachedTokensFor(ruleFor('openai', 'gpt-5.6-sol'), i);
    assert.deepEqual({ cached: r.cached, written: r.written }, { cached: 1500, written: 500 });
    const e30 = estimateProvider('openai', { ...i, model: 'gpt-5.6-sol' });
    const e12 = estimateProvider('openai', { ...i, model: 'gpt-5.6-sol', ttl: '12h' });
    assert.equal(e30.unit, 'breakpoint');
    assert.equal(e30.cacheWriteTokens, 500);
    // 1,000 requests: 1,500 read at 0.1× + 500 written at 1.25× (2.5× for 12 h), USD at $4/MTok.
    assert.equal(e30.costPer1kRequests!.withChange, (1500 * 0.4 + 500 * 5) * 1000 / 1e6);
    assert.equal(e12.costPer1kRequests!.withChange, (1500 * 0.4 + 500 * 10) * 1000 / 1e6);
    assert.equal(e12.costPer1kRequests!.ttl, '12h');
    // Pre-5.6 the same prefix rounds down to a 128-token step and writes are free.
    assert.equal(cached('openai', 'gpt-5', i), 1408);
  });

  it('Anthropic: an append inside the one block misses; a new block after the breakpoint hits', () => {
    const appendInside = input(1200, 1300, { oldTokens: 1200, breakpoints: { old: [1200], new: [1300] } });
    const e = estimateProvider('anthropic', { ...appendInside, model: 'claude-sonnet-4-5' });
    assert.equal(e.cachedTokens, 0, 'the old entry does not end on a block boundary of the new request');
    assert.equal(e.singleBlock, true);
    assert.equal(e.tokenLevelReusable, 1200, 'what a token-granular provider would serve');
    const newBlock = input(1200, 1300, { oldTokens: 1200, breakpoints: { old: [1200], new: [1300] }, blocks: [1200, 1300] });
    assert.equal(cached('anthropic', 'claude-sonnet-4-5', newBlock), 1200);
  });

  it('Anthropic lookback: 20 positions counting the breakpoint, a run of tool_use / tool_result blocks is one', () => {
    // A system block (1,100 tokens, breakpoint there last time), then 30 tool blocks of 10 tokens each.
    const blocks = [1100, ...Array.from({ length: 30 }, (_, k) => 1110 + k * 10)];
    const runs = ['text', ...Array(15).fill('tool_use'), ...Array(15).fill('tool_result')];
    const alternating = ['text', ...Array.from({ length: 30 }, (_, k) => (k % 2 ? 'tool_result' : 'tool_use'))];
    assert.equal(lookbackPositions(blocks, runs, 1100, 1400, true), 3);
    assert.equal(lookbackPositions(blocks, alternating, 1100, 1400, true), 31);
    const base = input(1100, 1400, { oldTokens: 1100, breakpoints: { old: [1100], new: [1400] }, blocks });
    assert.equal(cached('anthropic', 'claude-sonnet-4-5', { ...base, blockKinds: runs }), 1100);
    assert.equal(cached('anthropic', 'claude-sonnet-4-5', { ...base, blockKinds: alternating }), 0, '31 positions: beyond the 20-position lookback');
    // DashScope's 20-block lookback counts every block.
    assert.equal(cached('dashscope', undefined, { ...base, blockKinds: runs }), 0);
  });

  it('Anthropic per-model minimums and read multipliers', () => {
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-4-5').tokens, 4096);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-haiku-4-5').tokens, 4096);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-4.8').tokens, 1024);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-4-7').tokens, 2048);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-5').tokens, 512);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-5-5').tokens, 512);
    assert.equal(ruleFor('anthropic', 'claude-opus-5-5').readMultiplier.value, 0.05);
    assert.equal(ruleFor('anthropic', 'claude-fable-5-1').readMultiplier.value, 0.025);
    assert.equal(ruleFor('anthropic', 'claude-sonnet-4-5').readMultiplier.value, 0.1);
    assert.deepEqual(ruleFor('anthropic').writeMultiplier.value, { '5m': 1.25, '1h': 2 });
  });

  it('Claude 4.7+: the o200k_base stand-in is named and the minimum is judged at ~1.3× tokens', () => {
    const m = minimumFor({ id: 'anthropic' }, 'claude-opus-4-7');
    assert.deepEqual({ standInFactor: m.standInFactor, standInTokens: m.standInTokens }, { standInFactor: 1.3, standInTokens: Math.ceil(2048 / 1.3) });
    const i = input(1700, 1700, { oldTokens: 1700, breakpoints: { old: [1700], new: [1700] } });
    assert.equal(cached('anthropic', 'claude-opus-4-7', i), 1700, '1,700 stand-in tokens ≈ 2,210 Claude tokens ≥ 2,048');
    const e = estimateProvider('anthropic', { ...i, model: 'claude-opus-4-7', encoding: 'o200k_base' });
    assert.match(e.tokenizerNote!, /30% more tokens/);
    assert.equal(e.tokenizerFactor, 1.3);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-sonnet-4-5').standInFactor, undefined);
  });

  it('Gemini: per-model minimums (2,048 for 2.5, 4,096 for 3.x), token prefix', () => {
    assert.equal(cached('gemini', 'gemini-2.5-flash', input(3000, 4000)), 3000);
    assert.equal(cached('gemini', 'gemini-2.5-pro', input(2047, 4000)), 0);
    assert.equal(cached('gemini', 'gemini-3.1-pro-preview', input(3000, 5000)), 0);
    assert.equal(cached('gemini', 'gemini-3.1-pro-preview', input(4096, 5000)), 4096);
    assert.equal(ruleFor('gemini', 'gemini-2.5-flash').readMultiplier.value, 0.1);
  });

  it('DeepSeek: A+B then A+C misses (no full persisted unit); A+B then A+B+C hits A+B', () => {
    const aPlusC = cachedTokensFor(ruleFor('deepseek', 'deepseek-flash'), input(2000, 2600, { oldTokens: 3000 }));
    assert.equal(aPlusC.cached, 0);
    assert.match(aPlusC.rule, /common prefix \(2000 tokens\) is persisted for the next request/);
    assert.equal(cached('deepseek', 'deepseek-flash', input(3000, 3600, { oldTokens: 3000 })), 3000);
    assert.equal(ruleFor('deepseek', 'deepseek-v4-pro').readMultiplier.value, 0.0333);
  });

  it('vLLM: full 16-token blocks, the last prompt token always recomputed', () => {
    assert.equal(cached('vllm', undefined, input(33, 100)), 32);
    assert.equal(cached('vllm', undefined, input(32, 32)), 16);
  });
});

describe('prices per model', () => {
  it('gpt-4.1 is priced as gpt-4.1, not gpt-5; the package, version and date are named', () => {
    const i = input(0, 2000, { oldTokens: 2000 });
    const e41 = estimateProvider('openai', { ...i, model: 'gpt-4.1' });
    const e5 = estimateProvider('openai', { ...i, model: 'gpt-5' });
    assert.equal(e41.costPer1kRequests!.pricePerMTok, 2);
    assert.equal(e5.costPer1kRequests!.pricePerMTok, 1.25);
    assert.match(e41.costPer1kRequests!.priceSource!, /@pydantic\/genai-prices 0\.1\.8 \(2026-09-23\): openai\/gpt-4\.1/);
    assert.equal(e41.costPer1kRequests!.cacheReadPerMTok, 0.5);
  });

  it('claude-haiku and claude-opus get their own prices; a user price overrides and cache prices follow the multipliers', () => {
    const i = input(0, 2000, { oldTokens: 2000, breakpoints: { old: [2000], new: [2000] } });
    assert.equal(estimateProvider('anthropic', { ...i, model: 'claude-haiku-4-5' }).costPer1kRequests!.pricePerMTok, 1);
    assert.equal(estimateProvider('anthropic', { ...i, model: 'claude-opus-4-7' }).costPer1kRequests!.pricePerMTok, 5);
    const user = estimateProvider('anthropic', { ...i, model: 'claude-opus-4-7', pricePerMTok: 10 }).costPer1kRequests!;
    assert.equal(user.pricePerMTok, 10);
    assert.equal(user.cacheReadPerMTok, 1);
    assert.equal(user.cacheWritePerMTok, 12.5);
    assert.match(user.priceSource!, /user price/);
  });

  it('diffVersions reports the model rule and price end to end', () => {
    const r = diffVersions('a b c', 'a b d', { fileName: 'x.txt', provider: 'openai', model: 'gpt-4.1' });
    assert.equal(r.providers.length, 1);
    assert.equal(r.providers[0].model, 'gpt-4.1');
    assert.equal(r.providers[0].costPer1kRequests!.pricePerMTok, 2);
  });
});

describe('encodings and model names', () => {
  it('stand-ins are named for Claude and Gemini; OpenAI models count exactly; names map to providers', () => {
    assert.match(encodingFor('anthropic', 'claude-sonnet-4-5').note!, /o200k_base as a stand-in/);
    assert.match(encodingFor('gemini', undefined).note!, /stand-in/);
    assert.deepEqual(encodingFor('openai', 'gpt-4o'), { encoding: 'o200k_base' });
    assert.equal(providerForModel('claude-opus-4-7'), 'anthropic');
    assert.equal(providerForModel('grok-4'), 'xai');
    assert.equal(providerForModel('qwen3-max'), 'dashscope');
    assert.equal(providerForModel('kimi-k3'), 'moonshot');
  });

  it('self-hosted engines and open-model APIs use the model\'s own tokenizer when --model names one', () => {
    assert.equal(encodingFor('vllm', 'Qwen/Qwen3-8B').encoding, 'qwen3');
    assert.equal(encodingFor('sglang', 'meta-llama/Llama-3.1-8B-Instruct').encoding, 'llama3');
    assert.equal(encodingFor('llamacpp', 'google/gemma-3-4b-it').encoding, 'gemma3');
    assert.equal(encodingFor('deepseek', 'deepseek-chat').encoding, 'deepseek-v3');
    assert.equal(encodingFor('dashscope', 'qwen3-max').encoding, 'qwen3');
    assert.equal(encodingFor('anthropic', 'claude-opus-4-7').encoding, 'o200k_base', 'Claude stays on the named stand-in');
  });
});

describe('rules files (recipe "add a provider rule", followed once)', () => {
  const file = (doc: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'pca-rules-'));
    const f = join(dir, 'rules.json');
    writeFileSync(f, JSON.stringify(doc));
    return f;
  };
  const S = <T>(value: T) => ({ value, source: 'https://example.com/acme/caching', checked: '2026-12-01' });

  it('a rules file adds a test-only provider: listed, estimated by its unit, no code change', () => {
    useRulesFile(
      file({
        providers: [
          {
            id: 'acme-test',
            name: 'Acme test cache',
            summary: '64-token steps from 256',
            minimumTokens: S(256),
            unit: S({ kind: 'step', stepTokens: 64 }),
            readMultiplier: S(0.2),
            writeMultiplier: S({ '10m': 1 }),
            ttl: S({ options: ['10m'], default: '10m' }),
            tokenizer: S({ kind: 'stand-in', encoding: 'o200k_base', note: 'Acme tokenizer not public.' }),
          },
        ],
      }),
    );
    assert.ok(providerIds().includes('acme-test'));
    assert.equal(cached('acme-test', undefined, input(400, 500)), 384);
    const e = estimateProvider('acme-test', { ...input(400, 500), pricePerMTok: 1 });
    assert.equal(e.costPer1kRequests!.withChange, (384 * 0.2 + 116) * 1000 / 1e6);
    const r = diffVersions('a b c', 'a b d', { fileName: 'x.txt', provider: 'acme-test' as never });
    assert.equal(r.providers[0].id, 'acme-test');
  });

  it('a rules file overrides a field and adds a model row tried before the built-in rows', () => {
    useRulesDocument({ providers: [{ id: 'anthropic', models: [{ match: 'opus-4-7', label: 'Opus 4.7 (measured)', minimumTokens: S(4096) }] }] });
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-4-7').tokens, 4096);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-4-8').tokens, 1024);
    useRulesDocument(undefined);
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-opus-4-7').tokens, 2048);
    assert.equal(activeProviders().length, PROVIDER_IDS.length);
  });

  it('validation errors name the file and the field; the rules in force stay as they were', () => {
    const bad = file({ providers: [{ id: 'anthropic', minimumTokens: { value: 'many', source: 'https://x', checked: '2026-12-01' } }] });
    assert.throws(() => useRulesFile(bad), (e: Error) => e instanceof RulesFileError && e.message.includes(bad) && /providers\[0\] \(anthropic\)\.minimumTokens\.value: must be integer/.test(e.message));
    assert.equal(minimumFor({ id: 'anthropic' }, 'claude-sonnet-4-5').tokens, 1024);
    const incomplete = file({ providers: [{ id: 'newco', name: 'New Co' }] });
    assert.throws(() => useRulesFile(incomplete), /providers\[0\] \(newco\): a new provider needs summary, minimumTokens/);
    const notJson = file('{');
    writeFileSync(notJson, '{ "providers": [');
    assert.throws(() => useRulesFile(notJson), /not valid JSON/);
    const badRegex = file({ providers: [{ id: 'openai', models: [{ match: '(', label: 'broken' }] }] });
    assert.throws(() => useRulesFile(badRegex), /models\[0\] \(broken\)\.match: not a regular expression/);
  });
});
