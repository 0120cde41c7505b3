// The importers on more REAL public files (Gemini CLI sessions, an OTLP file export of Copilot's spans, a LiteLLM
// logging payload, a Copilot CLI history); sources in fixtures/sessions/real/SOURCES.md. Each test pins what the real
// file showed that the hand-written fixtures had not.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { auditSessionFile, readSessionFile } from '../../src/core/sessions';
import { tmpDir } from './fixtures/sessions/formats';

const real = (name: string) => path.join(__dirname, 'fixtures', 'sessions', 'real', name);
const tmp = tmpDir('pca-real2-');

test('Gemini CLI session document (VibeCodingTracker, gemini-2.5-pro): usage as logged; calls located as messages[] entries, not file lines', async () => {
  const f = real('gemini-vibecodingtracker-session.json');
  const s = await readSessionFile(f);
  assert.equal(s.source, 'gemini-cli');
  assert.equal(s.calls.length, 18);
  // Sums by hand over the file's 18 `tokens`: input 466,642 (cached included), cached 326,620, output + thoughts 6,944.
  const sum = (k: 'promptTokens' | 'cacheReadTokens' | 'inputTokens' | 'outputTokens') => s.calls.reduce((n, c) => n + (c.usage?.[k] ?? 0), 0);
  assert.equal(sum('promptTokens'), 466642);
  assert.equal(sum('cacheReadTokens'), 326620);
  assert.equal(sum('inputTokens'), 140022);
  assert.equal(sum('outputTokens'), 6944);
  assert.equal(s.calls[0].usage?.reasoningTokens, 2659);
  // A pretty-printed document: message 2 (the first gemini message) starts on file line 13, not "line 2".
  assert.deepEqual(s.calls.slice(0, 3).map((c) => [c.line, c.entry]), [[undefined, 2], [undefined, 3], [undefined, 4]]);
  const a = await auditSessionFile(f);
  // Shortfalls of 1,024+ tokens against the previous call's prompt; the smaller ones (235–910) are noise.
  assert.deepEqual(a.calls.filter((c) => c.break).map((c) => [c.index, c.break!.lostTokens]), [[1, 7228], [3, 14938], [6, 5996], [7, 2670], [9, 24241], [10, 1645], [12, 31450], [13, 7224], [15, 2202], [17, 2565]]);
  // The log holds the turns only (this one not even the tool calls): nothing recorded explains them.
  assert.ok(a.calls.every((c) => !c.break || c.break.cause === 'unexplained'));
});

test('Gemini CLI 0.39-style .jsonl (VibeCodingTracker excerpt): info and $set records skipped; the call on its file line', async () => {
  const s = await readSessionFile(real('gemini-vibecodingtracker-0.39-excerpt.jsonl'));
  assert.equal(s.source, 'gemini-cli');
  assert.equal(s.sessionId, '0ab84937-9fe7-4284-986a-33c832af0b6a');
  assert.equal(s.calls.length, 1);
  assert.equal(s.calls[0].line, 6);
  assert.deepEqual(s.calls[0].usage && [s.calls[0].usage.promptTokens, s.calls[0].usage.cacheReadTokens, s.calls[0].usage.outputTokens], [13906, 0, 491]);
  assert.equal(s.calls[0].model, 'gemini-3-flash-preview');
  assert.deepEqual(s.problems, []);
});

test('OTLP file export of Copilot spans (copilot-otel-workshop): cache writes under gen_ai.usage.cache_write.input_tokens', async () => {
  const f = real('otlp-copilot-otel-workshop-excerpt.jsonl');
  const s = await readSessionFile(f);
  assert.equal(s.source, 'otlp');
  // 3 chat spans (execute_tool spans carry no usage), in start-time order across the two export lines.
  assert.deepEqual(s.calls.map((c) => c.id), ['5f25f09631f5b0d2', '0a6a2116c005e24d', 'd82853020d58c899']);
  // input_tokens includes reads and writes: 59,340 = 51,275 read + 8,062 written + 3.
  assert.deepEqual(s.calls.map((c) => [c.usage?.promptTokens, c.usage?.cacheReadTokens, c.usage?.cacheWriteTokens, c.usage?.inputTokens]), [[59340, 51275, 8062, 3], [60126, 59337, 786, 3], [60193, 60123, 67, 3]]);
  const a = await auditSessionFile(f);
  assert.equal(a.totals.breaks, 0, 'each call reads all but 3 tokens of the one before');
});

test('OTLP file export with metrics and logs lines beside the spans: named, not "not an OTLP request"', async () => {
  const f = path.join(tmp, 'mixed.jsonl');
  fs.writeFileSync(f, fs.readFileSync(real('otlp-copilot-otel-workshop-excerpt.jsonl'), 'utf8') + '{"resourceMetrics":[{"scopeMetrics":[]}]}\n{"resourceLogs":[{"scopeLogs":[]}]}\n');
  const s = await readSessionFile(f);
  assert.equal(s.calls.length, 3);
  assert.deepEqual(s.problems.map((p) => [p.line, p.severity, p.message]), [
    [3, 'info', 'line 3: unknown record type "resourceMetrics (OTLP metrics)": ignored'],
    [4, 'info', 'line 4: unknown record type "resourceLogs (OTLP logs)": ignored'],
  ]);
});

test('LiteLLM StandardLoggingPayload saved as one pretty-printed document (litellm test body): one call, not 90 "not valid JSON" lines', async () => {
  const f = real('litellm-standard-logging-payload.json');
  const s = await readSessionFile(f);
  assert.equal(s.source, 'request-log');
  assert.deepEqual(s.problems, []);
  assert.equal(s.calls.length, 1);
  const c = s.calls[0];
  assert.equal(c.entry, 1);
  assert.equal(c.line, undefined);
  assert.equal(c.model, 'gpt-4o');
  assert.deepEqual(c.usage && [c.usage.promptTokens, c.usage.outputTokens, c.usage.cacheReadTokens], [10, 20, 0]);
  // An array of such records (an export) is entries 1..n.
  const arr = path.join(tmp, 'litellm-array.json');
  const one = JSON.parse(fs.readFileSync(f, 'utf8')) as unknown;
  fs.writeFileSync(arr, JSON.stringify([one, one], null, 2));
  const s2 = await readSessionFile(arr);
  assert.deepEqual(s2.calls.map((x) => x.entry), [1, 2]);
  // And as JSONL (LiteLLM's loggers write one payload a line), lines 1..n as before.
  const jl = path.join(tmp, 'litellm.jsonl');
  fs.writeFileSync(jl, `${JSON.stringify(one)}\n${JSON.stringify(one)}\n`);
  assert.deepEqual((await readSessionFile(jl)).calls.map((x) => x.line), [1, 2]);
});

test('Copilot CLI session history (VibeCodingTracker excerpt): said what it is and what to use instead', async () => {
  const s = await readSessionFile(real('copilot-cli-vibecodingtracker-excerpt.json'));
  assert.equal(s.calls.length, 0);
  assert.equal(s.problems.length, 1);
  assert.equal(s.problems[0].severity, 'error');
  assert.match(s.problems[0].message, /^a GitHub Copilot CLI session history \(chatMessages \+ timeline\), which this tool does not read: it needs each call's token usage/);
});
