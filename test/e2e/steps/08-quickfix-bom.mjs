// A byte order mark that appeared since the last commit: a problem, and a quick fix that removes exactly EF BB BF.
import assert from 'node:assert/strict';
import * as wb from '../workbench.mjs';
import { fileEntry, problemsByFile, sleep } from '../helpers.mjs';

export default {
  name: 'quick fix: remove a byte order mark that appeared since the last commit',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const bom = scenario.bomFile;
    assert.ok(bom, 'no file with a BOM in the workspace');
    const before = ctx.readWs(bom);
    assert.deepEqual([...before.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'set-up: the file starts with a BOM on disk');
    await wb.quickOpen(page, bom);
    let found = false;
    await t.check('Problems view shows a "byte order mark" finding for the file', async () => {
      const f = await wb.waitFor(async () => {
        const e = fileEntry(await problemsByFile(page, 'byte order mark'), bom);
        return e?.ours.length ? e : null;
      }, { timeout: 15_000, message: `a "byte order mark" problem on ${bom}` }).catch(async (err) => {
        const all = fileEntry(await problemsByFile(page), bom);
        throw new Error(`${err.message}; Prompt Cache problems on the file: ${JSON.stringify(all?.ours ?? [])}`);
      });
      found = true;
      t.log(`problem: ${f.ours[0]}`);
    });
    if (!found) return;
    await wb.goToLine(page, 1, 1);
    const titles = await wb.waitFor(async () => {
      const ts = await wb.openQuickFixes(page).catch(() => []);
      if (ts.some((x) => /byte order mark/i.test(x))) return ts;
      await page.keyboard.press('Escape');
      await sleep(500);
      return null;
    }, { timeout: 20_000, message: 'the "Remove the byte order mark" quick fix' });
    t.log(`offered: ${titles.join(' | ')}`);
    await wb.chooseQuickFix(page, (x) => /byte order mark/i.test(x));
    // The BOM is not part of the document's text, so the fix rewrites the file and reloads it: wait for the disk.
    const startsWithBom = () => {
      const b = ctx.readWs(bom);
      return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    };
    await wb.waitFor(async () => (startsWithBom() ? null : true), { timeout: 10_000, message: 'the file rewritten without its BOM' }).catch(() => {});
    await wb.save(page);
    await wb.waitSaved(page);
    const after = ctx.readWs(bom);
    await t.check('the file no longer starts with EF BB BF and is otherwise unchanged', () => {
      assert.notDeepEqual([...after.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM still there');
      assert.equal(after.toString('utf8'), before.subarray(3).toString('utf8'));
    });
    await t.check('the editor now reads the file as UTF-8 without BOM (a later save keeps it out)', async () => {
      const enc = await wb.waitFor(async () => {
        const texts = (await wb.statusBarItems(page)).map((i) => (typeof i === 'string' ? i : i.text ?? i.label ?? '')).filter((x) => /^UTF-8/.test(x));
        return texts.length && !/BOM/.test(texts[0]) ? texts[0] : null;
      }, { timeout: 10_000, message: 'status bar encoding "UTF-8"' });
      t.log(`encoding: ${enc}`);
    });
  },
};
