// Git history: versions across renames, consecutive diffs, churn, and the clear errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileHistory, HistoryError, listVersions } from '../../src/core/history';
// @ts-expect-error: plain ESM script without type declarations
import { makeHistoryRepo } from '../../examples/make-history-repo.mjs';

describe('history (example repository)', () => {
  let dir = '';
  let commits: { hash: string; message: string }[] = [];
  before(() => {
    ({ dir, commits } = makeHistoryRepo());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every commit that touched the file, following the rename, oldest first', async () => {
    const { versions } = await listVersions(join(dir, 'system-prompt.md'));
    assert.equal(versions.length, 5);
    assert.equal(versions[0].path, 'system.md');
    assert.equal(versions[4].path, 'system-prompt.md');
    assert.equal(versions[0].commit, commits[0].hash);
    assert.equal(versions[4].subject, 'Move the date to the end of the system prompt');
  });

  it('diffs consecutive versions and finds the churn region', async () => {
    const h = await fileHistory(join(dir, 'system-prompt.md'));
    assert.equal(h.diffs.length, 4);
    const [append, addDate, refresh, move] = h.diffs;
    assert.ok(append.reusablePrefixTokens > 1500, 'appending an example keeps the prefix');
    assert.ok(addDate.recomputedTokens > 1600 && addDate.divergence!.line === 3);
    assert.equal(refresh.divergence!.line, 3);
    assert.equal(move.previousCommit, refresh.commit);
    assert.equal(h.churn[0].region, '# Parcelpoint Support Assistant', 'Markdown churn is named by section');
    assert.equal(h.churn[0].firstDivergenceCount, 3);
    // The intro line was rewritten once (v4); the inserted/removed date lines replaced it around, too.
    const intro = h.lineChurn!.find((l) => l.text.startsWith('You are Pia'))!;
    assert.ok(intro.changedInVersions >= 1);
    assert.equal(h.lineChurn!.some((l) => l.text.startsWith('## Goals')), false, 'untouched lines are not listed');
  });

  it('includeWorkingTree adds the uncommitted copy as the last version', async () => {
    const f = join(dir, 'reply.j2');
    const { readFileSync } = await import('node:fs');
    const committed = readFileSync(f, 'utf8');
    writeFileSync(f, committed.replace('## How to write the reply', '## How to write a reply'));
    try {
      const h = await fileHistory(f, { includeWorkingTree: true });
      const last = h.diffs.at(-1)!;
      assert.equal(last.commit, 'WORKING-TREE');
      assert.equal(last.subject, '(uncommitted changes)');
      assert.ok(last.firstDivergentToken !== null && last.firstDivergentToken > 0);
      assert.equal((await fileHistory(f)).diffs.at(-1)!.commit === 'WORKING-TREE', false);
    } finally {
      writeFileSync(f, committed);
    }
  });

  it('lineChurnOf accumulates repeated edits of one region', async () => {
    const { lineChurnOf } = await import('../../src/core/history');
    const c = lineChurnOf(['a\nb\nc', 'a\nB\nc', 'a\nBB\nc', 'a\nBB\nc\nd']);
    assert.deepEqual(c.map((l) => [l.line, l.changedInVersions]), [[2, 2], [4, 1]]);
  });

  it('front-matter `model:` commit: a full miss named by the key (another model, a cold cache); JSON tool reorder: segment named', async () => {
    const p = await fileHistory(join(dir, 'draft-refund-reply.prompt.md'));
    assert.equal(p.diffs[0].firstDivergentToken, 0);
    assert.equal(p.diffs[0].divergence!.segment, 'front matter: model');
    const r = await fileHistory(join(dir, 'request.json'), { max: 2 });
    assert.equal(r.diffs.length, 1);
    assert.equal(r.diffs[0].divergence!.segment, 'tools[0].name');
  });
});

describe('history errors', () => {
  it('not a git repository', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pca-nogit-'));
    writeFileSync(join(d, 'a.md'), 'x');
    await assert.rejects(listVersions(join(d, 'a.md')), (e: unknown) => e instanceof HistoryError && e.code === 'not-a-repo');
    rmSync(d, { recursive: true, force: true });
  });
  it('file never committed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pca-git-'));
    execFileSync('git', ['init', '-q'], { cwd: d });
    writeFileSync(join(d, 'a.md'), 'x');
    await assert.rejects(listVersions(join(d, 'a.md')), (e: unknown) => e instanceof HistoryError && e.code === 'never-committed');
    rmSync(d, { recursive: true, force: true });
  });
  it('git not installed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pca-git-'));
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(listVersions(join(d, 'a.md')), (e: unknown) => e instanceof HistoryError && e.code === 'git-missing');
    } finally {
      process.env.PATH = saved;
      rmSync(d, { recursive: true, force: true });
    }
  });
});
