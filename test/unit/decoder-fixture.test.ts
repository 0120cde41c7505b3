// The committed exporter-layout fixture (test/fixtures/decoder/, made by scripts/make-decoder-fixture.ts: Optimum's
// I/O names, dtypes and node sequence; see that script for why it is not a real Optimum export) loads through the
// user-model path (`--model`), is described from its I/O alone, and its warm continuation equals its cold prefill.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { Command } from 'commander';
import { onnx } from 'onnx-proto';
import { registerMeasureCommand } from '../../src/cli/measure';
import { CachedDecoder } from '../../src/decoder/runner';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'decoder', 'tiny-llama-optimum-layout.onnx');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-fixture-'));
const opened: CachedDecoder[] = [];
after(async () => {
  await Promise.all(opened.map((d) => d.release()));
  fs.rmSync(root, { recursive: true, force: true });
});

describe('exporter-layout fixture', () => {
  test('is 1–2 MB, one file, with the node sequence Optimum writes for LlamaForCausalLM', () => {
    const bytes = fs.readFileSync(FIXTURE);
    assert.ok(bytes.length > 1e6 && bytes.length < 2e6, `${bytes.length} bytes`);
    const model = onnx.ModelProto.decode(bytes);
    const ops = new Set((model.graph?.node ?? []).map((n) => n.opType));
    // RMSNorm as primitives, RoPE via Slice/Neg/Concat and Cos/Sin of inv_freq × position_ids, shared KV heads via
    // Expand/Reshape, SDPA as MatMul/Softmax; no contrib ops.
    for (const op of ['Pow', 'ReduceMean', 'Sqrt', 'Div', 'Slice', 'Neg', 'Concat', 'Cos', 'Sin', 'Expand', 'Reshape', 'Softmax', 'Sigmoid', 'MatMul']) {
      assert.ok(ops.has(op), `no ${op} node`);
    }
    assert.ok(!(model.graph?.node ?? []).some((n) => n.domain === 'com.microsoft'));
    const names = (model.graph?.input ?? []).map((i) => i.name);
    assert.deepEqual(names, ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value']);
    assert.deepEqual((model.graph?.output ?? []).map((o) => o.name), ['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    const logits = model.graph?.output?.[0].type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    assert.deepEqual(logits, ['batch_size', 'sequence_length', 2048], 'logits at every position');
    assert.ok((model.metadataProps ?? []).some((p) => p.key === 'fixture' && /not produced by Optimum/.test(p.value ?? '')), 'says what it is');
  });

  test('loads as a user model; its warm continuation equals its cold prefill', async () => {
    const dec = await CachedDecoder.open(FIXTURE, { threads: 1 });
    opened.push(dec);
    assert.equal(dec.info.kind, 'user');
    assert.deepEqual([dec.info.layers, dec.info.kvHeads, dec.info.headDim, dec.info.vocab, dec.info.kvDtype], [2, 2, 16, 2048, 'float32']);
    assert.equal(dec.info.hasPositionIds, true);
    assert.equal(dec.info.mergedUseCacheBranch, false);
    const ids = dec.toModelIds(Array.from({ length: 400 }, (_, i) => (i * 7919 + 5) % 2048)).ids;
    const cold = await dec.prefill(ids, dec.emptyCache(), 1000);
    for (const p of [1, 137, 256, 399]) {
      const prefix = await dec.prefill(ids.subarray(0, p), dec.emptyCache(), 64);
      const warm = await dec.prefill(ids.subarray(p), prefix.cache, 64);
      let d = 0;
      for (let i = 0; i < cold.lastLogits.length; i++) d = Math.max(d, Math.abs(cold.lastLogits[i] - warm.lastLogits[i]));
      assert.ok(d <= 1e-4, `P=${p}: max |Δ| = ${d}`);
    }
  });

  test('`measure --model` times it', async () => {
    const oldFile = path.join(root, 'old.txt');
    const newFile = path.join(root, 'new.txt');
    const lines = Array.from({ length: 60 }, (_, i) => `Step ${i}: check the input and answer.`);
    fs.writeFileSync(oldFile, lines.join('\n'));
    fs.writeFileSync(newFile, lines.map((l, i) => (i === 30 ? 'Step 30: answer briefly.' : l)).join('\n'));
    const program = new Command().exitOverride();
    const chunks: string[] = [];
    registerMeasureCommand(program, { write: (s: string) => chunks.push(s) });
    await program.parseAsync(['node', 'prompt-cache-audit', 'measure', oldFile, newFile, '--model', FIXTURE, '--raw', '--json', '--threads', '1', '--drift']);
    const out = JSON.parse(chunks.join(''));
    assert.equal(out.measurement.model, FIXTURE);
    assert.equal(out.measurement.recomputedTokens, out.recomputedTokens);
    assert.ok(out.measurement.runs >= 3);
    assert.equal(out.kvDrift.layers, 2);
    assert.equal(out.kvDrift.key.length, 2);
    assert.equal(out.kvDrift.key[0].length, out.kvDrift.positions);
    assert.equal(out.kvDrift.aligned.length, out.kvDrift.positions);
  });
});
