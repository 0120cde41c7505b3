// With preset `small` (a 164 MB model), the "generate it?" dialog suggests only a smaller preset (tiny), not
// "tiny or small" (issue 13, item 7). Declining skips the measurement.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { setUserSetting, userSettings } from '../helpers.mjs';

export default {
  name: 'with preset "small", the large-model dialog suggests only "tiny"',
  timeout: 120_000,
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const before = userSettings(ctx)['promptCache.decoder.preset'];
    await setUserSetting(ctx, 'promptCache.decoder.preset', 'small');
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
        assert.match(text, /promptCache\.decoder\.preset: tiny\)/);
        assert.doesNotMatch(text, /tiny or small/);
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
