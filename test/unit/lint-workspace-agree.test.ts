// `prompt-cache-audit lint` (the built CLI) and Audit Workspace (the worker's auditWorkspaceFiles) on the same
// repository: the same findings (rule, file, line), history-dependent ones included. Both read the files' earlier
// versions with readFileHistories (one git walk per repository) and lint through the core's lintPromptReport /
// auditVersions. The extension compares with Git HEAD, so a file edited since is compared with `lint --against HEAD`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { auditWorkspaceFiles, listPromptFiles } from '../../src/auditWorker/workspaceAudit';
import type { AuditSettings } from '../../src/auditWorker/protocol';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from '../../src/core/promptFiles';
import type { LintFinding } from '../../src/core/types';
import { git, gitAvailable, gitEnv, requireBuilt, runCli } from './fixtures/harness';

requireBuilt();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-lint-agree-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BODY = Array.from({ length: 40 }, (_, i) => `Rule ${i + 1}: answer politely, check the order first, and never guess about refunds.`).join('\n');
const system = (release: string) => `You are the support agent for Northwind.\nPolicy release: ${release} (see the handbook)\n${BODY}\n`;

function write(repo: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
}

type Key = string;
const keyOf = (rel: string, f: LintFinding): Key => `${rel}:${f.range.start.line}:${f.ruleId}`;

async function cliFindings(repo: string, extra: string[] = []): Promise<{ keys: Key[]; history: number }> {
  const r = await runCli(['lint', 'prompts', '--provider', 'anthropic', '--json', '--fail-on', 'none', ...extra], { cwd: repo, env: gitEnv() });
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout) as { file: string; findings: LintFinding[] }[];
  const all = results.flatMap((x) => x.findings.map((f) => ({ rel: path.relative(repo, path.resolve(repo, x.file)).split(path.sep).join('/'), f })));
  return { keys: all.map(({ rel, f }) => keyOf(rel, f)).sort(), history: all.filter(({ f }) => f.evidence?.kind === 'history').length };
}

async function workerFindings(repo: string): Promise<{ keys: Key[]; history: number }> {
  const settings: AuditSettings = { provider: 'anthropic', model: '', encoding: 'auto', pricePerMillionTokens: null, maxFileBytes: 1 << 20, workspaceRoots: [repo] };
  const files = await listPromptFiles([repo], { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE });
  const rows = await auditWorkspaceFiles(files.map((p) => ({ path: p, relativePath: path.relative(repo, p).split(path.sep).join('/') })), 'gitHead', settings);
  const all = rows.flatMap((r) => (r.diff?.findings ?? []).map((f) => ({ rel: r.relativePath, f })));
  return { keys: all.map(({ rel, f }) => keyOf(rel, f)).sort(), history: all.filter(({ f }) => f.evidence?.kind === 'history').length };
}

describe('lint and Audit Workspace agree', { skip: gitAvailable() ? false : 'git is not installed' }, () => {
  const repo = path.join(tmp, 'repo');
  fs.mkdirSync(repo);
  git(repo, ['init', '-q', '-b', 'main']);
  for (const release of ['2025.1', '2025.2', '2025.3']) {
    write(repo, 'prompts/system.md', system(release));
    write(repo, 'prompts/greeting.md', `Greet the customer by name.\n${BODY}\n`);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', `release ${release}`]);
  }
  write(repo, 'prompts/dated.md', `Today's date: 2026-03-01\n${BODY}\n`); // never committed: no history
  write(repo, 'prompts/bom.md', `\uFEFF${BODY}\n`);

  test('committed and untracked files: the same findings, the history-dependent one in both', async () => {
    const [cli, ext] = await Promise.all([cliFindings(repo), workerFindings(repo)]);
    assert.ok(cli.history >= 1, `the release that changed in every commit is a history finding: ${cli.keys.join(', ')}`);
    assert.ok(cli.keys.includes('prompts/system.md:2:volatile-prefix'), cli.keys.join(', '));
    assert.deepEqual(ext.keys, cli.keys);
    assert.equal(ext.history, cli.history);
  });

  test('a file edited since HEAD (line endings changed): the extension equals `lint --against HEAD`', async () => {
    write(repo, 'prompts/greeting.md', `Greet the customer by name.\r\n${BODY.replace(/\n/g, '\r\n')}\r\n`);
    try {
      const [cli, ext] = await Promise.all([cliFindings(repo, ['--against', 'HEAD']), workerFindings(repo)]);
      assert.ok(cli.keys.some((k) => k.startsWith('prompts/greeting.md:') && k.endsWith(':line-ending-drift')), cli.keys.join(', '));
      assert.deepEqual(ext.keys, cli.keys);
    } finally {
      git(repo, ['checkout', '-q', '--', 'prompts/greeting.md']);
    }
  });
});
