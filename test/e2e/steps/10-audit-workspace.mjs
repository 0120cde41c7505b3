// Audit Workspace: every prompt file (agent files included) is counted, problems for files never opened, and the
// Workspace tab says each file's state in the status bar's words (an unchanged file reads "unchanged", not "0%").
import assert from 'node:assert/strict';
import path from 'node:path';
import * as wb from '../workbench.mjs';
import { problemsByFile } from '../helpers.mjs';

export default {
  name: 'Audit Workspace reports problems in several files',
  async run(t, ctx) {
    const { page, scenario } = ctx;
    const all = scenario.promptFiles;
    const opened = new Set([scenario.editFile, scenario.placeholderFix?.file, scenario.bomFile]);
    const neverOpened = all.filter((f) => !opened.has(f));
    await wb.closeAllEditors(page);
    await wb.clearNotifications(page);
    await wb.runCommand(page, 'Prompt Cache: Audit Workspace');
    const note = await wb.waitFor(async () => (await wb.notifications(page)).find((n) => /audited \d+ prompt file/.test(n)), {
      timeout: 60_000,
      interval: 500,
      message: 'the "audited N prompt file(s)" notification',
    }).catch((e) => e);
    t.log(`notification: ${note instanceof Error ? note.message : note}`);
    await t.check(`the audit covers every prompt file in the workspace (${all.length}: ${all.join(', ')})`, () => {
      if (note instanceof Error) throw note;
      const n = Number(/audited (\d+) prompt file/.exec(note)[1]);
      assert.ok(n >= all.length, `audited ${n} of ${all.length} prompt files`);
    });
    const files = await wb.waitFor(async () => {
      const f = await problemsByFile(page);
      const withOurs = f.filter((x) => x.ours.length > 0);
      return withOurs.length >= scenario.minAuditedFiles && withOurs.some((x) => neverOpened.some((n) => x.file.includes(path.basename(n)))) ? f : null;
    }, { timeout: 30_000, interval: 500, message: `Prompt Cache problems in ≥${scenario.minAuditedFiles} files, one of them never opened in an editor (${neverOpened.join(', ')})` }).catch(async (err) => {
      const f = await problemsByFile(page);
      for (const x of f) t.log(`problems now: ${x.file}: ${x.ours.length}`);
      return err;
    });
    await t.screenshot('problems');
    await t.check(`Prompt Cache problems listed for ≥ ${scenario.minAuditedFiles} files, including a file never opened (${neverOpened.join(', ') || 'none'})`, () => {
      if (files instanceof Error) throw files;
      for (const f of files) t.log(`${f.file}: ${f.ours.length} Prompt Cache problem(s)${f.ours[0] ? `, e.g. ${f.ours[0].slice(0, 140)}` : ''}`);
    });
    // The panel's Workspace tab lists the audited files too.
    const frame = await wb.findWebviewFrame(page, '[data-testid=workspace-summary]', 15_000).catch((e) => e);
    await t.check(`the panel's Workspace tab lists every prompt file (${all.length})`, async () => {
      if (frame instanceof Error) throw frame;
      const rows = await wb.waitFor(async () => {
        const r = await frame.$$eval('[data-testid=workspace-row]', (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
        return r.length >= all.length ? r : null;
      }, { timeout: 10_000, message: `${all.length} workspace rows` }).catch(async (e) => {
        const r = await frame.$$eval('[data-testid=workspace-row]', (els) => els.length).catch(() => '?');
        throw new Error(`${e.message}; rows: ${r}`);
      });
      for (const r of rows) t.log(`workspace tab: ${r}`);
    });
    await t.check('agent files are audited: each has a Workspace row', async () => {
      if (frame instanceof Error) throw frame;
      const rows = await frame.$$eval('[data-testid=workspace-row]', (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
      for (const f of scenario.agentFiles) assert.ok(rows.some((r) => r.startsWith(f)), `no row for ${f}: ${JSON.stringify(rows)}`);
    });
    await t.check('files unchanged since HEAD read "unchanged" (never "Cached 0%")', async () => {
      if (frame instanceof Error) throw frame;
      const states = await frame.$$eval('[data-testid=workspace-row]', (els) => els.map((e) => ({ file: e.querySelector('a')?.textContent ?? '', state: e.querySelector('[data-testid=workspace-state]')?.textContent ?? '' })));
      const untouched = states.filter((s) => s.file !== scenario.editFile && s.file !== scenario.placeholderFix?.file && s.file !== scenario.bomFile);
      assert.ok(untouched.length > 0);
      for (const s of untouched) assert.match(s.state, /^unchanged/, `${s.file}: "${s.state}"`);
    });
  },
};
