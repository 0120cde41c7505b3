// The live session's append reader (src/core/sessions/tail.ts) and the agents' session folders
// (src/core/sessions/locate.ts), without VS Code: each update reads only the appended bytes, an unfinished last
// line waits for its end, a truncated or replaced file is read again; the workspace's sessions come first.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { agentDirs, claudeProjectNames, listAgentSessions, newestWorkspaceSession } from '../../src/core/sessions/locate';
import { SessionTail } from '../../src/core/sessions/tail';
import { ClaudeSessionBuilder } from './fixtures/sessions/claude';
import { codexRollout, jsonl, tmpDir } from './fixtures/sessions/formats';

function session(): string[] {
  const b = new ClaudeSessionBuilder('live-1', '2026-10-01T10:00:00.000Z');
  b.user('Fix the test')
    .assistant([{ type: 'text', text: 'Reading it.' }, { type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a.ts' } }], { input: 3, read: 0, write: 12_000, output: 50 })
    .toolResult('t1', 'x'.repeat(2000))
    .assistant([{ type: 'text', text: 'Done.' }], { input: 3, read: 12_000, write: 900, output: 40 })
    .user('And the other one?')
    .assistant([{ type: 'text', text: 'Also done.' }], { input: 3, read: 12_900, write: 300, output: 30, write1h: 300 });
  return b.text().split('\n').filter(Boolean).map((l) => `${l}\n`);
}

test('reads only the appended bytes; an unfinished line waits; the figures grow with the log', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 's.jsonl');
  const lines = session();
  const whole = lines.join('');
  // The first call's two lines, then half of the tool result's line.
  const cut1 = lines[0].length + lines[1].length + lines[2].length;
  const cut2 = cut1 + Math.floor(lines[3].length / 2);
  fs.writeFileSync(file, whole.slice(0, cut1));
  const t = new SessionTail(file);
  assert.equal(await t.update(), cut1);
  let s = t.status();
  assert.equal(s.source, 'claude-code');
  assert.equal(s.calls, 1);
  assert.equal(s.hitRatio, 0);
  assert.equal(s.last?.lifetime.label, '5m');
  assert.equal(s.last?.expiresAt, Date.parse(JSON.parse(lines[2]).timestamp) + 300_000);
  assert.equal(s.last?.entryTokens, 12_000);

  fs.appendFileSync(file, whole.slice(cut1, cut2));
  assert.equal(await t.update(), cut2 - cut1, 'only the appended bytes');
  assert.equal(t.status().calls, 1, 'the unfinished line is not read yet');
  assert.equal(await t.update(), 0, 'nothing new: nothing read');

  fs.appendFileSync(file, whole.slice(cut2));
  assert.equal(await t.update(), whole.length - cut2);
  assert.equal(t.bytesRead, Buffer.byteLength(whole), 'every byte read exactly once');
  s = t.status();
  assert.equal(s.calls, 3);
  assert.equal(s.promptTokens, 12_003 + 12_903 + 13_203);
  assert.equal(s.cacheReadTokens, 12_000 + 12_900);
  assert.equal(s.last?.lifetime.label, '1h', 'the last call wrote 1-hour entries');
  assert.equal(s.last?.entryTokens, 13_200);
  assert.equal(t.problems, 0);
});

test('a truncated or replaced log is read again from the start; a capture is not followed', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 's.jsonl');
  const lines = session();
  fs.writeFileSync(file, lines.join(''));
  const t = new SessionTail(file);
  await t.update();
  assert.equal(t.status().calls, 3);
  fs.writeFileSync(file, lines.slice(0, 2).join(''));
  await t.update();
  assert.equal(t.status().calls, 1);
  fs.appendFileSync(file, 'not json\n');
  await t.update();
  assert.equal(t.problems, 1);

  const har = path.join(dir, 'c.har');
  fs.writeFileSync(har, '{"log":{"version":"1.2","entries":[]}}\n');
  const h = new SessionTail(har);
  await h.update();
  assert.ok(h.unsupported);
});

test('session folders: CLAUDE_CONFIG_DIR / CODEX_HOME, explicit settings first; the workspace\'s sessions first', async () => {
  assert.deepEqual(agentDirs({}, { CLAUDE_CONFIG_DIR: '/c', CODEX_HOME: '/x' }, '/home/u'), { claudeDir: '/c', codexDir: '/x' });
  assert.deepEqual(agentDirs({ claudeDir: '~/cl' }, {}, '/home/u'), { claudeDir: '/home/u/cl', codexDir: '/home/u/.codex' });
  assert.equal(claudeProjectNames('/home/u/my.repo')[0], '-home-u-my-repo');

  const root = tmpDir();
  const ws = path.join(root, 'work', 'shop.app');
  const claudeDir = path.join(root, '.claude');
  const codexDir = path.join(root, '.codex');
  const put = (f: string, text: string, mtime: number) => {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    fs.utimesSync(f, mtime / 1000, mtime / 1000);
  };
  const claude = (title: string) => new ClaudeSessionBuilder('s').user(title).assistant([{ type: 'text', text: 'ok' }], { input: 1, read: 0, write: 2000, output: 1 }).text();
  put(path.join(claudeDir, 'projects', claudeProjectNames(ws)[0], 'mine-old.jsonl'), claude('my old session'), 1_000_000_000_000);
  put(path.join(claudeDir, 'projects', claudeProjectNames(ws)[0], 'mine-new.jsonl'), claude('my new session'), 1_000_000_100_000);
  put(path.join(claudeDir, 'projects', '-elsewhere', 'other.jsonl'), claude('another project'), 1_000_000_500_000);
  const rollout = codexRollout() as { payload: Record<string, unknown> }[];
  rollout[0].payload.cwd = ws;
  put(path.join(codexDir, 'sessions', '2026', '10', '02', 'rollout-a.jsonl'), jsonl(rollout), 1_000_000_200_000);
  put(path.join(codexDir, 'sessions', '2026', '10', '01', 'rollout-b.jsonl'), jsonl(codexRollout()), 1_000_000_900_000);

  const list = await listAgentSessions({ dirs: { claudeDir, codexDir }, workspaceFolders: [ws] });
  assert.deepEqual(list.map((e) => [path.basename(e.file), e.inWorkspace]), [
    ['rollout-a.jsonl', true],
    ['mine-new.jsonl', true],
    ['mine-old.jsonl', true],
    ['rollout-b.jsonl', false],
    ['other.jsonl', false],
  ]);
  assert.equal(list[1].title, 'my new session');
  assert.equal(list[0].title, 'List the files');
  assert.equal(list[0].cwd, ws);
  assert.equal(path.basename((await newestWorkspaceSession({ dirs: { claudeDir, codexDir }, workspaceFolders: [ws] }))!.file), 'rollout-a.jsonl');
  assert.equal(await newestWorkspaceSession({ dirs: { claudeDir, codexDir }, workspaceFolders: ['/nowhere'] }), null);
});
