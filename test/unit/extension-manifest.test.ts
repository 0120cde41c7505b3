// package.json contributions the extension relies on, checked against the code that uses them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LINT_RULES } from '../../src/core/lint';
import { ENCODING_NAMES, PROVIDER_IDS } from '../../src/core/ids';
import { DEFAULT_PRESET, DEFAULT_TOKEN_CAP } from '../../src/decoder/defaults';
import { PRESET_NAMES } from '../../src/decoder/presets';
import { COMMAND_IDS } from '../../src/view/commandIds';
import { ONE_BLOCK_REASON } from '../../src/view/format';
import { DEFAULT_INCLUDE } from '../../src/core/promptFiles';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

test('every command is in the "Prompt Cache" category and implemented; the code registers no undeclared command', () => {
  const declared = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(declared, [...COMMAND_IDS].sort());
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'Prompt Cache', c.command);
    assert.ok(c.title && !c.title.startsWith('Prompt Cache'), `${c.command}: the category already prefixes the title`);
  }
  for (const id of ['promptCache.auditCurrentFile', 'promptCache.auditWorkspace', 'promptCache.compareWithGitRevision', 'promptCache.compareWithLastSave', 'promptCache.showHeatmap', 'promptCache.measureRecomputeTime', 'promptCache.selectProvider', 'promptCache.selectEncoding', 'promptCache.clearSavedVersions']) {
    assert.ok((COMMAND_IDS as readonly string[]).includes(id), id);
  }
});

test('commands that need a prompt file are hidden from the palette elsewhere', () => {
  const palette: { command: string; when: string }[] = pkg.contributes.menus.commandPalette;
  for (const id of ['promptCache.auditCurrentFile', 'promptCache.compareWithGitRevision', 'promptCache.compareWithLastSave', 'promptCache.measureRecomputeTime']) {
    assert.equal(palette.find((m) => m.command === id)?.when, 'promptCache.isPromptFile', id);
  }
  assert.equal(palette.find((m) => m.command === 'promptCache.revealOffset')?.when, 'false');
  for (const menu of Object.values(pkg.contributes.menus) as { command: string }[][]) {
    for (const m of menu) assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === m.command), m.command);
  }
});

test('settings: markdownDescription everywhere, enums with enumDescriptions, provider/encoding enums match the core', () => {
  const props = pkg.contributes.configuration.properties;
  for (const key of ['provider', 'model', 'encoding', 'baseline', 'include', 'exclude', 'pricePerMillionTokens', 'decoder.preset', 'decoder.modelPath', 'decoder.tokenCap', 'maxFileSizeMB']) {
    const p = props[`promptCache.${key}`];
    assert.ok(p, key);
    assert.ok(p.markdownDescription, `${key} markdownDescription`);
    if (p.enum) assert.equal(p.enumDescriptions?.length, p.enum.length, `${key} enumDescriptions`);
  }
  assert.deepEqual([...props['promptCache.provider'].enum].sort(), [...PROVIDER_IDS].sort());
  assert.deepEqual(props['promptCache.encoding'].enum, ['auto', ...ENCODING_NAMES]);
  assert.equal(props['promptCache.decoder.modelPath'].scope, 'machine');
  // The CLI and the extension share the decoder defaults (src/decoder/defaults.ts).
  assert.deepEqual(props['promptCache.decoder.preset'].enum, [...PRESET_NAMES]);
  assert.equal(props['promptCache.decoder.preset'].default, DEFAULT_PRESET);
  assert.equal(props['promptCache.decoder.tokenCap'].default, DEFAULT_TOKEN_CAP);
});

test('untrusted workspaces: limited support, model path restricted', () => {
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['promptCache.decoder.modelPath', 'promptCache.rulesFile']);
  assert.ok(pkg.capabilities.untrustedWorkspaces.description);
});

test('theme colours have dark, light and high-contrast defaults', () => {
  const ids = pkg.contributes.colors.map((c: { id: string }) => c.id);
  for (const id of ['promptCache.reusedTokenBackground', 'promptCache.recomputedTokenBackground', 'promptCache.divergenceMarker']) assert.ok(ids.includes(id), id);
  for (const c of pkg.contributes.colors) for (const k of ['dark', 'light', 'highContrast']) assert.ok(c.defaults[k], `${c.id} ${k}`);
  const css = readFileSync(path.join(root, 'media', 'panel.css'), 'utf8');
  for (const id of ids.slice(0, 3)) assert.ok(css.includes(`--vscode-${id.replace('.', '-')}`), `${id} used in CSS`);
});

test('activation is lazy: no "*" and the panel restores after a reload', () => {
  assert.ok(!pkg.activationEvents.includes('*'));
  assert.ok(!pkg.activationEvents.includes('onStartupFinished'));
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:promptCache.panel'));
  assert.equal(pkg.main, './dist/extension.js');
});

test('every lint rule (and the divergence diagnostic) has an explanation in media/rules.md', () => {
  const md = readFileSync(path.join(root, 'media', 'rules.md'), 'utf8');
  for (const id of ['cache-divergence', ...LINT_RULES.map((r) => r.id)]) assert.match(md, new RegExp(`^## ${id}$`, 'm'), id);
});

test('the walkthrough shows the status bar\'s words (the same sentences src/view/format.ts produces)', () => {
  const open = readFileSync(path.join(root, 'media', 'walkthrough', 'open.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(open.includes(ONE_BLOCK_REASON), 'the block-boundary sentence');
  for (const w of ['unchanged', '% cached', 'at token level', 'new file', 'not audited', 'CLAUDE.md', 'AGENTS.md']) assert.ok(open.includes(w), w);
  const step = pkg.contributes.walkthroughs[0].steps.find((s: { id: string }) => s.id === 'openPromptFile');
  assert.match(step.description, /at token level/);
});

test('the include default lists the agent files, in the same order as the core\'s DEFAULT_INCLUDE', () => {
  assert.deepEqual(pkg.contributes.configuration.properties['promptCache.include'].default, [...DEFAULT_INCLUDE]);
  for (const g of ['**/CLAUDE.md', '**/AGENTS.md', '**/.github/copilot-instructions.md']) assert.ok(DEFAULT_INCLUDE.includes(g), g);
});
