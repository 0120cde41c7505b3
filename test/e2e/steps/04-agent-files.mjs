// The files coding agents load (CLAUDE.md, AGENTS.md, .github/copilot-instructions.md) get a status item and a
// heatmap, and where no prompt file is open the panel says which file kinds are watched (issue 13, item 2).
// Audit Workspace counting them is checked in 10-audit-workspace.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { frameText, panelFrame, waitStatus } from '../helpers.mjs';

export default {
  name: 'agent files: a status item and a heatmap each; the panel says which file kinds are watched',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await wb.closeAllEditors(page);
    for (const rel of scenario.agentFiles) {
      await wb.quickOpen(page, rel);
      await t.check(`${rel} gets a status item ("unchanged", it is committed)`, async () => {
        const st = await waitStatus(ctx, (x) => /unchanged|cached|new file/.test(x), `an estimate for ${rel}`, 30_000);
        t.log(`${rel}: "${st}"`);
      });
    }
    await wb.quickOpen(page, scenario.agentFile);
    await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
    const frame = await panelFrame(ctx, '[data-testid=token-heatmap]');
    await t.check(`the heatmap shows ${scenario.agentFile}'s tokens (not "Open a prompt file")`, async () => {
      const n = await wb.waitFor(async () => {
        const c = await frame.locator('[data-testid=token-heatmap] span.t').count();
        return c > 0 ? c : null;
      }, { timeout: 20_000, message: 'token cells for the agent file' });
      t.log(`${n} token cells on screen`);
    });
    await t.screenshot('agents');
    // No prompt file open: a fresh panel says what it watches.
    await wb.closeAllEditors(page);
    if (scenario.nonPromptFile) await wb.quickOpen(page, scenario.nonPromptFile);
    await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
    const empty = await panelFrame(ctx, '[data-testid=no-document]');
    await t.check('with no prompt file the panel lists the watched kinds, agent files included', async () => {
      const text = await wb.waitFor(async () => {
        const x = await frameText(empty, '[data-testid=no-document]');
        return /Watched/.test(x) ? x : null;
      }, { timeout: 10_000, message: 'the "Watched (promptCache.include): …" sentence' });
      t.log(text);
      for (const k of ['CLAUDE.md', 'AGENTS.md', 'Copilot instructions', 'prompt files', 'Templates']) assert.ok(text.includes(k), `"${k}" missing`);
    });
    await wb.closeAllEditors(page);
  },
};
