// `prompt-cache-audit trace` as a whole process: the --json shape issue 15 specifies, human output (breaks worst
// first), SARIF, --fail-over, folders (a Claude Code project with a subagent), bad paths.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { requireBuilt, runCli } from './fixtures/harness';
import { ClaudeSessionBuilder } from './fixtures/sessions/claude';
import { tmpDir, write } from './fixtures/sessions/formats';

requireBuilt();
const dir = tmpDir();
const main = new ClaudeSessionBuilder('s-main');
main.user('go').assistant([{ type: 'tool_use', id: 't', name: 'Task', input: {} }], { input: 3, read: 30000, write: 4000, output: 9 })
  .toolResult('t', 'done').assistant([{ type: 'text', text: 'a' }], { input: 3, read: 34000, write: 200, output: 9 })
  .wait(7200).user('back').assistant([{ type: 'text', text: 'b' }], { input: 3, read: 0, write: 34300, output: 9 })
  .user('again').assistant([{ type: 'text', text: 'c' }], { input: 3, read: 20000, write: 14400, output: 9 });
const sub = new ClaudeSessionBuilder('s-main', '2026-10-01T10:00:02.000Z', { isSidechain: true, agentId: 'ag1' });
sub.user('task').assistant([{ type: 'text', text: 'r' }], { input: 3, read: 0, write: 9000, output: 9 });
write(dir, 'proj/s-main.jsonl', main.text());
write(dir, 'proj/s-main/subagents/agent-ag1.jsonl', sub.text());

test('--json: { sessions: [ { file, source, parent, calls[], totals } ] } with the fields of issue 15', async () => {
  const r = await runCli(['trace', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { sessions: Record<string, unknown>[] };
  assert.equal(out.sessions.length, 2);
  const [m, s] = out.sessions as { file: string; source: string; parent: string | null; calls: Record<string, unknown>[]; totals: Record<string, unknown> }[];
  assert.equal(m.source, 'claude-code');
  assert.equal(m.parent, null);
  assert.equal(s.parent, m.file);
  for (const c of m.calls) {
    for (const k of ['index', 'timestamp', 'model', 'reported', 'predicted', 'break']) assert.ok(k in c, k);
    const rep = c.reported as Record<string, number>;
    for (const k of ['inputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'outputTokens', 'promptTokens']) assert.equal(typeof rep[k], 'number');
  }
  const b = m.calls[2].break as Record<string, unknown>;
  assert.deepEqual(Object.keys(b).slice(0, 4), ['cause', 'lostTokens', 'gapSeconds', 'explanation']);
  assert.equal(b.cause, 'ttl');
  assert.equal(m.calls[3].break && (m.calls[3].break as Record<string, unknown>).cause, 'unexplained');
  assert.ok('totals' in m && typeof m.totals.breaks === 'number');
});

test('human output: a summary per session and the breaks, worst first', async () => {
  const r = await runCli(['trace', dir]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => /2 breaks/.test(l));
  assert.ok(i > 0, r.stdout);
  assert.match(lines[i + 1], /call 2 .*34,200 .*ttl/);
  assert.match(lines[i + 2], /call 3 .*14,300 .*unexplained/);
  assert.match(r.stdout, /subagent ag1 of /);
  assert.match(r.stdout, /paid \$/);
});

test('--sarif: one result per break with the log line; --fail-over; missing paths', async () => {
  const s = await runCli(['trace', dir, '--sarif']);
  const sarif = JSON.parse(s.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[] };
  assert.deepEqual(sarif.runs[0].results.map((x) => x.ruleId).sort(), ['cache-break-ttl', 'cache-break-unexplained']);
  assert.ok(sarif.runs[0].results.every((x) => x.locations[0].physicalLocation.region!.startLine > 0));
  assert.equal((await runCli(['trace', dir, '--fail-over', '10'])).code, 1);
  assert.equal((await runCli(['trace', dir, '--fail-over', '90'])).code, 0);
  const missing = await runCli(['trace', `${dir}/nope.jsonl`]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.jsonl: error: no such file or folder/);
  assert.equal((await runCli(['trace', dir, '--fail-over', 'lots'])).code, 2);
});
