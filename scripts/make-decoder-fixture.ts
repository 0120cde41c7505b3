// Writes test/fixtures/decoder/tiny-llama-optimum-layout.onnx: a 1.4 MB Llama decoder in the exact layout and node
// sequence of `optimum-cli export onnx --task text-generation-with-past` (see src/decoder/graph.ts for the sequence),
// one self-contained file (weights inside, as Optimum writes models under 2 GB). The tests load it through `--model`.
//
// Why not a real Optimum export: this machine reaches only the npm registry (no PyPI: no torch, transformers,
// optimum), and no npm package ships an exported decoder with a KV cache (checked: @huggingface/transformers,
// @xenova/transformers, onnxruntime-web/-node, onnxjs, @fugood/transformers contain no .onnx files). Replace it with a
// real export when one can be made; the tests only rely on the Optimum I/O contract:
//   optimum-cli export onnx --model hf-internal-testing/tiny-random-LlamaForCausalLM --task text-generation-with-past out/
//   cp out/model.onnx test/fixtures/decoder/tiny-llama-optimum-layout.onnx
//
// Run: npx tsx scripts/make-decoder-fixture.ts   (deterministic: the same bytes every time)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { fillWeight } from '../src/decoder/generator';
import { buildDecoderGraph, DEFAULT_VARIANT } from '../src/decoder/graph';
import type { DecoderShape } from '../src/decoder/presets';

/** LlamaForCausalLM of a tiny shape: 2 layers, 4 query heads over 2 KV heads, untied lm_head, no biases. */
export const FIXTURE_SHAPE: DecoderShape = {
  vocab: 2048, hidden: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, ffn: 176,
  maxPositions: 2048, tiedEmbeddings: false, qkvBias: false, ropeTheta: 10000, rmsEps: 1e-6,
};

const out = path.resolve(__dirname, '..', 'test', 'fixtures', 'decoder', 'tiny-llama-optimum-layout.onnx');
const built = buildDecoderGraph(FIXTURE_SHAPE, DEFAULT_VARIANT, {
  fixture: 'exporter-faithful graph written by scripts/make-decoder-fixture.ts; not produced by Optimum itself',
  shape: JSON.stringify(FIXTURE_SHAPE),
});
built.model.producerName = 'prompt-cache-auditor scripts/make-decoder-fixture.ts';
built.weights.forEach((w, k) => {
  const values = new Float32Array(w.dims.reduce((a, b) => a * b, 1));
  fillWeight(values, w, 1);
  built.externalInits[k].rawData = new Uint8Array(values.buffer);
});
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, onnx.ModelProto.encode(built.model).finish());
console.log(`wrote ${path.relative(process.cwd(), out)} (${fs.statSync(out).size} bytes)`);
