// Session view: a Claude Code session of this workspace chosen in "Prompt Cache: Audit Session…" (its folder given
// by promptCache.sessions.claudeDir, as a user with CLAUDE_CONFIG_DIR would), one bar per call, the breaks marked with
// their cause, a click on the edited-message break showing the request diff with the divergent token highlighted; then
// a HAR capture opened in the editor: predicted vs reported with what explains the difference, and the edited system
// line linked to the workspace prompt file it comes from. Refreshes docs/images/session.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { frameText, setUserSetting } from '../helpers.mjs';

const FIXTURES = ['test', 'e2e', 'fixture', 'sessions'];

export default {
  name: 'session view: Audit Session… picker, bars per call, breaks with causes, request diff, HAR predicted vs reported',
  timeout: 180_000,
  async run(t, ctx) {
    const { page, repoRoot, workspace } = ctx;
    const fixture = (f) => path.join(repoRoot, ...FIXTURES, f);
    // The agents' folders of this test: Claude Code's project folder is the workspace path with `/` and `.` as `-`.
    const home = path.join(path.dirname(workspace), 'agent-home');
    const claudeDir = path.join(home, '.claude');
    const project = path.join(claudeDir, 'projects', workspace.replace(/[\\/.:]/g, '-'));
    mkdirSync(project, { recursive: true });
    copyFileSync(fixture('claude-session.jsonl'), path.join(project, '0b7e2c1a-e2e0-4c55-9d1e-5e55a0e2e001.jsonl'));
    mkdirSync(path.join(workspace, 'prompts', 'e2e'), { recursive: true });
    copyFileSync(fixture('session-system.md'), path.join(workspace, 'prompts', 'e2e', 'session-system.md'));
    mkdirSync(path.join(workspace, 'captures'), { recursive: true });
    copyFileSync(fixture('capture.har'), path.join(workspace, 'captures', 'capture.har'));
    await setUserSetting(ctx, 'promptCache.sessions.claudeDir', claudeDir);
    await setUserSetting(ctx, 'promptCache.sessions.codexDir', path.join(home, '.codex'));

    await wb.closeAllEditors(page);
    await wb.runCommand(page, 'View: Hide Panel').catch(() => {});
    await wb.runCommand(page, 'View: Close Primary Side Bar').catch(() => {});
    await wb.clearNotifications(page);
    await wb.runCommand(page, 'Prompt Cache: Audit Session…');
    const rows = await wb.waitFor(async () => {
      const r = await wb.quickInputRows(page);
      return r.some((x) => x.label.includes('The refund tests fail on CI')) ? r : null;
    }, { timeout: 15_000, message: 'the workspace\'s Claude Code session in the picker' });
    t.log(`picker: ${rows.map((r) => r.label).join(' | ').slice(0, 400)}`);
    await t.check('the picker lists the workspace\'s session first, and Browse…', () => {
      const i = rows.findIndex((r) => r.label.includes('The refund tests fail on CI'));
      assert.ok(rows.slice(0, i).every((r) => !/Claude Code|Codex/.test(r.label)), `rows before it: ${JSON.stringify(rows.slice(0, i))}`);
      assert.ok(rows.some((r) => r.label.includes('Browse…')));
    });
    await wb.pickQuickInput(page, 'The refund tests fail on CI');

    const frame = await wb.findWebviewFrame(page, '[data-testid=session-view] [data-testid=session-bar]', 30_000);
    const view = await frame.evaluate(() => {
      const root = document.querySelector('[data-testid=session-view]');
      const bars = [...root.querySelectorAll('[data-testid=session-bar]')];
      return {
        bars: bars.length,
        withSegments: bars.filter((b) => b.querySelector('.seg')).length,
        causes: bars.filter((b) => b.dataset.cause).map((b) => `${b.dataset.index}:${b.dataset.cause}`),
        breakRows: [...root.querySelectorAll('[data-testid=session-break]')].map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()),
        headline: root.querySelector('[data-testid=session-headline]')?.textContent ?? '',
      };
    });
    t.log(`session view: ${JSON.stringify(view).slice(0, 600)}`);
    await t.check('one bar per call (7), coloured by read / written / uncached', () => {
      assert.equal(view.bars, 7);
      assert.equal(view.withSegments, 7);
      assert.match(view.headline, /^\d+% read from cache$/);
    });
    await t.check('the breaks are marked with their cause', () => {
      assert.deepEqual(view.causes, ['3:ttl', '5:messages']);
      assert.ok(view.breakRows.some((r) => r.includes('cache expired (5m)') && r.includes('idle 7 min')), view.breakRows.join(' / '));
      assert.ok(view.breakRows.some((r) => r.includes('history changed') && r.includes('messages[8].content[0].text')), view.breakRows.join(' / '));
    });

    await frame.locator('[data-testid=session-bar][data-index="5"]').click();
    const diff = await wb.waitFor(async () => {
      const d = await frame.evaluate(() => {
        const sel = document.querySelector('[data-testid=session-selected][data-index="5"]');
        if (!sel) return null;
        return {
          title: sel.querySelector('h3')?.textContent ?? '',
          tokens: [...sel.querySelectorAll('[data-testid=diff-token]')].map((m) => m.textContent),
          highlighted: [...sel.querySelectorAll('mark.tok-d')].length,
          segment: sel.querySelector('[data-testid=diff-segment]')?.textContent ?? null,
          text: (sel.textContent ?? '').replace(/\s+/g, ' ').slice(0, 300),
        };
      });
      return d && d.tokens.length === 2 ? d : null;
    }, { timeout: 20_000, message: 'the request diff of call 5' });
    t.log(`diff: ${JSON.stringify(diff)}`);
    await frame.locator('[data-testid=session-selected]').scrollIntoViewIfNeeded().catch(() => {});
    await wb.clearNotifications(page); // a clean screenshot
    const shot = await t.screenshot('session');
    if (shot) {
      mkdirSync(path.join(repoRoot, 'docs', 'images'), { recursive: true });
      copyFileSync(shot, path.join(repoRoot, 'docs', 'images', 'session.png'));
    }
    await t.check('the break\'s request diff against call 4 highlights the divergent token in its segment', () => {
      assert.match(diff.title, /^call 5 \(line 13\) against call 4/);
      assert.equal(diff.segment, 'messages[8].content[0].text');
      assert.equal(diff.highlighted, 2);
      assert.notEqual(diff.tokens[0], diff.tokens[1]);
      assert.ok(/after/.test(diff.tokens[1]), `new side's token "${diff.tokens[1]}"`);
    });

    // ---- A HAR capture opened in the editor ----
    await wb.quickOpen(page, 'captures/capture.har');
    await wb.runCommand(page, 'Prompt Cache: Audit Session…');
    await wb.pickQuickInput(page, 'capture.har');
    // The panel may have been hidden behind the HAR's editor and reloaded: find its frame again.
    let harFrame = frame;
    const har = await wb.waitFor(async () => {
      harFrame = await wb.findWebviewFrame(page, '[data-testid=session-view] [data-testid=session-predicted-row]', 1000).catch(() => null);
      if (!harFrame) return null;
      const h = await harFrame.evaluate(() => {
        const root = document.querySelector('[data-testid=session-view]');
        const rows = [...root.querySelectorAll('[data-testid=session-predicted-row]')].map((r) => [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()));
        return { bars: root.querySelectorAll('[data-testid=session-bar]').length, rows, head: root.querySelector('.session-head')?.textContent ?? '' };
      }).catch(() => null);
      return h && /HAR capture/.test(h.head) && h.rows.length ? h : null;
    }, { timeout: 30_000, message: 'the HAR capture\'s session view' });
    t.log(`HAR: ${JSON.stringify(har).slice(0, 700)}`);
    await t.check('HAR: predicted vs reported per call, the difference and what explains it', () => {
      assert.equal(har.bars, 4);
      const r2 = har.rows.find((r) => r[0] === '2');
      assert.ok(r2, 'no row for call 2');
      assert.equal(r2[2], '0', 'reported cached');
      assert.match(r2[3], /^-[\d,]+$/, 'difference');
      assert.match(r2[4], /the provider did not serve the entry of call 1/);
    });
    await harFrame.locator('[data-testid=session-break][data-index="3"]').click();
    const link = await wb.waitFor(async () => {
      const l = await frameText(harFrame, '[data-testid=session-selected][data-index="3"] [data-testid=diff-prompt-link]');
      return l || null;
    }, { timeout: 20_000, message: 'the prompt-file link of the edited system line' });
    const segment = await frameText(harFrame, '[data-testid=session-selected] [data-testid=diff-segment]');
    await t.check('the edited system line links to the workspace prompt file at its line', async () => {
      assert.equal(segment, 'system[0].text');
      assert.equal(link, 'prompts/e2e/session-system.md:4');
      await harFrame.locator('[data-testid=diff-prompt-link]').click();
      await wb.waitFor(async () => (await wb.activeTabLabel(page)) === 'session-system.md', { timeout: 10_000, message: 'session-system.md opened' });
    });
  },
};
