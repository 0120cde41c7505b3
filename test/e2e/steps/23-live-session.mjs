// Live session (promptCache.sessions.watch, off by default): with the setting on, the newest Claude Code session of
// the workspace is followed as it grows. Appending a call to it (as Claude Code would) updates the status bar item to
// its hit ratio so far and the countdown to the expiry of the last call's cache entry. Runs after step 22, which put the
// session in the folder promptCache.sessions.claudeDir names.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { setUserSetting, userSettings } from '../helpers.mjs';

/** The extension host of this code-server (a descendant of its process whose command line says extensionHost). */
function extensionHostPid(rootPid) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parent.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]));
    } catch {
      // gone
    }
  }
  const under = (pid) => {
    for (let p = pid, i = 0; p > 1 && i < 20; p = parent.get(p) ?? 0, i++) if (p === rootPid) return true;
    return false;
  };
  for (const pid of parent.keys()) {
    try {
      if (under(pid) && /extensionHost/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) return pid;
    } catch {
      // gone
    }
  }
  return null;
}

/** utime + stime of a process in ms (100 clock ticks a second). */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

const liveItem = async (page) => (await wb.statusBarItems(page)).find((i) => /^Session /.test(i.text.replace(/^\W+/, '')) || /Session .*cached/.test(i.text)) ?? null;

export default {
  timeout: 240_000,
  name: 'live session: status bar hit ratio and "cache cold in m:ss" as the session grows',
  async run(t, ctx) {
    const { page, workspace } = ctx;
    const claudeDir = userSettings(ctx)['promptCache.sessions.claudeDir'];
    const file = claudeDir && path.join(claudeDir, 'projects', workspace.replace(/[\\/.:]/g, '-'), '0b7e2c1a-e2e0-4c55-9d1e-5e55a0e2e001.jsonl');
    assert.ok(file && existsSync(file), 'step 22 (session view) sets up the session folder');
    await t.check('off by default: no live session item', async () => assert.equal(await liveItem(page), null));
    // Codex is installed but has not run today: its day folder does not exist yet (see the end of this step).
    const codexDir = userSettings(ctx)['promptCache.sessions.codexDir'];
    mkdirSync(path.join(codexDir, 'sessions'), { recursive: true });
    await setUserSetting(ctx, 'promptCache.sessions.watch', true);
    const first = await wb.waitFor(() => liveItem(page), { timeout: 15_000, message: 'the live session status bar item' });
    t.log(`live item: ${first.text}`);
    await t.check('the session\'s hit ratio so far; its last entry expired long ago: "cache cold"', () => assert.match(first.text, /Session \d+% cached · cache cold$/));

    // Claude Code writes the next calls: a user line and the assistant's answer. The first answer is dated 280 s ago,
    // so its 5 min entry has 20 s left: the watch warns before a resumed session would pay a full write.
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const last = lines[lines.length - 1];
    const usage = { input_tokens: 4, cache_creation_input_tokens: 120, cache_read_input_tokens: 23_028, output_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 120, ephemeral_1h_input_tokens: 0 } };
    const turn = (n, parent, at) => {
      const user = { ...last, type: 'user', uuid: `e2e-live-u${n}`, parentUuid: parent, timestamp: new Date(at - 2000).toISOString(), message: { role: 'user', content: 'And push it.' } };
      delete user.requestId;
      const answer = { ...last, uuid: `e2e-live-a${n}`, parentUuid: `e2e-live-u${n}`, timestamp: new Date(at).toISOString(), requestId: `req_e2e_live_${n}`, message: { ...last.message, id: `msg_e2e_live_${n}`, content: [{ type: 'text', text: 'Pushed.' }], usage } };
      return `${JSON.stringify(user)}\n${JSON.stringify(answer)}\n`;
    };
    await wb.clearNotifications(page);
    appendFileSync(file, turn(1, last.uuid, Date.now() - 280_000));
    const warning = await wb.waitFor(async () => (await wb.notifications(page)).find((n) => /cache entry expires in 0:\d\d/.test(n)) ?? null, { timeout: 15_000, message: 'the warning before the entry expires' });
    t.log(`warning: ${warning}`);
    await t.check('under 30 s left: a warning says what resuming after expiry would write again', () => assert.match(warning, /expires in 0:[0-2]\d; a message after that writes [\d,]+ tokens again/));

    appendFileSync(file, turn(2, 'e2e-live-a1', Date.now()));
    const counting = await wb.waitFor(async () => {
      const i = await liveItem(page);
      const m = i && /cache cold in (\d):(\d\d)$/.exec(i.text);
      return m && Number(m[1]) >= 3 ? i : null;
    }, { timeout: 15_000, message: 'the countdown after the appended call' });
    t.log(`live item after the append: ${counting.text}`);
    await t.check('after the appended call: the countdown to its entry\'s expiry (5 min lifetime)', () => {
      const m = /cache cold in (\d):(\d\d)$/.exec(counting.text);
      const left = Number(m[1]) * 60 + Number(m[2]);
      assert.ok(left > 200 && left <= 300, `${left} s left`);
    });
    await t.screenshot('live-session');

    // A Codex session starts in this workspace today, in a day folder Codex creates now: the watch follows it.
    const d = new Date();
    const day = path.join(codexDir, 'sessions', String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0'));
    mkdirSync(day, { recursive: true });
    const at = (s) => new Date(Date.now() - s * 1000).toISOString();
    const codexUsage = { input_tokens: 8000, cached_input_tokens: 4000, output_tokens: 20, reasoning_output_tokens: 0, total_tokens: 8020 };
    writeFileSync(path.join(day, 'rollout-e2e-live-codex.jsonl'), [
      { timestamp: at(5), type: 'session_meta', payload: { id: 'codex-e2e', cwd: workspace, originator: 'codex_cli_rs', cli_version: '0.50.0', model_provider: 'openai' } },
      { timestamp: at(5), type: 'turn_context', payload: { model: 'gpt-5-codex', cwd: workspace } },
      { timestamp: at(4), type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Run the tests' }] } },
      { timestamp: at(1), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: codexUsage, last_token_usage: codexUsage, model_context_window: 272000 }, rate_limits: null } },
    ].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const codex = await wb.waitFor(async () => {
      const i = await liveItem(page);
      return i && /Session 50% cached/.test(i.text) ? i : null;
    }, { timeout: 15_000, message: 'the live item following the new Codex session (50% cached)' });
    await t.check('a session in a folder the agent created after the watch started is followed', () => assert.match(codex.text, /Session 50% cached · cache cold in \d:\d\d$/));
    if (process.env.E2E_MEASURE_IDLE) {
      // The extension host's CPU over 60 s with the live watch on and the session idle (the countdown ticking, the
      // window focused), then 60 s with it off: the difference is what the watch costs.
      const pid = extensionHostPid(ctx.server.pid);
      const idle = async () => {
        const c0 = cpuMs(pid);
        await new Promise((r) => setTimeout(r, 60_000));
        return cpuMs(pid) - c0;
      };
      const on = await idle();
      await setUserSetting(ctx, 'promptCache.sessions.watch', undefined);
      const off = await idle();
      t.log(`extension host ${pid} CPU over 60 s: watch on (countdown running) ${on} ms, watch off ${off} ms`);
      await setUserSetting(ctx, 'promptCache.sessions.watch', true);
    }
    await setUserSetting(ctx, 'promptCache.sessions.watch', undefined);
    await wb.waitFor(async () => (await liveItem(page)) === null, { timeout: 10_000, message: 'the live item gone once the setting is off' });
  },
};
