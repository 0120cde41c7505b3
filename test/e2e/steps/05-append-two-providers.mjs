// Appending to a 4,000-token agent file, under two providers (issue 13, item 1): under Anthropic the status bar says
// the file is one block, so the append misses, in words where the number is, with the token-level reuse beside it;
// under OpenAI it reads "N% cached" in 128-token steps. One stand-in tokenizer note. Also the keystroke-to-status
// latency on this file (printed, not asserted).
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { pickSequence, statusTooltip, waitStatus } from '../helpers.mjs';

const APPENDED = 'Always cite the plan id.';
const ONE_BLOCK = 'Anthropic caches at block boundaries: this file is one block, so any edit misses; split the part that changes into its own block after a breakpoint.';

export default {
  name: 'status bar after an append to an agent file, under Anthropic and OpenAI',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.agentFile);
    const before = await waitStatus(ctx, (x) => /unchanged/.test(x), 'unchanged before the append', 30_000);
    t.log(`before: "${before}"`);
    await wb.focusEditor(page);
    await page.keyboard.press(`${wb.MOD}+End`);
    // Keystroke-to-status latency: the first keystroke of the append (Enter) turns "unchanged" into an estimate.
    const keyAt = performance.now();
    await page.keyboard.press('Enter');
    await waitStatus(ctx, (x) => /% cached/.test(x), 'an estimate after the first keystroke', 20_000);
    const latency = performance.now() - keyAt;
    ctx.shared.keystrokeToStatusMs = latency;
    t.log(`keystroke-to-status latency: ${latency.toFixed(0)} ms`);
    await page.keyboard.type(APPENDED);
    await wb.waitFor(async () => (await wb.activeTabDirty(page)) && ctx.page, { timeout: 5000, message: 'the edit in the editor' });
    const anthropic = await waitStatus(ctx, (x) => /% cached · \d/.test(x), 'an estimate after the append', 20_000);
    t.log(`Anthropic: "${anthropic}" (${latency.toFixed(0)} ms from the first keystroke to the status bar's estimate)`);
    const tip = await statusTooltip(ctx);
    t.log(`tooltip: ${tip.slice(0, 400)}`);
    await t.check('Anthropic: "0% cached" with the token-level reuse beside it', () => assert.match(anthropic, /^0% cached · 99(\.\d)?% at token level$/));
    await t.check('Anthropic: the tooltip says the block rule in words', () => assert.ok(tip.includes(ONE_BLOCK), tip));
    await t.check('the stand-in tokenizer note once, not twice', () => assert.equal(tip.split("Claude's tokenizer is not public").length - 1, 1, tip));
    await t.check('the cost figure says what it assumes', () => {
      assert.match(tip, /This edit, once: about \+\$/);
      assert.match(tip, /If every request differed like this/);
    });

    // The same edit under OpenAI (chosen with the picker; saved to user settings).
    await wb.runCommand(page, 'Prompt Cache: Select Provider and Model');
    await pickSequence(page, ['OpenAI', 'Provider default', 'User settings']);
    const openai = await waitStatus(ctx, (x) => /^\d+(\.\d+)?% cached/.test(x) && !/^0% /.test(x), 'an OpenAI estimate', 20_000);
    const tip2 = await statusTooltip(ctx);
    t.log(`OpenAI: "${openai}"; tooltip: ${tip2.slice(0, 300)}`);
    await t.check('OpenAI: cached in 128-token steps, no block sentence', () => {
      assert.match(tip2, /128-token steps/);
      assert.ok(!tip2.includes('block boundaries'), tip2);
    });
    ctx.shared.appendedAgentFile = true; // 06-pickers goes on from here, then reverts the file
  },
};
