// Writes the rule explanations generated from src/core/lint/rules/*.ts: the lint section of docs/rules.md and
// media/rules.md. Run by `npm run build`; `--check` exits 1 when a committed file is stale (the unit test
// core-lint-docs does the same check).
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Loads the rule registry and the renderers (TypeScript) through an in-memory esbuild bundle. */
export async function loadRuleDocs() {
  const out = await esbuild.build({
    stdin: {
      contents: "export { LINT_RULES, OTHER_DIAGNOSTICS } from './src/core/lint'; export { renderDocsPage, renderMediaRules } from './src/core/lint/docs';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['js-tiktoken', 'tiktoken', 'gpt-tokenizer'],
    logLevel: 'warning',
  });
  const mod = { exports: {} };
  const require = createRequire(path.join(root, 'package.json'));
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  return mod.exports;
}

export async function generate({ check = false } = {}) {
  const { LINT_RULES, OTHER_DIAGNOSTICS, renderDocsPage, renderMediaRules } = await loadRuleDocs();
  const targets = [
    { file: path.join(root, 'docs', 'rules.md'), render: (cur) => renderDocsPage(cur, LINT_RULES) },
    { file: path.join(root, 'media', 'rules.md'), render: () => renderMediaRules(LINT_RULES, OTHER_DIAGNOSTICS) },
  ];
  const stale = [];
  for (const t of targets) {
    const cur = readFileSync(t.file, 'utf8');
    const next = t.render(cur);
    if (next === cur) continue;
    stale.push(path.relative(root, t.file));
    if (!check) writeFileSync(t.file, next);
  }
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = await generate({ check });
  if (check && stale.length) {
    console.error(`stale (run npm run build): ${stale.join(', ')}`);
    process.exit(1);
  }
  if (!check && stale.length) console.log(`rules docs: wrote ${stale.join(', ')}`);
}
