// The extension-host stall probe used by the e2e run: off unless PROMPT_CACHE_HOST_PROBE names a file; when on, a
// deliberate block of the event loop shows up in the next second's line.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isHostProbeOn, startHostProbe, timeHostTask, type HostProbeSample } from '../../src/extension/hostProbe';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the host probe is off without PROMPT_CACHE_HOST_PROBE and records a blocked event loop, and whose task it was, with it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-probe-'));
  try {
    const file = path.join(dir, 'probe.jsonl');
    // Off: nothing runs (checked at once, not by waiting for a line that should not come).
    const off = startHostProbe({});
    assert.equal(isHostProbeOn(), false);
    assert.equal(timeHostTask('untimed', () => 7), 7);
    off();
    assert.equal(existsSync(file), false);

    const stop = startHostProbe({ PROMPT_CACHE_HOST_PROBE: file });
    await sleep(50);
    // A 200 ms stall of the event loop, inside one of the extension's own tasks.
    const value = timeHostTask('a blocking task', () => {
      const until = performance.now() + 200;
      while (performance.now() < until) {
        // busy
      }
      return 42;
    });
    assert.equal(value, 42);
    // The probe writes one line a second: wait for the line that holds the stall (a definite event).
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HostProbeSample) : []);
    const deadline = Date.now() + 10_000;
    while (!read().some((x) => x.oursTask === 'a blocking task') && Date.now() < deadline) await sleep(100);
    stop();
    const samples = read();
    assert.ok(samples.length >= 1, `${samples.length} lines`);
    const max = Math.max(...samples.map((s) => s.maxDelayMs));
    assert.ok(max >= 150, `largest stall recorded ${max} ms`);
    const ours = samples.find((s) => s.oursTask === 'a blocking task');
    assert.ok(ours && ours.oursMaxMs >= 195, JSON.stringify(samples));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
