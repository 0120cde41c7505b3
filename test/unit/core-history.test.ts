// Git history: versions across renames, consecutive diffs, churn, the clear errors, and the cases real repositories
// have (each against a real temporary repository): non-ASCII and quoted file names, merge commits, a shallow clone,
// invalid UTF-8 and binary blobs in history, a file deleted and re-added, a rename with edits. The numbers history
// reports (tokens carried over from version to version) equal a fresh auditVersions of each pair.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { auditVersions } from '../../src/core/audit';
import { fileHistory, historyNotes, historyOf, lineChurnOf, type HistoryInput } from '../../src/core/history';
import type { DiffResult, HistoryResult } from '../../src/core/types';
import { GitError, listFileVersions } from '../../src/core/versions/git';
// @ts-expect-error: plain ESM script without type declarations
import { makeHistoryRepo } from '../../examples/make-history-repo.mjs';
// @ts-expect-error: plain ESM script without type declarations
import { makePrompt } from '../../bench/tokenizer-corpus.mjs';
import { git, gitAvailable, gitEnv } from './fixtures/harness';
import { scaled } from './fixtures/scale';

const skip = gitAvailable() ? false : 'git is not installed';
const tmp = mkdtempSync(join(tmpdir(), 'pca-core-history-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh repository in tmp/<name>. */
function repo(name: string): string {
  const dir = join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  return dir;
}

/** Writes (or with null, deletes) files and commits them; returns the commit hash. */
function commit(dir: string, files: Record<string, string | Buffer | null>, message: string): string {
  for (const [f, content] of Object.entries(files)) {
    const abs = join(dir, f);
    if (content === null) git(dir, ['rm', '-q', '--', f]);
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
      git(dir, ['add', '--', f]);
    }
  }
  git(dir, ['commit', '-q', '--allow-empty', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/** The fields of a diff that carry its numbers (everything the CLI prints). */
function numbers(d: DiffResult) {
  return {
    old: d.old,
    new: d.new,
    firstDivergentToken: d.firstDivergentToken,
    reusablePrefixTokens: d.reusablePrefixTokens,
    recomputedTokens: d.recomputedTokens,
    divergence: d.divergence,
    providers: d.providers,
    renderedOffset: d.renderedOffset,
    staticPrefixTokens: d.staticPrefixTokens,
    excerpt: d.excerpt,
    noEffectOnCache: d.noEffectOnCache,
    format: d.format,
    problems: d.problems,
  };
}

/** Every diff of a history equals a fresh auditVersions of the same two texts. */
function assertFreshEqual(h: HistoryResult, texts: Map<string, string>, options: { encoding?: 'o200k_base' | 'cl100k_base' } = {}): void {
  for (const d of h.diffs) {
    const prev = h.versions.find((v) => v.commit === d.previousCommit)!;
    const fresh = auditVersions(texts.get(d.previousCommit)!, texts.get(d.commit)!, { ...options, fileName: d.path, oldFileName: prev.path, lint: false }).result;
    assert.deepEqual(numbers(d), numbers(fresh), `${d.subject}: history and a fresh audit disagree`);
  }
}

describe('history (example repository)', { skip }, () => {
  let dir = '';
  let commits: { hash: string; message: string }[] = [];
  before(() => {
    ({ dir, commits } = makeHistoryRepo());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every commit that touched the file, following the rename, oldest first', async () => {
    const { versions } = await listFileVersions(join(dir, 'system-prompt.md'));
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
    const committed = fs.readFileSync(f, 'utf8');
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

  it('front-matter `model:` commit: a full miss named by the key (another model, a cold cache); JSON tool reorder: segment named', async () => {
    const p = await fileHistory(join(dir, 'draft-refund-reply.prompt.md'));
    assert.equal(p.diffs[0].firstDivergentToken, 0);
    assert.equal(p.diffs[0].divergence!.segment, 'front matter: model');
    const r = await fileHistory(join(dir, 'request.json'), { max: 2 });
    assert.equal(r.diffs.length, 1);
    assert.equal(r.diffs[0].divergence!.segment, 'tools[0].name');
    assert.deepEqual(r.truncated, { reason: 'max', oldestCommit: r.versions[0].commit });
  });

  it('lint findings: on every pair with lint, on the newest only with lintNewest', async () => {
    const every = await fileHistory(join(dir, 'system-prompt.md'));
    const newest = await fileHistory(join(dir, 'system-prompt.md'), { lint: false, lintNewest: true });
    const none = await fileHistory(join(dir, 'system-prompt.md'), { lint: false });
    assert.deepEqual(newest.diffs.at(-1)!.findings, every.diffs.at(-1)!.findings);
    assert.ok(every.diffs.some((d, i) => i < every.diffs.length - 1 && d.findings.length > 0), 'the example has findings in earlier versions');
    assert.ok(newest.diffs.slice(0, -1).every((d) => d.findings.length === 0));
    assert.ok(none.diffs.every((d) => d.findings.length === 0));
  });
});

describe('lineChurnOf', () => {
  it('accumulates repeated edits of one region', () => {
    const c = lineChurnOf(['a\nb\nc', 'a\nB\nc', 'a\nBB\nc', 'a\nBB\nc\nd']);
    assert.deepEqual(c.map((l) => [l.line, l.changedInVersions]), [[2, 2], [4, 1]]);
  });

  it('CRLF, lone CR and a change next to a line break count the same lines as a whole-file line diff', () => {
    assert.deepEqual(lineChurnOf(['a\r\nb\r\nc', 'a\r\nB\r\nc']).map((l) => [l.line, l.text]), [[2, 'B']]);
    assert.deepEqual(lineChurnOf(['a\rb\rc', 'a\rb\rc\rd']).map((l) => [l.line, l.text]), [[4, 'd']]);
    assert.deepEqual(lineChurnOf(['x\ny\r', 'x\ny\r\nz']).map((l) => [l.line, l.text]), [[3, 'z']]);
  });

  // Reference: the whole-file version (split both texts, match all lines). With distinct lines the line diff is
  // unambiguous, so carrying counts over only the changed middle must give the same result.
  function reference(contents: string[]) {
    let prev = contents[0].split(/\r\n|\n|\r/);
    let counts = prev.map(() => 0);
    for (const c of contents.slice(1)) {
      const lines = c.split(/\r\n|\n|\r/);
      const next = lines.map((l) => {
        const k = prev.indexOf(l);
        return k >= 0 ? counts[k] : -1;
      });
      // unmatched lines: 1 + the highest count among the old lines of their gap
      let i = 0;
      let oi = 0;
      while (i < lines.length) {
        if (next[i] >= 0) {
          oi = prev.indexOf(lines[i]) + 1;
          i++;
          continue;
        }
        let j = i;
        while (j < lines.length && next[j] < 0) j++;
        const oldEnd = j < lines.length ? prev.indexOf(lines[j]) : prev.length;
        const bump = 1 + Math.max(0, ...counts.slice(oi, oldEnd));
        for (let k = i; k < j; k++) next[k] = bump;
        i = j;
      }
      prev = lines;
      counts = next;
    }
    return prev.map((text, i) => ({ line: i + 1, text, changedInVersions: counts[i] })).filter((l) => l.changedInVersions > 0 && l.text.trim() !== '');
  }

  it('equals a whole-file line diff on random edits of files with distinct lines', () => {
    let serial = 0;
    const line = () => `line ${serial++}`;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.nat(3), fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 8 }), (edits) => {
        let lines = Array.from({ length: 12 }, line);
        const contents = [lines.join('\n')];
        for (const [at, del, ins, nl] of edits) {
          const k = at % (lines.length + 1);
          lines = [...lines.slice(0, k), ...Array.from({ length: ins }, line), ...lines.slice(k + del)];
          contents.push(lines.join(nl));
        }
        const ours = lineChurnOf(contents).sort((a, b) => a.line - b.line);
        assert.deepEqual(ours, reference(contents).sort((a, b) => a.line - b.line));
      }),
      { numRuns: scaled(200, 5000) },
    );
  });
});

describe('history on real repositories', { skip }, () => {
  it('non-ASCII, spaced and quoted file names: every version is read (git does not quote the path)', async () => {
    const names = ['プロンプト.md', 'café prompt.md', 'a "quoted" name.md', "it's here.prompt.md", 'tab\tand\\backslash.md'];
    const dir = repo('names');
    const v1 = 'You are a support agent.\nAnswer politely.\n';
    const v2 = 'You are a support agent.\nAnswer politely and briefly.\n';
    for (const name of names) {
      commit(dir, { [name]: v1 }, `add ${name}`);
      commit(dir, { [name]: v2 }, `edit ${name}`);
    }
    for (const name of names) {
      const h = await fileHistory(join(dir, name), { encoding: 'o200k_base', lint: false });
      assert.equal(h.versions.length, 2, name);
      assert.equal(h.versions[0].path, name);
      assert.ok(h.diffs[0].old.tokens > 5 && h.diffs[0].new.tokens > h.diffs[0].old.tokens, `${name}: versions read as empty`);
      assert.equal(h.diffs[0].divergence!.line, 2);
    }
  });

  it('a merge commit is compared with its first parent, and the note says so', async () => {
    const dir = repo('merge');
    const base = 'System: you are a careful assistant.\n\nRules:\n- be brief\n';
    const c1 = commit(dir, { 'p.md': base }, 'base');
    git(dir, ['checkout', '-q', '-b', 'side']);
    commit(dir, { 'p.md': `${base}- cite sources\n` }, 'side: add a rule at the end');
    git(dir, ['checkout', '-q', 'main']);
    const c2 = commit(dir, { 'p.md': `Today is Monday.\n${base}` }, 'main: add the date at the top');
    git(dir, ['merge', '-q', '--no-edit', '--no-ff', 'side']);
    const merge = git(dir, ['rev-parse', 'HEAD']).trim();
    const merged = fs.readFileSync(join(dir, 'p.md'), 'utf8');
    assert.equal(merged, `Today is Monday.\n${base}- cite sources\n`, 'control: the merge combined both edits');
    const h = await fileHistory(join(dir, 'p.md'), { encoding: 'o200k_base', lint: false });
    assert.deepEqual(h.versions.map((v) => v.commit), [c1, c2, merge], 'the first-parent line: the side commit is part of the merge');
    const m = h.diffs[1];
    assert.equal(m.previousCommit, c2);
    assert.deepEqual(m.parents![0], c2);
    assert.equal(m.parents!.length, 2);
    // Against the first parent only the appended rule is new: a cheap change, not the date edit again.
    assert.ok(m.firstDivergentToken! > 10 && m.recomputedTokens < 8, JSON.stringify(numbers(m)));
    assert.ok(historyNotes(h).some((n) => n.includes(`${merge.slice(0, 8)} is a merge: compared with its first parent ${c2.slice(0, 8)}`)), historyNotes(h).join('\n'));
  });

  it('a shallow clone: history says it is truncated, and at which commit', async () => {
    const origin = repo('shallow-origin');
    for (let i = 1; i <= 4; i++) commit(origin, { 'p.md': `Version ${i} of the prompt.\n`.repeat(i) }, `v${i}`);
    const clone = join(tmp, 'shallow-clone');
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${origin}`, clone], { env: gitEnv() });
    const h = await fileHistory(join(clone, 'p.md'), { encoding: 'o200k_base', lint: false });
    assert.equal(h.versions.length, 2);
    const boundary = git(clone, ['rev-parse', 'HEAD~1']).trim();
    assert.deepEqual(h.truncated, { reason: 'shallow-clone', oldestCommit: boundary });
    assert.match(historyNotes(h)[0], new RegExp(`History is truncated: this is a shallow clone, and ${boundary.slice(0, 8)} is the oldest commit it holds`));
    // A file added after the boundary has its whole history in the clone: not truncated.
    commit(clone, { 'new.md': 'new\n' }, 'new file');
    commit(clone, { 'new.md': 'new file\n' }, 'edit new file');
    assert.equal((await fileHistory(join(clone, 'new.md'), { lint: false })).truncated, undefined);
  });

  it('invalid UTF-8 and a binary blob in history: left out with the message a file on disk gets; the rest is compared', async () => {
    const dir = repo('bad-bytes');
    const a = commit(dir, { 'p.md': 'Hello there.\n' }, 'v1');
    const bad = commit(dir, { 'p.md': Buffer.from([0x48, 0x69, 0xff, 0xfe, 0x0a]) }, 'latin-1 bytes');
    const bin = commit(dir, { 'p.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]) }, 'a PNG by mistake');
    const c = commit(dir, { 'p.md': 'Hello there.\nBe brief.\n' }, 'v2');
    const h = await fileHistory(join(dir, 'p.md'), { encoding: 'o200k_base', lint: false });
    assert.deepEqual(h.versions.map((v) => v.commit), [a, c]);
    assert.deepEqual(h.skipped!.map((s) => [s.commit, s.reason]), [
      [bad, `p.md at ${bad.slice(0, 8)}: not valid UTF-8 text`],
      [bin, `p.md at ${bin.slice(0, 8)}: binary file, not a text prompt`],
    ]);
    assert.equal(h.diffs.length, 1);
    assert.equal(h.diffs[0].previousCommit, a);
    assert.equal(h.diffs[0].divergence!.line, 2);
    assert.ok(historyNotes(h).includes(`p.md at ${bad.slice(0, 8)}: not valid UTF-8 text: left out (the versions around it are compared).`));
  });

  it('a file deleted and re-added: an empty version between, renames with edits followed', async () => {
    const dir = repo('deleted');
    const text = 'You are a travel agent.\nBook trains first.\n';
    const a = commit(dir, { 'old name.md': text }, 'add');
    git(dir, ['mv', 'old name.md', 'new name.md']);
    fs.appendFileSync(join(dir, 'new name.md'), 'Then flights.\n');
    git(dir, ['add', '--', 'new name.md']);
    git(dir, ['commit', '-q', '-m', 'rename with an edit']);
    const b = git(dir, ['rev-parse', 'HEAD']).trim();
    const d = commit(dir, { 'new name.md': null }, 'delete');
    const e = commit(dir, { 'new name.md': 'You are a hotel agent.\n' }, 're-add');
    const h = await fileHistory(join(dir, 'new name.md'), { encoding: 'o200k_base', lint: false });
    assert.deepEqual(h.versions.map((v) => [v.commit, v.path, !!v.deleted]), [
      [a, 'old name.md', false],
      [b, 'new name.md', false],
      [d, 'new name.md', true],
      [e, 'new name.md', false],
    ]);
    const [renamed, deleted, readded] = h.diffs;
    assert.equal(renamed.divergence!.line, 3, 'the rename kept the text; the edit appended a line');
    assert.equal(deleted.new.tokens, 0);
    assert.equal(readded.old.tokens, 0);
    assert.equal(readded.firstDivergentToken, 0);
    assert.ok(historyNotes(h).some((n) => n.startsWith(`${d.slice(0, 8)} deleted the file`)));
  });

  it('the numbers history reports equal a fresh auditVersions of each pair (random edits, several formats)', async () => {
    const files: Record<string, (r: () => number) => string> = {
      'system.md': () => '---\ndescription: x\n---\n# Rules\n\nYou are a support agent. Answer politely.\n\n## Tools\n\nUse search first.\n',
      'request.json': () => JSON.stringify({ model: 'claude-sonnet-4-5', system: [{ type: 'text', text: 'You are a careful agent.' }], tools: [{ name: 'search', description: 'Search the docs', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'Hello there, how are you?' }] }, null, 2),
      'reply.j2': () => 'You are {{ agent_name }}.\n{% if vip %}Be extra kind.{% endif %}\nToday is {{ today }}.\n',
      'notes.txt': () => 'plain text prompt: caf\u00e9 \ud83d\ude00 emoji and CRLF\r\nsecond line\r\n',
    };
    const words = ['really', ' ', '\n', 'café', '😀', '{{ x }}', '"', 'tokens', '\r\n', '  ', 'and'];
    const runs = scaled(1, 6);
    for (const [name, initial] of Object.entries(files)) {
      for (let run = 0; run < runs; run++) {
        const dir = repo(`fresh-${name}-${run}`);
        let seed = 1 + run * 7919 + name.length;
        const r = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
        let text = initial(r);
        const texts = new Map<string, string>();
        let previous: string | undefined;
        for (let i = 0; i < 8; i++) {
          if (text !== previous) texts.set(commit(dir, { [name]: text }, `v${i}`), text);
          previous = text;
          // Edits never split a surrogate pair: a lone surrogate is not text that can be committed as UTF-8.
          const cut = (i: number) => (/[\udc00-\udfff]/.test(text[i] ?? '') ? i + 1 : i);
          const at = cut(Math.floor(r() * (text.length + 1)));
          const del = cut(at + Math.floor(r() * 4)) - at;
          text = text.slice(0, at) + (r() < 0.8 ? words[Math.floor(r() * words.length)] : '') + text.slice(at + del);
        }
        const h = await fileHistory(join(dir, name), { encoding: 'o200k_base', lint: false });
        assert.equal(h.diffs.length + 1, texts.size);
        assertFreshEqual(h, texts, { encoding: 'o200k_base' });
      }
    }
  });
});

describe('tokens carried over from version to version (no git: historyOf on texts)', () => {
  const corpus: string = makePrompt(24_000, 5);
  const seams = ['', ' ', '\n', '\r\n', 'really ', "'s", '😀', 'é', '123', '{{ user }}', '"', '  \n\n', '{"a":1}'];
  const edit = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(40), fc.constantFrom(...seams), fc.constantFrom('small', 'small', 'small', 'rewrite', 'truncate'));
  const formats: [string, (t: string) => string][] = [
    ['system.md', (t) => `---\ndescription: d\n---\n# Prompt\n\n${t}`],
    ['notes.txt', (t) => t],
    ['reply.j2', (t) => `{# comment #}\nYou are {{ name }}.\n${t}`],
    ['request.json', (t) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: t.slice(0, t.length >> 1) }, { role: 'user', content: t.slice(t.length >> 1) }] })],
  ];

  it('every pair equals a fresh auditVersions, whatever the edits (incl. rewrites, and pieces at hard boundaries)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...formats), fc.array(edit, { minLength: 1, maxLength: 6 }), async ([fileName, wrap], edits) => {
        let body = corpus.slice(0, 6000);
        const texts = [wrap(body)];
        for (const [where, del, ins, kind] of edits) {
          if (kind === 'rewrite') body = corpus.slice(6000, 9000 + del * 50);
          else if (kind === 'truncate') body = body.slice(0, Math.floor(where * body.length));
          else {
            let at = Math.floor(where * body.length);
            if (/[\udc00-\udfff]/.test(body[at] ?? '')) at++;
            let end = Math.min(body.length, at + del);
            if (/[\udc00-\udfff]/.test(body[end] ?? '')) end++;
            body = body.slice(0, at) + ins + body.slice(end);
          }
          texts.push(wrap(body));
        }
        const inputs: HistoryInput[] = texts.map((text, i) => ({ version: { commit: `c${i}`, date: '', subject: `v${i}`, path: fileName }, text }));
        const h = await historyOf(fileName, inputs, { encoding: 'o200k_base', lint: false });
        assert.equal(h.diffs.length, texts.length - 1);
        h.diffs.forEach((d, i) => {
          const fresh = auditVersions(texts[i], texts[i + 1], { fileName, encoding: 'o200k_base', lint: false }).result;
          assert.deepEqual(numbers(d), numbers(fresh), `pair ${i}`);
        });
      }),
      { numRuns: scaled(40, 600) },
    );
  });
});

describe('history errors', () => {
  it('not a git repository', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pca-nogit-'));
    writeFileSync(join(d, 'a.md'), 'x');
    await assert.rejects(listFileVersions(join(d, 'a.md')), (e: unknown) => e instanceof GitError && e.code === 'not-a-repo' && /not inside a git repository/.test(e.message));
    rmSync(d, { recursive: true, force: true });
  });
  it('file not committed yet; a repository without commits', { skip }, async () => {
    const d = mkdtempSync(join(tmpdir(), 'pca-git-'));
    execFileSync('git', ['init', '-q'], { cwd: d });
    writeFileSync(join(d, 'a.md'), 'x');
    await assert.rejects(listFileVersions(join(d, 'a.md')), (e: unknown) => e instanceof GitError && e.code === 'not-committed' && /not committed yet \(the repository has no commits yet\)/.test(e.message));
    commit(d, { 'b.md': 'y' }, 'another file');
    await assert.rejects(listFileVersions(join(d, 'a.md')), (e: unknown) => e instanceof GitError && e.code === 'not-committed' && /not committed yet \(no commit touches it\)/.test(e.message));
    rmSync(d, { recursive: true, force: true });
  });
  it('git not installed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pca-git-'));
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(listFileVersions(join(d, 'a.md')), (e: unknown) => e instanceof GitError && e.code === 'git-missing');
    } finally {
      process.env.PATH = saved;
      rmSync(d, { recursive: true, force: true });
    }
  });
  it('git failed: its own one-line reason (a corrupt HEAD)', { skip }, async () => {
    const d = repo('corrupt');
    commit(d, { 'a.md': 'x\n' }, 'v1');
    fs.writeFileSync(join(d, '.git', 'refs', 'heads', 'main'), '0123456789012345678901234567890123456789\n');
    await assert.rejects(fileHistory(join(d, 'a.md')), (e: unknown) => e instanceof GitError && e.code === 'git-failed' && /^git failed: \S/.test(e.message) && !e.message.includes('\n'));
  });
});
