// Select Provider and Model and Select Encoding write the user's settings by default and leave the repository alone
// (`git status` as before, .vscode/settings.json byte for byte); the cost follows the chosen model, as the CLI
// computes it for the same files (issue 13, item 3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { pickSequence, statusTooltip, userSettings, waitStatus } from '../helpers.mjs';

export default {
  name: 'pickers write user settings and leave git status clean; the cost follows the model',
  async run(t, ctx) {
    const { page, scenario, workspace, repoRoot } = ctx;
    const wsSettings = path.join(workspace, '.vscode', 'settings.json');
    const wsBefore = readFileSync(wsSettings, 'utf8');
    const statusBefore = ctx.git('status', '--porcelain');
    await wb.quickOpen(page, scenario.agentFile);

    await wb.runCommand(page, 'Prompt Cache: Select Provider and Model');
    await pickSequence(page, ['OpenAI', 'gpt-4.1']);
    const targets = await wb.quickInputRows(page);
    t.log(`save targets: ${targets.map((r) => r.label).join(' | ')}`);
    await t.check('the save target defaults to user settings and offers the workspace explicitly', () => {
      assert.match(targets[0]?.label ?? '', /User settings/);
      assert.ok(targets.some((r) => /This workspace/.test(r.label)), JSON.stringify(targets));
    });
    await pickSequence(page, ['User settings']);
    await wb.waitFor(() => userSettings(ctx)['promptCache.model'] === 'gpt-4.1', { timeout: 10_000, message: 'promptCache.model in user settings' });
    await t.check('provider and model are in the user settings', () => {
      const u = userSettings(ctx);
      assert.equal(u['promptCache.provider'], 'openai');
      assert.equal(u['promptCache.model'], 'gpt-4.1');
    });

    await wb.runCommand(page, 'Prompt Cache: Select Encoding');
    await pickSequence(page, ['cl100k_base', 'User settings']);
    await wb.waitFor(() => userSettings(ctx)['promptCache.encoding'] === 'cl100k_base', { timeout: 10_000, message: 'promptCache.encoding in user settings' });
    await wb.runCommand(page, 'Prompt Cache: Select Encoding');
    await pickSequence(page, ['auto', 'User settings']);
    await wb.waitFor(() => userSettings(ctx)['promptCache.encoding'] === 'auto', { timeout: 10_000, message: 'encoding back to auto' });

    await t.check('git status is as before and .vscode/settings.json is untouched', () => {
      assert.equal(ctx.git('status', '--porcelain'), statusBefore);
      assert.equal(readFileSync(wsSettings, 'utf8'), wsBefore);
    });

    // The price in the tooltip is the one the CLI computes for gpt-4.1 on the same two versions.
    await waitStatus(ctx, (x) => /cached/.test(x), 'an estimate under gpt-4.1', 20_000);
    const tip = await statusTooltip(ctx);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pca-e2e-cli-'));
    try {
      const oldFile = path.join(tmp, 'old', path.basename(scenario.agentFile));
      const newFile = path.join(tmp, 'new', path.basename(scenario.agentFile));
      for (const f of [oldFile, newFile]) mkdirSync(path.dirname(f), { recursive: true });
      const committed = ctx.git('show', `HEAD:${scenario.agentFile}`);
      writeFileSync(oldFile, `${committed}\n`);
      writeFileSync(newFile, `${committed}\n\nAlways cite the plan id.`);
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'diff', oldFile, newFile, '--provider', 'openai', '--model', 'gpt-4.1', '--json'], { encoding: 'utf8' });
      const est = JSON.parse(r.stdout).providers.find((p) => p.id === 'openai');
      const price = est.costPer1kRequests?.pricePerMTok;
      t.log(`CLI: openai gpt-4.1 at $${price}/M; tooltip: ${tip.slice(0, 500)}`);
      await t.check('the tooltip prices the change at the CLI\'s price for gpt-4.1 and names the model', () => {
        assert.ok(price !== undefined, 'the CLI gives no price');
        assert.ok(tip.includes(`$${price.toFixed(2)}/M input tokens (gpt-4.1)`), `tooltip lacks "$${price.toFixed(2)}/M input tokens (gpt-4.1)"`);
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }

    // Back to Anthropic (user settings), and the agent file back to its committed text.
    await wb.runCommand(page, 'Prompt Cache: Select Provider and Model');
    await pickSequence(page, ['Anthropic', 'Provider default', 'User settings']);
    await wb.waitFor(() => userSettings(ctx)['promptCache.provider'] === 'anthropic', { timeout: 10_000, message: 'provider back to anthropic' });
    if (ctx.shared.appendedAgentFile) {
      await wb.runCommand(page, 'File: Revert File');
      await waitStatus(ctx, (x) => /unchanged/.test(x), 'the agent file unchanged again', 20_000);
    }
    await wb.closeAllEditors(page);
  },
};
