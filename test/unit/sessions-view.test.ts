// The Session tab's view-model (src/view/sessionView.ts) and the request-diff excerpt (src/core/sessions/excerpt.ts),
// built from real audits of the e2e fixtures: bars add up to the reported usage, breaks carry their cause, the diff
// names the divergent token, its segment and the prompt author's line; predicted vs reported says what explains it.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeSession } from '../../src/core/sessions/analyze';
import { diffExcerpt } from '../../src/core/sessions/excerpt';
import { readSessionFile } from '../../src/core/sessions/read';
import { requestDiff } from '../../src/core/sessions/source';
import { countdownRunning, formatCountdown, liveStatusText, selectedCallView, sessionView } from '../../src/view/sessionView';

const dir = path.join(__dirname, '..', 'e2e', 'fixture', 'sessions');

async function load(name: string) {
  const session = await readSessionFile(path.join(dir, name));
  return { session, audit: analyzeSession(session) };
}

test('Claude Code session: one bar per call, its segments are the reported usage, breaks marked with their cause', async () => {
  const { audit } = await load('claude-session.jsonl');
  const v = sessionView(audit, { timing: 'read in 3 ms' });
  assert.equal(v.bars.length, 7);
  assert.equal(v.sourceLabel, 'Claude Code session');
  for (const [i, b] of v.bars.entries()) {
    const u = audit.calls[i].reported!;
    assert.deepEqual([b.read, b.write, b.uncached], [u.cacheReadTokens, u.cacheWriteTokens, u.inputTokens]);
  }
  assert.equal(v.maxPrompt, Math.max(...audit.calls.map((c) => c.reported!.promptTokens)));
  assert.deepEqual(v.bars.filter((b) => b.cause).map((b) => [b.index, b.cause, b.causeLabel]), [
    [3, 'ttl', 'cache expired (5m)'],
    [5, 'messages', 'history changed'],
  ]);
  assert.match(v.bars[3].title, /idle 7 min after call 2/);
  // Worst first.
  assert.deepEqual(v.breaks.map((b) => b.index), [3, 5]);
  assert.equal(v.headline, `${Math.round((100 * audit.totals.reported.cacheReadTokens) / audit.totals.reported.promptTokens)}% read from cache`);
  assert.equal(v.predicted.length, 0, 'Claude Code logs give no prediction');
  assert.equal(v.timing, 'read in 3 ms');
});

test('request diff of the edited-message break: the divergent token, its segment and the line it sits on', async () => {
  const { session, audit } = await load('claude-session.jsonl');
  const d = requestDiff(session, audit, 5)!;
  const x = diffExcerpt(d, 5, audit.calls[5].break!.againstCall!, audit.calls[5].break!.segment);
  assert.equal(x.state, 'diverges');
  assert.equal(x.againstCall, 4);
  assert.equal(x.segment, 'messages[8].content[0].text');
  assert.equal(x.firstDivergentToken, d.result.firstDivergentToken);
  assert.equal(x.old.before, x.new.before.slice(x.new.before.length - x.old.before.length), 'the window before the token is shared');
  assert.ok(x.new.token.length > 0 && x.old.token.length > 0);
  assert.notEqual(x.new.token, x.old.token);
  assert.equal(x.divergentLine?.new, 'Here is the CI log after the rebase:');
  assert.equal(x.divergentLine?.old, 'Here is the CI log:');
  const sel = selectedCallView(audit, 5, { excerpt: x });
  assert.match(sel.title, /^call 5 \(line 13\) against call 4/);
  assert.ok(sel.lines.some((l) => /^Break \(history changed\)/.test(l)));
  assert.equal(sel.loading, undefined);
  assert.equal(selectedCallView(audit, 5).loading, true);
});

test('a request that extends the earlier one unchanged says so (the TTL break)', async () => {
  const { session, audit } = await load('claude-session.jsonl');
  const x = diffExcerpt(requestDiff(session, audit, 3)!, 3, 2);
  assert.equal(x.state, 'extends');
  assert.equal(x.segment, null);
  assert.equal(x.old.token, '');
});

test('HAR capture: predicted vs reported with the difference and what explains it; the edited system line', async () => {
  const { session, audit } = await load('capture.har');
  const v = sessionView(audit);
  assert.equal(v.bars.length, 4);
  assert.ok(v.agreement);
  const row = v.predicted.find((p) => p.index === 2)!;
  assert.equal(row.reportedCached, 0);
  assert.ok(row.predictedCached > 2000);
  assert.ok(row.difference < -2000, `reported − predicted: ${row.difference}`);
  assert.match(row.explanation, /the provider did not serve the entry of call 1/);
  const sel = selectedCallView(audit, 2, { excerpt: null, reason: 'x' });
  assert.ok(sel.lines.some((l) => /^Difference: the provider read [\d,]+ fewer tokens from cache than predicted/.test(l)), sel.lines.join('\n'));
  const x = diffExcerpt(requestDiff(session, audit, 3)!, 3, 2);
  assert.equal(x.segment, 'system[0].text');
  assert.equal(x.divergentLine?.new, "Answer in the customer's language, in at most five sentences.");
  assert.equal(x.divergentLine?.old, 'Answer in English, in at most five sentences.');
});

test('bad input: problems by file and line in the view, not a crash', async () => {
  const { audit } = await load('make-fixtures.mjs');
  const v = sessionView(audit);
  assert.equal(v.bars.length, 0);
  assert.equal(v.headline, 'no calls');
  assert.ok(v.problems.length > 0);
  assert.match(v.problems[0].where, /^make-fixtures\.mjs/);
});

test('live status text: hit ratio and countdown, "cache cold" once expired', () => {
  const s = { hitRatio: 0.874, calls: 9, last: { expiresAt: 1_000_000 + 192_000, entryTokens: 20_000, lifetime: { label: '5m' } } };
  assert.equal(liveStatusText(s, 1_000_000), 'Session 87% cached · cache cold in 3:12');
  assert.equal(countdownRunning(s, 1_000_000), true);
  assert.equal(liveStatusText(s, 1_000_000 + 192_000), 'Session 87% cached · cache cold');
  assert.equal(countdownRunning(s, 1_000_000 + 192_000), false);
  assert.equal(liveStatusText({ hitRatio: null, calls: 0, last: null }, 0), 'Session no usage yet');
  assert.equal(formatCountdown(3_725_000), '1:02:05');
  assert.equal(formatCountdown(500), '0:01');
});
