// The README's provider table and docs/providers.md are generated from src/core/providers/rules.json: they fail
// this test when stale (run `npm run docs`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain .mjs script without types
import { END, providersDoc, readmeTable, START } from '../../scripts/gen-provider-table.mjs';

const ROOT = join(__dirname, '../..');
const rules = JSON.parse(readFileSync(join(ROOT, 'src/core/providers/rules.json'), 'utf8'));

describe('generated provider docs', () => {
  it('README.md provider table is current', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    assert.equal(section, readmeTable(rules), 'README.md provider table is stale: run npm run docs');
  });

  it('docs/providers.md is current and names every provider', () => {
    const doc = readFileSync(join(ROOT, 'docs/providers.md'), 'utf8');
    assert.equal(doc, providersDoc(rules), 'docs/providers.md is stale: run npm run docs');
    for (const p of rules.providers) assert.ok(doc.includes(`## \`${p.id}\``));
  });
});
