// The local decoder under faults: cancellation at every stage (the client is released at once and the next request
// works), a cached model that was corrupted or whose generation was killed half-way (regenerated, no leftovers), a
// prompt above the token cap (measured on the cap and marked as scaled). Complements decoder-*.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DecoderClient, DecoderError, resolveWorkerPath, type MeasureProgress } from '../../src/decoder/index';
import { CLI, requireBuilt, runCli } from './fixtures/harness';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-reliability-decoder-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

requireBuilt();
resolveWorkerPath(); // throws when dist/decoder-worker.js is missing: this file fails instead of skipping

const ids = (n: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 13) % 500);

/** Every file under dir, relative. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('cancellation at every stage', () => {
  const phases: MeasureProgress['phase'][] = ['generating', 'loading', 'warmup', 'cold', 'prefix', 'warm'];

  for (const phase of phases) {
    test(`cancelled during "${phase}": rejects CANCELLED promptly, leaves a usable cache, the next request works`, async () => {
      // A fresh cache dir for each stage, so the "generating" and "loading" stages really happen.
      // A fresh client (worker) too: a worker keeps its loaded session, which would skip "loading".
      const cacheDir = path.join(tmp, `cancel-${phase}`);
      const client = new DecoderClient();
      after(() => client.dispose());
      const ac = new AbortController();
      let abortedAt = 0;
      const seen = new Set<string>();
      const p = client.measure({ ids: ids(1500), reusablePrefix: 700, preset: 'tiny', cacheDir, runs: 20, threads: 1 }, ac.signal, (pr) => {
        seen.add(pr.phase);
        if (pr.phase === phase && !ac.signal.aborted) {
          abortedAt = performance.now();
          ac.abort();
        }
      });
      let outcome: 'cancelled' | 'finished' = 'finished';
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof DecoderError, String(e));
        assert.equal(e.code, 'CANCELLED', e.message);
        outcome = 'cancelled';
        assert.ok(performance.now() - abortedAt < 500, 'the caller is released at once');
      }
      assert.ok(seen.has(phase), `the "${phase}" stage was reported as progress (seen: ${[...seen].join(', ')})`);
      assert.equal(outcome, 'cancelled', `cancelling during "${phase}" did not cancel`);
      const again = await client.measure({ ids: ids(60), reusablePrefix: 20, preset: 'tiny', cacheDir, threads: 1, maxRuns: 3 });
      assert.equal(again.recomputedTokens, 40);
      assert.deepEqual(listFiles(cacheDir).filter((f) => f.includes('.tmp-')), [], 'no temporary files left in the cache');
    });
  }
});

describe('a damaged model cache is repaired, not fatal (CLI)', () => {
  const oldFile = path.join(tmp, 'old.txt');
  const newFile = path.join(tmp, 'new.txt');
  const lines = Array.from({ length: 80 }, (_, i) => `Rule ${i}: answer in plain words and cite the policy.`);
  fs.writeFileSync(oldFile, lines.join('\n'));
  fs.writeFileSync(newFile, lines.map((l, i) => (i === 40 ? 'Rule 40: answer briefly.' : l)).join('\n'));
  const measure = (cacheDir: string, extra: string[] = []) =>
    runCli(['measure', oldFile, newFile, '--preset', 'tiny', '--raw', '--json', '--threads', '1', '--runs', '3', '--max-runs', '3', '--cache-dir', cacheDir, ...extra], { timeoutMs: 120_000 });

  // One generated cache, copied for each kind of damage (generating it once per case doubled this suite's time).
  const pristine = path.join(tmp, 'damaged-pristine');
  before(async () => {
    const first = await measure(pristine);
    assert.equal(first.code, 0, first.stderr);
  });

  // mustRepair: damage an interrupted write or a full disk can cause is repaired silently; anything stranger may end
  // in one clear error line instead.
  for (const [what, damage, mustRepair] of [
    ['model.onnx truncated', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)), true],
    ['model.onnx replaced by garbage', (f: string) => fs.writeFileSync(f, Buffer.alloc(4096, 0x5a)), true],
    ['model.onnx.data truncated', (f: string) => fs.truncateSync(path.join(path.dirname(f), 'model.onnx.data'), 1000), true],
    ['model.onnx.data deleted', (f: string) => fs.rmSync(path.join(path.dirname(f), 'model.onnx.data')), true],
    ['model.onnx is a directory', (f: string) => {
      fs.rmSync(f);
      fs.mkdirSync(f);
    }, false],
  ] as const) {
    test(what, async () => {
      const cacheDir = path.join(tmp, `damaged-${what.replace(/\W+/g, '-')}`);
      fs.cpSync(pristine, cacheDir, { recursive: true });
      const model = listFiles(cacheDir).find((f) => f.endsWith('model.onnx'));
      assert.ok(model, 'a generated model.onnx');
      damage(path.join(cacheDir, model));
      const second = await measure(cacheDir);
      assert.ok(second.code === 0 || (second.code === 2 && second.stderr.trim().split('\n').length === 1), `exit ${second.code}: ${second.stderr}`);
      assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
      if (mustRepair) assert.equal(second.code, 0, `the damaged cache was not regenerated: ${second.stderr}`);
    });
  }

  test('a prompt above the token cap is measured on the cap and marked as scaled', async () => {
    const r = await measure(path.join(tmp, 'cap'), ['--token-cap', '64']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.new.tokens > 64, 'the prompt is longer than the cap');
    assert.ok(out.measurement.tokens <= 64, `measured ${out.measurement.tokens} tokens`);
    assert.equal(out.measurement.scaledFrom?.tokens, out.new.tokens);
    assert.ok(out.measurement.notes.some((n: string) => /cap|scaled/i.test(n)), 'a note says so');
  });

  test(
    'generation killed half-way (SIGKILL): the next run works and no partial files are left behind',
    async () => {
      const cacheDir = path.join(tmp, 'killed');
      const child = spawn(process.execPath, [CLI, 'measure', oldFile, newFile, '--preset', 'smollm2-135m', '--yes', '--raw', '--threads', '1', '--cache-dir', cacheDir], { stdio: 'ignore' });
      // Kill as soon as a temporary data file is being written.
      const t0 = performance.now();
      let killed = false;
      while (performance.now() - t0 < 60_000 && child.exitCode === null) {
        if (listFiles(cacheDir).some((f) => f.includes('.tmp-'))) {
          child.kill('SIGKILL');
          killed = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
      assert.ok(killed, 'caught the generation in progress');
      const again = await runCli(['measure', oldFile, newFile, '--preset', 'smollm2-135m', '--yes', '--raw', '--json', '--threads', '1', '--runs', '3', '--max-runs', '3', '--token-cap', '64', '--cache-dir', cacheDir], { timeoutMs: 180_000 });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(listFiles(cacheDir).filter((f) => f.includes('.tmp-')), [], 'stale partial files remain in the model cache');
    },
  );
});
