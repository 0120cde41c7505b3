// The KV drift tab computes a layers × positions map from the first divergent token (tiny decoder).
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';

export default {
  name: 'KV drift map from the local decoder',
  timeout: 240_000,
  async run(t, ctx) {
    const { page } = ctx;
    // The panel opens beside the editor and stays visible; reopen it if something closed it.
    const frame = await wb.findWebviewFrame(page, '[data-testid=kv-drift]', 5000).catch(async () => {
      await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
      return wb.findWebviewFrame(page, '[data-testid=kv-drift]', 20_000);
    });
    await frame.locator('[data-testid=tab-kv]').click();
    const kv = frame.locator('[data-testid=kv-drift]');
    if ((await kv.locator('canvas.kv').count()) === 0) {
      await kv.locator('vscode-button').first().click();
    }
    const label = await wb.waitFor(async () => (await kv.locator('canvas.kv').count()) > 0 && (await kv.locator('canvas.kv').getAttribute('aria-label')), {
      timeout: 180_000,
      interval: 500,
      message: 'the KV drift canvas',
    }).catch(async (e) => {
      t.log(`kv tab: ${((await kv.textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`);
      throw e;
    });
    t.log(label);
    await t.screenshot('kv');
    await t.check('KV drift canvas covers layers × positions from the edit', () => assert.match(label, /KV drift: \d+ layers by \d+ positions/));
    await frame.locator('[data-testid=tab-tokens]').click().catch(() => {});
  },
};
