// The workbench loads with the extension installed (required: later steps are skipped if not).
import * as wb from '../workbench.mjs';

export default {
  name: 'workbench loads with the extension installed',
  required: true,
  timeout: 90_000,
  async run(t, { page, server }) {
    await page.goto(server.workspaceUrl, { waitUntil: 'domcontentloaded' });
    const started = performance.now();
    await wb.waitForWorkbench(page);
    t.log(`workbench ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Dismiss anything that grabbed focus at start-up.
    await wb.closeQuickInput(page);
  },
};
