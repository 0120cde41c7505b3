// The extension's baseline reading under faults, without VS Code (src/extension/baselines.ts + git.ts over the core's
// git adapter, against fixtures/vscode-stub.cjs): a file deleted or renamed while audited, not a repository, git not
// installed, git failing, a BOM file. Never a throw; the label tells the cases apart ("nothing committed yet", "not
// in a Git repository", "git is not installed", "git failed: <reason>"), and a real failure gets one notice.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { auditVersions } from '../../src/core/audit';
import { git, gitAvailable, makeRepo } from './fixtures/harness';
import { requireWithStub, vscodeStub } from './fixtures/vscode-stub';

type BaselinesModule = typeof import('../../src/extension/baselines');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-reliability-ext-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const vs = vscodeStub();
vs.stub.state.gitExtension = undefined;
const { Baselines } = requireWithStub<BaselinesModule>('../../src/extension/baselines');

/** The parts of a TextDocument that baselines.ts reads. */
function doc(file: string, text: string, isDirty = false) {
  return { uri: vs.Uri.file(file), fileName: file, isDirty, getText: () => text, isClosed: false, version: 1 };
}

const TEXT = 'You are a support agent.\nBe brief.\n';

describe('baselines never throw', { skip: gitAvailable() ? false : 'git is not installed' }, () => {
  const repo = path.join(tmp, 'repo');
  makeRepo(repo, 'prompts/a.prompt.md', [TEXT, `${TEXT}Cite the policy.\n`]);
  const baselines = new Baselines(path.join(tmp, 'storage'));

  test('a committed file: HEAD content and a label with the hash', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const b = await baselines.get(doc(path.join(repo, 'prompts/a.prompt.md'), TEXT) as any, 'gitHead');
    assert.equal(b?.text, `${TEXT}Cite the policy.\n`);
    assert.match(b!.label, /^HEAD \([0-9a-f]{7}\)$/);
  });

  test('a file deleted from disk while open: still the HEAD version', async () => {
    const file = path.join(repo, 'prompts/a.prompt.md');
    const keep = fs.readFileSync(file);
    fs.rmSync(file);
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = await baselines.get(doc(file, TEXT, true) as any, 'gitHead');
      assert.equal(b?.text, `${TEXT}Cite the policy.\n`);
    } finally {
      fs.writeFileSync(file, keep);
    }
  });

  test('a file renamed (new name not committed), in a missing folder: "nothing committed yet"', async () => {
    for (const file of [path.join(repo, 'prompts/renamed.prompt.md'), path.join(repo, 'no/such/dir/x.prompt.md')]) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = await baselines.get(doc(file, TEXT) as any, 'gitHead');
      assert.equal(b?.text, '', file);
      assert.equal(b!.label, 'nothing committed yet (new file)');
    }
  });

  test('a repository without commits: "nothing committed yet"', async () => {
    const empty = path.join(tmp, 'empty-repo');
    fs.mkdirSync(empty, { recursive: true });
    git(empty, ['init', '-q']);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const b = await baselines.get(doc(path.join(empty, 'a.prompt.md'), TEXT) as any, 'gitHead');
    assert.deepEqual(b, { text: '', label: 'nothing committed yet (the repository has no commits)' });
  });

  test('outside a repository: the last save stands in, labelled "not in a Git repository", no notice', async () => {
    vs.stub.calls.length = 0;
    for (const file of [path.join(tmp, 'outside.prompt.md'), '/nonexistent-root/x.prompt.md']) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = await baselines.get(doc(file, TEXT) as any, 'gitHead');
      assert.equal(b?.text, TEXT, file);
      assert.equal(b!.label, 'last save (when opened) (not in a Git repository)');
    }
    assert.equal(vs.stub.calls.filter((c) => c.fn === 'window.showWarningMessage').length, 0);
  });

  test('git not installed (PATH without git): the last save, labelled so, and one notice', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(tmp, 'empty-bin');
    vs.stub.calls.length = 0;
    try {
      const fresh = new Baselines(path.join(tmp, 'storage-nogit'));
      for (let i = 0; i < 2; i++) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const b = await fresh.get(doc(path.join(repo, 'prompts/a.prompt.md'), TEXT) as any, 'gitHead');
        assert.equal(b?.text, TEXT);
        assert.match(b!.label, /^last save .*\(git is not installed \(or not on PATH\)\)$/);
      }
      const notices = vs.stub.calls.filter((c) => c.fn === 'window.showWarningMessage');
      assert.equal(notices.length, 1, 'one notice, not one per audit');
      assert.match(String(notices[0].args?.[0]), /git is not installed/);
    } finally {
      process.env.PATH = saved;
    }
  });

  test("git failed: git's own reason in the label and the notice (not \"nothing committed\")", async () => {
    const broken = path.join(tmp, 'broken-repo');
    makeRepo(broken, 'a.prompt.md', [TEXT]);
    fs.writeFileSync(path.join(broken, '.git', 'refs', 'heads', 'main'), `${'0'.repeat(39)}1\n`);
    vs.stub.calls.length = 0;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const b = await new Baselines(path.join(tmp, 'storage-broken')).get(doc(path.join(broken, 'a.prompt.md'), TEXT) as any, 'gitHead');
    assert.equal(b?.text, TEXT);
    assert.match(b!.label, /^last save .*\(git failed: .+\)$/);
    const notices = vs.stub.calls.filter((c) => c.fn === 'window.showWarningMessage');
    assert.equal(notices.length, 1);
    assert.match(String(notices[0].args?.[0]), /cannot read Git HEAD of a\.prompt\.md: git failed: /);
  });

  test('last-save baseline of a file deleted from disk: no throw', async () => {
    const file = path.join(tmp, 'gone.prompt.md');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const b = await baselines.lastSave(doc(file, TEXT, true) as any);
    assert.ok(b === null || typeof b.text === 'string');
  });

  test(
    'an unchanged file saved with a UTF-8 BOM is 100% cached against HEAD',
    async () => {
      const bomRepo = path.join(tmp, 'bom-repo');
      makeRepo(bomRepo, 'system.prompt.md', [`\uFEFF${TEXT}`]);
      const file = path.join(bomRepo, 'system.prompt.md');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = await baselines.get(doc(file, TEXT) as any, 'gitHead');
      const r = auditVersions(b!.text, TEXT, { fileName: file, encoding: 'o200k_base' }).result;
      assert.equal(r.firstDivergentToken, null, `an unchanged file diverges at token ${r.firstDivergentToken}`);
    },
  );
});

// ---- Large files: declined with a notice, never audited on the host ------------------------------------------------

type AuditServiceModule = typeof import('../../src/extension/auditService');

describe('files above promptCache.maxFileSizeMB', () => {
  const { AuditService } = requireWithStub<AuditServiceModule>('../../src/extension/auditService');
  const log = { appendLine: () => undefined };
  const infos = () => vs.stub.calls.filter((c) => c.fn === 'window.showInformationMessage' || c.fn === 'window.showWarningMessage');

  /** A TextDocument whose text can change (as an edit would). */
  function liveDoc(file: string, text: string) {
    const d = { uri: vs.Uri.file(file), fileName: file, isDirty: false, isClosed: false, version: 1, text, getText: () => d.text, languageId: 'markdown' };
    return d;
  }

  test('a 50 MB file is declined with one notice, and no audit worker is started for it', async () => {
    vs.stub.state.settings = { 'promptCache.maxFileSizeMB': { defaultValue: 5 } };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const service = new AuditService(vs.Uri.file(path.resolve(__dirname, '../..')) as any, vs.Uri.file(path.join(tmp, 'storage-big')) as any, log as any);
    try {
      vs.stub.calls.length = 0;
      const big = liveDoc(path.join(tmp, 'huge.prompt.md'), 'x'.repeat(50 * 1024 * 1024));
      const t0 = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.equal(service.track(big as any), false);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.equal(await service.auditNow(big as any, true), undefined);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.equal(service.track(big as any), false);
      assert.ok(performance.now() - t0 < 200, 'declining is immediate');
      assert.equal(infos().length, 1, 'one notice, not one per attempt');
      assert.match(String(infos()[0].args?.[0]), /maxFileSizeMB/);
      assert.equal(service.workerStartupMs, undefined, 'no worker was started');
    } finally {
      service.dispose();
    }
  });

  test(
    'a tracked file that grows past the limit (a 50 MB paste) stops being audited, with a notice',
    async () => {
      vs.stub.state.settings = { 'promptCache.maxFileSizeMB': { defaultValue: 1 } };
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const service = new AuditService(vs.Uri.file(path.resolve(__dirname, '../..')) as any, vs.Uri.file(path.join(tmp, 'storage-grow')) as any, log as any);
      try {
        vs.stub.calls.length = 0;
        const d = liveDoc(path.join(tmp, 'grows.prompt.md'), 'You are helpful.\n');
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        assert.equal(service.track(d as any), true);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        await service.auditNow(d as any, true); // let the baseline and first audit settle
        const paste = 'y'.repeat(2 * 1024 * 1024);
        d.text += paste;
        d.version = 2;
        const onChange = (vs.stub.state as unknown as Record<string, (e: unknown) => void>)['listener:changeTextDocument'];
        onChange({ document: d, contentChanges: [{ rangeOffset: 17, rangeLength: 0, text: paste }] });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        assert.equal(service.isTracked(d.uri as any), false, 'still tracked (and audited) after growing past the limit');
        assert.equal(infos().length, 1);
      } finally {
        service.dispose();
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  );
});

describe('closing a document or disposing the service stops its audits', () => {
  const { AuditService } = requireWithStub<AuditServiceModule>('../../src/extension/auditService');

  test('a document closed before its baseline arrived is not tracked again', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const service = new AuditService(vs.Uri.file(path.resolve(__dirname, '../..')) as any, undefined, { appendLine: () => undefined } as any);
    const file = path.join(tmp, 'closed-early.prompt.md');
    const d = { uri: vs.Uri.file(file), fileName: file, isDirty: false, isClosed: false, version: 1, getText: () => 'hello', languageId: 'markdown' };
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.equal(service.track(d as any), true);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      service.forget(d.uri as any); // closed at once
      d.isClosed = true;
      // The baseline read that was in flight has finished (a definite event), and did not track the document again.
      await service.settled();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.equal(service.isTracked(d.uri as any), false, 'the closed document was tracked again');
    } finally {
      service.dispose();
    }
  });

  test(
    'dispose() right after opening a document does not start a new audit worker',
    async () => {
      const lines: string[] = [];
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const service = new AuditService(vs.Uri.file(path.resolve(__dirname, '../..')) as any, undefined, { appendLine: (l: string) => lines.push(l) } as any);
      const file = path.join(tmp, 'disposed-early.prompt.md');
      const d = { uri: vs.Uri.file(file), fileName: file, isDirty: false, isClosed: false, version: 1, getText: () => 'hello', languageId: 'markdown' };
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      service.track(d as any);
      service.dispose();
      // Every late callback (the baseline read) has run by now: whatever it would start, it has started.
      await service.settled();
      service.dispose(); // stops a worker started after the first dispose, so this file can exit
      const starts = lines.filter((l) => /audit worker started/.test(l)).length;
      assert.equal(starts, 1, `the audit worker was started ${starts} times (again after dispose)`);
    },
  );
});
