// Measure Recompute Time with the tiny decoder: a timing appears (panel or notification), and the progress the
// notification reports is one percentage that never goes back (issue 13: it went 75% → 50% → 100%).
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';

/** Records every text the notifications show (a MutationObserver in the page), so no progress update is missed. */
async function recordNotificationTexts(page) {
  await page.evaluate(() => {
    const w = window;
    w.__pcaTexts = [];
    w.__pcaObserver?.disconnect();
    const read = () => {
      for (const n of document.querySelectorAll('.notifications-toasts .notification-list-item-message, .notifications-toasts .notification-list-item-details-row')) {
        const t = (n.textContent ?? '').trim();
        if (t && w.__pcaTexts[w.__pcaTexts.length - 1] !== t) w.__pcaTexts.push(t);
      }
    };
    w.__pcaObserver = new MutationObserver(read);
    w.__pcaObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return async () => page.evaluate(() => {
    window.__pcaObserver?.disconnect();
    return window.__pcaTexts ?? [];
  });
}

export default {
  name: 'Measure Recompute Time (tiny decoder): a timing, and monotonic progress',
  timeout: 240_000,
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await wb.quickOpen(page, scenario.editFile);
    await wb.clearNotifications(page);
    // The timing tab counts its renders: only one rendered after this command counts.
    const counts = async () => {
      const out = [];
      for (const f of page.frames()) {
        if (f === page.mainFrame() || f.isDetached()) continue;
        out.push(await f.evaluate(() => {
          const b = document.querySelector('[data-testid=timing]');
          return b ? { count: Number(b.dataset.renderCount ?? 0), text: (b.querySelector('[data-testid=timing-local]')?.textContent ?? '').replace(/\s+/g, ' ').trim() } : null;
        }).catch(() => null));
      }
      return out.filter(Boolean);
    };
    const before = Math.max(0, ...(await counts()).map((c) => c.count));
    const stop = await recordNotificationTexts(page);
    const asked = performance.now();
    await wb.runCommand(page, 'Prompt Cache: Measure Recompute Time');
    const timingRe = /\d+(\.\d+)?\s?(ms|s)\b/;
    const found = await wb.waitFor(async () => {
      const notes = await wb.notifications(page);
      const note = notes.find((n) => timingRe.test(n) && /recompute|prefill|cold|cached|measured|faster/i.test(n)) ?? null;
      const panel = (await counts()).find((c) => c.count > before && timingRe.test(c.text))?.text ?? null;
      return note || panel ? { note, panel, seconds: (performance.now() - asked) / 1000 } : null;
    }, { timeout: 180_000, interval: 250, message: 'a timing in a notification or the panel' });
    const texts = await stop();
    t.log(`timing shown ${found.seconds.toFixed(1)} s after the command`);
    t.log(`notification: ${found.note ?? '(none)'}`);
    t.log(`panel timing: ${found.panel ?? '(none)'}`);
    await t.check('a timing in ms/s appears (notification or panel [data-testid=timing])', () => assert.ok(found.note || found.panel));
    if (found.panel) {
      await t.check('panel timing shows cold and cached-prefix prefill', () => {
        assert.match(found.panel, /cold/);
        assert.match(found.panel, /cached prefix/);
      });
    }
    const percents = texts.map((x) => /\((\d+)%\)/.exec(x)).filter(Boolean).map((m) => Number(m[1]));
    t.log(`progress seen: ${texts.filter((x) => /%\)/.test(x)).join(' → ') || '(none)'}`);
    await t.check('the progress percentage never goes back', () => {
      for (let i = 1; i < percents.length; i++) assert.ok(percents[i] >= percents[i - 1], `progress went ${percents[i - 1]}% → ${percents[i]}%: ${percents.join(', ')}`);
    });
  },
};
