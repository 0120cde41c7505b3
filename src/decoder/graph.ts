// Builds the ONNX graph of a Llama-style decoder with Hugging Face Optimum I/O names. Pure: returns the ModelProto
// and the list of weights; generator.ts streams the weights to the external-data file.
import { onnx } from 'onnx-proto';
import type { DecoderShape } from './presets';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

export type AttentionKind = 'gqa' | 'plain';

export interface GraphVariant {
  /** com.microsoft.GroupQueryAttention (fast, lean) or plain ONNX ops (for cross-checking). */
  attention: AttentionKind;
  /** false: no `position_ids` input; positions come from cumsum(attention_mask) as some Optimum exports do. */
  positionIds: boolean;
  /** true: a merged decoder with a `use_cache_branch` bool input choosing between "with past" and "no past". */
  mergedUseCacheBranch: boolean;
  /** KV cache inputs/outputs dtype (computation stays float32). */
  kvDtype: 'float32' | 'float16';
}

export const DEFAULT_VARIANT: GraphVariant = { attention: 'gqa', positionIds: true, mergedUseCacheBranch: false, kvDtype: 'float32' };
/** What a user's Optimum export often looks like: tests of the user-model path use this. */
export const OPTIMUM_LIKE_VARIANT: GraphVariant = { attention: 'plain', positionIds: false, mergedUseCacheBranch: true, kvDtype: 'float16' };

export function variantKey(v: GraphVariant): string {
  return `${v.attention}${v.positionIds ? '' : '-nopos'}${v.mergedUseCacheBranch ? '-merged' : ''}${v.kvDtype === 'float16' ? '-fp16kv' : ''}`;
}

/** A weight stored in the external-data file. `fill` writes its values (random weights or a constant table). */
export interface WeightSpec {
  name: string;
  dims: number[];
  /** Index used to seed the PRNG: the same weight gets the same values in every graph variant. */
  index: number;
  kind: { random: number } | { constant: number } | { table: (out: Float32Array) => void };
}

export interface BuiltGraph {
  /** Graph and metadata; each weight's initializer carries placeholder external-data fields filled in by the writer. */
  model: onnx.IModelProto;
  weights: WeightSpec[];
  /** Initializers (same order as `weights`) whose external-data location/offset/length the writer sets. */
  externalInits: onnx.ITensorProto[];
}

class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly inits: onnx.ITensorProto[] = [];
  private counter = 0;

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  op(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], outputs: number | string[] = 1, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType)) : outputs;
    this.nodes.push({ opType, input: inputs, output: outs, attribute: attrs, domain, name: this.fresh(`n_${opType}`) });
    return outs;
  }

  /** Single-output op. */
  o(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], domain = ''): string {
    return this.op(opType, inputs, attrs, 1, domain)[0];
  }

  i64(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('c_i64');
    const buf = Buffer.alloc(8 * values.length);
    values.forEach((v, k) => buf.writeBigInt64LE(BigInt(v), 8 * k));
    this.inits.push({ name, dataType: T.INT64, dims, rawData: buf });
    return name;
  }

  f32(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('c_f32');
    this.inits.push({ name, dataType: T.FLOAT, dims, rawData: Buffer.from(new Float32Array(values).buffer) });
    return name;
  }
}

export const attr = {
  i: (name: string, i: number): onnx.IAttributeProto => ({ name, type: A.INT, i }),
  f: (name: string, f: number): onnx.IAttributeProto => ({ name, type: A.FLOAT, f }),
  ints: (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: A.INTS, ints }),
  g: (name: string, g: onnx.IGraphProto): onnx.IAttributeProto => ({ name, type: A.GRAPH, g }),
  t: (name: string, t: onnx.ITensorProto): onnx.IAttributeProto => ({ name, type: A.TENSOR, t }),
};

type Dim = number | string;
function valueInfo(name: string, elemType: number, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function buildDecoderGraph(s: DecoderShape, v: GraphVariant, metadata: Record<string, string>): BuiltGraph {
  if (s.heads % s.kvHeads !== 0) throw new Error('heads must be a multiple of kvHeads');
  if (s.headDim % 2 !== 0) throw new Error('headDim must be even (RoPE rotates halves)');
  const g = new GraphBuilder();
  const weights: WeightSpec[] = [];
  const externalInits: onnx.ITensorProto[] = [];
  const addWeight = (name: string, dims: number[], kind: WeightSpec['kind']): string => {
    const init: onnx.ITensorProto = { name, dataType: T.FLOAT, dims };
    weights.push({ name, dims, index: weights.length, kind });
    externalInits.push(init);
    g.inits.push(init);
    return name;
  };
  // Small uniform weights (std 0.02, as Llama's initializer) keep activations finite through the random network.
  const std = 0.02;
  const kvElem = v.kvDtype === 'float16' ? T.FLOAT16 : T.FLOAT;
  const qDim = s.heads * s.headDim;
  const kvDim = s.kvHeads * s.headDim;
  const half = s.headDim / 2;

  const inputs: onnx.IValueInfoProto[] = [
    valueInfo('input_ids', T.INT64, ['batch_size', 'sequence_length']),
    valueInfo('attention_mask', T.INT64, ['batch_size', 'total_sequence_length']),
  ];
  if (v.positionIds) inputs.push(valueInfo('position_ids', T.INT64, ['batch_size', 'sequence_length']));
  for (let l = 0; l < s.layers; l++) {
    inputs.push(valueInfo(`past_key_values.${l}.key`, kvElem, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim]));
    inputs.push(valueInfo(`past_key_values.${l}.value`, kvElem, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim]));
  }
  if (v.mergedUseCacheBranch) inputs.push(valueInfo('use_cache_branch', T.BOOL, [1]));

  const outputs: onnx.IValueInfoProto[] = [valueInfo('logits', T.FLOAT, ['batch_size', 1, s.vocab])];
  for (let l = 0; l < s.layers; l++) {
    outputs.push(valueInfo(`present.${l}.key`, kvElem, ['batch_size', s.kvHeads, 'total_sequence_length', s.headDim]));
    outputs.push(valueInfo(`present.${l}.value`, kvElem, ['batch_size', s.kvHeads, 'total_sequence_length', s.headDim]));
  }

  // Weights are declared in a fixed order so that weight index (the PRNG seed) never depends on the variant.
  const embed = addWeight('model.embed_tokens.weight', [s.vocab, s.hidden], { random: std });
  const ropeCos = addWeight('model.rope.cos', [s.maxPositions, half], { table: (out) => ropeTable(s, out, Math.cos) });
  const ropeSin = addWeight('model.rope.sin', [s.maxPositions, half], { table: (out) => ropeTable(s, out, Math.sin) });
  const layerW = Array.from({ length: s.layers }, (_, l) => {
    const p = `model.layers.${l}`;
    return {
      inNorm: addWeight(`${p}.input_layernorm.weight`, [s.hidden], { constant: 1 }),
      q: addWeight(`${p}.self_attn.q_proj.weight`, [s.hidden, qDim], { random: std }),
      k: addWeight(`${p}.self_attn.k_proj.weight`, [s.hidden, kvDim], { random: std }),
      v: addWeight(`${p}.self_attn.v_proj.weight`, [s.hidden, kvDim], { random: std }),
      o: addWeight(`${p}.self_attn.o_proj.weight`, [qDim, s.hidden], { random: std }),
      postNorm: addWeight(`${p}.post_attention_layernorm.weight`, [s.hidden], { constant: 1 }),
      gate: addWeight(`${p}.mlp.gate_proj.weight`, [s.hidden, s.ffn], { random: std }),
      up: addWeight(`${p}.mlp.up_proj.weight`, [s.hidden, s.ffn], { random: std }),
      down: addWeight(`${p}.mlp.down_proj.weight`, [s.ffn, s.hidden], { random: std }),
    };
  });
  const finalNorm = addWeight('model.norm.weight', [s.hidden], { constant: 1 });
  const lmHead = s.tiedEmbeddings ? embed : addWeight('lm_head.weight', [s.hidden, s.vocab], { random: std });

  // --- shared values -------------------------------------------------------------------------------------------
  const c0 = g.i64([0]);
  const c1 = g.i64([1]);
  const shapeIds = g.o('Shape', ['input_ids']);
  const seqLen = g.o('Slice', [shapeIds, c1, g.i64([2]), c0]); // [1] = S
  const shapeMask = g.o('Shape', ['attention_mask']);
  const totalLen = g.o('Slice', [shapeMask, c1, g.i64([2]), c0]); // [1] = past + S
  const pastLen = g.o('Sub', [totalLen, seqLen]);

  let positions: string;
  if (v.positionIds) {
    positions = 'position_ids';
  } else {
    // Positions from the mask, as Optimum's exports without position_ids do: cumsum − 1, last S columns, ≥ 0.
    const cums = g.o('CumSum', ['attention_mask', c1]);
    const all = g.o('Sub', [cums, g.i64([1], [])]);
    const last = g.o('Slice', [all, g.o('Neg', [seqLen]), g.i64([Number.MAX_SAFE_INTEGER]), c1]);
    positions = g.o('Max', [last, g.i64([0], [])]);
  }
  // RoPE table gathered by position: [B,S,half] → [B,S,1,half] to broadcast over heads.
  const unsq2 = g.i64([2]);
  const cos = g.o('Unsqueeze', [g.o('Gather', [ropeCos, positions], [attr.i('axis', 0)]), unsq2]);
  const sin = g.o('Unsqueeze', [g.o('Gather', [ropeSin, positions], [attr.i('axis', 0)]), unsq2]);

  let seqlensK = '';
  let totalSeq = '';
  let maskAdd = '';
  if (v.attention === 'gqa') {
    // GroupQueryAttention wants int32 seqlens_k = valid tokens − 1 per batch row and int32 scalar total length.
    const valid = g.o('ReduceSum', ['attention_mask', c1], [attr.i('keepdims', 0)]);
    seqlensK = g.o('Cast', [g.o('Sub', [valid, g.i64([1], [])])], [attr.i('to', T.INT32)]);
    totalSeq = g.o('Cast', [g.o('Squeeze', [totalLen, c0])], [attr.i('to', T.INT32)]);
  } else {
    // Additive mask [B,1,S,T]: causal (key index > query's absolute position) or padding → −1e9.
    const keyIdx = g.o('Range', [g.i64([0], []), g.o('Squeeze', [totalLen, c0]), g.i64([1], [])]);
    const qPos = g.o('Range', [g.o('Squeeze', [pastLen, c0]), g.o('Squeeze', [totalLen, c0]), g.i64([1], [])]);
    const causal = g.o('Greater', [g.o('Unsqueeze', [keyIdx, c0]), g.o('Unsqueeze', [qPos, c1])]); // [S,T]
    const pad = g.o('Unsqueeze', [g.o('Equal', ['attention_mask', g.i64([0], [])]), g.i64([1, 2])]); // [B,1,1,T]
    const masked = g.o('Or', [causal, pad]);
    maskAdd = g.o('Where', [masked, g.f32([-1e9], []), g.f32([0], [])]);
  }

  const eps = g.f32([s.rmsEps], []);
  const rmsNorm = (x: string, w: string): string => {
    const ms = g.o('ReduceMean', [g.o('Mul', [x, x])], [attr.ints('axes', [-1]), attr.i('keepdims', 1)]);
    const inv = g.o('Reciprocal', [g.o('Sqrt', [g.o('Add', [ms, eps])])]);
    return g.o('Mul', [g.o('Mul', [x, inv]), w]);
  };
  const halves = g.i64([half, half]);
  const rope = (x: string): string => {
    const [x1, x2] = g.op('Split', [x, halves], [attr.i('axis', -1)], 2);
    const r1 = g.o('Sub', [g.o('Mul', [x1, cos]), g.o('Mul', [x2, sin])]);
    const r2 = g.o('Add', [g.o('Mul', [x2, cos]), g.o('Mul', [x1, sin])]);
    return g.o('Concat', [r1, r2], [attr.i('axis', -1)]);
  };
  const shapeQ4 = g.i64([0, 0, s.heads, s.headDim]);
  const shapeKv4 = g.i64([0, 0, s.kvHeads, s.headDim]);
  const shapeQ3 = g.i64([0, 0, qDim]);
  const shapeKv3 = g.i64([0, 0, kvDim]);

  // Merged decoders: one If choosing, per past tensor, the fed past (use_cache_branch) or an empty slice of it.
  const pastNames: string[] = [];
  for (let l = 0; l < s.layers; l++) pastNames.push(`past_key_values.${l}.key`, `past_key_values.${l}.value`);
  let pastUsed = pastNames;
  if (v.mergedUseCacheBranch) {
    const thenOut = pastNames.map((n) => `${n}__with_cache`);
    const elseOut = pastNames.map((n) => `${n}__no_cache`);
    const thenBranch: onnx.IGraphProto = {
      name: 'with_past',
      node: pastNames.map((n, k) => ({ opType: 'Identity', input: [n], output: [thenOut[k]], name: `then_${k}` })),
      output: thenOut.map((n) => valueInfo(n, kvElem, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim])),
    };
    const zeros = { name: 'zero_i64', dataType: T.INT64, dims: [1], rawData: Buffer.alloc(8) };
    const two = { name: 'two_i64', dataType: T.INT64, dims: [1], rawData: Buffer.from(new BigInt64Array([2n]).buffer) };
    const elseBranch: onnx.IGraphProto = {
      name: 'without_past',
      initializer: [zeros, two],
      node: pastNames.map((n, k) => ({ opType: 'Slice', input: [n, 'zero_i64', 'zero_i64', 'two_i64'], output: [elseOut[k]], name: `else_${k}` })),
      output: elseOut.map((n) => valueInfo(n, kvElem, ['batch_size', s.kvHeads, 0, s.headDim])),
    };
    pastUsed = g.op('If', ['use_cache_branch'], [attr.g('then_branch', thenBranch), attr.g('else_branch', elseBranch)], pastNames.length);
  }

  // --- layers ----------------------------------------------------------------------------------------------------
  let x = g.o('Gather', [embed, 'input_ids'], [attr.i('axis', 0)]);
  const scale = 1 / Math.sqrt(s.headDim);
  const group = s.heads / s.kvHeads;
  for (let l = 0; l < s.layers; l++) {
    const w = layerW[l];
    const h = rmsNorm(x, w.inNorm);
    const q = rope(g.o('Reshape', [g.o('MatMul', [h, w.q]), shapeQ4]));
    const k = rope(g.o('Reshape', [g.o('MatMul', [h, w.k]), shapeKv4]));
    const vv = g.o('MatMul', [h, w.v]);
    let pastK = pastUsed[2 * l];
    let pastV = pastUsed[2 * l + 1];
    if (v.kvDtype === 'float16') {
      pastK = g.o('Cast', [pastK], [attr.i('to', T.FLOAT)]);
      pastV = g.o('Cast', [pastV], [attr.i('to', T.FLOAT)]);
    }
    const presentKName = v.kvDtype === 'float16' ? g.fresh('presentK32') : `present.${l}.key`;
    const presentVName = v.kvDtype === 'float16' ? g.fresh('presentV32') : `present.${l}.value`;
    let attn: string;
    if (v.attention === 'gqa') {
      attn = g.op(
        'GroupQueryAttention',
        [g.o('Reshape', [q, shapeQ3]), g.o('Reshape', [k, shapeKv3]), vv, pastK, pastV, seqlensK, totalSeq],
        [attr.i('num_heads', s.heads), attr.i('kv_num_heads', s.kvHeads), attr.f('scale', scale)],
        [g.fresh('gqa_out'), presentKName, presentVName],
        'com.microsoft',
      )[0];
    } else {
      const perm = [attr.ints('perm', [0, 2, 1, 3])];
      const qT = g.o('Transpose', [q], perm); // [B,H,S,D]
      g.op('Concat', [pastK, g.o('Transpose', [k], perm)], [attr.i('axis', 2)], [presentKName]);
      g.op('Concat', [pastV, g.o('Transpose', [g.o('Reshape', [vv, shapeKv4])], perm)], [attr.i('axis', 2)], [presentVName]);
      let kAll = presentKName;
      let vAll = presentVName;
      if (group > 1) {
        // Repeat each KV head `group` times: [B,kvH,T,D] → [B,kvH,g,T,D] → [B,H,T,D].
        const rep = g.i64([1, 1, group, 1, 1]);
        const toHeads = g.i64([0, s.heads, -1, s.headDim]);
        kAll = g.o('Reshape', [g.o('Expand', [g.o('Unsqueeze', [kAll, unsq2]), rep]), toHeads]);
        vAll = g.o('Reshape', [g.o('Expand', [g.o('Unsqueeze', [vAll, unsq2]), rep]), toHeads]);
      }
      const scores = g.o('Mul', [g.o('MatMul', [qT, g.o('Transpose', [kAll], [attr.ints('perm', [0, 1, 3, 2])])]), g.f32([scale], [])]);
      const probs = g.o('Softmax', [g.o('Add', [scores, maskAdd])], [attr.i('axis', -1)]);
      const ctx = g.o('Transpose', [g.o('MatMul', [probs, vAll])], perm);
      attn = g.o('Reshape', [ctx, shapeQ3]);
    }
    if (v.kvDtype === 'float16') {
      g.op('Cast', [presentKName], [attr.i('to', T.FLOAT16)], [`present.${l}.key`]);
      g.op('Cast', [presentVName], [attr.i('to', T.FLOAT16)], [`present.${l}.value`]);
    }
    x = g.o('Add', [x, g.o('MatMul', [attn, w.o])]);
    const h2 = rmsNorm(x, w.postNorm);
    const gate = g.o('MatMul', [h2, w.gate]);
    const act = g.o('Mul', [g.o('Mul', [gate, g.o('Sigmoid', [gate])]), g.o('MatMul', [h2, w.up])]);
    x = g.o('Add', [x, g.o('MatMul', [act, w.down])]);
  }

  // Logits for the last position only: all positions would cost +30% time and S×vocab floats of memory.
  const last = g.o('Gather', [x, g.i64([-1])], [attr.i('axis', 1)]); // [B,1,hidden]
  const normed = rmsNorm(last, finalNorm);
  if (s.tiedEmbeddings) {
    const flat = g.o('Reshape', [normed, g.i64([-1, s.hidden])]);
    const gemm = g.o('Gemm', [flat, lmHead], [attr.i('transB', 1)]);
    g.op('Reshape', [gemm, g.i64([-1, 1, s.vocab])], [], ['logits']);
  } else {
    g.op('MatMul', [normed, lmHead], [], ['logits']);
  }

  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'prompt-cache-auditor',
    producerVersion: metadata.generator_version ?? '',
    opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: { name: 'decoder', node: g.nodes, initializer: g.inits, input: inputs, output: outputs },
  };
  return { model, weights, externalInits };
}

function ropeTable(s: DecoderShape, out: Float32Array, fn: (x: number) => number): void {
  const half = s.headDim / 2;
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / Math.pow(s.ropeTheta, (2 * i) / s.headDim);
    for (let p = 0; p < s.maxPositions; p++) out[p * half + i] = fn(p * invFreq);
  }
}
