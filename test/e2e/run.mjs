#!/usr/bin/env node
// End-to-end tests of the extension in a real VS Code: code-server (VS Code 1.100 served to a browser) on a
// loopback port, Debian's Chromium driven by playwright-core. Builds the linux-x64 VSIX, installs it into
// isolated dirs, opens a git copy of the example workspace and drives the UI like a user would.
//
// Usage: node test/e2e/run.mjs [--vsix <file>] [--workspace <dir>] [--soak <cycles>] [--keep] [--only <step regex>]
//   npm run test:e2e            (needs `npm run e2e:setup` once)
// Screenshots and logs: test-results/e2e/. Exit code 1 when any step fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

import * as cs from './codeServer.mjs';
import { Suite } from './harness.mjs';
import * as wb from './workbench.mjs';
import { git as gitIn, prepareWorkspace } from './workspace.mjs';
import { chooseScenario } from './scenario.mjs';

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

  const state = { dirs, workspace, scenario, server, page, entry };
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
// The steps: one module each in steps/ (NN-name.mjs, run in file-name order), exporting
// `{ name, run(t, ctx), required?, timeout? }`. `ctx` holds the page, the workspace, the scenario and `shared`, where
// a step leaves what a later one reads.

async function runSteps(suite, s) {
  const stepsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'steps');
  const files = readdirSync(stepsDir).filter((f) => /^\d+-.*\.mjs$/.test(f)).sort();
  const ctx = {
    ...s,
    repoRoot,
    resultsDir,
    extensionId: EXTENSION_ID,
    opts,
    shared: {},
    readWs: (rel) => readFileSync(path.join(s.workspace, rel)),
    git: (...args) => gitIn(s.workspace, ...args),
  };
  for (const f of files) {
    const step = (await import(pathToFileURL(path.join(stepsDir, f)).href)).default;
    const name = typeof step.name === 'function' ? step.name(ctx) : step.name;
    await suite.step(name, (t) => step.run(t, ctx), { required: step.required ?? false, timeout: step.timeout ?? 120_000 });
  }
}

main().catch(async (err) => {
  console.error(`[e2e] fatal: ${err?.stack ?? err}`);
  await cleanup();
  console.log('0 passed, 1 failed');
  process.exit(1);
});
