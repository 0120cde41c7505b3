// Edit-and-save cycles on the edited prompt: status, file, problems back where they were; host memory bounded.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cs from '../codeServer.mjs';
import * as wb from '../workbench.mjs';
import { fileEntry, problemsByFile, sleep, STATUS_CACHED, statusText, waitStatus } from '../helpers.mjs';

export default {
  name: (ctx) => `soak: ${ctx.opts.soak} edit-and-save cycles`,
  timeout: 300_000,
  async run(t, ctx) {
    const { page, scenario, resultsDir } = ctx;
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.editFile);
    const expected = await waitStatus(ctx, (x) => STATUS_CACHED.test(x), 'edited file audited', 20_000);
    let host = cs.extensionHost(ctx.server.pid);
    assert.ok(host, 'extension host process not found');
    const samples = [];
    const sample = (i) => {
      // The host is looked up again if it is gone (the sample then says so: a new pid).
      let m;
      try {
        m = cs.rssMB(host.pid);
      } catch {
        host = cs.extensionHost(ctx.server.pid);
        assert.ok(host, 'extension host process not found');
        t.log(`extension host is now pid ${host.pid}`);
        m = cs.rssMB(host.pid);
      }
      samples.push({ cycle: i, ...m });
      return m;
    };
    const beforeProblems = (fileEntry(await problemsByFile(page), scenario.editFile)?.ours ?? []).slice().sort();
    t.log(`Prompt Cache problems on ${scenario.editFile} before: ${beforeProblems.length}`);
    // Cursor at the end of the edited line's inserted text: even cycles type a character, odd ones delete it,
    // so after an even number of cycles the file is back where the soak started.
    await wb.goToLine(page, scenario.editLine, scenario.editText.length + 1);
    const started = performance.now();
    const cycles = ctx.opts.soak % 2 === 0 ? ctx.opts.soak : ctx.opts.soak + 1;
    sample(0);
    for (let i = 1; i <= cycles; i++) {
      if (i % 2 === 1) await page.keyboard.type('z');
      else await page.keyboard.press('Backspace');
      await wb.save(page);
      await wb.waitSaved(page, 10_000);
      if (i % 50 === 0) {
        const m = sample(i);
        const st = await statusText(ctx);
        t.log(`cycle ${i}: host RSS ${m.hostMB.toFixed(0)} MB, status "${st}"`);
      }
    }
    const perCycle = (performance.now() - started) / cycles;
    t.log(`${cycles} cycles, ${perCycle.toFixed(0)} ms per cycle`);
    const settled = await waitStatus(ctx, (x) => x === expected, `back to "${expected}"`, 20_000).catch((e) => e);
    await sleep(2000); // let the last audits land before sampling memory
    const end = sample(cycles + 1);
    const startMB = samples[0].hostMB;
    const grew = end.hostMB - startMB;
    t.log(`extension host RSS: start ${startMB.toFixed(0)} MB, end ${end.hostMB.toFixed(0)} MB (${grew >= 0 ? '+' : ''}${grew.toFixed(0)} MB), max ${Math.max(...samples.map((x) => x.hostMB)).toFixed(0)} MB`);
    writeFileSync(path.join(resultsDir, 'soak-memory.json'), JSON.stringify({ cycles, perCycleMs: perCycle, samples }, null, 2));
    await t.check('status bar back to the pre-soak text', () => {
      if (settled instanceof Error) throw settled;
    });
    await t.check('the file on disk is back to the pre-soak content', () => {
      const line = ctx.readWs(scenario.editFile).toString('utf8').split('\n')[scenario.editLine - 1];
      assert.ok(line.startsWith(scenario.editText) && !line.startsWith(`${scenario.editText}z`), `line is "${line.slice(0, 80)}"`);
    });
    await t.check('diagnostics still right (same Prompt Cache problems as before, one "recomputes")', async () => {
      const after = await wb.waitFor(async () => {
        const f = (fileEntry(await problemsByFile(page), scenario.editFile)?.ours ?? []).slice().sort();
        return JSON.stringify(f) === JSON.stringify(beforeProblems) ? f : null;
      }, { timeout: 15_000, message: `the same ${beforeProblems.length} Prompt Cache problems on ${scenario.editFile} as before the soak` });
      assert.equal(after.filter((p) => /recomputes/.test(p)).length, 1, JSON.stringify(after));
    });
    await t.check('extension host memory bounded (< +150 MB over the soak)', () => {
      assert.ok(grew < 150, `grew ${grew.toFixed(0)} MB`);
    });
  },
};
