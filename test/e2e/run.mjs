#!/usr/bin/env node
// End-to-end tests of the extension in a real VS Code: code-server (VS Code 1.100 served to a browser) on a
// loopback port, Debian's Chromium driven by playwright-core. Builds the linux-x64 VSIX, installs it into
// isolated dirs, opens a git copy of the example workspace and drives the UI like a user would.
//
// Usage: node test/e2e/run.mjs [--vsix <file>] [--workspace <dir>] [--soak <cycles>] [--keep] [--only <step regex>]
//   npm run test:e2e            (needs `npm run e2e:setup` once)
// Screenshots and logs: test-results/e2e/. Exit code 1 when any step fails.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

import * as cs from './codeServer.mjs';
import { Suite } from './harness.mjs';
import * as wb from './workbench.mjs';
import { git as gitIn, prepareWorkspace } from './workspace.mjs';
import { chooseScenario } from './scenario.mjs';
import { makePrompt } from '../../bench/tokenizer-corpus.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const resultsDir = path.join(repoRoot, 'test-results', 'e2e');
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const opts = parseArgs(process.argv.slice(2));

const USER_SETTINGS = {
  'promptCache.decoder.preset': 'tiny',
  'workbench.startupEditor': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'files.autoSave': 'off',
  'files.insertFinalNewline': false,
  'files.trimTrailingWhitespace': false,
  'editor.formatOnSave': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.minimap.enabled': false,
  'markdown.validate.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
};

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

function parseArgs(argv) {
  const o = { vsix: null, workspace: null, soak: 200, keep: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--vsix') o.vsix = path.resolve(argv[++i]);
    else if (a === '--workspace') o.workspace = path.resolve(argv[++i]);
    else if (a === '--soak') o.soak = Number(argv[++i]);
    else if (a === '--keep') o.keep = true;
    else if (a === '--only') o.only = new RegExp(argv[++i], 'i');
    else {
      console.error(`unknown argument ${a}\nusage: node test/e2e/run.mjs [--vsix <file>] [--workspace <dir>] [--soak <cycles>] [--keep] [--only <step regex>]`);
      process.exit(2);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: code-server's process group and Chromium go away on every exit path.
const cleanups = [];
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: ${err?.message ?? err}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    console.error(`\n[e2e] ${sig}: cleaning up`);
    await cleanup();
    process.exit(130);
  });
}

const timings = [];
async function timed(label, fn) {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    const ms = performance.now() - t;
    timings.push({ label, ms });
    console.log(`[e2e] ${label}: ${(ms / 1000).toFixed(1)} s`);
  }
}

async function main() {
  const t0 = performance.now();
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const suite = new Suite({ resultsDir, only: opts.only });
  const entry = cs.codeServerEntry(repoRoot);

  // 1. The VSIX.
  let vsix = opts.vsix;
  if (!vsix) {
    vsix = await timed('package linux-x64 VSIX', () => {
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'package.mjs'), '--target', 'linux-x64'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      writeFileSync(path.join(resultsDir, 'package.log'), `${r.stdout}\n${r.stderr}`);
      if (r.status !== 0) throw new Error(`scripts/package.mjs failed:\n${r.stdout}\n${r.stderr}`);
      const m = /^linux-x64\s+.*\s(out\/\S+\.vsix)\s*$/m.exec(r.stdout);
      if (!m) throw new Error(`could not find the VSIX path in the packaging output:\n${r.stdout}`);
      console.log(`[e2e] ${r.stdout.trim().split('\n').filter((l) => l.startsWith('linux-x64') || /WARNING/.test(l)).join('\n[e2e] ')}`);
      return path.join(repoRoot, m[1]);
    });
  }
  if (!existsSync(vsix)) throw new Error(`VSIX ${vsix} does not exist`);

  // 2. Isolated dirs, extension installed, workspace as a git repository.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pca-e2e-'));
  cleanups.push(() => {
    if (opts.keep) console.log(`[e2e] kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  });
  const dirs = cs.isolatedDirs(tmp, USER_SETTINGS);
  await timed('install VSIX', () => {
    cs.installExtension(entry, dirs, vsix);
    const installed = cs.listExtensions(entry, dirs);
    if (!installed.some((e) => e.toLowerCase().startsWith(`${EXTENSION_ID.toLowerCase()}@`))) {
      throw new Error(`${EXTENSION_ID} not in --list-extensions: ${installed.join(', ')}`);
    }
  });

  const workspace = path.join(tmp, 'workspace');
  const scenario = chooseScenario({ repoRoot, explicit: opts.workspace });
  const repo = await prepareWorkspace(scenario, workspace);
  console.log(`[e2e] workspace ${path.relative(repoRoot, scenario.source) || scenario.source} -> ${workspace} (${repo.commits} commits)`);
  for (const note of scenario.notes) console.log(`[e2e]   ${note}`);

  // 3. code-server and Chromium. The extension host inherits the environment: it appends its event-loop stalls
  // (one line per second) to this file, read by the 1 MB step.
  const probeFile = path.join(resultsDir, 'host-probe.jsonl');
  rmSync(probeFile, { force: true });
  process.env.PROMPT_CACHE_HOST_PROBE = probeFile;
  const server = await timed('start code-server', () => cs.startCodeServer(entry, dirs, workspace));
  cleanups.push(async () => {
    await server.stop();
    copyLogs(dirs);
  });
  // Last resort if the process exits without running the cleanups (exit handlers must be synchronous).
  process.on('exit', () => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  });
  const browser = await timed('launch chromium', () => chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS, timeout: 60_000, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, env: { ...process.env, XDG_CONFIG_HOME: dirs.config, XDG_CACHE_HOME: path.join(tmp, 'cache') } }));
  cleanups.push(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  suite.page = page;
  suite.beforeEach = () => wb.resetUi(page);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const state = { dirs, workspace, scenario, server, page };
  await runSteps(suite, state);

  if (pageErrors.length) writeFileSync(path.join(resultsDir, 'page-errors.txt'), pageErrors.join('\n'));
  await cleanup();

  const { failed, skipped } = suite.summary();
  console.log('\ntimings:');
  for (const t of timings) console.log(`  ${t.label.padEnd(28)} ${(t.ms / 1000).toFixed(1).padStart(6)} s`);
  console.log(`  ${'total'.padEnd(28)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
  console.log(`screenshots and logs: ${path.relative(repoRoot, resultsDir)}/`);
  process.exitCode = failed || skipped ? 1 : 0;
}

function copyLogs(dirs) {
  try {
    cpSync(dirs.logs, path.join(resultsDir, 'logs'), { recursive: true });
    const vsLogs = path.join(dirs.userData, 'logs');
    if (existsSync(vsLogs)) cpSync(vsLogs, path.join(resultsDir, 'logs', 'vscode'), { recursive: true });
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const STATUS_CACHED = /\d+(\.\d+)?% cached|<1% cached/;

async function statusText(page) {
  const items = await wb.statusBarItems(page);
  const item = items.find((i) => /promptcache\.status/i.test(i.id)) ?? items.find((i) => /% cached|unchanged|Prompt Cache/.test(i.text) && i.id.toLowerCase().includes(EXTENSION_ID.toLowerCase()));
  return item ? item.text : null;
}

async function waitStatus(page, predicate, message, timeout = 20_000) {
  return wb.waitFor(async () => {
    const t = await statusText(page);
    return t !== null && predicate(t) ? t : null;
  }, { timeout, message: `status bar item: ${message}` });
}

/** The Problems view, filtered by `filter`, grouped by file: [{ file, problems: [label], ours: [label] }].
 * `ours` are the extension's (their aria-label ends "generated by Prompt Cache"). The Problems list is
 * virtual: the filter keeps it short enough for every row to be rendered. */
async function problemsByFile(page, filter = 'Prompt Cache') {
  await wb.setProblemsFilter(page, filter);
  const rows = await wb.problemRows(page);
  const files = [];
  for (const r of rows) {
    if (r.level === 1) files.push({ file: r.label, problems: [], ours: [] });
    else if (files.length) {
      const f = files[files.length - 1];
      const label = r.label || r.text;
      f.problems.push(label);
      if (/generated by Prompt Cache/.test(label)) f.ours.push(label);
    }
  }
  return files;
}

const fileEntry = (files, rel) => files.find((x) => x.file.includes(` ${path.basename(rel)} `) || x.file.includes(path.basename(rel)));

async function runSteps(suite, s) {
  const { page, scenario, workspace } = s;
  const readWs = (rel) => readFileSync(path.join(workspace, rel));

  await suite.step('workbench loads with the extension installed', async (t) => {
    await page.goto(s.server.workspaceUrl, { waitUntil: 'domcontentloaded' });
    const started = performance.now();
    await wb.waitForWorkbench(page);
    t.log(`workbench ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Dismiss anything that grabbed focus at start-up.
    await wb.closeQuickInput(page);
  }, { required: true, timeout: 90_000 });

  await suite.step('palette shows the Prompt Cache file commands only with a prompt file active', async (t) => {
    const fileOnly = ['Prompt Cache: Audit Current File', 'Prompt Cache: Measure Recompute Time', 'Prompt Cache: Compare with Last Save', 'Prompt Cache: Compare with Git Revision'];
    const always = ['Prompt Cache: Audit Workspace', 'Prompt Cache: Show Heatmap'];
    const has = (rows, title) => rows.some((r) => r.toLowerCase().startsWith(title.toLowerCase()));

    // Opening a prompt file activates the extension (its context keys exist from then on).
    await wb.quickOpen(page, scenario.editFile);
    await t.check('status bar item appears for a prompt file', () => waitStatus(page, (x) => x.length > 0, 'any text', 30_000));
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
  });

  let editedStatus = null;
  await suite.step('edit early in a prompt: divergence diagnostic and status bar', async (t) => {
    await wb.quickOpen(page, scenario.editFile);
    const before = await waitStatus(page, (x) => !/loading|Auditing/i.test(x) && x !== 'Prompt Cache', 'first audit', 30_000);
    t.log(`status before the edit: "${before}"`);
    await wb.goToLine(page, scenario.editLine, 1);
    await page.keyboard.type(scenario.editText);
    await wb.save(page);
    await wb.waitSaved(page);
    await t.check('file saved with the edit', () => {
      const text = readWs(scenario.editFile).toString('utf8');
      assert.ok(text.split('\n')[scenario.editLine - 1].startsWith(scenario.editText), `line ${scenario.editLine} is "${text.split('\n')[scenario.editLine - 1]}"`);
    });
    await t.check('status bar shows "% cached"', async () => {
      editedStatus = await waitStatus(page, (x) => STATUS_CACHED.test(x), '"N% cached"', 20_000);
      t.log(`status after the edit: "${editedStatus}"`);
    });
    await t.check('Problems view shows the divergence ("recomputes") on the edited file', async () => {
      const mine = await wb.waitFor(async () => {
        const f = fileEntry(await problemsByFile(page, 'recomputes'), scenario.editFile);
        return f?.ours.some((p) => /recomputes/.test(p)) ? f : null;
      }, { timeout: 20_000, message: `a "recomputes" problem from Prompt Cache on ${scenario.editFile}` });
      t.log(`problem: ${mine.ours.find((p) => /recomputes/.test(p))}`);
      await t.screenshot('problems');
    });
  });

  await suite.step('quick fix: move a per-request placeholder to the end', async (t) => {
    const fix = scenario.placeholderFix;
    assert.ok(fix, 'no template with a per-request placeholder in the workspace');
    const before = readWs(fix.file).toString('utf8');
    await wb.quickOpen(page, fix.file);
    await waitStatus(page, (x) => !/loading/i.test(x), 'audit of the template', 30_000).catch(() => {});
    await wb.goToLine(page, fix.line, fix.column);
    const titles = await wb.waitFor(async () => {
      const ts = await wb.openQuickFixes(page).catch(() => []);
      if (ts.some((x) => fix.title.test(x))) return ts;
      await page.keyboard.press('Escape');
      await sleep(500);
      return null;
    }, { timeout: 20_000, message: `a quick fix matching ${fix.title}` });
    t.log(`offered: ${titles.join(' | ')}`);
    await t.screenshot('menu');
    const chosen = await wb.chooseQuickFix(page, (x) => fix.title.test(x));
    t.log(`applied: ${chosen}`);
    await wb.save(page);
    await wb.waitSaved(page);
    const after = readWs(fix.file).toString('utf8');
    await t.check('the placeholder line moved from its place to the end of the file', () => {
      assert.notEqual(after, before, 'file unchanged on disk');
      const beforeLines = before.split('\n');
      const afterLines = after.split('\n');
      assert.equal(beforeLines[fix.line - 1], fix.lineText, 'fixture expectation');
      assert.notEqual(afterLines[fix.line - 1], fix.lineText, `line ${fix.line} still holds the placeholder`);
      const lastNonEmpty = afterLines.filter((l) => l.trim()).pop();
      assert.equal(lastNonEmpty, fix.lineText, 'the placeholder line is not the last line');
      assert.equal(afterLines.filter((l) => l === fix.lineText).length, 1, 'the line is duplicated or lost');
      assert.equal(after.length, before.length + (before.endsWith('\n') ? 0 : 1), 'other content changed');
    });
  });

  await suite.step('quick fix: remove a byte order mark that appeared since the last commit', async (t) => {
    const bom = scenario.bomFile;
    assert.ok(bom, 'no file with a BOM in the workspace');
    const before = readWs(bom);
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
      const b = readWs(bom);
      return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    };
    await wb.waitFor(async () => (startsWithBom() ? null : true), { timeout: 10_000, message: 'the file rewritten without its BOM' }).catch(() => {});
    await wb.save(page);
    await wb.waitSaved(page);
    const after = readWs(bom);
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
  });

  await suite.step('Audit Workspace reports problems in several files', async (t) => {
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
  });

  await suite.step('heatmap panel: token heatmap, divergence marker, history rows', async (t) => {
    // Editor on the left, panel beside it (where Show Heatmap opens it).
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.editFile);
    await waitStatus(page, (x) => STATUS_CACHED.test(x), 'the edited file audited', 20_000);
    // More room for the panel (and the README's screenshot): no bottom panel, no side bar.
    await wb.runCommand(page, 'View: Hide Panel').catch(() => {});
    await wb.runCommand(page, 'View: Close Primary Side Bar').catch(() => {});
    await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
    const frame = await wb.findWebviewFrame(page, '[data-testid=token-heatmap]', 30_000);
    await frame.locator('[data-testid=tab-tokens]').click();
    // Token spans: `t r` reused, `t c` recomputed, `t c d` the first divergent token (webview/tokenHeatmap.ts).
    const cells = await wb.waitFor(async () => {
      const c = await frame.evaluate(() => {
        const root = document.querySelector('[data-testid=token-heatmap]');
        const n = (sel) => root?.querySelectorAll(sel).length ?? 0;
        return { all: n('span.t'), reused: n('span.t.r'), recomputed: n('span.t.c'), divergence: n('span.t.d'), divergenceText: root?.querySelector('span.t.d')?.textContent ?? null };
      });
      return c.all > 0 && c.recomputed > 0 ? c : null;
    }, { timeout: 20_000, message: 'token cells in the heatmap' }).catch(async (e) => {
      t.log(`heatmap text: ${(await frame.locator('[data-testid=token-heatmap]').textContent().catch(() => '')).slice(0, 300)}`);
      throw e;
    });
    t.log(`token cells on screen: ${JSON.stringify(cells)}`);
    const summary = ((await frame.locator('[data-testid=summary]').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
    t.log(`summary: ${summary.slice(0, 300)}`);
    const shot = await t.screenshot('tokens');
    if (shot) {
      mkdirSync(path.join(repoRoot, 'docs', 'images'), { recursive: true });
      copyFileSync(shot, path.join(repoRoot, 'docs', 'images', 'panel.png'));
    }
    await t.check('token cells coloured reused and recomputed', () => {
      assert.ok(cells.reused > 0, `no reused cells (${JSON.stringify(cells)})`);
      assert.ok(cells.recomputed > 0, `no recomputed cells (${JSON.stringify(cells)})`);
      assert.equal(cells.reused + cells.recomputed, cells.all);
    });
    await t.check('one divergence marker, at the edit', () => {
      assert.equal(cells.divergence, 1, `${cells.divergence} divergence markers`);
      assert.ok(scenario.editText.startsWith(cells.divergenceText.trim()) || scenario.editText.includes(cells.divergenceText.trim()), `marker on "${cells.divergenceText}"`);
    });
    await t.check('summary says what the edit recomputes', () => assert.match(summary, /recompute/i));

    await frame.locator('[data-testid=tab-history]').click();
    const rows = await wb.waitFor(async () => {
      const r = await frame.$$eval('[data-testid=history-heatmap] [data-testid=history-row]', (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
      return r.length >= scenario.historyRows ? r : null;
    }, { timeout: 30_000, message: `≥${scenario.historyRows} history rows` }).catch(async (e) => {
      t.log(`history tab: ${((await frame.locator('[data-testid=history-heatmap]').textContent().catch(() => '')) ?? '').slice(0, 300)}`);
      return e;
    });
    await t.screenshot('history');
    await t.check(`history heatmap lists the file's versions (≥ ${scenario.historyRows} rows, one invalidating tokens)`, () => {
      if (rows instanceof Error) throw rows;
      for (const r of rows) t.log(`history: ${r.slice(0, 140)}`);
      assert.ok(rows.some((r) => /invalidated [\d,]+ of [\d,]+/.test(r)), 'no row says what it invalidated');
    });
    await frame.locator('[data-testid=tab-tokens]').click().catch(() => {});
  });

  await suite.step('Measure Recompute Time (tiny decoder) shows a timing', async (t) => {
    await wb.quickOpen(page, scenario.editFile);
    await wb.clearNotifications(page);
    // Mark any timing already rendered, so only one rendered by this command counts.
    for (const f of page.frames()) {
      await f.evaluate(() => document.querySelectorAll('[data-testid=timing-local]').forEach((e) => e.setAttribute('data-e2e-old', ''))).catch(() => {});
    }
    const asked = performance.now();
    await wb.runCommand(page, 'Prompt Cache: Measure Recompute Time');
    const timingRe = /\d+(\.\d+)?\s?(ms|s)\b/;
    const found = await wb.waitFor(async () => {
      const notes = await wb.notifications(page);
      const note = notes.find((n) => timingRe.test(n) && /recompute|prefill|cold|cached|measured|faster/i.test(n)) ?? null;
      let panel = null;
      for (const f of page.frames()) {
        if (f === page.mainFrame() || f.isDetached()) continue;
        const txt = await f.evaluate(() => document.querySelector('[data-testid=timing] [data-testid=timing-local]:not([data-e2e-old])')?.textContent ?? null).catch(() => null);
        if (txt && timingRe.test(txt)) panel = txt.replace(/\s+/g, ' ').trim();
      }
      return note || panel ? { note, panel, seconds: (performance.now() - asked) / 1000 } : null;
    }, { timeout: 180_000, interval: 500, message: 'a timing in a notification or the panel' }).catch(async (err) => {
      t.log(`notifications: ${(await wb.notifications(page)).join(' | ') || '(none)'}`);
      for (const f of page.frames()) {
        const info = await f.evaluate(() => ({ timing: !!document.querySelector('[data-testid=timing]'), text: (document.querySelector('[data-testid=timing]')?.textContent ?? '').slice(0, 120) })).catch((e) => ({ error: e.message.slice(0, 80) }));
        t.log(`frame ${f.url().slice(0, 80)}: ${JSON.stringify(info)}`);
      }
      throw err;
    });
    t.log(`timing shown ${found.seconds.toFixed(1)} s after the command`);
    t.log(`notification: ${found.note ?? '(none)'}`);
    t.log(`panel timing: ${found.panel ?? '(none)'}`);
    await t.check('a timing in ms/s appears (notification or panel [data-testid=timing])', () => assert.ok(found.note || found.panel));
    if (found.panel) {
      await t.check('panel timing shows cold and cached-prefix prefill', () => {
        assert.match(found.panel, /cold/);
        assert.match(found.panel, /cached prefix/);
      });
    }
  }, { timeout: 240_000 });

  await suite.step('KV drift map from the local decoder', async (t) => {
    // The panel opens beside the editor and stays visible; reopen it if something closed it.
    const frame = await wb.findWebviewFrame(page, '[data-testid=kv-drift]', 5000).catch(async () => {
      await wb.runCommand(page, 'Prompt Cache: Show Heatmap');
      return wb.findWebviewFrame(page, '[data-testid=kv-drift]', 20_000);
    });
    await frame.locator('[data-testid=tab-kv]').click();
    const kv = frame.locator('[data-testid=kv-drift]');
    if ((await kv.locator('canvas.kv').count()) === 0) {
      await kv.locator('vscode-button').first().click();
    }
    const label = await wb.waitFor(async () => (await kv.locator('canvas.kv').count()) > 0 && (await kv.locator('canvas.kv').getAttribute('aria-label')), {
      timeout: 180_000,
      interval: 500,
      message: 'the KV drift canvas',
    }).catch(async (e) => {
      t.log(`kv tab: ${((await kv.textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`);
      throw e;
    });
    t.log(label);
    await t.screenshot('kv');
    await t.check('KV drift canvas covers layers × positions from the edit', () => assert.match(label, /KV drift: \d+ layers by \d+ positions/));
    await frame.locator('[data-testid=tab-tokens]').click().catch(() => {});
  }, { timeout: 240_000 });

  await suite.step('a 1 MB prompt: opened and edited; the extension host\'s event-loop stalls are measured', async (t) => {
    await wb.closeAllEditors(page);
    const rel = 'prompts/e2e/large-system.prompt.md';
    const text = makePrompt(1 << 20);
    mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    writeFileSync(path.join(workspace, rel), text);
    // Committed, so that its baseline is itself ("unchanged") and typing in the middle caches about half.
    const git = (...args) => gitIn(workspace, ...args);
    git('add', '--', rel);
    git('commit', '-q', '-m', 'Add a 1 MB prompt', '--', rel);
    const probe = process.env.PROMPT_CACHE_HOST_PROBE;
    const from = Date.now();
    const typed = 'Keep answers short and cite the policy. ';
    let opened;
    let edited;
    try {
      await wb.quickOpen(page, rel);
      opened = await waitStatus(page, (x) => /unchanged/.test(x), 'first audit of the 1 MB prompt ("unchanged")', 60_000);
      t.log(`opened: status "${opened}" after ${((Date.now() - from) / 1000).toFixed(1)} s`);
      // Type in the middle of the file, at keyboard speed: every keystroke is an incremental audit in the worker.
      const middle = text.slice(0, text.length >> 1).split('\n').length;
      await wb.goToLine(page, middle, 1);
      await page.keyboard.type(typed, { delay: 40 });
      edited = await waitStatus(page, (x) => STATUS_CACHED.test(x), 'an estimate after typing in the middle', 30_000);
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
  }, { timeout: 180_000 });

  await suite.step(`soak: ${opts.soak} edit-and-save cycles`, async (t) => {
    await wb.closeAllEditors(page);
    await wb.quickOpen(page, scenario.editFile);
    const expected = await waitStatus(page, (x) => STATUS_CACHED.test(x), 'edited file audited', 20_000);
    const host = cs.extensionHost(s.server.pid);
    assert.ok(host, 'extension host process not found');
    const samples = [];
    const sample = (i) => {
      const m = cs.rssMB(host.pid);
      samples.push({ cycle: i, ...m });
      return m;
    };
    const beforeProblems = (fileEntry(await problemsByFile(page), scenario.editFile)?.ours ?? []).slice().sort();
    t.log(`Prompt Cache problems on ${scenario.editFile} before: ${beforeProblems.length}`);
    // Cursor at the end of the edited line's inserted text: even cycles type a character, odd ones delete it,
    // so after an even number of cycles the file is back where the soak started.
    await wb.goToLine(page, scenario.editLine, scenario.editText.length + 1);
    const started = performance.now();
    const cycles = opts.soak % 2 === 0 ? opts.soak : opts.soak + 1;
    sample(0);
    for (let i = 1; i <= cycles; i++) {
      if (i % 2 === 1) await page.keyboard.type('z');
      else await page.keyboard.press('Backspace');
      await wb.save(page);
      await wb.waitSaved(page, 10_000);
      if (i % 50 === 0) {
        const m = sample(i);
        const st = await statusText(page);
        t.log(`cycle ${i}: host RSS ${m.hostMB.toFixed(0)} MB, status "${st}"`);
      }
    }
    const perCycle = (performance.now() - started) / cycles;
    t.log(`${cycles} cycles, ${perCycle.toFixed(0)} ms per cycle`);
    const settled = await waitStatus(page, (x) => x === expected, `back to "${expected}"`, 20_000).catch((e) => e);
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
      const line = readWs(scenario.editFile).toString('utf8').split('\n')[scenario.editLine - 1];
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
  }, { timeout: 300_000 });
}

main().catch(async (err) => {
  console.error(`[e2e] fatal: ${err?.stack ?? err}`);
  await cleanup();
  console.log('0 passed, 1 failed');
  process.exit(1);
});
