// Audit Workspace in the worker (src/auditWorker/workspaceAudit.ts): files read by the worker, compared with Git
// HEAD through one tree read, and the same findings as `prompt-cache-audit lint` (the CLI's core call) on each file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { lintPrompt } from '../../src/core/audit';
import { auditWorkspaceFiles, listPromptFiles } from '../../src/auditWorker/workspaceAudit';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from '../../src/core/promptFiles';
import type { AuditSettings } from '../../src/auditWorker/protocol';
import { gitAvailable, makeRepo } from './fixtures/harness';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-ws-audit-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const settings: AuditSettings = { provider: 'anthropic', model: '', encoding: 'auto', pricePerMillionTokens: null, maxFileBytes: 1024 * 1024 };
const SYSTEM = 'You are a support agent for Northwind.\nToday is 2026-03-01.\nAlways cite the policy number.\n'.repeat(40);

describe('workspace audit in the worker', { skip: gitAvailable() ? false : 'git is not installed' }, () => {
  const repo = path.join(tmp, 'repo');
  makeRepo(repo, 'prompts/system.md', [SYSTEM]);
  const file = (rel: string) => ({ path: path.join(repo, rel), relativePath: rel });

  test('unchanged, edited, untracked, binary, BOM and missing files, in one batch', async () => {
    fs.writeFileSync(path.join(repo, 'prompts/new.md'), 'A new prompt.\n');
    fs.writeFileSync(path.join(repo, 'prompts/tool.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    fs.writeFileSync(path.join(repo, 'prompts/bom.md'), `\uFEFF${SYSTEM}`);
    const rows = await auditWorkspaceFiles([file('prompts/system.md'), file('prompts/new.md'), file('prompts/tool.txt'), file('prompts/bom.md'), file('prompts/gone.md')], 'gitHead', settings);
    const by = new Map(rows.map((r) => [r.relativePath, r]));
    const sys = by.get('prompts/system.md')!;
    assert.equal(sys.diff?.firstDivergentToken, null, 'unchanged since HEAD');
    assert.match(sys.baselineLabel!, /^HEAD \([0-9a-f]+\)$/);
    assert.equal(by.get('prompts/new.md')!.baselineLabel, 'nothing committed yet (untracked file)');
    assert.equal(by.get('prompts/new.md')!.diff?.old.tokens, 0);
    assert.equal(by.get('prompts/tool.txt')!.error, 'binary file, not a text prompt');
    assert.equal(by.get('prompts/gone.md')!.error, 'no such file');
    // The same findings as the CLI's lint on each text file (the BOM kept, as the CLI reads it).
    for (const rel of ['prompts/system.md', 'prompts/bom.md']) {
      const source = fs.readFileSync(path.join(repo, rel), 'utf8');
      const cli = lintPrompt(source, { fileName: path.basename(rel), provider: 'anthropic' }).map((f) => `${f.ruleId}@${f.range.start.offset}`);
      assert.deepEqual(by.get(rel)!.diff!.findings.map((f) => `${f.ruleId}@${f.range.start.offset}`), cli, rel);
    }
  });

  test('an edited file diverges where the edit is; an open editor\'s unsaved text is used instead of the disk', async () => {
    const edited = SYSTEM.replace('Always cite', 'Always, always cite');
    fs.writeFileSync(path.join(repo, 'prompts/system.md'), edited);
    try {
      const [disk] = await auditWorkspaceFiles([file('prompts/system.md')], 'gitHead', settings);
      assert.ok(disk.diff!.firstDivergentToken! > 0 && disk.diff!.recomputedTokens > 0);
      assert.equal(disk.diff!.divergence?.line, 3);
      const [editor] = await auditWorkspaceFiles([{ ...file('prompts/system.md'), text: SYSTEM }], 'gitHead', settings);
      assert.equal(editor.diff!.firstDivergentToken, null, 'the editor text equals HEAD');
    } finally {
      fs.writeFileSync(path.join(repo, 'prompts/system.md'), SYSTEM);
    }
  });

  test('outside a repository, or with baseline "self": each file is compared with itself', async () => {
    fs.writeFileSync(path.join(tmp, 'loose.md'), SYSTEM);
    const [loose] = await auditWorkspaceFiles([{ path: path.join(tmp, 'loose.md'), relativePath: 'loose.md' }], 'gitHead', settings);
    assert.equal(loose.diff!.firstDivergentToken, null);
    assert.equal(loose.baselineLabel, 'itself (no baseline)');
    const [self] = await auditWorkspaceFiles([file('prompts/system.md')], 'self', settings);
    assert.equal(self.diff!.firstDivergentToken, null);
  });

  test('files above promptCache.maxFileSizeMB are not read', async () => {
    fs.writeFileSync(path.join(repo, 'prompts/big.md'), 'x'.repeat(2 * 1024 * 1024));
    const [big] = await auditWorkspaceFiles([file('prompts/big.md')], 'gitHead', settings);
    assert.equal(big.error, 'larger than promptCache.maxFileSizeMB');
  });
});

test('the worker lists prompt files by the include/exclude globs: agent files and dot folders in, node_modules and excludes out', async () => {
  const ws = path.join(tmp, 'list');
  const files = ['CLAUDE.md', 'AGENTS.md', '.github/copilot-instructions.md', 'prompts/a.md', 'prompts/b.json', 'x.prompt.md', 'README.md', 'node_modules/pkg/CLAUDE.md', 'dist/prompts/c.md', 'src/reply.j2'];
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
    fs.writeFileSync(path.join(ws, f), 'x\n');
  }
  const found = (await listPromptFiles([ws], { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE })).map((p) => path.relative(ws, p).split(path.sep).join('/'));
  assert.deepEqual(found, ['.github/copilot-instructions.md', 'AGENTS.md', 'CLAUDE.md', 'prompts/a.md', 'prompts/b.json', 'src/reply.j2', 'x.prompt.md']);
});
