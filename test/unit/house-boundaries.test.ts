// The folders are the runtimes (AGENTS.md). ESLint enforces it; this test checks that the rules really fire, on code
// written to each folder as a newcomer might, so a config edit cannot silently switch a boundary off.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = path.join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return r.messages.map((m) => m.ruleId ?? m.message);
}

test('a vscode import fails lint everywhere but src/extension', async () => {
  const code = "import * as vscode from 'vscode';\nexport const v = vscode.version;\n";
  for (const f of ['src/core/x.ts', 'src/auditWorker/x.ts', 'src/view/x.ts', 'src/decoder/x.ts', 'src/cli/x.ts', 'webview/x.ts']) {
    assert.ok((await ruleIds(f, code)).includes('no-restricted-imports'), f);
  }
  assert.deepEqual(await ruleIds('src/extension/x.ts', code), []);
});

test('a DOM global fails lint everywhere but webview/', async () => {
  const code = 'export const t = document.title;\n';
  for (const f of ['src/core/x.ts', 'src/auditWorker/x.ts', 'src/view/x.ts', 'src/extension/x.ts', 'src/cli/x.ts', 'src/decoder/x.ts']) {
    assert.ok((await ruleIds(f, code)).includes('no-restricted-globals'), f);
  }
  assert.deepEqual(await ruleIds('webview/x.ts', code), []);
});

test('the core imports no adapter; the webview reaches the host only through src/view', async () => {
  assert.ok((await ruleIds('src/core/x.ts', "import { Command } from '../view/commandIds';\nexport const c = Command;\n")).includes('no-restricted-imports'));
  assert.ok((await ruleIds('src/core/x.ts', "import * as ort from 'onnxruntime-node';\nexport const o = ort;\n")).includes('no-restricted-imports'));
  assert.ok((await ruleIds('webview/x.ts', "import { PROVIDER_IDS } from '../src/core/ids';\nexport const p = PROVIDER_IDS;\n")).includes('no-restricted-imports'));
  assert.ok((await ruleIds('src/view/x.ts', "import * as fs from 'node:fs';\nexport const f = fs;\n")).includes('no-restricted-imports'));
  assert.deepEqual(await ruleIds('webview/x.ts', "import { TAB_IDS } from '../src/view/protocol';\nexport const t = TAB_IDS;\n"), []);
});
