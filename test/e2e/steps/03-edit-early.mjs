// Typing early in a prompt: the divergence diagnostic in Problems and "N% cached" in the status bar.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { fileEntry, problemsByFile, STATUS_CACHED, waitStatus } from '../helpers.mjs';

export default {
  name: 'edit early in a prompt: divergence diagnostic and status bar',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await wb.quickOpen(page, scenario.editFile);
    const before = await waitStatus(ctx, (x) => !/loading|Auditing/i.test(x) && x !== 'Prompt Cache', 'first audit', 30_000);
    t.log(`status before the edit: "${before}"`);
    await wb.goToLine(page, scenario.editLine, 1);
    await page.keyboard.type(scenario.editText);
    await wb.save(page);
    await wb.waitSaved(page);
    await t.check('file saved with the edit', () => {
      const text = ctx.readWs(scenario.editFile).toString('utf8');
      assert.ok(text.split('\n')[scenario.editLine - 1].startsWith(scenario.editText), `line ${scenario.editLine} is "${text.split('\n')[scenario.editLine - 1]}"`);
    });
    await t.check('status bar shows "% cached"', async () => {
      ctx.shared.editedStatus = await waitStatus(ctx, (x) => STATUS_CACHED.test(x), '"N% cached"', 20_000);
      t.log(`status after the edit: "${ctx.shared.editedStatus}"`);
    });
    await t.check('Problems view shows the divergence ("recomputes") on the edited file', async () => {
      const mine = await wb.waitFor(async () => {
        const f = fileEntry(await problemsByFile(page, 'recomputes'), scenario.editFile);
        return f?.ours.some((p) => /recomputes/.test(p)) ? f : null;
      }, { timeout: 20_000, message: `a "recomputes" problem from Prompt Cache on ${scenario.editFile}` });
      t.log(`problem: ${mine.ours.find((p) => /recomputes/.test(p))}`);
      await t.screenshot('problems');
    });
  },
};
