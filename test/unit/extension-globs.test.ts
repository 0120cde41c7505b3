import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, globToRegExp, isPromptPath } from '../../src/core/promptFiles';

const patterns = { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE };

test('the defaults in code equal the defaults package.json declares', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(props['promptCache.include'].default, DEFAULT_INCLUDE);
  assert.deepEqual(props['promptCache.exclude'].default, DEFAULT_EXCLUDE);
});

test('default include globs match every format the core reads', () => {
  for (const p of [
    'support.prompt.md', '.github/prompts/review.prompt.md', 'a/b/style.instructions.md', 'x.agent.md', 'old.chatmode.md',
    'chat.prompty', 'templates/system.j2', 'sys.jinja', 'sys.jinja2', 'h/b.hbs', 'm.mustache', 'l.liquid',
    'prompts/readme.md', 'src/prompts/deep/notes.txt', 'prompts/request.json', 'a/prompts/b/c/body.json',
  ]) {
    assert.ok(isPromptPath(p, patterns), p);
  }
});

test('ordinary files and excluded folders are not prompt files', () => {
  for (const p of ['README.md', 'src/index.ts', 'package.json', 'docs/prompt.md', 'node_modules/x/prompts/a.md', 'dist/a.prompt.md', 'notprompts/a.md', 'prompts.json']) {
    assert.equal(isPromptPath(p, patterns), false, p);
  }
});

test('glob syntax: ** spans directories, * stays in one segment, ?, braces and classes', () => {
  assert.ok(globToRegExp('**/*.md').test('a.md'));
  assert.ok(globToRegExp('**/*.md').test('a/b/c.md'));
  assert.equal(globToRegExp('*.md').test('a/b.md'), false);
  assert.ok(globToRegExp('src/**').test('src/a/b'));
  assert.ok(globToRegExp('file?.txt').test('file1.txt'));
  assert.equal(globToRegExp('file?.txt').test('file12.txt'), false);
  assert.ok(globToRegExp('**/*.{a,b{c,d}}').test('x/y.bd'));
  assert.ok(globToRegExp('[abc].md').test('b.md'));
  assert.equal(globToRegExp('[!abc].md').test('b.md'), false);
  assert.ok(globToRegExp('a.b').test('a.b'));
  assert.equal(globToRegExp('a.b').test('axb'), false, 'dots are literal');
});

test('Windows separators and leading ./ are normalised', () => {
  assert.ok(isPromptPath('prompts\\x\\y.md', patterns));
  assert.ok(globToRegExp('./**/*.prompt.md').test('a.prompt.md'));
});
