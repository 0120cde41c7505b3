// KV drift for an edit past the decoder's token cap (issue 13, item 4): it used to fail with "divergenceIndex 2278
// is outside both versions (0…2048)". The decoder measures a window around the divergence; the tab shows the map and
// says where it is.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { frameText, panelFrame, setUserSetting, waitStatus } from '../helpers.mjs';

const CAP = 512;

export default {
  name: `KV drift for an edit past the token cap (${CAP})`,
  timeout: 240_000,
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await setUserSetting(ctx, 'promptCache.decoder.tokenCap', CAP);
    try {
      await wb.closeAllEditors(page);
      await wb.quickOpen(page, scenario.agentFile);
      await waitStatus(ctx, (x) => /unchanged/.test(x), 'the agent file audited', 30_000);
      // Three quarters down a ~4,000-token file: far past the cap.
      const lines = ctx.readWs(scenario.agentFile).toString('utf8').split('\n').length;
      await wb.goToLine(page, Math.floor(lines * 0.75), 1);
      await page.keyboard.type('Edited far down: ');
      await waitStatus(ctx, (x) => /% cached/.test(x), 'the edit audited', 20_000);
      await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
      const frame = await panelFrame(ctx, '[data-testid=kv-drift]');
      await frame.locator('[data-testid=tab-kv]').click();
      const kv = frame.locator('[data-testid=kv-drift]');
      // An earlier map may still be on the tab: only one drawn for this edit counts.
      await frame.evaluate(() => document.querySelectorAll('canvas.kv').forEach((c) => c.classList.add('e2e-old')));
      await kv.locator('vscode-button').first().click();
      const outcome = await wb.waitFor(async () => {
        const err = await kv.locator('.status.error').textContent({ timeout: 200 }).catch(() => null);
        if (err) return { error: err };
        const fresh = kv.locator('canvas.kv:not(.e2e-old)');
        const label = (await fresh.count()) > 0 ? await fresh.getAttribute('aria-label') : null;
        return label ? { label } : null;
      }, { timeout: 180_000, interval: 500, message: 'the KV drift map or an error' });
      const text = await frameText(frame, '[data-testid=kv-drift]');
      t.log(JSON.stringify(outcome));
      t.log(`kv tab: ${text.slice(0, 300)}`);
      await t.screenshot('kv-window');
      await t.check('a KV drift map, not "outside both versions"', () => {
        assert.ok(!outcome.error, outcome.error);
        assert.match(outcome.label, /KV drift: \d+ layers by \d+ positions/);
      });
      await t.check(`the map is of the edit's window (its first divergent token is past ${CAP})`, () => {
        const m = /from token (\d+)/.exec(outcome.label ?? '');
        assert.ok(m && Number(m[1]) >= CAP, outcome.label);
      });
    } finally {
      await wb.quickOpen(page, scenario.agentFile).catch(() => {});
      await wb.runCommand(page, 'File: Revert File').catch(() => {});
      await setUserSetting(ctx, 'promptCache.decoder.tokenCap', undefined);
      await wb.closeAllEditors(page).catch(() => {});
    }
  },
};
