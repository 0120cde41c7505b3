// The file commands are in the palette only while a prompt file is active (package.json when-clauses).
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { waitStatus } from '../helpers.mjs';

export default {
  name: 'palette shows the Prompt Cache file commands only with a prompt file active',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const fileOnly = ['Prompt Cache: Audit Current File', 'Prompt Cache: Measure Recompute Time', 'Prompt Cache: Compare with Last Save', 'Prompt Cache: Compare with Git Revision'];
    const always = ['Prompt Cache: Audit Workspace', 'Prompt Cache: Show Heatmap'];
    const has = (rows, title) => rows.some((r) => r.toLowerCase().startsWith(title.toLowerCase()));

    // Opening a prompt file activates the extension (its context keys exist from then on).
    await wb.quickOpen(page, scenario.editFile);
    await t.check('status bar item appears for a prompt file', () => waitStatus(ctx, (x) => x.length > 0, 'any text', 30_000));
    const withPrompt = await wb.paletteCommands(page, 'Prompt Cache');
    t.log(`with ${scenario.editFile}: ${withPrompt.join(' | ')}`);

    await wb.closeAllEditors(page);
    const noEditor = await wb.paletteCommands(page, 'Prompt Cache');
    t.log(`no editor: ${noEditor.join(' | ')}`);

    let other = null;
    if (scenario.nonPromptFile) {
      await wb.quickOpen(page, scenario.nonPromptFile);
      other = await wb.paletteCommands(page, 'Prompt Cache');
      t.log(`with ${scenario.nonPromptFile}: ${other.join(' | ')}`);
      await wb.closeAllEditors(page);
    }

    await t.check('file commands listed with a prompt file active', () => {
      for (const c of [...fileOnly, ...always]) assert.ok(has(withPrompt, c), `"${c}" missing from ${JSON.stringify(withPrompt)}`);
    });
    await t.check('file commands hidden with no editor', () => {
      for (const c of fileOnly) assert.ok(!has(noEditor, c), `"${c}" shown with no editor open`);
      for (const c of always) assert.ok(has(noEditor, c), `"${c}" missing with no editor open`);
    });
    if (other) {
      await t.check(`file commands hidden with a non-prompt file (${scenario.nonPromptFile}) active`, () => {
        for (const c of fileOnly) assert.ok(!has(other, c), `"${c}" shown for ${scenario.nonPromptFile}`);
      });
    }
  },
};
