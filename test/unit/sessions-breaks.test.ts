// Breaks and their causes, the best earlier call, the divergence against the core's own audit, the compaction
// what-if arithmetic, and the composed conversation rendering against json.ts.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { auditVersions } from '../../src/core/audit';
import { extractPrompt } from '../../src/core/formats';
import { analyzeSession, auditSessionFile, readSessionFile, requestDiff } from '../../src/core/sessions';
import { appendPieces } from '../../src/core/sessions/conversation';
import { MessagesLayout } from '../../src/core/sessions/render';
import { callCostUsd } from '../../src/core/sessions/rules';
import type { ImportedSession, ReportedUsage } from '../../src/core/sessions/types';
import { ClaudeSessionBuilder } from './fixtures/sessions/claude';
import { harCapture, tmpDir, write } from './fixtures/sessions/formats';

const dir = tmpDir();
const words = (n: number, seed = 'alpha') => Array.from({ length: n }, (_, i) => `${seed}${i % 97}`).join(' ');
const u = (input: number, read: number, write: number, output = 10, write1h = 0) => ({ input, read, write, output, write1h });

test('TTL: a gap beyond 5 min breaks a 5-minute entry, not a 1-hour one; the TTL is named', async () => {
  const b = new ClaudeSessionBuilder('ttl');
  b.user('a').assistant([{ type: 'text', text: 'x' }], u(3, 20000, 5000))
    .wait(600).user('b').assistant([{ type: 'text', text: 'y' }], u(3, 20000, 5100))
    .user('c').assistant([{ type: 'text', text: 'z' }], u(3, 25100, 300, 10, 300))
    .wait(1800).user('d').assistant([{ type: 'text', text: 'w' }], u(3, 25400, 200, 10, 200))
    .wait(4000).user('e').assistant([{ type: 'text', text: 'v' }], u(3, 20000, 5800, 10, 5800));
  const a = await auditSessionFile(write(dir, 'ttl.jsonl', b.text()));
  assert.deepEqual(a.calls.map((c) => c.break?.cause ?? null), [null, 'ttl', null, null, 'ttl']);
  assert.equal(a.calls[1].break!.ttl, '5m');
  assert.equal(a.calls[1].break!.lostTokens, 5000);
  assert.ok(a.calls[1].break!.gapSeconds! > 600);
  assert.equal(a.calls[4].break!.ttl, '1h');
  assert.equal(a.calls[4].break!.lostTokens, 25600 - 20000);
  assert.equal(a.totals.byCause.ttl?.breaks, 2);
});

test('model switch: a new model starts cold; switching back finds the old entry', async () => {
  const b = new ClaudeSessionBuilder('model');
  b.user('a').assistant([{ type: 'text', text: 'x' }], u(3, 30000, 2000))
    .user('b').assistant([{ type: 'text', text: 'y' }], u(3, 0, 32100), 'claude-sonnet-4-5')
    .user('c').assistant([{ type: 'text', text: 'z' }], u(3, 32100, 200), 'claude-sonnet-4-5');
  const a = await auditSessionFile(write(dir, 'model.jsonl', b.text()));
  assert.equal(a.calls[1].break?.cause, 'model');
  assert.equal(a.calls[1].break?.lostTokens, 32000);
  assert.match(a.calls[1].break!.explanation, /claude-opus-4-6 to claude-sonnet-4-5/);
  assert.equal(a.calls[2].break, null);
});

test('below the threshold (cache minimum or 1% of the entry) a shortfall is not a break', async () => {
  const b = new ClaudeSessionBuilder('small');
  b.user('a').assistant([{ type: 'text', text: 'x' }], u(3, 50000, 2000)).user('b').assistant([{ type: 'text', text: 'y' }], u(3, 51500, 900));
  const a = await auditSessionFile(write(dir, 'small.jsonl', b.text()));
  assert.equal(a.calls[1].break, null);
});

function chat(system: string, tools: unknown[], messages: { role: string; content: string }[]) {
  return { model: 'gpt-4o', tools, messages: [{ role: 'system', content: system }, ...messages] };
}
const tool = (name: string, description: string) => ({ type: 'function', function: { name, description, parameters: { type: 'object', properties: { q: { type: 'string', description: 'query' } }, required: ['q'] } } });
const usage = (prompt: number, cached: number) => JSON.stringify({ usage: { prompt_tokens: prompt, completion_tokens: 5, prompt_tokens_details: { cached_tokens: cached } } });

test('full requests: best earlier call (a side request does not hide the main line), divergence segment equals the core audit, tools cause', async () => {
  const system = words(1500, 'sys');
  const tools = [tool('search', 'Search the web'), tool('read', 'Read a file')];
  const h1 = [{ role: 'user', content: words(300, 'q') }];
  const h2 = [...h1, { role: 'assistant', content: 'first answer' }, { role: 'user', content: 'second question' }];
  const h3 = [...h2, { role: 'assistant', content: 'second answer' }, { role: 'user', content: 'third question' }];
  const reqs = [
    chat(system, tools, h1),
    chat(system, tools, [{ role: 'user', content: 'Write a title for this conversation' }]), // side request: forks after the system prompt
    chat(system, tools, h2), // main line resumes
    chat(system, [tool('search', 'Search the web'), tool('read', 'Read one file')], h3), // a tool description edited
  ];
  const har = harCapture([
    { url: 'https://api.openai.com/v1/chat/completions', body: reqs[0], response: usage(3000, 0) },
    { url: 'https://api.openai.com/v1/chat/completions', body: reqs[1], response: usage(2700, 2560) },
    { url: 'https://api.openai.com/v1/chat/completions', body: reqs[2], response: usage(3020, 2944) },
    { url: 'https://api.openai.com/v1/chat/completions', body: reqs[3], response: usage(3040, 0) },
  ]);
  const f = write(dir, 'agent.har', har);
  const a = await auditSessionFile(f);
  const p = a.calls.map((c) => c.predicted!);
  assert.equal(p[1].againstCall, 0);
  assert.equal(p[2].againstCall, 0, 'the main line is compared with its own previous call, not the side request');
  assert.equal(a.calls[1].break, null, 'a side request is not a break');
  assert.equal(a.calls[2].break, null);
  assert.equal(a.calls[3].break?.cause, 'tools');
  assert.equal(a.calls[3].break?.segment, 'tools[1].function.description');
  // The divergence is the core's own: the same token and segment auditVersions finds for the two bodies.
  const core = auditVersions(JSON.stringify(reqs[2]), JSON.stringify(reqs[3]), { fileName: 'request.json', lint: false });
  assert.equal(p[3].firstDivergentToken, core.result.firstDivergentToken);
  assert.equal(core.result.divergence?.segment, a.calls[3].break?.segment);
  const core2 = auditVersions(JSON.stringify(reqs[0]), JSON.stringify(reqs[2]), { fileName: 'request.json', lint: false });
  assert.equal(p[2].firstDivergentToken, core2.result.firstDivergentToken);
  assert.equal(p[2].segment, core2.result.divergence?.segment ?? null);
  // Predicted cache: the OpenAI rule on the shared prefix (1024 + 128-token steps) — below the prefix, in its step.
  assert.ok(p[2].cachedTokens > 1024 && p[2].cachedTokens <= p[2].promptTokens && (p[2].cachedTokens - 1024) % 128 === 0);
  assert.ok(a.totals.agreement);
  // Request diff on demand, through the version-source seam.
  const session = await readSessionFile(f);
  const d = requestDiff(session, a, 3);
  assert.equal(d?.result.firstDivergentToken, p[3].firstDivergentToken);
});

test('unexplained: the text extends the earlier request, the gap is short, yet the provider read nothing', async () => {
  const system = words(2000, 'sys');
  const h1 = [{ role: 'user', content: 'q1' }];
  const h2 = [...h1, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'q2' }];
  const har = harCapture([
    { url: 'https://api.openai.com/v1/chat/completions', body: chat(system, [], h1), response: usage(2100, 0) },
    { url: 'https://api.openai.com/v1/chat/completions', body: chat(system, [], h2), response: usage(2110, 0) },
  ]);
  const a = await auditSessionFile(write(dir, 'unexplained.har', har));
  assert.equal(a.calls[1].break?.cause, 'unexplained');
  assert.match(a.calls[1].break!.explanation, /extends call 0 unchanged/);
  assert.equal(a.calls[1].predicted!.vsReported!.cachedTokens, a.calls[1].predicted!.cachedTokens);
});

test('the composed conversation rendering equals json.ts rendering of the same body', () => {
  let tail = appendPieces(null, 'user', [{ type: 'text', text: 'hello "quoted"\n' }]);
  tail = appendPieces(tail, 'assistant', [{ type: 'thinking', thinking: 'hm', signature: 'x' }, { type: 'tool_use', id: 't', name: 'Bash', input: { command: 'ls', cache_control: { type: 'ephemeral' } } }]);
  tail = appendPieces(tail, 'user', [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'out' }] }, { type: 'text', text: 'next' }]);
  const layout = new MessagesLayout();
  const body = MessagesLayout.body(tail, { anthropic_version: '' });
  const rendered = extractPrompt(JSON.stringify(body), 'request.json');
  assert.equal(layout.text(tail), rendered.text);
});

test('compaction what-if: written again vs saved, break-even call, strategy', () => {
  const calls: ImportedSession['calls'] = [];
  const mk = (_i: number, read: number, write: number, input = 3): ReportedUsage => ({ inputTokens: input, cacheReadTokens: read, cacheWriteTokens: write, outputTokens: 100, promptTokens: input + read + write, cacheWrite5mTokens: write, cacheWrite1hTokens: 0 });
  const t = (s: number) => new Date(Date.parse('2026-10-01T10:00:00Z') + s * 1000).toISOString();
  calls.push({ id: 'c0', timestamp: t(0), model: 'claude-opus-4-6', provider: 'anthropic', usage: mk(0, 10000, 140000) });
  calls.push({ id: 'c1', timestamp: t(10), model: 'claude-opus-4-6', provider: 'anthropic', usage: mk(1, 150000, 1000) });
  calls.push({ id: 'c2', timestamp: t(20), model: 'claude-opus-4-6', provider: 'anthropic', usage: mk(2, 10000, 20000), compaction: { trigger: 'auto', preTokens: 151000, line: 9 } });
  for (let k = 3; k < 8; k++) calls.push({ id: `c${k}`, timestamp: t(20 + k * 10), model: 'claude-opus-4-6', provider: 'anthropic', usage: mk(k, 30000 + (k - 3) * 500, 500) });
  const a = analyzeSession({ file: 'x.jsonl', source: 'claude-code', calls, problems: [], provider: 'anthropic' });
  assert.equal(a.calls[2].break?.cause, 'compaction');
  assert.equal(a.calls[2].break?.lostTokens, 151000 - 10000);
  const w = a.totals.compactions[0];
  assert.equal(w.callIndex, 2);
  assert.equal(w.writtenAgainTokens, 20003);
  const delta = 151000 - 30003;
  assert.equal(w.savedTokens, delta * 5);
  // By hand: extra at the compaction call = actual − (reading the 151,000-token history); each later call saves Δ reads.
  const cost = (r: ReportedUsage) => callCostUsd('anthropic', 'claude-opus-4-6', r, t(0))!;
  let net = cost({ ...mk(0, 151000, 0, 0) }) - cost(calls[2].usage!);
  let breakEven: number | null = net >= 0 ? 2 : null;
  for (let k = 3; k < 8; k++) {
    const uk = calls[k].usage!;
    net += cost({ ...uk, cacheReadTokens: uk.cacheReadTokens + delta, promptTokens: uk.promptTokens + delta }) - cost(uk);
    if (breakEven === null && net >= 0) breakEven = k;
  }
  assert.equal(w.breakEvenCall, breakEven);
  assert.ok(Math.abs((w.netUsd ?? 0) - net) < 1e-9);
  assert.ok(breakEven !== null && breakEven > 2);
  assert.equal(a.totals.strategy.favours, 'unknown', 'no history in this log: cannot tell what masking would keep');
});

test('cost: paid, cost of the breaks and cost without them add up; unknown models are named', async () => {
  const b = new ClaudeSessionBuilder('cost');
  b.user('a').assistant([{ type: 'text', text: 'x' }], u(3, 20000, 5000)).wait(900).user('b').assistant([{ type: 'text', text: 'y' }], u(3, 0, 25100))
    .user('c').assistant([{ type: 'text', text: 'z' }], u(3, 0, 2000), 'some-private-model');
  const a = await auditSessionFile(write(dir, 'cost.jsonl', b.text()));
  const c = a.totals.cost;
  assert.ok(c.paidUsd! > 0 && c.breaksUsd! > 0);
  assert.ok(Math.abs(c.paidUsd! - c.breaksUsd! - c.withoutBreaksUsd!) < 1e-12);
  assert.deepEqual(c.unpricedModels, ['some-private-model']);
  // The break's cost: the lost tokens paid at the write price instead of the read price (Opus 4.6: $6.25 vs $0.50 per MTok).
  assert.ok(Math.abs(a.calls[1].break!.costUsd! - (25000 * (6.25 - 0.5)) / 1e6) < 1e-9);
});
