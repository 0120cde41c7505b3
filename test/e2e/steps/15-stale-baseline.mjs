// Baselines that say what they compare with (issue 13, item 7): Compare with Last Save opens a diff and keeps
// "Back to the default baseline" in the Git picker; picking a revision says so; Clear Saved Versions really clears
// what the status bar and the panel compare with.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { frameText, panelFrame, pickSequence, sleep, statusTooltip, waitStatus } from '../helpers.mjs';

/** What the tooltip's first line says the baseline is (its rendered paragraphs run together in textContent). */
const baselineOf = (tip) => {
  const i = tip.indexOf('baseline: ');
  return i < 0 ? '' : tip.slice(i + 10, i + 50);
};

export default {
  name: 'baselines: Compare with Last Save diff, Git picker, revision notice, Clear Saved Versions',
  timeout: 180_000,
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.editFile);
    await waitStatus(ctx, (x) => /cached|unchanged/.test(x), 'the file audited', 20_000);
    await wb.clearNotifications(page);

    await wb.runCommand(page, 'Prompt Cache: Compare with Last Save');
    await t.check('Compare with Last Save opens a diff (last save ↔ now) and says what is compared', async () => {
      await page.waitForSelector('.monaco-diff-editor', { state: 'visible', timeout: 10_000 });
      const label = await wb.activeTabLabel(page);
      t.log(`diff tab: ${label}`);
      const n = await wb.waitFor(async () => (await wb.notifications(page)).find((x) => /comparing .* with its last save/.test(x)), { timeout: 10_000, message: 'the "comparing … with its last save" notice' });
      t.log(n);
    });
    const lastSaveTip = await statusTooltip(ctx);
    await t.check('the status bar compares with the last save', () => assert.match(baselineOf(lastSaveTip), /last save/));
    await wb.runCommand(page, 'View: Close Editor'); // the diff; the file's own editor stays
    await wb.quickOpen(page, scenario.editFile);

    await wb.runCommand(page, 'Prompt Cache: Compare with Git Revision…');
    const rows = await wb.waitFor(async () => {
      const r = await wb.quickInputRows(page);
      return r.length > 0 ? r : null;
    }, { timeout: 10_000, message: 'the Git picker' });
    await t.check('the Git picker still offers "Back to the default baseline"', () => assert.match(rows[0].label, /Back to the default baseline/, JSON.stringify(rows.map((r) => r.label))));
    await page.keyboard.press('Escape');

    await wb.clearNotifications(page);
    await wb.runCommand(page, 'Prompt Cache: Clear Saved Versions');
    await wb.waitFor(async () => (await wb.notifications(page)).find((x) => /cleared \d+ saved version/.test(x)), { timeout: 10_000, message: 'the "cleared" notice' });
    await t.check('after Clear Saved Versions the status bar and the panel compare with HEAD again', async () => {
      const tip = await wb.waitFor(async () => {
        const x = await statusTooltip(ctx);
        return /HEAD/.test(baselineOf(x)) ? x : null;
      }, { timeout: 15_000, interval: 500, message: 'the status tooltip baseline back to HEAD' });
      t.log(`status baseline: ${baselineOf(tip)}`);
      await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
      const frame = await panelFrame(ctx);
      const summary = await wb.waitFor(async () => {
        const s = await frameText(frame, '[data-testid=summary]');
        return /Baseline ?HEAD/.test(s) ? s : null;
      }, { timeout: 15_000, message: 'the panel baseline back to HEAD' });
      t.log(`panel: ${summary.slice(0, 200)}`);
    });

    // Picking a Git revision says so.
    await wb.quickOpen(page, scenario.editFile);
    await wb.clearNotifications(page);
    await wb.runCommand(page, 'Prompt Cache: Compare with Git Revision…');
    const revs = await wb.waitFor(async () => {
      const r = await wb.quickInputRows(page);
      return r.length > 1 ? r : null;
    }, { timeout: 10_000, message: 'revisions in the Git picker' });
    const oldest = revs[revs.length - 1].label;
    await pickSequence(page, [oldest.split(',')[0].slice(0, 40)]);
    await t.check('picking a revision says so, and the status bar compares with that commit', async () => {
      const n = await wb.waitFor(async () => (await wb.notifications(page)).find((x) => /comparing .* with commit [0-9a-f]{7}/.test(x)), { timeout: 10_000, message: 'the "comparing … with commit …" notice' });
      t.log(n);
      const tip = await wb.waitFor(async () => {
        const x = await statusTooltip(ctx);
        return /commit [0-9a-f]{7}/.test(baselineOf(x)) ? x : null;
      }, { timeout: 15_000, interval: 500, message: 'the status tooltip baseline on the commit' });
      t.log(`status baseline: ${baselineOf(tip)}`);
    });
    await wb.runCommand(page, 'Prompt Cache: Compare with Git Revision…');
    await pickSequence(page, ['Back to the default baseline']);
    await sleep(300);
    await waitStatus(ctx, (x) => /cached|unchanged/.test(x), 'back on the default baseline', 20_000);
    await wb.closeAllEditors(page);
  },
};
