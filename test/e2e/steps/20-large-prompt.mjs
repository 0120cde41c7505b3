// A 1 MB prompt opened and typed in at keyboard speed; the extension host's stall probe records those seconds
// (figures in test-results/e2e/host-stall-1mb.json, printed, never asserted).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { sleep, STATUS_CACHED, waitStatus } from '../helpers.mjs';
import { makePrompt } from '../../../bench/tokenizer-corpus.mjs';

export default {
  name: 'a 1 MB prompt: opened and edited; the extension host\'s event-loop stalls are measured',
  timeout: 180_000,
  async run(t, ctx) {
    const { page, workspace, resultsDir } = ctx;
    await wb.closeAllEditors(page);
    const rel = 'prompts/e2e/large-system.prompt.md';
    const text = makePrompt(1 << 20);
    mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    writeFileSync(path.join(workspace, rel), text);
    // Committed, so that its baseline is itself ("unchanged") and typing in the middle caches about half.
    const git = ctx.git;
    git('add', '--', rel);
    git('commit', '-q', '-m', 'Add a 1 MB prompt', '--', rel);
    const probe = process.env.PROMPT_CACHE_HOST_PROBE;
    const from = Date.now();
    const typed = 'Keep answers short and cite the policy. ';
    let opened;
    let edited;
    try {
      await wb.quickOpen(page, rel);
      opened = await waitStatus(ctx, (x) => /unchanged/.test(x), 'first audit of the 1 MB prompt ("unchanged")', 60_000);
      t.log(`opened: status "${opened}" after ${((Date.now() - from) / 1000).toFixed(1)} s`);
      // Type in the middle of the file, at keyboard speed: every keystroke is an incremental audit in the worker.
      const middle = text.slice(0, text.length >> 1).split('\n').length;
      await wb.goToLine(page, middle, 1);
      await page.keyboard.type(typed, { delay: 40 });
      edited = await waitStatus(ctx, (x) => STATUS_CACHED.test(x), 'an estimate after typing in the middle', 30_000);
      t.log(`edited: status "${edited}"`);
      await sleep(2500); // the probe writes once a second: let the seconds of the edit land
    } finally {
      await wb.save(page).catch(() => {});
      await wb.closeAllEditors(page).catch(() => {});
      rmSync(path.join(workspace, rel), { force: true });
      git('rm', '-q', '--cached', '--', rel);
      git('commit', '-q', '-m', 'Remove the 1 MB prompt', '--', rel);
    }
    const until = Date.now();
    const samples = existsSync(probe) ? readFileSync(probe, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    const during = samples.filter((x) => x.t >= from && x.t <= until + 1000);
    const before = samples.filter((x) => x.t < from);
    const max = Math.max(0, ...during.map((x) => x.maxDelayMs));
    const idle = before.length ? Math.max(...before.slice(-10).map((x) => x.maxDelayMs)) : null;
    const ours = during.reduce((m, x) => ((x.oursMaxMs ?? 0) > m.ms ? { ms: x.oursMaxMs, task: x.oursTask } : m), { ms: 0, task: undefined });
    t.log(`largest extension-host event-loop stall while opening and editing the 1 MB prompt: ${max.toFixed(0)} ms over ${during.length} s (the 10 s before: ${idle === null ? 'n/a' : `${idle.toFixed(0)} ms`}); the extension's own longest synchronous task: ${ours.ms.toFixed(1)} ms (${ours.task ?? 'none'})`);
    writeFileSync(path.join(resultsDir, 'host-stall-1mb.json'), JSON.stringify({ maxStallMs: max, seconds: during.length, idleBeforeMs: idle, oursMaxTaskMs: ours.ms, oursMaxTask: ours.task ?? null, typedChars: typed.length, opened, edited }, null, 2));
    await t.check('the extension host ran the stall probe during the step', () => {
      assert.ok(during.length > 0, `no probe lines in ${probe} between ${from} and ${until}`);
    });
    await t.check('the status bar estimated the edit of the 1 MB prompt', () => {
      assert.ok(opened && edited && edited !== opened, `opened "${opened}", edited "${edited}"`);
    });
  },
};
