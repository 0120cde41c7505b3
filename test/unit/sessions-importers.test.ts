// Each importer on fixtures written in its format: calls, usage, markers, and content-based detection.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { auditSessionFile, readSessionFile } from '../../src/core/sessions';
import { ClaudeSessionBuilder } from './fixtures/sessions/claude';
import { codexRollout, harCapture, jsonl, otlp, sse, tmpDir, write } from './fixtures/sessions/formats';

const dir = tmpDir();
const long = (n: number) => 'lorem ipsum dolor sit amet '.repeat(n);

test('Claude Code: one call per message id + request id although usage repeats per content block; synthetic lines are not calls', async () => {
  const b = new ClaudeSessionBuilder();
  b.user('hello')
    .assistant([{ type: 'thinking', thinking: 'hm', signature: 's' }, { type: 'text', text: 'Hi' }, { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }], { input: 4, read: 12000, write: 900, output: 77 })
    .toolResult('t1', 'a\nb')
    .synthetic('No response requested.')
    .assistant([{ type: 'text', text: 'done' }], { input: 4, read: 12900, write: 40, output: 5 }, 'claude-opus-4-6', { diagnostics: { cache_miss_reason: { type: 'messages_changed', cache_missed_input_tokens: 0 } } });
  const f = write(dir, 'cc/sess-1.jsonl', b.text());
  const s = await readSessionFile(f);
  assert.equal(s.source, 'claude-code');
  assert.equal(s.calls.length, 2);
  assert.deepEqual(s.calls[0].usage, { inputTokens: 4, cacheReadTokens: 12000, cacheWriteTokens: 900, outputTokens: 77, promptTokens: 12904, cacheWrite5mTokens: 900, cacheWrite1hTokens: 0 });
  assert.equal(s.calls[0].line, 2);
  assert.equal(s.calls[1].missReason?.type, 'messages_changed');
  assert.equal(s.calls[0].model, 'claude-opus-4-6');
  // The second call's history holds the first call's three blocks, the tool result and the synthetic line.
  assert.equal(s.calls[1].conversation?.tail?.depth, 1 + 3 + 1 + 1);
  const a = await auditSessionFile(f);
  assert.equal(a.calls[1].missReason, 'messages_changed');
  assert.equal(a.calls[1].break, null, 'the history extends: no break');
});

test('Claude Code: subagent files link to their session; sidechain and agent id are kept', async () => {
  const main = new ClaudeSessionBuilder('sess-2');
  main.user('delegate this').assistant([{ type: 'tool_use', id: 'task1', name: 'Task', input: { prompt: 'look' } }], { input: 3, read: 10000, write: 500, output: 20 });
  const sub = new ClaudeSessionBuilder('sess-2', '2026-10-01T10:00:05.000Z', { isSidechain: true, agentId: 'a1b2' });
  sub.user('look').assistant([{ type: 'text', text: 'found' }], { input: 3, read: 4000, write: 1200, output: 30 }, 'claude-haiku-4-5');
  const mf = write(dir, 'proj/sess-2.jsonl', main.text());
  const sf = write(dir, 'proj/sess-2/subagents/agent-a1b2.jsonl', sub.text());
  const s = await readSessionFile(sf);
  assert.equal(s.parent, mf);
  assert.equal(s.agentId, 'a1b2');
  assert.equal(s.calls[0].sidechain, true);
  assert.equal(s.calls[0].agentId, 'a1b2');
  assert.equal((await readSessionFile(mf)).parent, null);
});

test('Claude Code: compaction marker, interrupted tool use and unknown line types', async () => {
  const b = new ClaudeSessionBuilder('sess-3');
  b.user('start')
    .assistant([{ type: 'tool_use', id: 't1', name: 'Edit', input: {} }], { input: 3, read: 20000, write: 3000, output: 10 })
    .toolResult('t1', "The user doesn't want to proceed with this tool use.")
    .user('[Request interrupted by user for tool use]')
    .user('do it differently')
    .assistant([{ type: 'text', text: 'ok' }], { input: 3, read: 15000, write: 8100, output: 10 })
    .raw({ type: 'brand-new-kind', uuid: 'x1', parentUuid: null, timestamp: '2026-10-01T10:00:20.000Z' })
    .compact(23100, 'Summary of what happened')
    .user('next')
    .assistant([{ type: 'text', text: 'k' }], { input: 3, read: 15000, write: 900, output: 10 });
  const f = write(dir, 'cc/sess-3.jsonl', b.text());
  const s = await readSessionFile(f);
  assert.equal(s.calls.length, 3);
  assert.ok(s.calls[1].interruption);
  assert.equal(s.calls[2].compaction?.preTokens, 23100);
  assert.equal(s.calls[2].conversation?.tail?.depth, 2, 'history restarts at the boundary: summary + new prompt');
  assert.ok(s.problems.some((p) => p.severity === 'info' && /unknown record type "brand-new-kind"/.test(p.message) && p.line === 7));
  const a = await auditSessionFile(f);
  assert.equal(a.calls[1].break?.cause, 'messages');
  assert.match(a.calls[1].break!.explanation, /interrupted turn at line 4/);
  assert.equal(a.calls[2].break?.cause, 'compaction');
});

test('Codex: token_count counted once although repeated; base instructions, model, compaction', async () => {
  const f = write(dir, 'codex/rollout-2026-10-02T09-00-00-abc.jsonl', jsonl(codexRollout()));
  const s = await readSessionFile(f);
  assert.equal(s.source, 'codex');
  assert.equal(s.calls.length, 4);
  assert.deepEqual(
    s.calls.map((c) => [c.usage?.promptTokens, c.usage?.cacheReadTokens, c.usage?.inputTokens]),
    [
      [6000, 0, 6000],
      [6400, 5888, 512],
      [6600, 0, 6600],
      [2500, 1024, 1476],
    ],
  );
  assert.equal(s.calls[0].model, 'gpt-5-codex');
  assert.equal(s.calls[0].conversation?.tail?.prev?.piece.label, 'instructions');
  assert.ok(s.calls[3].compaction);
  assert.ok(s.problems.some((p) => /future_event_kind/.test(p.message)));
  const a = await auditSessionFile(f);
  assert.equal(a.calls[2].break?.cause, 'ttl', 'idle 700 s > OpenAI 5–10 min');
  assert.equal(a.calls[3].break?.cause, 'compaction');
  assert.ok(a.calls[1].predicted?.partial);
});

test('HAR: OpenAI chat JSON, Anthropic SSE (usage in message_start), Responses SSE, Gemini stream, base64, non-LLM entries', async () => {
  const chat = { model: 'gpt-4o', messages: [{ role: 'system', content: long(300) }, { role: 'user', content: 'q1' }] };
  const anth = { model: 'claude-sonnet-4-5', system: [{ type: 'text', text: long(400), cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'hi' }] };
  const resp = { model: 'gpt-5', instructions: long(300), input: [{ role: 'user', content: 'q' }] };
  const gem = { contents: [{ role: 'user', parts: [{ text: long(300) }] }] };
  const har = harCapture([
    { url: 'https://api.openai.com/v1/chat/completions', body: chat, response: JSON.stringify({ model: 'gpt-4o-2024-08-06', usage: { prompt_tokens: 2110, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 1920 } } }) },
    { url: 'https://api.anthropic.com/v1/messages', body: anth, mime: 'text/event-stream', base64: true, response: sse([{ type: 'message_start', message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 2410, output_tokens: 1 } } }, { type: 'content_block_delta', delta: { text: 'x' } }, { type: 'message_delta', usage: { output_tokens: 42 } }]) },
    { url: 'https://api.openai.com/v1/responses', body: resp, mime: 'text/event-stream', response: sse([{ type: 'response.created' }, { type: 'response.completed', response: { model: 'gpt-5', usage: { input_tokens: 1800, input_tokens_details: { cached_tokens: 1664 }, output_tokens: 12 } } }]) },
    { url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: gem, mime: 'text/event-stream', response: sse([{ usageMetadata: { promptTokenCount: 1700, candidatesTokenCount: 2 } }, { usageMetadata: { promptTokenCount: 1700, cachedContentTokenCount: 1500, candidatesTokenCount: 20 }, modelVersion: 'gemini-2.5-flash' }]) },
    { url: 'https://example.com/analytics', body: { event: 'x' }, response: '{}' },
  ]);
  const f = write(dir, 'capture.har', har);
  const s = await readSessionFile(f);
  assert.equal(s.source, 'har');
  assert.equal(s.calls.length, 4);
  assert.deepEqual(s.calls.map((c) => c.provider), ['openai', 'anthropic', 'openai', 'gemini']);
  assert.deepEqual(s.calls.map((c) => c.model), ['gpt-4o', 'claude-sonnet-4-5', 'gpt-5', 'gemini-2.5-flash']);
  assert.deepEqual(s.calls.map((c) => [c.usage?.promptTokens, c.usage?.cacheReadTokens, c.usage?.outputTokens]), [[2110, 1920, 9], [2413, 2410, 42], [1800, 1664, 12], [1700, 1500, 20]]);
  assert.deepEqual(s.calls.map((c) => c.entry), [1, 2, 3, 4]);
  assert.ok(s.problems.some((p) => /1 entries are not LLM API requests/.test(p.message)));
  const a = await auditSessionFile(f);
  assert.ok(a.calls.every((c) => c.predicted && c.predicted.promptTokens > 0));
});

test('JSONL request logs: {request, response}, LiteLLM and Langfuse records', async () => {
  const sys = long(400);
  const lines = [
    { timestamp: '2026-10-04T10:00:00Z', request: { url: 'https://api.anthropic.com/v1/messages', body: { model: 'claude-sonnet-4-5', system: [{ type: 'text', text: sys, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'a' }] } }, response: { usage: { input_tokens: 5, cache_creation_input_tokens: 2400, cache_read_input_tokens: 0, output_tokens: 3 } } },
    { startTime: '2026-10-04T10:00:30Z', model: 'claude-sonnet-4-5', custom_llm_provider: 'anthropic', messages: [{ role: 'system', content: sys }, { role: 'user', content: 'b' }], response: { usage: { prompt_tokens: 2410, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 2400 }, cache_creation_input_tokens: 0, cache_read_input_tokens: 2400 } } },
    { type: 'GENERATION', startTime: '2026-10-04T10:01:00Z', model: 'gpt-4o', input: [{ role: 'user', content: 'c' }], output: { role: 'assistant', content: 'd' }, usageDetails: { input: 900, output: 5 } },
    'not an object',
  ];
  const f = write(dir, 'gateway.jsonl', jsonl(lines) + '{"broken": \n');
  const s = await readSessionFile(f);
  assert.equal(s.source, 'request-log');
  assert.equal(s.calls.length, 3);
  assert.deepEqual(s.calls.map((c) => [c.usage?.inputTokens, c.usage?.cacheReadTokens, c.usage?.cacheWriteTokens]), [[5, 0, 2400], [10, 2400, 0], [900, 0, 0]]);
  assert.deepEqual(s.calls.map((c) => c.provider), ['anthropic', 'anthropic', 'openai']);
  assert.ok(s.problems.some((p) => p.line === 4 && /not a JSON object/.test(p.message)));
  assert.ok(s.problems.some((p) => p.line === 5 && /not valid JSON/.test(p.message)));
});

test('OTLP JSON: gen_ai.usage.* (current, deprecated) and OpenInference llm.token_count.*, in call order', async () => {
  const doc = otlp([
    { name: 'chat gpt-4o', start: Date.parse('2026-10-05T10:00:10Z'), attrs: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.prompt_tokens': 1500, 'gen_ai.usage.completion_tokens': 20, 'gen_ai.usage.cache_read_input_tokens': 1280 } },
    { name: 'chat claude', start: Date.parse('2026-10-05T10:00:00Z'), attrs: { 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-opus-4-6', 'gen_ai.usage.input_tokens': 5000, 'gen_ai.usage.output_tokens': 30, 'gen_ai.usage.cache_read.input_tokens': 4000, 'gen_ai.usage.cache_creation.input_tokens': 900, 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]) } },
    { name: 'llm', start: Date.parse('2026-10-05T10:00:20Z'), attrs: { 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 800, 'llm.token_count.completion': 8, 'llm.token_count.prompt_details.cache_read': 0, 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'x' } },
    { name: 'http', start: Date.parse('2026-10-05T10:00:30Z'), attrs: { 'http.method': 'GET' } },
  ]);
  const f = write(dir, 'traces.json', JSON.stringify(doc, null, 2));
  const s = await readSessionFile(f);
  assert.equal(s.source, 'otlp');
  assert.deepEqual(s.calls.map((c) => c.model), ['claude-opus-4-6', 'gpt-4o', 'gpt-4o-mini']);
  assert.deepEqual(s.calls.map((c) => [c.usage?.inputTokens, c.usage?.cacheReadTokens, c.usage?.cacheWriteTokens]), [[100, 4000, 900], [220, 1280, 0], [800, 0, 0]]);
  assert.ok(s.calls[0].request, 'gen_ai.input.messages rebuilt into a request');
  // The collector's file exporter: one document per line.
  const f2 = write(dir, 'traces.jsonl', jsonl([doc, doc]));
  assert.equal((await readSessionFile(f2)).calls.length, 6);
});

test('Copilot Chat export and Gemini CLI sessions (JSONL and the older JSON document)', async () => {
  const exp = {
    exportedAt: '2026-10-06T10:00:00Z',
    totalPrompts: 1,
    totalLogEntries: 3,
    prompts: [
      {
        prompt: 'fix it',
        promptId: 'p1',
        logCount: 3,
        logs: [
          { id: 'r1', kind: 'request', type: 'ChatMLSuccess', name: 'panel/editAgent', metadata: { model: 'gpt-4.1', startTime: '2026-10-06T09:00:00Z', usage: { prompt_tokens: 5000, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 0 } } }, requestMessages: { messages: [{ role: 0, content: [{ type: 1, text: long(500) }] }, { role: 1, content: [{ type: 1, text: 'fix it' }] }] } },
          { id: 't1', kind: 'toolCall', tool: 'read_file', args: '{}', time: '2026-10-06T09:00:03Z', response: ['x'] },
          { id: 'r2', kind: 'request', type: 'ChatMLSuccess', metadata: { model: 'gpt-4.1', startTime: '2026-10-06T09:00:05Z', usage: { prompt_tokens: 5200, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 4864 } } }, requestMessages: { messages: [{ role: 0, content: [{ type: 1, text: long(500) }] }, { role: 1, content: [{ type: 1, text: 'fix it' }] }, { role: 2, content: [{ type: 1, text: 'reading' }] }] } },
        ],
      },
    ],
  };
  const f = write(dir, 'copilot_all_prompts_2026-10-06T10-00-00.chatreplay.json', JSON.stringify(exp, null, 2));
  const s = await readSessionFile(f);
  assert.equal(s.source, 'copilot-chat');
  assert.equal(s.calls.length, 2);
  assert.equal(s.calls[1].usage?.cacheReadTokens, 4864);
  assert.equal((s.calls[0].request?.body as { messages: { role: string }[] }).messages[0].role, 'system');

  const gem = [
    { sessionId: 'g1', projectHash: 'abc', startTime: '2026-10-07T10:00:00Z', lastUpdated: '2026-10-07T10:00:00Z' },
    { id: 'm1', timestamp: '2026-10-07T10:00:01Z', type: 'user', content: [{ text: 'hello' }] },
    { id: 'm2', timestamp: '2026-10-07T10:00:02Z', type: 'gemini', content: 'partial', model: 'gemini-2.5-pro' },
    { id: 'm2', timestamp: '2026-10-07T10:00:03Z', type: 'gemini', content: 'Hi there', model: 'gemini-2.5-pro', tokens: { input: 9000, output: 40, cached: 0, thoughts: 10, tool: 0, total: 9050 } },
    { $set: { summary: 'greeting' } },
    { id: 'm3', timestamp: '2026-10-07T10:00:10Z', type: 'user', content: 'more' },
    { id: 'm4', timestamp: '2026-10-07T10:00:12Z', type: 'gemini', content: 'ok', model: 'gemini-2.5-pro', tokens: { input: 9100, output: 5, cached: 8192, thoughts: 0, tool: 0, total: 9105 } },
  ];
  const g = await readSessionFile(write(dir, 'gemini/chats/session-2026-10-07T10-00-g1.jsonl', jsonl(gem)));
  assert.equal(g.source, 'gemini-cli');
  assert.deepEqual(g.calls.map((c) => [c.usage?.promptTokens, c.usage?.cacheReadTokens, c.usage?.outputTokens]), [[9000, 0, 50], [9100, 8192, 5]]);
  const legacy = { sessionId: 'g2', projectHash: 'abc', startTime: '2026-10-07T10:00:00Z', lastUpdated: '2026-10-07T10:00:00Z', messages: gem.slice(1).filter((m) => 'id' in m) };
  const g2 = await readSessionFile(write(dir, 'gemini/chats/session-2026-10-07T10-00-g2.json', JSON.stringify(legacy, null, 2)));
  assert.equal(g2.calls.length, 2);
});

test('detection is by content: a Claude Code session named .txt-like, a HAR without the extension', async () => {
  const b = new ClaudeSessionBuilder('sess-9');
  b.user('x').assistant([{ type: 'text', text: 'y' }], { input: 1, read: 0, write: 2000, output: 1 });
  assert.equal((await readSessionFile(write(dir, 'exported-log.json', b.text()))).source, 'claude-code');
  const har = harCapture([{ url: 'https://api.openai.com/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, response: '{"usage":{"prompt_tokens":8,"completion_tokens":1}}' }]);
  assert.equal((await readSessionFile(write(dir, 'capture-no-ext', har))).source, 'har');
  void path;
});
