// Bad model files get one clear message, never a crash.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { ensureModel } from '../../src/decoder/generator';
import { CachedDecoder } from '../../src/decoder/runner';
import { DecoderError } from '../../src/decoder/types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-err-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function expectError(modelPath: string, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(CachedDecoder.open(modelPath, { threads: 1 }), (e: unknown) => {
    assert.ok(e instanceof DecoderError, `not a DecoderError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

/** A valid ONNX model that is not a decoder: y = x · W. */
function writeMatMulModel(file: string, extraInputs: string[] = []): void {
  const T = onnx.TensorProto.DataType;
  const vi = (name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'mm',
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dataType: T.FLOAT, dims: [4, 4], rawData: Buffer.from(new Float32Array(16).fill(0.5).buffer) }],
      input: [vi('x', T.FLOAT, ['n', 4]), ...extraInputs.map((n) => vi(n, T.INT64, ['b', 's']))],
      output: [vi('y', T.FLOAT, ['n', 4])],
    },
  };
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

describe('decoder model errors', () => {
  test('missing file', async () => {
    await expectError(path.join(root, 'nope.onnx'), 'MODEL_NOT_FOUND', /not found/);
  });

  test('a folder instead of a file', async () => {
    await expectError(root, 'MODEL_NOT_FOUND', /Not a file/);
  });

  test('empty file', async () => {
    const f = path.join(root, 'empty.onnx');
    fs.writeFileSync(f, '');
    await expectError(f, 'MODEL_INVALID', /empty or truncated/);
  });

  test('random bytes', async () => {
    const f = path.join(root, 'random.onnx');
    fs.writeFileSync(f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
    await expectError(f, 'MODEL_INVALID', /not an ONNX model/);
  });

  test('a text file named .onnx', async () => {
    const f = path.join(root, 'text.onnx');
    fs.writeFileSync(f, 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n');
    await expectError(f, 'MODEL_INVALID', /not an ONNX model/);
  });

  test('truncated model.onnx', async () => {
    const m = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'c1') });
    const bytes = fs.readFileSync(m.modelPath);
    fs.writeFileSync(m.modelPath, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectError(m.modelPath, 'MODEL_INVALID', /corrupt or truncated/);
  });

  test('truncated external data (model.onnx.data)', async () => {
    const m = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'c2') });
    fs.truncateSync(m.dataPath, 4096);
    await expectError(m.modelPath, 'MODEL_INVALID', /Could not load/);
  });

  test('missing external data', async () => {
    const m = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'c3') });
    fs.rmSync(m.dataPath);
    await expectError(m.modelPath, 'MODEL_INVALID', /Could not load/);
  });

  test('an unrelated ONNX model names the missing input', async () => {
    const f = path.join(root, 'matmul.onnx');
    writeMatMulModel(f);
    await expectError(f, 'MODEL_IO', /missing input 'input_ids'/);
  });

  test('a decoder without a KV cache names the missing input', async () => {
    const f = path.join(root, 'nocache.onnx');
    writeMatMulModel(f, ['input_ids', 'attention_mask']);
    await expectError(f, 'MODEL_IO', /missing input 'past_key_values\.0\.key'/);
  });
});
