// Quick fix on a per-request placeholder early in a template: the line moves to the end, nothing else changes.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { sleep, waitStatus } from '../helpers.mjs';

export default {
  name: 'quick fix: move a per-request placeholder to the end',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const fix = scenario.placeholderFix;
    assert.ok(fix, 'no template with a per-request placeholder in the workspace');
    const before = ctx.readWs(fix.file).toString('utf8');
    await wb.quickOpen(page, fix.file);
    await waitStatus(ctx, (x) => !/loading/i.test(x), 'audit of the template', 30_000).catch(() => {});
    await wb.goToLine(page, fix.line, fix.column);
    const titles = await wb.waitFor(async () => {
      const ts = await wb.openQuickFixes(page).catch(() => []);
      if (ts.some((x) => fix.title.test(x))) return ts;
      await page.keyboard.press('Escape');
      await sleep(500);
      return null;
    }, { timeout: 20_000, message: `a quick fix matching ${fix.title}` });
    t.log(`offered: ${titles.join(' | ')}`);
    await t.screenshot('menu');
    const chosen = await wb.chooseQuickFix(page, (x) => fix.title.test(x));
    t.log(`applied: ${chosen}`);
    await wb.save(page);
    await wb.waitSaved(page);
    const after = ctx.readWs(fix.file).toString('utf8');
    await t.check('the placeholder line moved from its place to the end of the file', () => {
      assert.notEqual(after, before, 'file unchanged on disk');
      const beforeLines = before.split('\n');
      const afterLines = after.split('\n');
      assert.equal(beforeLines[fix.line - 1], fix.lineText, 'fixture expectation');
      assert.notEqual(afterLines[fix.line - 1], fix.lineText, `line ${fix.line} still holds the placeholder`);
      const lastNonEmpty = afterLines.filter((l) => l.trim()).pop();
      assert.equal(lastNonEmpty, fix.lineText, 'the placeholder line is not the last line');
      assert.equal(afterLines.filter((l) => l === fix.lineText).length, 1, 'the line is duplicated or lost');
      assert.equal(after.length, before.length + (before.endsWith('\n') ? 0 : 1), 'other content changed');
    });
  },
};
