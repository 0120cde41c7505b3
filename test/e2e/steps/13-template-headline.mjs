// A Jinja system prompt with a per-request value early: the panel's headline and its heatmap agree (issue 13,
// item 7). The headline says why nothing is cached, and the heatmap marks the tokens the provider does not serve
// apart from those it does (span.t.r.u vs span.t.r), so "0% cached" no longer sits above an all-green heatmap.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { frameText, panelFrame, waitStatus } from '../helpers.mjs';

export default {
  name: 'a Jinja template: the headline and the heatmap agree',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const template = scenario.tracked.find((f) => /\.j2$/.test(f) && f !== scenario.placeholderFix?.file) ?? scenario.placeholderFix.file;
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, template);
    const st = await waitStatus(ctx, (x) => /unchanged|cached/.test(x), `the audit of ${template}`, 30_000);
    await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
    const frame = await panelFrame(ctx, '[data-testid=token-heatmap]');
    await frame.locator('[data-testid=tab-tokens]').click();
    const cells = await wb.waitFor(async () => {
      const c = await frame.evaluate(() => {
        const root = document.querySelector('[data-testid=token-heatmap]');
        const n = (sel) => root?.querySelectorAll(sel).length ?? 0;
        return { all: n('span.t'), served: n('span.t.r:not(.u)'), notServed: n('span.t.r.u'), recomputed: n('span.t.c') };
      });
      return c.all > 0 ? c : null;
    }, { timeout: 20_000, message: 'token cells' });
    const headline = await frameText(frame, '[data-testid=summary-headline]');
    const reason = await frameText(frame, '[data-testid=summary-reason]');
    t.log(`${template}: status "${st}", headline "${headline}", reason "${reason}", cells ${JSON.stringify(cells)}`);
    await t.screenshot('template');
    await t.check('the status bar and the panel headline say the same state', () => assert.ok(st.startsWith(headline), `status "${st}" vs headline "${headline}"`));
    await t.check('a "0% cached" headline has no token shown as served from cache, and says why', () => {
      if (!/(^|· )0% cached/.test(headline)) return;
      assert.equal(cells.served, 0, `${cells.served} tokens shown as served under a 0% headline`);
      assert.ok(cells.notServed > 0, 'the same-as-baseline tokens are not marked');
      assert.ok(reason.length > 0, 'no reason next to the number');
    });
    await t.check('an "unchanged" headline has no recomputed token', () => {
      if (/^unchanged/.test(headline)) assert.equal(cells.recomputed, 0);
    });
  },
};
