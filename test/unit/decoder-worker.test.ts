// DecoderClient: runs in a worker (main thread stays free), cancels promptly, survives a dying worker.
// Uses dist/decoder-worker.js, which `npm test` builds first.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import { DecoderClient, DecoderError, resolveWorkerPath, type MeasureProgress } from '../../src/decoder/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-worker-'));
const client = new DecoderClient();
after(async () => {
  await client.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

const ids = (n: number) => Array.from({ length: n }, (_, i) => (i * 7919) % 500);

describe('DecoderClient (worker thread)', () => {
  test('measures cold vs warm on tiny and keeps the main thread free', async (t) => {
    await client.measure({ ids: ids(10), reusablePrefix: 5, preset: 'tiny', cacheDir: root, threads: 1 }); // load once
    // One session.run over all 2000 tokens (no chunking) takes well over 50 ms: on the main thread it would show.
    const req = { ids: ids(2000), reusablePrefix: 1500, preset: 'tiny' as const, cacheDir: root, runs: 5, maxRuns: 5, threads: 1, chunkSize: 4096, tokenCap: 4096 };
    // The wall-clock gap between 5 ms ticks is the direct measure, but a loaded shared machine stretches it by itself
    // (the OS deschedules the thread). A blocked thread would be blocked on every attempt for a whole session.run (one
    // cold run here), so: best of up to five attempts, always below half a cold run, and below 50 ms whenever the
    // machine is not overloaded.
    let bestGap = Infinity;
    let coldRun = Infinity;
    for (let attempt = 1; attempt <= 5 && bestGap >= 50; attempt++) {
      const h = monitorEventLoopDelay({ resolution: 5 });
      let last = performance.now();
      let maxGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      h.enable();
      const phases = new Set<MeasureProgress['phase']>();
      const m = await client.measure(req, undefined, (p) => phases.add(p.phase));
      h.disable();
      clearInterval(timer);
      maxGap = Math.max(maxGap, performance.now() - last);
      assert.equal(m.tokens, 2000);
      assert.equal(m.recomputedTokens, 500);
      assert.ok(m.cold.runsMs.length >= 5 && m.warm.runsMs.length === m.cold.runsMs.length);
      assert.equal(m.threads, 1);
      // Timing figures are not compared here (benchmarks report them; shared CI machines are noisy).
      assert.ok(m.cold.minMs > 0 && m.warm.minMs > 0);
      assert.ok(phases.has('cold') && phases.has('warm'));
      t.diagnostic(
        `attempt ${attempt}: cold run ${m.cold.minMs.toFixed(0)}–${m.cold.maxMs.toFixed(0)} ms; largest main-thread gap ${maxGap.toFixed(1)} ms; ` +
          `max event-loop delay ${(h.max / 1e6).toFixed(1)} ms; load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`,
      );
      coldRun = Math.min(coldRun, m.cold.minMs);
      bestGap = Math.min(bestGap, Math.max(maxGap, h.max / 1e6));
    }
    assert.ok(coldRun > 50, `a single cold run (${coldRun.toFixed(0)} ms) must be long enough to be seen`);
    assert.ok(bestGap < coldRun / 2, `largest main-thread gap ${bestGap.toFixed(1)} ms vs a ${coldRun.toFixed(0)} ms run`);
    if (os.loadavg()[0] < os.cpus().length) assert.ok(bestGap < 50, `largest main-thread gap ${bestGap.toFixed(1)} ms`);
    else if (bestGap >= 50) t.diagnostic(`machine overloaded: a ${bestGap.toFixed(1)} ms gap is reported, not asserted against 50 ms`);
  });

  test('a cancelled run stops promptly and the next call works', async () => {
    const ac = new AbortController();
    let started = false;
    const p = client.measure(
      { ids: ids(4000), reusablePrefix: 100, preset: 'tiny', cacheDir: root, runs: 200, threads: 1 },
      ac.signal,
      (pr) => { if (pr.phase === 'cold') started = true; },
    );
    while (!started) await new Promise((r) => setTimeout(r, 10));
    const t = performance.now();
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof DecoderError && e.code === 'CANCELLED');
    assert.ok(performance.now() - t < 1000);
    const again = await client.measure({ ids: ids(50), reusablePrefix: 20, preset: 'tiny', cacheDir: root, threads: 1 });
    assert.equal(again.recomputedTokens, 30);
  });

  test('a request queued behind another is released at once when cancelled', async () => {
    const first = client.measure({ ids: ids(1500), reusablePrefix: 100, preset: 'tiny', cacheDir: root, runs: 3, threads: 1, tokenCap: 4096 });
    const ac = new AbortController();
    const second = client.measure({ ids: ids(1500), reusablePrefix: 100, preset: 'tiny', cacheDir: root, threads: 1 }, ac.signal);
    const t = performance.now();
    ac.abort();
    await assert.rejects(second, /cancelled/);
    assert.ok(performance.now() - t < 200);
    assert.equal((await first).tokens, 1500);
  });

  test('an already-aborted signal rejects without starting', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client.measure({ ids: ids(5), reusablePrefix: 1, preset: 'tiny', cacheDir: root }, ac.signal), /cancelled/);
  });

  test('a worker that dies mid-run rejects clearly, and a fresh worker serves the next call', async () => {
    // First worker: dies on its first message. Later workers: the real decoder worker.
    const marker = path.join(root, 'died-once');
    const dying = path.join(root, 'dying-worker.js');
    fs.writeFileSync(
      dying,
      `const fs = require('node:fs');
if (!fs.existsSync(${JSON.stringify(marker)})) {
  require('node:worker_threads').parentPort.on('message', () => { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); });
} else {
  require(${JSON.stringify(resolveWorkerPath())});
}
`,
    );
    const c = new DecoderClient({ workerPath: dying });
    await assert.rejects(c.measure({ ids: ids(5), reusablePrefix: 1, preset: 'tiny', cacheDir: root }), (e: unknown) => {
      assert.ok(e instanceof DecoderError);
      assert.equal(e.code, 'WORKER_DIED');
      assert.match(e.message, /exited unexpectedly \(code 3\)/);
      return true;
    });
    const m = await c.measure({ ids: ids(30), reusablePrefix: 10, preset: 'tiny', cacheDir: root, threads: 1 });
    assert.equal(m.recomputedTokens, 20);
    await c.dispose();
  });

  test('onnxruntime writes no telemetry store or device id (ORT_DISABLE_TELEMETRY is set before the worker starts)', () => {
    const home = path.join(root, 'xdg');
    const script = path.join(root, 'telemetry-check.ts');
    const index = path.resolve(__dirname, '../../src/decoder/index.ts');
    fs.writeFileSync(
      script,
      `import { DecoderClient } from ${JSON.stringify(index)};
const c = new DecoderClient();
c.measure({ ids: [1, 2, 3, 4, 5, 6], reusablePrefix: 3, preset: 'tiny', cacheDir: ${JSON.stringify(path.join(root, 'tel-cache'))}, threads: 1 })
  .then(() => c.dispose()).then(() => console.log('measured'));
`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: home };
    delete env.ORT_DISABLE_TELEMETRY;
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../node_modules/tsx/dist/cli.mjs'), script], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /measured/);
    assert.equal(fs.existsSync(path.join(home, 'Microsoft')), false, 'onnxruntime created its telemetry folder');
  });

  test('bad requests and bad models reject with a clear error', async () => {
    await assert.rejects(client.measure({ ids: [], reusablePrefix: 0, preset: 'tiny', cacheDir: root }), /no tokens/);
    await assert.rejects(client.measure({ ids: [1, -2], reusablePrefix: 0, preset: 'tiny', cacheDir: root }), /ids\[1\]/);
    await assert.rejects(
      client.measure({ ids: [1, 2], reusablePrefix: 0, modelPath: path.join(root, 'missing.onnx'), cacheDir: root }),
      (e: unknown) => e instanceof DecoderError && e.code === 'MODEL_NOT_FOUND',
    );
  });

  test('kvDrift through the worker', async () => {
    const a = ids(80);
    const b = [...a];
    b[30] = (b[30] + 1) % 500;
    const d = await client.kvDrift({ oldIds: a, newIds: b, divergenceIndex: 30, preset: 'tiny', cacheDir: root, threads: 1 });
    assert.equal(d.positions, 50);
    assert.equal(d.aligned[0], null);
    assert.equal(d.layers[0].key.slice(1).every((x) => x === 0), true);
    assert.equal(d.layers[0].maxKey, 0, 'no unchanged token moved at layer 0');
    assert.ok(d.layers[1].maxKey > 0);
  });
});
