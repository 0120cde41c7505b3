// With preset `smollm2-360m` (a 1.45 GB model), the "generate it?" dialog suggests only the smaller real preset
// (smollm2-135m), never the preset itself, and names `tiny` as a test shape (issue 13, item 7). Declining skips the
// measurement.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { setUserSetting, userSettings } from '../helpers.mjs';

export default {
  name: 'with preset "smollm2-360m", the large-model dialog suggests only the smaller "smollm2-135m"',
  timeout: 120_000,
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const before = userSettings(ctx)['promptCache.decoder.preset'];
    await setUserSetting(ctx, 'promptCache.decoder.preset', 'smollm2-360m');
    try {
      await wb.quickOpen(page, scenario.editFile);
      const seen = wb.dialogsSeen.length;
      await wb.runCommand(page, 'Prompt Cache: Measure Recompute Time');
      // runCommand closes a dialog that is already up (and records it); otherwise wait for it here.
      const text = await wb.waitFor(async () => {
        if (wb.dialogsSeen.length > seen) return wb.dialogsSeen[wb.dialogsSeen.length - 1];
        const box = page.locator('.monaco-dialog-box');
        if (!(await box.isVisible().catch(() => false))) return null;
        return wb.dismissDialog(page);
      }, { timeout: 60_000, interval: 250, message: 'the "generate a local model?" dialog' });
      t.log(`dialog: ${text}`);
      await t.check('the dialog offers only a smaller preset', () => {
        assert.match(text, /Measuring needs a generated local model/);
        assert.match(text, /of 1447 MB|of 14\d\d MB/);
        assert.match(text, /promptCache\.decoder\.preset: smollm2-135m\)/);
        assert.doesNotMatch(text, /preset: [^)]*smollm2-360m/, 'the preset in use is not offered as "smaller"');
      });
      await t.check('declining skips the measurement with a notice', async () => {
        const n = await wb.waitFor(async () => (await wb.notifications(page)).find((x) => /measurement skipped/.test(x)), { timeout: 15_000, message: 'the "measurement skipped" notice' });
        t.log(n);
      });
    } finally {
      await setUserSetting(ctx, 'promptCache.decoder.preset', before ?? 'tiny');
    }
  },
};
