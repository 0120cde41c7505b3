// The hover at the first divergent token shows tokens, rule and cost (as the lint hovers do), and the diagnostic's
// message once, not twice (issue 13, item 7).
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { hoverAtCursor, STATUS_CACHED, waitStatus } from '../helpers.mjs';

export default {
  name: 'hover at the first divergent token: tokens, rule and cost, the message once',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.editFile);
    await waitStatus(ctx, (x) => STATUS_CACHED.test(x), 'the edited file audited', 20_000);
    await wb.goToLine(page, scenario.editLine, 2);
    const text = await wb.waitFor(async () => {
      // The marker part shows at once, the provider's part (ours) a moment later: wait for ours.
      const h = await hoverAtCursor(page, /first divergent token #/).catch(() => null);
      await page.keyboard.press('Escape');
      return h;
    }, { timeout: 20_000, interval: 500, message: 'the divergence hover' });
    t.log(`hover: ${text.slice(0, 500)}`);
    await t.check('tokens, rule and cost', () => {
      assert.match(text, /reusable prefix/);
      assert.match(text, /recomputed/);
      assert.match(text, /Anthropic rule/);
      assert.match(text, /This edit, once|Cost per 1,000 requests/);
    });
    await t.check('"This edit recomputes …" once, not twice', () => assert.equal(text.split('This edit recomputes').length - 1, 1, text));
  },
};
