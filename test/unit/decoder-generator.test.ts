// The model generator: deterministic bytes, caching, regeneration, size guard, preset shapes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureModel, expectedModelBytes, LARGE_WRITE_BYTES, ModelWriteDeclined, readModelMetadata } from '../../src/decoder/generator';
import { GENERATOR_VERSION, PRESETS, parameterCount } from '../../src/decoder/presets';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-gen-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('decoder model generator', () => {
  test('tiny preset is small, and the same seed gives the same bytes in another folder', async () => {
    const a = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'a') });
    const b = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'b') });
    assert.equal(a.written, true);
    const size = fs.statSync(a.modelPath).size + fs.statSync(a.dataPath).size;
    assert.ok(size < 2 * 1024 * 1024, `tiny is ${size} bytes`);
    assert.deepEqual(fs.readFileSync(a.dataPath), fs.readFileSync(b.dataPath));
    assert.deepEqual(fs.readFileSync(a.modelPath), fs.readFileSync(b.modelPath));
    const c = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'c'), seed: 7 });
    assert.notDeepEqual(fs.readFileSync(a.dataPath), fs.readFileSync(c.dataPath));
  });

  test('weights do not depend on the graph variant (seeded by weight index)', async () => {
    const gqa = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'a') });
    const plain = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'a'), variant: { attention: 'gqa', logits: 'last' } });
    assert.deepEqual(fs.readFileSync(gqa.dataPath), fs.readFileSync(plain.dataPath));
  });

  test('records generator version and shape in metadata_props; reuses a current model', async () => {
    const dir = path.join(root, 'reuse');
    const first = await ensureModel({ preset: 'tiny', cacheDir: dir });
    const meta = readModelMetadata(first.modelPath);
    assert.equal(meta?.generator_version, String(GENERATOR_VERSION));
    assert.deepEqual(JSON.parse(meta?.shape ?? '{}'), PRESETS.tiny);
    const mtime = fs.statSync(first.dataPath).mtimeMs;
    const again = await ensureModel({ preset: 'tiny', cacheDir: dir });
    assert.equal(again.written, false);
    assert.equal(fs.statSync(first.dataPath).mtimeMs, mtime);
    // No temp files left behind by the atomic write.
    assert.deepEqual(fs.readdirSync(path.dirname(first.modelPath)).sort(), ['model.onnx', 'model.onnx.data']);
  });

  test('a generator version change regenerates the model', async () => {
    const dir = path.join(root, 'version');
    await ensureModel({ preset: 'tiny', cacheDir: dir });
    const bumped = await ensureModel({ preset: 'tiny', cacheDir: dir, generatorVersion: GENERATOR_VERSION + 1 });
    assert.equal(bumped.written, true);
    assert.equal(readModelMetadata(bumped.modelPath)?.generator_version, String(GENERATOR_VERSION + 1));
    const back = await ensureModel({ preset: 'tiny', cacheDir: dir });
    assert.equal(back.written, true, 'going back to the current version rewrites it too');
  });

  test('a truncated weights file is regenerated', async () => {
    const dir = path.join(root, 'trunc');
    const m = await ensureModel({ preset: 'tiny', cacheDir: dir });
    fs.truncateSync(m.dataPath, 1000);
    const again = await ensureModel({ preset: 'tiny', cacheDir: dir });
    assert.equal(again.written, true);
    assert.equal(fs.statSync(m.dataPath).size, m.bytes);
  });

  test('asks before writing more than 100 MB and writes nothing when declined', async () => {
    const dir = path.join(root, 'large');
    let asked = 0;
    await assert.rejects(
      ensureModel({ preset: 'qwen2.5-0.5b', cacheDir: dir, onConfirmLargeWrite: (bytes) => { asked = bytes; return false; } }),
      ModelWriteDeclined,
    );
    assert.ok(asked > LARGE_WRITE_BYTES, `asked about ${asked} bytes`);
    assert.equal(asked, expectedModelBytes('qwen2.5-0.5b'));
    assert.equal(fs.existsSync(path.join(dir, 'models')), false);
    // Small presets are not asked about.
    assert.ok(expectedModelBytes('tiny') < LARGE_WRITE_BYTES);
  });

  test('the data file holds 4 bytes per parameter (plus alignment): the sizes the settings quote', () => {
    assert.ok(parameterCount(PRESETS.tiny) < 500_000);
    for (const p of ['smollm2-135m', 'smollm2-360m', 'qwen2.5-0.5b'] as const) {
      const bytes = expectedModelBytes(p);
      const params = parameterCount(PRESETS[p]);
      assert.ok(bytes >= 4 * params && bytes < 4 * params + 4096 * 500, `${p}: ${bytes} bytes for ${params} parameters`);
      assert.ok(bytes > LARGE_WRITE_BYTES, `${p} asks before writing`);
    }
  });
});

describe('decoder model cache repair', () => {
  test('partial files of a killed writer are removed; a live writer\'s are kept', async () => {
    const dir = path.join(root, 'stale');
    const m = await ensureModel({ preset: 'tiny', cacheDir: dir });
    const folder = path.dirname(m.modelPath);
    // A pid that cannot be alive (above Linux's pid_max) and the test's own parent (alive).
    const dead = path.join(folder, 'model.onnx.data.tmp-4194305-abc123');
    const live = path.join(folder, `model.onnx.data.tmp-${process.ppid}-def456`);
    fs.writeFileSync(dead, 'partial');
    fs.writeFileSync(live, 'partial');
    await ensureModel({ preset: 'tiny', cacheDir: dir, generatorVersion: GENERATOR_VERSION + 7 });
    assert.equal(fs.existsSync(dead), false);
    assert.equal(fs.existsSync(live), true);
    fs.rmSync(live);
  });

  test('a folder where model.onnx should be is replaced', async () => {
    const dir = path.join(root, 'dir-model');
    const m = await ensureModel({ preset: 'tiny', cacheDir: dir });
    fs.rmSync(m.modelPath);
    fs.mkdirSync(path.join(m.modelPath, 'inner'), { recursive: true });
    const again = await ensureModel({ preset: 'tiny', cacheDir: dir });
    assert.equal(again.written, true);
    assert.ok(fs.statSync(m.modelPath).isFile());
  });
});
