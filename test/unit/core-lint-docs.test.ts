// The rule explanations have one source (the rule files): docs/rules.md's lint section and media/rules.md are
// generated from it, and stale copies fail here. The AGENTS.md recipe "add a lint rule" is followed for real on a
// copy of src/core: a test-only rule file plus its registry line, and nothing else changes.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { LINT_RULES, OTHER_DIAGNOSTICS } from '../../src/core/lint';
import { renderDocsPage, renderMediaRules } from '../../src/core/lint/docs';

const root = join(__dirname, '..', '..');

describe('generated rule docs', () => {
  it('docs/rules.md and media/rules.md are up to date with the rule files (run `npm run build` when this fails)', () => {
    const docs = readFileSync(join(root, 'docs', 'rules.md'), 'utf8');
    assert.equal(docs, renderDocsPage(docs, LINT_RULES), 'docs/rules.md is stale');
    assert.equal(readFileSync(join(root, 'media', 'rules.md'), 'utf8'), renderMediaRules(LINT_RULES, OTHER_DIAGNOSTICS), 'media/rules.md is stale');
  });
  it('each explanation exists once in the sources: the rule files, not copied into other code', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const r of LINT_RULES) {
      const needle = r.explanation.slice(0, 60);
      const holders = [...files(join(root, 'src')), ...files(join(root, 'webview'))].filter((f) => /\.tsx?$/.test(f) && readFileSync(f, 'utf8').includes(needle));
      assert.deepEqual(holders.map((f) => relative(root, f)), [`src/core/lint/rules/${r.id}.ts`], r.id);
    }
  });
});

describe('recipe: add a lint rule (AGENTS.md)', () => {
  // A copy of src/core inside node_modules/.cache, so its imports of npm packages resolve from this project.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, 'pca-lint-recipe-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a rule file plus its registry line: the rule runs, the docs and SARIF rule table list it, no other file changes', async () => {
    const core = join(work, 'core');
    cpSync(join(root, 'src', 'core'), core, { recursive: true });
    const before = snapshot(core);
    // Step 1: the rule file.
    writeFileSync(
      join(core, 'lint', 'rules', 'test-only-xyzzy.ts'),
      `// test-only-xyzzy: a rule added by the recipe test.
import type { LintRule } from '../helper';

export const rule: LintRule = {
  id: 'test-only-xyzzy',
  title: 'The magic word in the prompt',
  defaultSeverity: 'info',
  explanation: 'A test-only rule: it reports the word XYZZY, to show that a rule file and its registry line are all a rule needs.',
  evidence: 'Where the word is.',
  check(h) {
    const at = h.ctx.source.indexOf('XYZZY');
    if (at < 0) return [];
    return [{ ruleId: 'test-only-xyzzy', severity: 'info', message: 'XYZZY found.', range: h.range(at, at + 5), tokensAtRisk: h.atRiskFromSource(at), evidence: { kind: 'measurement', summary: 'The word XYZZY.' } }];
  },
};
`,
    );
    // Step 2: the registry line (an import and the array entry, in lint/index.ts).
    const indexFile = join(core, 'lint', 'index.ts');
    const index = readFileSync(indexFile, 'utf8')
      .replace("import { rule as breakpointBeyondLookback } from './rules/breakpoint-beyond-lookback';", "$&\nimport { rule as testOnlyXyzzy } from './rules/test-only-xyzzy';")
      .replace('  breakpointBeyondLookback,\n];', '  breakpointBeyondLookback,\n  testOnlyXyzzy,\n];');
    writeFileSync(indexFile, index);
    // Only the two touched files differ from the copy (the third file the recipe names is this test).
    const after = snapshot(core);
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => before[f] !== after[f]).sort();
    assert.deepEqual(changed, ['lint/index.ts', 'lint/rules/test-only-xyzzy.ts']);

    const audit = await import(join(core, 'audit.ts'));
    const lint = await import(join(core, 'lint', 'index.ts'));
    const docs = await import(join(core, 'lint', 'docs.ts'));
    const findings = audit.lintPrompt('Say XYZZY to open the door.', { fileName: 'p.md' });
    assert.deepEqual(findings.map((f: { ruleId: string }) => f.ruleId), ['test-only-xyzzy']);
    const page = docs.renderDocsPage(readFileSync(join(root, 'docs', 'rules.md'), 'utf8'), lint.LINT_RULES);
    assert.match(page, /### test-only-xyzzy\n\n\*\*The magic word in the prompt\*\* \(default severity: info\)/);
    assert.match(docs.renderMediaRules(lint.LINT_RULES, lint.OTHER_DIAGNOSTICS), /^## test-only-xyzzy$/m);
    assert.ok(lint.LINT_RULES.some((r: { id: string }) => r.id === 'test-only-xyzzy'), 'SARIF reads its rule table from LINT_RULES');
  });
});

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
