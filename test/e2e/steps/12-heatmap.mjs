// The panel beside the edited prompt: token cells reused / recomputed, one divergence marker on the typed text, a
// summary, and the History tab's rows. Refreshes docs/images/panel.png, the README's screenshot.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { STATUS_CACHED, waitStatus } from '../helpers.mjs';

export default {
  name: 'heatmap panel: token heatmap, divergence marker, history rows',
  async run(t, ctx) {
    const { page, scenario, repoRoot } = ctx;
    // Editor on the left, panel beside it (where Show Heatmap opens it).
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.editFile);
    await waitStatus(ctx, (x) => STATUS_CACHED.test(x), 'the edited file audited', 20_000);
    // More room for the panel (and the README's screenshot): no bottom panel, no side bar.
    await wb.runCommand(page, 'View: Hide Panel').catch(() => {});
    await wb.runCommand(page, 'View: Close Primary Side Bar').catch(() => {});
    await wb.clearNotifications(page); // a clean screenshot
    await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
    const frame = await wb.findWebviewFrame(page, '[data-testid=token-heatmap]', 30_000);
    await frame.locator('[data-testid=tab-tokens]').click();
    // Token spans: `t r` reused, `t c` recomputed, `t c d` the first divergent token (webview/tokenHeatmap.ts).
    const cells = await wb.waitFor(async () => {
      const c = await frame.evaluate(() => {
        const root = document.querySelector('[data-testid=token-heatmap]');
        const n = (sel) => root?.querySelectorAll(sel).length ?? 0;
        return { all: n('span.t'), reused: n('span.t.r'), recomputed: n('span.t.c'), divergence: n('span.t.d'), divergenceText: root?.querySelector('span.t.d')?.textContent ?? null };
      });
      return c.all > 0 && c.recomputed > 0 ? c : null;
    }, { timeout: 20_000, message: 'token cells in the heatmap' }).catch(async (e) => {
      t.log(`heatmap text: ${(await frame.locator('[data-testid=token-heatmap]').textContent().catch(() => '')).slice(0, 300)}`);
      throw e;
    });
    t.log(`token cells on screen: ${JSON.stringify(cells)}`);
    const summary = ((await frame.locator('[data-testid=summary]').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
    t.log(`summary: ${summary.slice(0, 300)}`);
    const shot = await t.screenshot('tokens');
    if (shot) {
      mkdirSync(path.join(repoRoot, 'docs', 'images'), { recursive: true });
      copyFileSync(shot, path.join(repoRoot, 'docs', 'images', 'panel.png'));
    }
    await t.check('token cells coloured reused and recomputed', () => {
      assert.ok(cells.reused > 0, `no reused cells (${JSON.stringify(cells)})`);
      assert.ok(cells.recomputed > 0, `no recomputed cells (${JSON.stringify(cells)})`);
      assert.equal(cells.reused + cells.recomputed, cells.all);
    });
    await t.check('one divergence marker, at the edit', () => {
      assert.equal(cells.divergence, 1, `${cells.divergence} divergence markers`);
      assert.ok(scenario.editText.startsWith(cells.divergenceText.trim()) || scenario.editText.includes(cells.divergenceText.trim()), `marker on "${cells.divergenceText}"`);
    });
    await t.check('summary says what the edit recomputes', () => assert.match(summary, /recompute/i));

    await frame.locator('[data-testid=tab-history]').click();
    const rows = await wb.waitFor(async () => {
      const r = await frame.$$eval('[data-testid=history-heatmap] [data-testid=history-row]', (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
      return r.length >= scenario.historyRows ? r : null;
    }, { timeout: 30_000, message: `≥${scenario.historyRows} history rows` }).catch(async (e) => {
      t.log(`history tab: ${((await frame.locator('[data-testid=history-heatmap]').textContent().catch(() => '')) ?? '').slice(0, 300)}`);
      return e;
    });
    await t.screenshot('history');
    await t.check(`history heatmap lists the file's versions (≥ ${scenario.historyRows} rows, one invalidating tokens)`, () => {
      if (rows instanceof Error) throw rows;
      for (const r of rows) t.log(`history: ${r.slice(0, 140)}`);
      assert.ok(rows.some((r) => /invalidated [\d,]+ of [\d,]+/.test(r)), 'no row says what it invalidated');
    });
    await frame.locator('[data-testid=tab-tokens]').click().catch(() => {});
  },
};
