// The importers and the break analysis on REAL public logs (excerpts kept verbatim, line for line, under
// test/unit/fixtures/sessions/real/; each file's source is in fixtures/sessions/real/SOURCES.md). Each test pins what
// the real log showed that the hand-written fixtures had not.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { auditSessionFile, readSessionFile } from '../../src/core/sessions';

const real = (name: string) => path.join(__dirname, 'fixtures', 'sessions', 'real', name);

test('Codex 0.60.1 (pinouchon/rtchess): the token count precedes its call\'s output items; each request holds the call before it', async () => {
  const f = real('codex-rtchess-0.60.1.jsonl');
  const s = await readSessionFile(f);
  assert.equal(s.source, 'codex');
  // 7 token_count events: one with info null, three written twice: 4 calls.
  assert.deepEqual(s.calls.map((c) => c.usage?.promptTokens), [3559, 3648, 3820, 3933]);
  assert.deepEqual(s.calls.map((c) => c.usage?.cacheReadTokens), [3072, 3072, 3072, 3456]);
  assert.equal(s.calls[3].usage?.reasoningTokens, 4224);
  assert.ok(s.calls.every((c) => c.model === 'gpt-5.1-codex-max'));
  // The history grows by the previous call's output items and tool output (3 items each), and ghost_snapshot (never
  // sent: codex-rs is_api_message) is not in it.
  assert.deepEqual(s.calls.map((c) => c.conversation?.tail?.depth), [2, 5, 8, 11]);
  // Request times: when the request was sent (its last input or turn context), not when an earlier call's items landed.
  assert.deepEqual(s.calls.map((c) => c.timestamp), ['2025-11-22T20:48:36.903Z', '2025-11-22T20:48:46.594Z', '2025-11-22T20:48:48.949Z', '2025-11-22T20:48:51.246Z']);
  const a = await auditSessionFile(f);
  assert.equal(a.totals.breaks, 0, 'ordinary growth: no break');
  // Each call's prompt extends the previous one; the divergence is at the previous prompt's end, never inside it.
  for (let i = 1; i < a.calls.length; i++) {
    const p = a.calls[i].predicted!;
    assert.equal(p.againstCall, i - 1);
    assert.ok(p.promptTokens > a.calls[i - 1].predicted!.promptTokens);
    assert.ok(p.firstDivergentToken! >= a.calls[i - 1].predicted!.promptTokens - 3, `call ${i} diverges at ${p.firstDivergentToken}`);
  }
  // The rollout has no base instructions (instructions: null) and no tools: predictions are partial, not compared.
  assert.ok(a.calls.every((c) => c.predicted?.partial));
  assert.equal(a.totals.agreement?.calls, 0);
  assert.equal(a.totals.agreement?.partialCalls, 4);
});
