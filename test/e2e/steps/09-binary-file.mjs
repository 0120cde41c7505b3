// A binary file under the include globs, opened with "Open Anyway": not audited, and the status bar and a notice say
// "binary file, not a text prompt" (the CLI's words) instead of "This edit recomputes 100,831 of …" (issue 13, item 5).
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { fileEntry, problemsByFile, statusTooltip, waitStatus } from '../helpers.mjs';

export default {
  name: 'a binary file opened with "Open Anyway" is not audited, and says why',
  async run(t, ctx) {
    const { page, workspace } = ctx;
    const rel = 'prompts/e2e/captured-tool.txt';
    // An ELF header, NULs and bytes: what a compiled tool looks like.
    const bytes = Buffer.alloc(64 * 1024);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(bytes);
    for (let i = 64; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(path.join(workspace, rel), bytes);
    ctx.git('add', '--', rel);
    ctx.git('commit', '-q', '-m', 'Add a binary file under prompts/', '--', rel);
    try {
      await wb.closeAllEditors(page);
      await wb.clearNotifications(page);
      // Quick Open shows VS Code's "binary file" placeholder, not a text editor (so quickOpen's own wait fails).
      await wb.quickOpen(page, rel).catch(() => {});
      const open = page.getByText('Open Anyway').first();
      await open.waitFor({ state: 'visible', timeout: 10_000 });
      await open.click();
      // VS Code may ask which editor: the text editor.
      await wb.pickQuickInput(page, 'Text Editor', { timeout: 3000 }).catch(() => {});
      await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines', { timeout: 10_000 });
      await t.check('a notice says "binary file, not a text prompt"', async () => {
        const n = await wb.waitFor(async () => (await wb.notifications(page)).find((x) => /binary file, not a text prompt/.test(x)), { timeout: 10_000, message: 'the notice' });
        t.log(`notice: ${n}`);
      });
      const st = await waitStatus(ctx, (x) => /not audited|cached|unchanged/.test(x), 'the status item for the binary file', 20_000);
      t.log(`status: "${st}"`);
      await t.check('the status bar says "not audited", its tooltip why', async () => {
        assert.match(st, /not audited/);
        const tip = await statusTooltip(ctx).catch(async () => (await wb.statusBarItems(page)).map((i) => i.aria).join(' | '));
        t.log(`tooltip: ${tip}`);
        assert.match(tip, /binary file, not a text prompt/);
      });
      await t.check('no "recomputes" problem and no finding for the binary file', async () => {
        const f = fileEntry(await problemsByFile(page), rel);
        assert.equal(f?.ours.length ?? 0, 0, JSON.stringify(f));
      });
    } finally {
      await wb.closeAllEditors(page).catch(() => {});
      rmSync(path.join(workspace, rel), { force: true });
      ctx.git('rm', '-q', '--cached', '--', rel);
      ctx.git('commit', '-q', '-m', 'Remove the binary file', '--', rel);
    }
  },
};
